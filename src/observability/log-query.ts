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
  /** One operation; without it, every operation but `logs` itself. */
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
  if (query.operation ? entry.operation !== query.operation : entry.operation === "logs") return false; // the queries themselves, only when asked for
  if (query.correlation && !entry.correlationId?.startsWith(query.correlation)) return false;
  return true;
}

/** A string field read from the raw line without parsing it (pino writes level and time first); undefined when absent. */
function rawField(line: string, key: string): string | undefined {
  const at = line.indexOf(`"${key}":"`);
  if (at < 0) return undefined;
  const from = at + key.length + 4;
  return line.slice(from, line.indexOf('"', from));
}

/** A cheap check on the raw line (before parsing): level, time, text, resource and correlation. */
function lineMayMatch(line: string, lower: string | undefined, query: LogQuery, minLevel: number, since: string | undefined, resource: RegExp | undefined): boolean {
  if (minLevel > 0) {
    const level = rawField(line, "level");
    if (level !== undefined && LOG_LEVELS.indexOf(level as LogLevel) < minLevel) return false;
  }
  if (since) {
    const time = rawField(line, "time");
    if (time !== undefined && time < since) return false;
  }
  if (query.correlation && !line.includes(query.correlation)) return false;
  if (query.operation && !line.includes(query.operation)) return false;
  if (lower && !line.toLowerCase().includes(lower)) return false;
  if (resource && !resource.test(line)) return false;
  return true;
}

/** Literal texts of which a matching line must hold one, from the most selective filter; undefined: every line is a candidate. */
function needlesOf(query: LogQuery, minLevel: number): string[] | undefined {
  if (query.correlation) return [query.correlation];
  if (query.resource) return [query.resource];
  if (minLevel >= LOG_LEVELS.indexOf("warn")) return LOG_LEVELS.slice(minLevel).map((level) => `"level":"${level}"`);
  if (query.operation) return [query.operation];
  return undefined;
}

const NEWLINE = 0x0a;

/**
 * The lines of a file's bytes, newest (last) first, decoded one by one as they are asked for; with
 * needles only the lines holding one, found with Buffer.indexOf (no decoding of the rest).
 */
function* candidateLines(bytes: Buffer, needles: string[] | undefined): Generator<string> {
  const line = (start: number): string => {
    const end = bytes.indexOf(NEWLINE, start);
    return bytes.toString("utf8", start, end < 0 ? bytes.length : end);
  };
  if (!needles) {
    let end = bytes.length;
    while (end > 0) {
      const start = bytes.lastIndexOf(NEWLINE, end - 1) + 1;
      if (start < end) yield bytes.toString("utf8", start, end);
      end = start - 1;
    }
    return;
  }
  const starts = new Set<number>();
  for (const needle of needles) {
    let at = bytes.indexOf(needle);
    while (at >= 0) {
      starts.add(at === 0 ? 0 : bytes.lastIndexOf(NEWLINE, at) + 1);
      const end = bytes.indexOf(NEWLINE, at);
      if (end < 0) break;
      at = bytes.indexOf(needle, end + 1);
    }
  }
  for (const start of [...starts].sort((x, y) => y - x)) yield line(start);
}

/**
 * The matching entries of every log file in `dir`, oldest first (the last `limit` of them).
 * Files and lines are read newest first, so a query with a limit stops as soon as it has enough;
 * a selective filter (correlation, resource, warn and above, operation) finds its lines with indexOf.
 */
export function queryLogs(dir: string, query: LogQuery = {}): LogEntry[] {
  const since = query.since?.toISOString();
  const sinceDay = since?.slice(0, 10);
  const lower = query.grep?.toLowerCase();
  const minLevel = query.level ? LOG_LEVELS.indexOf(query.level) : 0;
  const resource = query.resource ? new RegExp(`(^|[^\\w-])${query.resource.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\w-])`) : undefined;
  const needles = needlesOf(query, minLevel);
  const limit = query.limit ?? Infinity;
  const found: LogEntry[] = [];
  const files = listLogFiles(dir).filter((f) => !sinceDay || f.day >= sinceDay);
  for (let f = files.length - 1; f >= 0 && found.length < limit; f--) {
    for (const line of candidateLines(readFileSync(join(dir, files[f].file)), needles)) {
      if (found.length >= limit) break;
      if (!line || !lineMayMatch(line, lower, query, minLevel, since, resource)) continue;
      const entry = toEntry(line);
      if (entry && matches(entry, query)) found.push(entry);
    }
  }
  return found.reverse();
}
