/**
 * The brake on wrong tokens: checking a token's secret costs a scrypt (tens
 * of milliseconds of CPU), and whoever sends wrong ones chooses how many. Per
 * client address, after LIMIT failed checks within WINDOW_MS the address is
 * answered 429 (with Retry-After) without checking anything, until that
 * window has passed. A token this server has already verified still gets in
 * (its check is a cached lookup, not a scrypt): a client behind the same
 * address or proxy as a guesser keeps working.
 */
import { createHash } from "node:crypto";

/** Failed token checks allowed per address within one window. */
export const FAILED_AUTH_LIMIT = 10;
/** The window (milliseconds), counted from the first failure in it. */
export const FAILED_AUTH_WINDOW_MS = 60_000;
/** Addresses remembered at most (a flood of addresses cannot grow memory without end). */
const MAX_ADDRESSES = 10_000;

interface Failures {
  since: number;
  count: number;
}

export class FailedAuthLimiter {
  private readonly byAddress = new Map<string, Failures>();
  /** SHA-256 of the tokens that passed a check here (never the token itself). */
  private readonly verified = new Set<string>();

  constructor(
    private readonly limit = FAILED_AUTH_LIMIT,
    private readonly windowMs = FAILED_AUTH_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `address` may try again, or undefined when it may try now. */
  blocked(address: string): number | undefined {
    const f = this.current(address);
    if (!f || f.count < this.limit) return undefined;
    return Math.max(1, Math.ceil((f.since + this.windowMs - this.now()) / 1000));
  }

  /** A failed check from `address`. */
  failed(address: string): void {
    const f = this.current(address);
    if (f) {
      f.count += 1;
      return;
    }
    if (this.byAddress.size >= MAX_ADDRESSES) this.prune();
    this.byAddress.set(address, { since: this.now(), count: 1 });
  }

  /** A token that passed its check. */
  succeeded(token: string): void {
    if (this.verified.size >= MAX_ADDRESSES) this.verified.clear();
    this.verified.add(digest(token));
  }

  /** Whether this token passed a check here before (it may be checked even from a blocked address). */
  knows(token: string): boolean {
    return this.verified.has(digest(token));
  }

  /** The address's failures in the window still running, if any. */
  private current(address: string): Failures | undefined {
    const f = this.byAddress.get(address);
    if (f && this.now() - f.since >= this.windowMs) {
      this.byAddress.delete(address);
      return undefined;
    }
    return f;
  }

  /** Forget windows that have passed (and, if every one is current, the oldest). */
  private prune(): void {
    const now = this.now();
    for (const [address, f] of this.byAddress) if (now - f.since >= this.windowMs) this.byAddress.delete(address);
    if (this.byAddress.size >= MAX_ADDRESSES) this.byAddress.delete(this.byAddress.keys().next().value as string);
  }
}

function digest(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}
