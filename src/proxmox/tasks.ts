/**
 * Tasks (UPIDs): parse them and wait for them. A wait polls the task status
 * with backoff until it stops, gives up after an overall timeout, and on
 * failure throws a TaskFailedError carrying the exit status and the last log
 * lines, which is where PVE explains what went wrong.
 */
import { AbortedError, ProxmoxApiError, TaskFailedError, TimeoutError } from "./errors.js";
import type { PveTaskLogLine, PveTaskStatus } from "./types.js";

/** The parts of `UPID:node:pid:pstart:starttime:type:id:user:`. */
export interface Upid {
  upid: string;
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  type: string;
  id: string;
  user: string;
}

/** Parse a UPID; throws on anything else. */
export function parseUpid(upid: string): Upid {
  const parts = upid.split(":");
  if (parts.length < 8 || parts[0] !== "UPID") throw new ProxmoxApiError(`Not a task id: "${upid}".`, { code: "invalid-upid" });
  const [, node, pid, pstart, starttime, type, id, ...user] = parts;
  return {
    upid,
    node,
    pid: parseInt(pid, 16),
    pstart: parseInt(pstart, 16),
    starttime: parseInt(starttime, 16),
    type,
    id,
    user: user.join(":").replace(/:$/, ""),
  };
}

/** True for a string that looks like a UPID. */
export function isUpid(value: unknown): value is string {
  return typeof value === "string" && value.startsWith("UPID:");
}

/** True when a finished task's exit status counts as success ("OK", or "WARNINGS: n"). */
export function taskSucceeded(exitstatus: string | undefined): boolean {
  return exitstatus === "OK" || /^WARNINGS: \d+$/.test(exitstatus ?? "");
}

export interface WaitOptions {
  /** Give up after this long (default 10 min). The task may still be running then. */
  timeoutMs?: number;
  /** First poll interval (default 200 ms), growing ×1.5 up to maxPollMs. */
  pollMs?: number;
  maxPollMs?: number;
  /** Log lines kept on failure (default 10). */
  logLines?: number;
  signal?: AbortSignal;
  /** Called after each poll while the task runs. */
  onProgress?: (status: PveTaskStatus, elapsedMs: number) => void;
  /** Called as the wait begins (the task runs) and once the task is seen stopped, with its exit status (the task.status event). */
  onState?: (state: TaskState) => void;
}

/** A task's state as a waiter saw it. */
export interface TaskState {
  upid: string;
  node: string;
  type: string;
  id?: string;
  status: "running" | "stopped";
  exitstatus?: string;
}

/** What the waiter needs from the client. */
export interface TaskApi {
  taskStatus(node: string, upid: string, options?: { signal?: AbortSignal }): Promise<PveTaskStatus>;
  taskLog(node: string, upid: string, options?: { start?: number; limit?: number; signal?: AbortSignal }): Promise<PveTaskLogLine[]>;
}

/** Wait for a task to stop; resolves with its final status, throws TaskFailedError / TimeoutError. */
export async function waitForTask(api: TaskApi, upid: string, options: WaitOptions = {}): Promise<PveTaskStatus> {
  const { node, type, id } = parseUpid(upid);
  const timeoutMs = options.timeoutMs ?? 600_000;
  const maxPoll = options.maxPollMs ?? 2_000;
  let interval = options.pollMs ?? 200;
  const started = Date.now();
  const state = { upid, node, type, ...(id ? { id } : {}) };
  options.onState?.({ ...state, status: "running" });
  for (;;) {
    const status = await api.taskStatus(node, upid, { signal: options.signal });
    const elapsed = Date.now() - started;
    if (status.status === "stopped") {
      options.onState?.({ ...state, status: "stopped", exitstatus: status.exitstatus });
      if (taskSucceeded(status.exitstatus)) return status;
      const tail = await lastLogLines(api, node, upid, options.logLines ?? 10, options.signal);
      const exit = status.exitstatus ?? "unknown error";
      throw new TaskFailedError(
        `Task ${type}${id ? ` ${id}` : ""} on ${node} failed: ${exit}`,
        { code: "task-failed", hint: `See the full log with: pvenode task log ${upid}` },
        upid,
        exit,
        tail,
      );
    }
    options.onProgress?.(status, elapsed);
    if (elapsed >= timeoutMs) {
      throw new TimeoutError(`Task ${type}${id ? ` ${id}` : ""} on ${node} did not finish within ${Math.round(timeoutMs / 1000)} s; it may still be running.`, {
        code: "task-timeout",
        hint: `Check it in the Proxmox GUI (task ${upid}) before trying again.`,
      });
    }
    await delay(Math.min(interval, timeoutMs - elapsed), options.signal, upid);
    interval = Math.min(interval * 1.5, maxPoll);
  }
}

async function lastLogLines(api: TaskApi, node: string, upid: string, count: number, signal?: AbortSignal): Promise<string[]> {
  try {
    // PVE's log endpoint pages from the start; ask for a large page and keep the tail.
    const lines = await api.taskLog(node, upid, { start: 0, limit: 5000, signal });
    return lines.slice(-count).map((l) => l.t);
  } catch {
    return [];
  }
}

function delay(ms: number, signal: AbortSignal | undefined, upid: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError(`Stopped waiting for ${upid}; the task goes on on the server.`, { code: "aborted" }));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError(`Stopped waiting for ${upid}; the task goes on on the server.`, { code: "aborted" }));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
