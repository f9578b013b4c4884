/**
 * `store.syncs` of the full store: runs begun, written and failed in plain SQL
 * (sync-runs.ts, shared with the read store), the history read through Prisma.
 */
import { guard, type Db } from "./db.js";
import { toSyncChangeRecord, toSyncRunRecord } from "./mappers.js";
import { prismaSql } from "./sql-exec.js";
import { SyncRuns } from "./sync-runs.js";
import type { BeginOptions, CommitOptions, SyncChangeRecord, SyncPlanner, SyncResult, SyncRunRecord, SyncStatus, SyncWrite } from "./sync-types.js";

/** `store.syncs` */
export class SyncRepository {
  private readonly runs: SyncRuns;

  constructor(private readonly db: Db) {
    this.runs = new SyncRuns(prismaSql(db));
  }

  /** Start a sync run (status "running"); runs left "running" by a process that died are marked "interrupted" first. */
  begin(opts: BeginOptions = {}): Promise<SyncRunRecord> {
    return this.runs.begin(opts);
  }

  /** Run `planner` against the store without writing anything (sync --dry-run). */
  inspect(planner: SyncPlanner): Promise<SyncWrite> {
    return this.runs.inspect(planner);
  }

  /**
   * Write what `planner` (src/sync's planSync) decides for `run`, in one
   * transaction: nodes, storage, the guests that were added/changed/renamed/
   * removed, their SyncChange rows, and the finished run. On any error (or
   * `signal` aborted) nothing is written and the run is marked failed
   * (interrupted when aborted).
   */
  commit(run: SyncRunRecord, planner: SyncPlanner, opts: CommitOptions = {}): Promise<SyncResult> {
    return this.runs.commit(run, planner, opts);
  }

  /** Mark a run failed (or interrupted) with the error's message, redacted. */
  fail(run: SyncRunRecord, error: unknown, status: Exclude<SyncStatus, "running" | "completed"> = "failed"): Promise<void> {
    return this.runs.fail(run, error, status);
  }

  /** The newest run (of the given status, if any). */
  last(opts: { status?: SyncStatus } = {}): Promise<SyncRunRecord | null> {
    return guard(this.db, async () => {
      const row = await this.db.client.syncRun.findFirst({ where: opts.status ? { status: opts.status } : {}, orderBy: { id: "desc" } });
      return row ? toSyncRunRecord(row) : null;
    });
  }

  /** The newest runs first. */
  history(limit = 20): Promise<SyncRunRecord[]> {
    return guard(this.db, async () => {
      const rows = await this.db.client.syncRun.findMany({ orderBy: { id: "desc" }, take: limit });
      return rows.map(toSyncRunRecord);
    });
  }

  /** The changes one run recorded (added, changed, renamed, removed; by vmid). */
  changes(runId: number): Promise<SyncChangeRecord[]> {
    return guard(this.db, async () => {
      const rows = await this.db.client.syncChange.findMany({ where: { syncRunId: runId }, orderBy: { id: "asc" } });
      return rows.map(toSyncChangeRecord);
    });
  }

  /** The recorded changes of one guest, newest first (for describe). */
  changesOf(vmid: number, limit = 20): Promise<SyncChangeRecord[]> {
    return guard(this.db, async () => {
      const rows = await this.db.client.syncChange.findMany({ where: { vmid }, orderBy: { id: "desc" }, take: limit });
      return rows.map(toSyncChangeRecord);
    });
  }
}
