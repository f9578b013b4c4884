/**
 * A clock for the lock tests: time moves only when a test (or a waiting
 * acquire's sleep) moves it, and heartbeats run when the test says so. No
 * test of the locks waits on real time.
 */
import { CancelledError } from "../../src/core/errors.js";
import type { LockClock } from "../../src/state/index.js";

/** A LockClock driven by the test. */
export class ManualClock implements LockClock {
  private time = Date.now();
  private readonly beats = new Set<() => Promise<void>>();
  /** How many times a waiting acquire slept (each sleep moves the time on by what it asked for). */
  sleeps = 0;
  /**
   * Sleep for real too: for a wait on another process (which lives in real
   * time), so polling does not spin. Still no assertion on elapsed time.
   */
  realSleeps = false;

  now(): number {
    return this.time;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new CancelledError();
    this.sleeps++;
    this.time += ms;
    if (this.realSleeps) await new Promise((resolve) => setTimeout(resolve, ms));
    else await new Promise((resolve) => setImmediate(resolve)); // let the test's own work (a release) run
  }

  every(_ms: number, beat: () => Promise<void>): () => void {
    this.beats.add(beat);
    return () => this.beats.delete(beat);
  }

  /** Move the time on. */
  advance(ms: number): void {
    this.time += ms;
  }

  /** Run every held lock's heartbeat once, and wait for them. */
  async beat(): Promise<void> {
    await Promise.all([...this.beats].map((beat) => beat()));
  }
}
