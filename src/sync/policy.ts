/**
 * How a sync reads the cluster: how many guest configs at once, and how
 * patiently each read is retried.
 */
import { RetryBudget, type RetryPolicy } from "../proxmox/client.js";

/** Guest configs read at once: reading thousands is latency-bound (other commands use 8). */
export const SYNC_CONCURRENCY = 16;

/**
 * The retry policy of a sync's reads: 6 attempts per GET, backoff from 250 ms
 * doubling to at most 2 s (jittered ±50 %), any 5xx that is not "does not
 * exist" retried too, within a budget of 50 + 25 % of the requests for the
 * whole sync (so a failing server is not hammered).
 */
export function syncRetryPolicy(overrides: RetryPolicy = {}): RetryPolicy {
  return { attempts: 6, baseMs: 250, maxDelayMs: 2_000, serverErrors: true, budget: new RetryBudget({ min: 50, ratio: 0.25 }), ...overrides };
}
