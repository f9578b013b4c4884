/**
 * Workspace locks ("one sync/apply at a time"), shared by every process using
 * the same database. A lock is a row kept alive by a heartbeat; it is taken
 * over when its heartbeat is older than `staleAfterMs`, or at once when its
 * holder's pid is dead on this host (kill -9 never blocks anyone for long).
 * Every take-over is a compare-and-swap on the holder's random token. Plain
 * SQL (sql-exec.ts), so the full store and the read store share it.
 */
import { randomUUID } from "node:crypto";
import { CancelledError } from "../core/errors.js";
import type { WorkspaceLock } from "./generated/sqlite/client.js";
import { holderDead, hostName } from "./liveness.js";
import { decodeRow } from "./read-rows.js";
import { stamp, type SqlDatabase } from "./sql-exec.js";
import { LockBusyError, type LockClock, type LockHandle, type LockInfo, type LockOptions } from "./lock-types.js";

export { LockBusyError, type LockClock, type LockHandle, type LockInfo, type LockOptions } from "./lock-types.js";

/** Default: a holder silent for 30 s is presumed dead. */
export const DEFAULT_STALE_AFTER_MS = 30_000;
const DEFAULT_POLL_MS = 250;

function toInfo(row: WorkspaceLock, staleAfterMs: number, now: number): LockInfo {
  const silentMs = Math.max(0, now - row.heartbeatAt.getTime());
  const dead = holderDead(row.pid, row.host);
  return {
    name: row.name,
    pid: row.pid,
    host: row.host,
    correlationId: row.correlationId,
    acquiredAt: row.acquiredAt,
    heartbeatAt: row.heartbeatAt,
    stale: dead || silentMs >= staleAfterMs,
    staleInMs: dead ? 0 : Math.max(0, staleAfterMs - silentMs),
  };
}

/** The wall clock. */
export const systemClock: LockClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(cancelled(signal));
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(cancelled(signal as AbortSignal));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
  every: (ms, beat) => {
    const timer = setInterval(() => void beat(), ms);
    timer.unref(); // a held lock never keeps the process alive on its own
    return () => clearInterval(timer);
  },
};

function cancelled(signal: AbortSignal): unknown {
  return signal.reason instanceof Error ? signal.reason : new CancelledError("Cancelled while waiting for the workspace lock.");
}

/** Options of a LockRepository. */
export interface LockRepositoryOptions {
  staleAfterMs?: number;
  clock?: LockClock;
}

/** `store.locks` */
export class LockRepository {
  private readonly held = new Set<Handle>();
  private readonly staleAfterMs: number;
  private readonly clock: LockClock;

  constructor(
    private readonly sql: SqlDatabase,
    options: LockRepositoryOptions = {},
  ) {
    this.staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Take lock `name`. Held by someone alive: throw LockBusyError at once, or
   * with `wait` poll until it is free (throwing LockBusyError after `timeoutMs`,
   * or the abort reason when `signal` aborts).
   */
  async acquire(name: string, opts: LockOptions = {}): Promise<LockHandle> {
    const staleAfterMs = opts.staleAfterMs ?? this.staleAfterMs;
    const deadline = this.clock.now() + (opts.wait ? (opts.timeoutMs ?? 5 * 60_000) : 0);
    for (;;) {
      const token = randomUUID();
      const row = await this.sql.guard(() => this.tryTake(name, token, staleAfterMs, opts.correlationId ?? null));
      if (row === true) {
        const handle = new Handle(this.sql, this.clock, name, token, staleAfterMs, () => this.held.delete(handle));
        this.held.add(handle);
        return handle;
      }
      const info = toInfo(row, staleAfterMs, this.clock.now());
      if (this.clock.now() >= deadline) throw new LockBusyError(info);
      opts.onBusy?.(info);
      await this.clock.sleep(Math.min(opts.pollMs ?? DEFAULT_POLL_MS, Math.max(10, deadline - this.clock.now())), opts.signal);
    }
  }

  /** The current holder of `name` (stale or not), or null when free. */
  holder(name: string, staleAfterMs = this.staleAfterMs): Promise<LockInfo | null> {
    return this.sql.guard(async () => {
      const row = await this.find(name);
      return row ? toInfo(row, staleAfterMs, this.clock.now()) : null;
    });
  }

  /** Release every lock this repository handed out (store.close()). */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.held].map((h) => h.release()));
  }

  private async find(name: string): Promise<WorkspaceLock | null> {
    const [row] = await this.sql.rows(`SELECT * FROM "WorkspaceLock" WHERE "name" = ?`, [name]);
    return row ? decodeRow("WorkspaceLock", row, this.sql.provider) : null;
  }

  /** true when taken; otherwise the live holder's row. */
  private async tryTake(name: string, token: string, staleAfterMs: number, correlationId: string | null): Promise<true | WorkspaceLock> {
    const { sql } = this;
    const now = new Date(this.clock.now());
    const ts = stamp(sql.provider);
    const mine = [token, process.pid, hostName(), correlationId, now, now];
    const existing = await this.find(name);
    if (!existing) {
      const insert = `INSERT INTO "WorkspaceLock" ("name", "token", "pid", "host", "correlationId", "acquiredAt", "heartbeatAt")
        VALUES (?, ?, ?, ?, ?, ${ts}, ${ts}) ON CONFLICT ("name") DO NOTHING RETURNING "name"`;
      const inserted = await sql.rows(insert, [name, ...mine]);
      // Someone else created it in between: look again.
      return inserted.length === 1 ? true : this.tryTake(name, token, staleAfterMs, correlationId);
    }
    if (!toInfo(existing, staleAfterMs, now.getTime()).stale) return existing;
    // Compare-and-swap on the stale holder's token: of two contenders, one wins.
    const swap = `UPDATE "WorkspaceLock" SET "token" = ?, "pid" = ?, "host" = ?, "correlationId" = ?, "acquiredAt" = ${ts}, "heartbeatAt" = ${ts}
      WHERE "name" = ? AND "token" = ? RETURNING "name"`;
    const swapped = await sql.rows(swap, [...mine, name, existing.token]);
    return swapped.length === 1 ? true : this.tryTake(name, token, staleAfterMs, correlationId);
  }
}

/** A held lock: heartbeats until released. */
class Handle implements LockHandle {
  private readonly stopBeating: () => void;
  private released = false;
  lost = false;

  constructor(
    private readonly sql: SqlDatabase,
    private readonly clock: LockClock,
    readonly name: string,
    readonly token: string,
    staleAfterMs: number,
    private readonly forget: () => void,
  ) {
    this.stopBeating = clock.every(Math.max(50, Math.floor(staleAfterMs / 3)), () => this.beat());
  }

  private async beat(): Promise<void> {
    try {
      const beat = `UPDATE "WorkspaceLock" SET "heartbeatAt" = ${stamp(this.sql.provider)} WHERE "name" = ? AND "token" = ? RETURNING "name"`;
      const rows = await this.sql.rows(beat, [new Date(this.clock.now()), this.name, this.token]);
      if (rows.length === 0) this.lost = true;
    } catch {
      // A missed heartbeat is harmless unless it lasts staleAfterMs.
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.stopBeating();
    this.forget();
    await this.sql.guard(() => this.sql.run(`DELETE FROM "WorkspaceLock" WHERE "name" = ? AND "token" = ?`, [this.name, this.token]));
  }
}
