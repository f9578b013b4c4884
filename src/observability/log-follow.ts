/**
 * `logs --follow`: print lines as they are appended to the workspace's log
 * files (including a new day's or a new part's file) until the signal aborts.
 * Polls file sizes, which works on every filesystem (fs.watch does not).
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { listLogFiles } from "./log-files.js";
import { matches, toEntry, type LogEntry, type LogQuery } from "./log-query.js";

/** Options of {@link followLogs}. */
export interface FollowOptions {
  signal: AbortSignal;
  /** How often file sizes are checked (default 200 ms). */
  pollMs?: number;
  /** Called once the existing files have been measured: lines appended from now on are reported. */
  onReady?: () => void;
}

/** Report each new entry matching `query` until `signal` aborts; resolves then. */
export async function followLogs(dir: string, query: LogQuery, onEntry: (entry: LogEntry) => void, options: FollowOptions): Promise<void> {
  const offsets = new Map<string, number>();
  const partial = new Map<string, string>();
  for (const f of listLogFiles(dir)) offsets.set(f.file, statSync(join(dir, f.file)).size);
  options.onReady?.();
  const resource = query.resource;
  const grep = query.grep?.toLowerCase();
  const tick = (): void => {
    for (const f of listLogFiles(dir)) {
      const path = join(dir, f.file);
      const size = statSync(path, { throwIfNoEntry: false })?.size ?? 0;
      const from = offsets.get(f.file) ?? 0;
      if (size <= from) continue;
      const text = (partial.get(f.file) ?? "") + readRange(path, from, size - from);
      offsets.set(f.file, size);
      const lines = text.split("\n");
      partial.set(f.file, lines.pop() ?? "");
      for (const line of lines) {
        if (!line || (grep && !line.toLowerCase().includes(grep)) || (resource && !line.includes(resource))) continue;
        const entry = toEntry(line);
        if (entry && matches(entry, query)) onEntry(entry);
      }
    }
  };
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) return resolve();
    const timer = setInterval(tick, options.pollMs ?? 200);
    options.signal.addEventListener(
      "abort",
      () => {
        clearInterval(timer);
        resolve();
      },
      { once: true },
    );
  });
}

function readRange(path: string, from: number, length: number): string {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, from);
    return buffer.subarray(0, read).toString("utf8");
  } finally {
    closeSync(fd);
  }
}
