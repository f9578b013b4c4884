/**
 * Drift (desired ≠ observed) as a sync reports it. Computing it takes a plan
 * (the engine compares the IaC with the cluster, and `plan` records its counts
 * in .proxmox-mpc/drift.json, src/core/drift.ts); a sync does not plan, but it
 * says what the last plan found and whether that predates this sync, so the
 * callers of syncWorkspace (the command, MCP, the API) need nothing else.
 */
import { readDrift, type DriftRecord } from "../core/drift.js";
import type { WorkspacePaths } from "../core/workspace.js";

/** The drift part of a SyncReport. */
export interface SyncDrift {
  /** What the last full plan counted to add, change and destroy (null: never planned). */
  lastPlan: DriftRecord | null;
  /** The plan is older than this sync: what it found may have changed (plan again to know). */
  outdated: boolean;
}

/** The drift as of a sync that started at `syncStartedAt` (ms). */
export function driftAfterSync(paths: WorkspacePaths, syncStartedAt: number): SyncDrift {
  const lastPlan = readDrift(paths) ?? null;
  return { lastPlan, outdated: lastPlan !== null && Date.parse(lastPlan.at) < syncStartedAt };
}
