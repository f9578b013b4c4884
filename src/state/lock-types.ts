/**
 * Types of workspace locks, and the error a busy lock produces.
 */
import { ProxmoxMpcError } from "../core/errors.js";

/** Options of `locks.acquire()`. */
export interface LockOptions {
  /** Wait for the holder instead of failing at once. */
  wait?: boolean;
  /** With `wait`: give up after this long (default 5 min). */
  timeoutMs?: number;
  /** Recorded with the lock, shown to whoever waits for it. */
  correlationId?: string;
  /** A holder whose heartbeat is older than this is presumed dead (default 30 s). */
  staleAfterMs?: number;
  /** How often a waiting caller retries (default 250 ms). */
  pollMs?: number;
  /** With `wait`: stop waiting (the acquire rejects with the signal's reason, or a CancelledError). */
  signal?: AbortSignal;
  /** With `wait`: called each time the lock is found held by someone alive, before waiting again. */
  onBusy?: (holder: LockInfo) => void;
}

/**
 * The time the locks go by: the wall clock, or a test's manual one (so no
 * test waits on real time). `every` runs the holders' heartbeats.
 */
export interface LockClock {
  now(): number;
  /** Resolves after `ms`; rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `beat` every `ms` until the returned function is called. */
  every(ms: number, beat: () => Promise<void>): () => void;
}

/** Who holds a lock. */
export interface LockInfo {
  name: string;
  pid: number;
  host: string;
  correlationId: string | null;
  acquiredAt: Date;
  heartbeatAt: Date;
  /** Dead pid on this host, or no heartbeat for staleAfterMs: the next acquire takes it over. */
  stale: boolean;
  /** How long until it becomes stale (0 when stale). */
  staleInMs: number;
}

/** A held lock. Release it in a `finally`. */
export interface LockHandle {
  readonly name: string;
  /** The holder's random id (what a take-over compares). */
  readonly token: string;
  /** True when someone took the lock over (this process stalled past staleAfterMs). */
  readonly lost: boolean;
  release(): Promise<void>;
}

function clock(d: Date): string {
  return d.toTimeString().slice(0, 8);
}

/** "Another sync is running (pid 1234 on host x, since 12:00:01, correlation c-…)." */
export class LockBusyError extends ProxmoxMpcError {
  readonly holder: LockInfo;

  constructor(holder: LockInfo) {
    const correlation = holder.correlationId ? `, correlation ${holder.correlationId}` : "";
    const seconds = Math.max(1, Math.ceil(holder.staleInMs / 1000));
    super(`Another ${holder.name} is running (pid ${holder.pid} on host ${holder.host}, since ${clock(holder.acquiredAt)}${correlation}).`, {
      code: "lock-busy",
      hint: `Wait for it or, if it died, run again in ${seconds} s.`,
    });
    this.holder = holder;
  }
}
