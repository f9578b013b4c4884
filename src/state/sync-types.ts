/**
 * Types of sync runs, of the difference between two snapshots, and of what a
 * sync writes (SyncWrite: computed by src/sync's planner, written by the store).
 */
import type { GuestDetail, JsonValue, ObservedDisk, ObservedGuest, ObservedNet, ObservedNode, ObservedStorage } from "./types.js";

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

/** A guest as the store writes it: every optional field filled, disks and nets sorted by key. */
export interface GuestInput extends Omit<ObservedGuest, "disks" | "nets" | "digest"> {
  digest: string | null;
  disks: Required<ObservedDisk>[];
  nets: Required<ObservedNet>[];
}

/** What a planner needs to know of a stored guest to compare it by hash. */
export interface StoredGuestSummary {
  vmid: number;
  name: string;
  node: string;
  hash: string;
  staleSyncId: number | null;
  firstSeenSyncId: number;
}

/** The reads a sync planner may make (inside the commit's transaction, or without one for a dry run). */
export interface SyncReader {
  /** Every stored guest, by hash. */
  summaries(): Promise<StoredGuestSummary[]>;
  /** The full records (disks and nets included) of some guests. */
  details(vmids: number[]): Promise<Map<number, GuestDetail>>;
  /** The names of the stored nodes. */
  nodeNames(): Promise<string[]>;
}

/** A guest to (re)write. */
export interface PlannedGuest {
  guest: GuestInput;
  hash: string;
  /** Kept from the stored row; null for a new guest (this run). */
  firstSeenSyncId: number | null;
  /** Set for a new guest whose config could not be read: `guest` is its /cluster/resources row. */
  staleReason?: string;
}

/** A stored guest this sync could not read: its row is kept and marked stale. */
export interface StaleMark {
  vmid: number;
  reason: string;
  /** It was not stale before this sync. */
  fresh: boolean;
}

/** Everything one sync writes, as its planner decided it. */
export interface SyncWrite {
  nodes: ObservedNode[];
  storage: ObservedStorage[];
  /** Nodes not read: their storage rows are kept. */
  unreachableNodes: string[];
  /** What changed; its added/changed/renamed/removed become SyncChange rows. */
  diff: SyncDiff;
  added: PlannedGuest[];
  /** Changed and renamed guests, plus guests whose hash changed without a visible difference. */
  rewritten: PlannedGuest[];
  removed: number[];
  /** Stored guests not read by this sync: kept, marked stale. */
  stale: StaleMark[];
  /** Stale guests read again without any change: only their stale mark is cleared. */
  cleared: number[];
  /** Guests in the store after the sync. */
  total: number;
}

/** Decides what a sync writes, from what the store holds (src/sync's planSync). */
export type SyncPlanner = (reader: SyncReader) => Promise<SyncWrite>;

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
