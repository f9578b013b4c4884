/**
 * Following a PVE task for `backup` and `snapshot`: wait for its UPID (the
 * client's waiter: backoff, timeout, Ctrl-C, the log's tail on failure) while
 * reading its log as it grows, so each new line can be shown as progress.
 */
import { ProxmoxMpcError } from "../core/errors.js";
import type { ProxmoxClient } from "../proxmox/client.js";
import { parseUpid } from "../proxmox/tasks.js";
import type { PveTaskStatus } from "../proxmox/types.js";

/** What following a task gives: its final status and every log line it wrote. */
export interface FollowedTask {
  status: PveTaskStatus;
  lines: string[];
}

/**
 * Wait for `upid`, calling `onLine` for each new line of its log (PVE's
 * "no content" placeholder and the final "TASK OK" are not shown). Throws as
 * `waitForTask` does (TaskFailedError, TimeoutError, AbortedError); the lines
 * read so far were shown by then.
 */
export async function followTask(
  client: ProxmoxClient,
  upid: string,
  options: { signal?: AbortSignal; timeoutMs?: number; onLine?: (line: string) => void; lines?: string[] } = {},
): Promise<FollowedTask> {
  const { node } = parseUpid(upid);
  const lines = options.lines ?? [];
  let next = 0;
  let chain: Promise<void> = Promise.resolve();
  const pull = async (): Promise<void> => {
    try {
      const page = await client.taskLog(node, upid, { start: next, limit: 1000, signal: options.signal });
      for (const entry of page) {
        if (entry.n <= next || (entry.n === 1 && entry.t === "no content")) continue;
        next = entry.n;
        lines.push(entry.t);
        if (entry.t !== "TASK OK") options.onLine?.(entry.t);
      }
    } catch {
      // The log is progress only: a failed read is tried again on the next poll.
    }
  };
  const queue = (): void => {
    chain = chain.then(pull);
  };
  try {
    const status = await client.waitForTask(upid, { signal: options.signal, timeoutMs: options.timeoutMs, pollMs: 150, maxPollMs: 1000, onProgress: queue });
    queue();
    await chain;
    return { status, lines };
  } catch (err) {
    if (!options.signal?.aborted) {
      queue();
      await chain;
    }
    throw err;
  }
}

/** "3 h", "2 d": how long ago a Unix time was. */
export function age(unixSeconds: number, now = Date.now()): string {
  const s = Math.max(0, Math.round(now / 1000 - unixSeconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}

/** "1.5 GiB", "320.0 MiB": a size in binary units. */
export function size(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return i === 0 ? `${value} B` : `${value.toFixed(1)} ${units[i]}`;
}

/** "2026-11-28 12:00" (UTC) of a Unix time. */
export function when(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 16).replace("T", " ");
}

/** Exit code of a run stopped by Ctrl-C (128 + SIGINT), as the shell reports it. */
export const EXIT_INTERRUPTED = 130;

/**
 * Run a command's work; after Ctrl-C, any error it ends with becomes one that
 * says the task goes on on the server, with exit code 130.
 */
export async function stoppable<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!signal.aborted) throw err;
    const upid = /UPID:[^\s;,]+/.exec(err instanceof Error ? err.message : "")?.[0];
    throw new ProxmoxMpcError(`Stopped waiting${upid ? ` for ${upid}` : ""}: the task goes on on the server.`, {
      code: "interrupted",
      hint: "See how it ends with `proxmox-mpc get tasks` (or in the Proxmox GUI); stop it there if it must not finish.",
      exitCode: EXIT_INTERRUPTED,
      cause: err,
    });
  }
}
