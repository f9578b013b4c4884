/**
 * The drift (desired ≠ observed) found by the last plan, kept in
 * .proxmox-mpc/drift.json so the console's banner and `status` can show it
 * without parsing the IaC or asking the server. Its fingerprint (which guests,
 * which action) lets the next plan tell the same drift from a new one: only a
 * new one is announced (drift.found).
 */
import { createHash } from "node:crypto";
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
  /** sha256 of the sorted `type name action` lines of the plan's changes (see driftFingerprint); absent in files written before it. */
  fingerprint?: string;
}

/** What makes two drifts the same: the guests and the action on each (not the fields an update changes). */
export function driftFingerprint(changes: ReadonlyArray<{ type: string; name: string; action: string }>): string {
  const lines = [...new Set(changes.map((c) => `${c.type} ${c.name} ${c.action}`))].sort();
  return createHash("sha256").update(lines.join("\n")).digest("hex");
}

function file(paths: WorkspacePaths): string {
  return join(paths.dir, "drift.json");
}

/** Remember what a plan found (never fails the command that planned). */
export function recordDrift(paths: WorkspacePaths, engine: string, summary: Omit<DriftRecord, "at" | "engine" | "fingerprint">, fingerprint?: string): void {
  try {
    const record: DriftRecord = { at: new Date().toISOString(), engine, ...summary, ...(fingerprint ? { fingerprint } : {}) };
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
