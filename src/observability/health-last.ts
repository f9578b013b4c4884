/**
 * The overall status of the last health run, kept in .proxmox-mpc/health.json
 * so the next run can tell whether it changed (the health.changed event).
 * A file beside drift.json rather than the store: `health` is not recorded
 * as an operation (record: false), and it must work — and still compare —
 * when the database is the thing that fails.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { WorkspacePaths } from "../core/workspace.js";
import type { CheckStatus } from "./health-types.js";

export interface LastHealth {
  /** ISO time of the run. */
  at: string;
  status: CheckStatus;
}

function file(paths: WorkspacePaths): string {
  return join(paths.dir, "health.json");
}

/** The last run's status, if one was recorded. */
export function readLastHealth(paths: WorkspacePaths): LastHealth | undefined {
  try {
    const value = JSON.parse(readFileSync(file(paths), "utf8")) as Partial<LastHealth>;
    return value.status === "ok" || value.status === "warn" || value.status === "fail" ? { at: String(value.at), status: value.status } : undefined;
  } catch {
    return undefined;
  }
}

/** Remember this run's status (written whole, then renamed: a reader never sees half a file); never fails the run. */
export function recordLastHealth(paths: WorkspacePaths, status: CheckStatus): void {
  try {
    const target = file(paths);
    writeFileSync(`${target}.tmp`, `${JSON.stringify({ at: new Date().toISOString(), status } satisfies LastHealth)}\n`);
    renameSync(`${target}.tmp`, target);
  } catch {
    // A read-only workspace only loses health.changed.
  }
}
