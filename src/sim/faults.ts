/**
 * Fault injection: queued faults (cluster.faultNext) first, then a seeded
 * random fraction of requests (faultRate) answered with a plausible PVE or
 * proxy error, or a dropped connection. Same seed, same request order → the
 * same faults.
 */
import type { FaultKind } from "./cluster.js";
import { Random } from "./random.js";

/** A fault as it is answered. */
export interface FaultAnswer {
  kind: FaultKind;
  /** Reason phrase and body message (absent for "drop"). */
  message?: string;
}

/** Messages of each fault status, as pveproxy / pvedaemon would say them. */
export const FAULT_MESSAGES: Record<number, string> = {
  500: "error during cfs-locked 'file-replication_cfg' operation: got lock request timeout",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  595: "Connection refused",
  596: "Connection timed out",
};

const RANDOM_KINDS: readonly FaultKind[] = [500, 502, 503, 504, 596, "drop"];

/** Decides which requests fail. */
export class FaultInjector {
  private readonly random: Random;

  constructor(
    private readonly rate: number,
    seed: number,
  ) {
    this.random = new Random(seed ^ 0xfa017);
  }

  /** The fault for this request, if any; `queued` is the next fault tests asked for. */
  next(queued: FaultKind | undefined): FaultAnswer | undefined {
    const kind = queued ?? this.draw();
    if (kind === undefined) return undefined;
    return kind === "drop" ? { kind } : { kind, message: FAULT_MESSAGES[kind] ?? "Internal Server Error" };
  }

  private draw(): FaultKind | undefined {
    if (this.rate <= 0) return undefined;
    // Two draws per request whatever the outcome, so later decisions do not depend on earlier kinds.
    const hit = this.random.next() < this.rate;
    const kind = this.random.pick(RANDOM_KINDS);
    return hit ? kind : undefined;
  }
}
