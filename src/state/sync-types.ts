/**
 * Types of sync runs and of the difference between two snapshots.
 */
import type { JsonValue } from "./types.js";

/** running → completed | failed | interrupted (the process died or was cancelled). */
export type SyncStatus = "running" | "completed" | "failed" | "interrupted";

/** What happened to a guest between two syncs. */
export type ChangeKind = "added" | "changed" | "removed" | "renamed";

/**
 * Field-level difference: `{ field: [old, new] }`. Normalized fields by name
 * (`cores`, `memory`, `tags` …), PVE config keys as `config.<key>`
 * (`config.scsi0`), disks/nets as `disks.<key>`/`nets.<key>` only when their
 * config line did not change. A missing value is null.
 */
export type FieldDiff = Record<string, [JsonValue, JsonValue]>;

/** One guest's change. `name` is the new name (the old one for removals). */
export interface GuestChange {
  vmid: number;
  name: string;
  kind: ChangeKind;
  /** null for added and removed guests */
  diff: FieldDiff | null;
}

/** A guest this sync could not read. */
export interface StaleGuestChange {
  vmid: number;
  name: string;
  node: string;
  /** Why its config could not be read. */
  reason: string;
  /**
   * What the store holds for it: its values as last read, or only the
   * /cluster/resources summary (a guest whose config was never read).
   */
  values: "last-read" | "cluster-resources";
}

/** The difference between the store and an observed snapshot. */
export interface SyncDiff {
  added: GuestChange[];
  changed: GuestChange[];
  removed: GuestChange[];
  /** Same vmid, new name (the diff also lists any other changed field). */
  renamed: GuestChange[];
  unchanged: number;
  /** Guests whose config could not be read: kept with their last known values, marked stale. */
  stale: StaleGuestChange[];
  nodes: { added: string[]; removed: string[] };
}

/** A stored sync run. */
export interface SyncRunRecord {
  id: number;
  correlationId: string | null;
  pid: number;
  host: string;
  startedAt: Date;
  finishedAt: Date | null;
  status: SyncStatus;
  nodes: number;
  guests: number;
  added: number;
  changed: number;
  removed: number;
  renamed: number;
  apiRequests: number;
  /** Guests this sync could not read (kept, marked stale). */
  stale: number;
  durationMs: number | null;
  error: string | null;
}

/** A stored change of one sync. */
export interface SyncChangeRecord extends GuestChange {
  id: number;
  syncRunId: number;
}

/** The result of `syncs.commit()`. */
export interface SyncResult {
  run: SyncRunRecord;
  diff: SyncDiff;
}

/** Progress of a commit: reported between batches. */
export interface CommitProgress {
  phase: "compare" | "nodes" | "removed" | "changed" | "added" | "changes" | "finish";
  done: number;
  total: number;
}

/** Options of `syncs.commit()`. */
export interface CommitOptions {
  /** API requests the sync made (recorded on the run). */
  apiRequests?: number;
  /** Aborting rolls the whole write back and marks the run interrupted. */
  signal?: AbortSignal;
  onProgress?: (progress: CommitProgress) => void;
}

/** Options of `syncs.begin()`. */
export interface BeginOptions {
  correlationId?: string;
}
