/**
 * The drift (desired ≠ observed) found by the last plan, kept in
 * .proxmox-mpc/drift.json so the console's banner and `status` can show it
 * without parsing the IaC or asking the server.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { WorkspacePaths } from "./workspace.js";

export interface DriftRecord {
  /** ISO time of the plan. */
  at: string;
  engine: string;
  create: number;
  update: number;
  delete: number;
  replace: number;
}

function file(paths: WorkspacePaths): string {
  return join(paths.dir, "drift.json");
}

/** Remember what a plan found (never fails the command that planned). */
export function recordDrift(paths: WorkspacePaths, engine: string, summary: Omit<DriftRecord, "at" | "engine">): void {
  try {
    const record: DriftRecord = { at: new Date().toISOString(), engine, ...summary };
    writeFileSync(file(paths), `${JSON.stringify(record)}\n`);
  } catch {
    // A read-only workspace only loses the banner's drift line.
  }
}

/** The last recorded drift, if any. */
export function readDrift(paths: WorkspacePaths): DriftRecord | undefined {
  try {
    const value = JSON.parse(readFileSync(file(paths), "utf8")) as DriftRecord;
    return typeof value.at === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** "none", or "1 to add, 2 to change, 0 to destroy". */
export function describeDrift(d: DriftRecord): string {
  const total = d.create + d.update + d.delete + d.replace;
  if (!total) return "none";
  return `${d.create + d.replace} to add, ${d.update} to change, ${d.delete + d.replace} to destroy`;
}
