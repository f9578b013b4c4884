/**
 * Running one API call that may start a task: wait on its UPID (with the
 * apply's abort signal), retry with backoff when the guest's config lock
 * could not be taken (the client already retries an HTTP lock timeout; a
 * qemu config change fails inside its task instead), and turn a stale
 * digest into "changed since the plan".
 */
import type { OperationMetrics } from "../../core/metrics.js";
import { ProxmoxMpcError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import type { ProxmoxClient } from "../../proxmox/client.js";
import { AbortedError, LockTimeoutError, ProxmoxApiError, TaskFailedError } from "../../proxmox/errors.js";
import { isUpid } from "../../proxmox/tasks.js";

/** What a step needs to talk to the cluster. */
export interface TaskRunner {
  client: ProxmoxClient;
  signal: AbortSignal;
  log: Logger;
  /** The run's figures (task waits add to phase `task.wait`). */
  metrics?: OperationMetrics;
  /** First poll of a task status (default 100 ms, growing to 2 s). */
  pollMs?: number;
  /** Attempts of a call that met a lock timeout (default 5). */
  lockAttempts?: number;
  /** First backoff after a lock timeout (default 500 ms, doubled each time). */
  lockBackoffMs?: number;
}

const LOCKED = /can't lock file|got lock request timeout|lock.*got timeout/i;
const STALE = /detected modified configuration|file changed by other user/i;

/** The plan's digest no longer matches the guest's config. */
export class StalePlanError extends ProxmoxMpcError {
  constructor(name: string, cause: unknown) {
    super(`${name} changed since the plan; run plan again.`, { code: "stale-plan", hint: "Someone changed its configuration in Proxmox after the plan was made.", cause });
  }
}

/** Call, wait for the task it started (if any), retrying lock timeouts. */
export async function runTask(runner: TaskRunner, call: () => Promise<string | null>, name: string): Promise<void> {
  const attempts = runner.lockAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await call();
      if (isUpid(result)) {
        const started = performance.now();
        await runner.client.waitForTask(result, { signal: runner.signal, pollMs: runner.pollMs ?? 100 });
        const ms = performance.now() - started;
        runner.metrics?.phase("task.wait", ms);
        runner.log.debug({ phase: "task.wait", guest: name, upid: result, durationMs: Math.round(ms) }, "task finished");
      }
      return;
    } catch (err) {
      if (isStale(err)) throw new StalePlanError(name, err);
      if (!isLockTimeout(err) || attempt >= attempts) throw err;
      const delay = (runner.lockBackoffMs ?? 500) * 2 ** (attempt - 1) * (0.75 + Math.random() / 2);
      runner.log.debug({ guest: name, attempt, delayMs: Math.round(delay) }, "config lock busy; retrying");
      await sleep(delay, runner.signal);
    }
  }
}

/** A lock timeout, answered at once (HTTP 500) or as a task's exit status. */
export function isLockTimeout(err: unknown): boolean {
  if (err instanceof LockTimeoutError) return true;
  return err instanceof TaskFailedError && LOCKED.test(err.exitStatus);
}

function isStale(err: unknown): boolean {
  if (err instanceof TaskFailedError) return STALE.test(err.exitStatus);
  return err instanceof ProxmoxApiError && STALE.test(`${err.message} ${err.pveMessage ?? ""}`);
}

/** True for the error of an aborted wait or request. */
export function isAbort(err: unknown, signal: AbortSignal): boolean {
  return err instanceof AbortedError || (signal.aborted && err instanceof Error && err.name === "AbortError");
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new AbortedError("Cancelled while waiting for a config lock.", { code: "aborted" }));
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError("Cancelled while waiting for a config lock.", { code: "aborted" }));
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
