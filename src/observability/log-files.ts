/**
 * The workspace's log files: `.proxmox-mpc/logs/YYYY-MM-DD.jsonl`, then
 * `YYYY-MM-DD.1.jsonl`, `.2` … once the day's file passes `maxFileMiB`;
 * files older than `retentionDays` are deleted, at most once per process (on
 * the first line written), so a long-lived workspace never fills a disk.
 * Debug mode (`debug on`) is the file `.proxmox-mpc/debug`: present means on.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { createLogger, type Logger } from "../core/logger.js";
import type { Workspace } from "../core/workspace.js";

/** How logs are kept (config.yaml `logs:`; every key optional). */
export interface LogSettings {
  /** Days of files kept, today included (default 14). */
  retentionDays: number;
  /** Size after which the day's log continues in a new file (default 20 MiB). */
  maxFileMiB: number;
}

export const DEFAULT_LOG_SETTINGS: LogSettings = { retentionDays: 14, maxFileMiB: 20 };

/** A log file's name split into its day and its part number (0 for `DAY.jsonl`). */
export interface LogFileName {
  file: string;
  day: string;
  part: number;
}

const NAME = /^(\d{4}-\d{2}-\d{2})(?:\.(\d+))?\.jsonl$/;

/** The log files of a folder, oldest first (by day, then part). */
export function listLogFiles(dir: string): LogFileName[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((file) => {
      const m = NAME.exec(file);
      return m ? { file, day: m[1], part: m[2] ? Number(m[2]) : 0 } : undefined;
    })
    .filter((f): f is LogFileName => f !== undefined)
    .sort((a, b) => (a.day === b.day ? a.part - b.part : a.day < b.day ? -1 : 1));
}

/** The file name of a day's part. */
export function logFileName(day: string, part: number): string {
  return part === 0 ? `${day}.jsonl` : `${day}.${part}.jsonl`;
}

/** Delete log files of days before the last `retentionDays` days (today counts as one). Returns the files deleted. */
export function pruneLogs(dir: string, retentionDays: number, now: Date = new Date()): string[] {
  const oldest = new Date(now.getTime() - (Math.max(1, retentionDays) - 1) * 86_400_000).toISOString().slice(0, 10);
  const removed: string[] = [];
  for (const f of listLogFiles(dir)) {
    if (f.day >= oldest) continue;
    rmSync(join(dir, f.file), { force: true });
    removed.push(f.file);
  }
  return removed;
}

let prunedThisProcess = false;

/** A pino destination writing to the day's file, starting a new part past the size limit. */
export class RotatingLogDestination {
  private fd?: number;
  private day = "";
  private part = 0;
  private size = 0;

  constructor(
    private readonly dir: string,
    private readonly settings: LogSettings = DEFAULT_LOG_SETTINGS,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Append one line (pino calls this synchronously). */
  write(line: string): void {
    const bytes = Buffer.byteLength(line);
    const day = this.now().toISOString().slice(0, 10);
    if (this.fd === undefined || day !== this.day) this.open(day);
    else if (this.size > 0 && this.size + bytes > this.settings.maxFileMiB * 1024 * 1024) this.openPart(this.part + 1);
    writeSync(this.fd as number, line);
    this.size += bytes;
  }

  /** Close the open file, if any. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(day: string): void {
    mkdirSync(this.dir, { recursive: true });
    if (!prunedThisProcess) {
      prunedThisProcess = true;
      pruneLogs(this.dir, this.settings.retentionDays, this.now());
    }
    this.day = day;
    const parts = listLogFiles(this.dir).filter((f) => f.day === day);
    this.openPart(parts.length ? parts[parts.length - 1].part : 0);
  }

  private openPart(part: number): void {
    this.close();
    this.part = part;
    const path = join(this.dir, logFileName(this.day, part));
    this.size = existsSync(path) ? statSync(path).size : 0;
    this.fd = openSync(path, "a");
  }
}

/** The file whose presence means debug mode is on for the workspace. */
export function debugFlagPath(workspaceDir: string): string {
  return join(workspaceDir, "debug");
}

/** Whether `debug on` is persisted for the workspace (`.proxmox-mpc/` is `workspaceDir`). */
export function isDebugOn(workspaceDir: string): boolean {
  return existsSync(debugFlagPath(workspaceDir));
}

/** Persist debug mode on or off. */
export function setDebug(workspaceDir: string, on: boolean): void {
  if (on) writeFileSync(debugFlagPath(workspaceDir), "# debug on: logs at debug level, API calls and stack traces shown (proxmox-mpc debug off)\n");
  else rmSync(debugFlagPath(workspaceDir), { force: true });
}

/**
 * The logger of a long-lived face (`serve`, `mcp`): the workspace's log files, and with debug on (the
 * flag or `debug on`) each line on stderr too. Close `file` when the face stops.
 */
export function faceLogger(ws: Workspace, face: "api" | "mcp", debug: boolean, stderr: NodeJS.WritableStream): { log: Logger; file: RotatingLogDestination } {
  const file = new RotatingLogDestination(ws.paths.logs, { ...DEFAULT_LOG_SETTINGS, ...ws.config.logs });
  const on = debug || isDebugOn(ws.paths.dir);
  const destination = on ? { write: (line: string) => (file.write(line), stderr.write(line)) } : file;
  return { log: createLogger({ level: on ? "debug" : "info", destination, base: { workspace: ws.name, face } }), file };
}
