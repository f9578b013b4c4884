/**
 * The sync, in one place: `syncWorkspace(services, options)` reads the
 * cluster, compares it with the store (hash by hash), writes what changed in
 * one transaction, regenerates terraform/ and ansible/, and returns a
 * SyncReport; progress arrives as SyncEvents. The `sync` command, apply's
 * refresh, MCP and the API all call it; none draws from inside it.
 *
 * ```ts
 * const report = await syncWorkspace(
 *   { client, store: openStore({ url }), workspace, log },
 *   { signal, onProgress: (e) => e.type === "read" && e.step === "configs" && show(`${e.done}/${e.total}`) },
 * );
 * ```
 */
export { SYNC_PHASE_NAMES, syncWorkspace, type SyncOptions, type SyncServices } from "./workspace-sync.js";
export type { SyncEvent, SyncListener, SyncPhase } from "./events.js";
export { partialLine, summarize, type SyncReport } from "./report.js";
export type { SyncDrift } from "./drift.js";
export { SYNC_CONCURRENCY, syncRetryPolicy } from "./policy.js";
export { canonicalSnapshot, planner, planSync, type CanonicalSnapshot } from "./plan.js";
