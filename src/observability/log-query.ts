/**
 * Reading the workspace's log files back: parse the JSON lines into entries
 * (timestamp, level, correlationId, operation, phase, message, durationMs,
 * context) and filter them by time, level, operation, correlation id,
 * resource and text. Files of days before `since` are not opened; cheap text
 * checks run before a line is parsed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { listLogFiles } from "./log-files.js";

/** Levels from least to most severe. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One log line as `logs` shows it. */
export interface LogEntry {
  timestamp: string;
  level: string;
  correlationId: string | null;
  /** The command or tool, e.g. `sync`. */
  operation: string | null;
  /** The step within it, e.g. `sync.fetch-resources`, `api.request`. */
  phase: string | null;
  message: string;
  durationMs?: number;
  /** Every other field of the line (workspace, method, path, status, error …). */
  context: Record<string, unknown>;
}

/** Filters of a query; all optional. */
export interface LogQuery {
  /** Entries at or after this time. */
  since?: Date;
  /** This level and more severe. */
  level?: LogLevel;
  operation?: string;
  /** A correlation id or its beginning. */
  correlation?: string;
  /** A guest name, vmid or other resource mentioned by the line. */
  resource?: string;
  /** Text anywhere in the line (case-insensitive). */
  grep?: string;
  /** The last N matching entries (default: all). */
  limit?: number;
}

const KNOWN = new Set(["time", "timestamp", "level", "correlationId", "operation", "command", "phase", "msg", "message", "durationMs", "ms"]);

/** Parse `30m`, `2h`, `7d`, `45s` (before now) or a date / ISO time. Undefined when unreadable. */
export function parseSince(text: string, now: Date = new Date()): Date | undefined {
  const rel = /^(\d+)\s*(s|m|h|d)$/.exec(text.trim());
  if (rel) return new Date(now.getTime() - Number(rel[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[rel[2] as "s" | "m" | "h" | "d"]);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return undefined;
  const date = new Date(text.trim());
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A parsed JSON line as an entry; undefined for a line that is not a log object. */
export function toEntry(line: string): LogEntry | undefined {
  let raw: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
    raw = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const message = String(raw.msg ?? raw.message ?? "");
  const operation = typeof raw.operation === "string" ? raw.operation : typeof raw.command === "string" ? raw.command : null;
  const duration = typeof raw.durationMs === "number" ? raw.durationMs : typeof raw.ms === "number" ? raw.ms : undefined;
  const context: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) if (!KNOWN.has(key)) context[key] = value;
  return {
    timestamp: String(raw.time ?? raw.timestamp ?? ""),
    level: String(raw.level ?? "info"),
    correlationId: typeof raw.correlationId === "string" ? raw.correlationId : null,
    operation,
    phase: typeof raw.phase === "string" ? raw.phase : defaultPhase(message, operation),
    message,
    ...(duration === undefined ? {} : { durationMs: duration }),
    context,
  };
}

/** Lines written before phases existed: the command's start, end and failure. */
function defaultPhase(message: string, operation: string | null): string | null {
  const step = { "command started": "start", "command finished": "finish", "command failed": "error", "api request": "request" }[message];
  if (!step) return null;
  return step === "request" ? "api.request" : `${operation ?? "command"}.${step}`;
}

/** Whether an entry passes the filters that need the parsed line. */
export function matches(entry: LogEntry, query: LogQuery): boolean {
  if (query.since && entry.timestamp < query.since.toISOString()) return false;
  if (query.level && LOG_LEVELS.indexOf(entry.level as LogLevel) < LOG_LEVELS.indexOf(query.level)) return false;
  if (query.operation && entry.operation !== query.operation) return false;
  if (query.correlation && !entry.correlationId?.startsWith(query.correlation)) return false;
  return true;
}

/** A cheap check on the raw line (before parsing): text, resource and correlation must appear in it. */
function lineMayMatch(line: string, lower: string | undefined, query: LogQuery, resource: RegExp | undefined): boolean {
  if (lower && !line.toLowerCase().includes(lower)) return false;
  if (query.correlation && !line.includes(query.correlation)) return false;
  if (query.operation && !line.includes(query.operation)) return false;
  if (resource && !resource.test(line)) return false;
  return true;
}

/** The matching entries of every log file in `dir`, oldest first (the last `limit` of them). */
export function queryLogs(dir: string, query: LogQuery = {}): LogEntry[] {
  const sinceDay = query.since?.toISOString().slice(0, 10);
  const lower = query.grep?.toLowerCase();
  const resource = query.resource ? new RegExp(`(^|[^\\w-])${query.resource.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\w-])`) : undefined;
  const found: LogEntry[] = [];
  for (const f of listLogFiles(dir)) {
    if (sinceDay && f.day < sinceDay) continue;
    for (const line of readFileSync(join(dir, f.file), "utf8").split("\n")) {
      if (!line || !lineMayMatch(line, lower, query, resource)) continue;
      const entry = toEntry(line);
      if (entry && matches(entry, query)) found.push(entry);
    }
  }
  return query.limit !== undefined && found.length > query.limit ? found.slice(found.length - query.limit) : found;
}
