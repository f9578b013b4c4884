/**
 * The Proxmox task logs a diagnostic bundle carries, fetched from the server
 * through the API client: first the tasks (UPIDs) named by the failing
 * operation's log lines, then failed tasks named by the window's other log
 * lines, then the cluster's failed tasks of the window (GET /cluster/tasks) —
 * at most MAX_TASKS, each with its status and the last MAX_TASK_LOG_LINES
 * lines of its log. A server that cannot be reached (or asked) is a note in
 * the bundle, never a failed report.
 */
import type { ProxmoxClient } from "../proxmox/client.js";
import { NetworkError, TimeoutError, TlsError } from "../proxmox/errors.js";
import { parseUpid, taskSucceeded } from "../proxmox/tasks.js";
import type { PveTaskLogLine } from "../proxmox/types.js";
import type { LogEntry } from "./log-query.js";

/** Most tasks, and most log lines of each (the last ones), in a bundle. */
export const MAX_TASKS = 10;
export const MAX_TASK_LOG_LINES = 200;
/** Most status look-ups (tasks named by log lines may turn out to have succeeded, and are then left out). */
const MAX_LOOKUPS = 30;
/** Lines asked for per request (PVE pages a task log from its start), and most pages read of one log. */
const PAGE = 5000;
const MAX_PAGES = 20;

/** What is asked of the server. */
export type TaskLogApi = Pick<ProxmoxClient, "clusterTasks" | "taskStatus" | "taskLog">;

/** Why a task is in the bundle. */
export type TaskLogSource = "failing operation" | "log lines" | "cluster tasks";

/** One task of the bundle: its status and the end of its log. */
export interface TaskLog {
  upid: string;
  node: string;
  type: string;
  id: string;
  source: TaskLogSource;
  status: string;
  /** "OK", "WARNINGS: n" or the error; null while running. */
  exitstatus: string | null;
  startedAt: string;
  /** Lines of the whole log; `lines` holds the last MAX_TASK_LOG_LINES of them. */
  totalLines: number;
  lines: string[];
}

/** The task logs of a bundle, and what kept some from it (null when nothing did). */
export interface TaskLogs {
  note: string | null;
  tasks: TaskLog[];
}

export interface TaskLogSources {
  api: () => Promise<TaskLogApi>;
  since: Date;
  /** The failing operation's log lines. */
  trace: LogEntry[];
  /** The window's log lines. */
  lines: LogEntry[];
  signal?: AbortSignal;
}

const UPID = /UPID:[^:\s"'\\]+:[0-9A-Fa-f]{8}:[0-9A-Fa-f]{8,9}:[0-9A-Fa-f]{8}:[^:\s"'\\]*:[^:\s"'\\]*:[^:\s"'\\]+:/g;

interface Candidate {
  upid: string;
  source: TaskLogSource;
  /** Kept only when the task failed (its status is looked up first). */
  onlyFailed: boolean;
}

/** Fetch the task logs of the window; never throws. */
export async function collectTaskLogs(src: TaskLogSources): Promise<TaskLogs> {
  const tasks: TaskLog[] = [];
  const notes: string[] = [];
  const done = (): TaskLogs => ({ note: notes.length ? `task logs: ${notes.join("; ")}` : null, tasks });
  let api: TaskLogApi;
  try {
    api = await src.api();
  } catch (err) {
    notes.push(`not fetched (${messageOf(err)})`);
    return done();
  }
  const candidates = new Map<string, Candidate>();
  const add = (upid: string, source: TaskLogSource, onlyFailed: boolean): void => {
    if (!candidates.has(upid)) candidates.set(upid, { upid, source, onlyFailed });
  };
  for (const upid of upidsIn(src.trace)) add(upid, "failing operation", false);
  for (const upid of upidsIn(src.lines)) add(upid, "log lines", true);
  try {
    const since = Math.floor(src.since.getTime() / 1000);
    const failed = (await api.clusterTasks({ signal: src.signal }))
      .filter((t) => t.status !== undefined && !taskSucceeded(t.status) && (t.endtime ?? t.starttime) >= since)
      .sort((a, b) => b.starttime - a.starttime);
    for (const t of failed) add(t.upid, "cluster tasks", false);
  } catch (err) {
    if (unreachable(err)) {
      notes.push(`server unreachable (${messageOf(err)})`);
      return done();
    }
    notes.push(`the cluster's tasks not listed (${messageOf(err)})`);
  }
  let lookups = 0;
  for (const c of candidates.values()) {
    if (tasks.length >= MAX_TASKS || lookups >= MAX_LOOKUPS) break;
    lookups++;
    const { node, type, id } = parseUpid(c.upid);
    try {
      const status = await api.taskStatus(node, c.upid, { signal: src.signal });
      const failed = status.status === "stopped" && !taskSucceeded(status.exitstatus);
      if (c.onlyFailed && !failed) continue;
      const log = await tail(api, node, c.upid, src.signal);
      tasks.push({
        upid: c.upid,
        node,
        type,
        id,
        source: c.source,
        status: status.status,
        exitstatus: status.exitstatus ?? null,
        startedAt: new Date(status.starttime * 1000).toISOString(),
        totalLines: log.total,
        lines: log.lines,
      });
    } catch (err) {
      if (unreachable(err)) {
        notes.push(`server unreachable (${messageOf(err)})`);
        break;
      }
      notes.push(`${type}${id ? ` ${id}` : ""} on ${node} not fetched (${messageOf(err)})`);
    }
  }
  return done();
}

/** The UPIDs a set of log lines names (in any field), newest line first. */
export function upidsIn(entries: LogEntry[]): string[] {
  const found = new Set<string>();
  for (let i = entries.length - 1; i >= 0; i--) for (const m of JSON.stringify(entries[i]).matchAll(UPID)) found.add(m[0]);
  return [...found];
}

/** The last MAX_TASK_LOG_LINES lines of a task log and its length (PVE pages from the start). */
async function tail(api: TaskLogApi, node: string, upid: string, signal: AbortSignal | undefined): Promise<{ total: number; lines: string[] }> {
  let kept: PveTaskLogLine[] = [];
  let last = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const got = (await api.taskLog(node, upid, { start: last, limit: PAGE, signal })).filter((l) => l.n > last);
    if (!got.length) break;
    kept = [...kept, ...got].slice(-MAX_TASK_LOG_LINES);
    last = got[got.length - 1].n;
    if (got.length < PAGE) break;
  }
  return { total: last, lines: kept.map((l) => l.t) };
}

function unreachable(err: unknown): boolean {
  return err instanceof NetworkError || err instanceof TimeoutError || err instanceof TlsError;
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0];
}
