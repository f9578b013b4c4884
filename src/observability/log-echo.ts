/**
 * Debug mode's view on stderr: each log line, as written to the file, also
 * drawn as one short human line — API calls with their timing, phases with
 * their duration, errors with their stack. Lines are already redacted.
 */
import { toEntry } from "./log-query.js";

/** A pino destination that writes each line to `file` and a readable form of it to `echo`. */
export function teeDestination(file: { write(line: string): void }, echo: (text: string) => void): { write(line: string): void } {
  return {
    write(line: string): void {
      file.write(line);
      const text = echoLine(line);
      if (text) echo(text);
    },
  };
}

/** The readable form of one JSON log line, e.g. `debug api.request GET /nodes → 200 12 ms (attempt 1)`; undefined for a line not worth showing. */
export function echoLine(line: string): string | undefined {
  const entry = toEntry(line);
  if (!entry) return undefined;
  const c = entry.context;
  const ms = entry.durationMs === undefined ? "" : ` ${Math.round(entry.durationMs)} ms`;
  if (entry.phase === "api.request") {
    return `debug api ${String(c.method)} ${String(c.path)} → ${String(c.status ?? "no response")}${ms} (attempt ${String(c.attempt ?? 1)})\n`;
  }
  const error = c.error as { message?: string; stack?: string } | undefined;
  const stack = typeof error === "object" && error?.stack ? `\n${error.stack}` : "";
  return `${entry.level} ${entry.phase ?? entry.operation ?? "-"} ${entry.message}${ms}${stack}\n`;
}
