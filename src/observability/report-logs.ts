/**
 * The log lines a diagnostic bundle carries: `.proxmox-mpc/logs/*.jsonl`
 * read directly (files of days before `since` are not opened), each line
 * parsed as JSON, kept when its time is at or after `since`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One log line as written (pino JSON), with its time as a Date. */
export interface LogLine {
  at: Date;
  /** The fields of the line as written. */
  fields: Record<string, unknown>;
}

/** Most lines kept (the newest). */
export const MAX_LOG_LINES = 5000;

/** `30m`, `2h`, `1d`, `45s` or an ISO time → the moment it names (before `now`). */
export function parseSince(text: string, now: Date = new Date()): Date | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(text.trim());
  if (m) return new Date(now.getTime() - Number(m[1]) * { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[m[2] as "s" | "m" | "h" | "d"]);
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** The lines of the workspace's log files written at or after `since` (oldest first, the newest MAX_LOG_LINES). */
export function readLogLines(dir: string, since: Date): LogLine[] {
  if (!existsSync(dir)) return [];
  const firstDay = since.toISOString().slice(0, 10);
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}-\d{2}-\d{2}(\.\d+)?\.jsonl$/.test(f) && f.slice(0, 10) >= firstDay)
    .sort((a, b) => a.slice(0, 10).localeCompare(b.slice(0, 10)) || part(a) - part(b));
  const lines: LogLine[] = [];
  for (const file of files) {
    for (const raw of readFileSync(join(dir, file), "utf8").split("\n")) {
      const line = parse(raw);
      if (line && line.at >= since) lines.push(line);
    }
  }
  lines.sort((a, b) => a.at.getTime() - b.at.getTime());
  return lines.slice(-MAX_LOG_LINES);
}

function part(file: string): number {
  return Number(/\.(\d+)\.jsonl$/.exec(file)?.[1] ?? 0);
}

function parse(raw: string): LogLine | undefined {
  if (!raw.trim().startsWith("{")) return undefined;
  try {
    const fields = JSON.parse(raw) as Record<string, unknown>;
    const time = fields.time ?? fields.timestamp;
    const at = typeof time === "number" || typeof time === "string" ? new Date(time) : undefined;
    return at && !Number.isNaN(at.getTime()) ? { at, fields } : undefined;
  } catch {
    return undefined;
  }
}
