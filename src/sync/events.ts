/**
 * What a sync tells its caller while it runs: typed events for a progress
 * display (the `sync` command's spinner), a log, or a stream (MCP, the API).
 * A sync never draws anything itself.
 */
import type { CommitProgress, LockInfo } from "../state/index.js";
import type { SyncReport } from "./report.js";

/**
 * The steps of a sync. `store` (open the store, take the sync lock, begin the
 * run) runs while `read` reads the cluster; `write` and `iac` follow.
 */
export type SyncPhase = "store" | "read" | "write" | "iac";

/** One event of a running sync. */
export type SyncEvent =
  /** A step started, or ended (`ms`: how long it took). */
  | { type: "phase"; phase: SyncPhase; state: "start" }
  | { type: "phase"; phase: SyncPhase; state: "end"; ms: number }
  /** Another sync holds the workspace's lock; this one waits for it (up to `waitMs`). */
  | { type: "lock-wait"; holder: LockInfo; waitMs: number }
  /** Reading the cluster: the node and resource lists, each node's storage, each guest's config. */
  | { type: "read"; step: "nodes" | "resources" | "storage" | "configs"; done: number; total: number }
  /** Another sync completed while this one read the cluster: it reads again, so it never writes an older picture. */
  | { type: "reread" }
  /** Writing the store, in one transaction (`guests`: how many the snapshot holds). */
  | { type: "write"; step: CommitProgress["phase"]; done: number; total: number; guests: number }
  /** A guest listed by the cluster whose config could not be read: kept as last known, marked stale. */
  | { type: "stale-guest"; vmid: number; name: string; node: string; reason: string }
  /** A node that could not be read: its guests were kept as they were. */
  | { type: "unreachable-node"; node: string }
  /** The sync finished (also the return value of syncWorkspace). */
  | { type: "done"; report: SyncReport };

/** Receives a sync's events. An exception thrown by the listener is ignored (logged): it never stops a sync. */
export type SyncListener = (event: SyncEvent) => void;
