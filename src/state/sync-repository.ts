/**
 * Sync runs: begin a run, write what a sync planned atomically (the planner,
 * src/sync's planSync, runs inside the transaction against the state it
 * replaces), or run the planner without writing (a dry run); read the history.
 */
import { ProxmoxMpcError } from "../core/errors.js";
import { redactString } from "../core/redact.js";
import { guard, LONG_TRANSACTION, type Db } from "./db.js";
import { holderDead, hostName } from "./liveness.js";
import { toSyncChangeRecord, toSyncRunRecord } from "./mappers.js";
import { syncReader } from "./sync-reader.js";
import type { BeginOptions, CommitOptions, SyncChangeRecord, SyncPlanner, SyncResult, SyncRunRecord, SyncStatus, SyncWrite } from "./sync-types.js";
import { checkAbort, writeSync } from "./sync-writer.js";
import { dialect } from "./bulk-insert.js";

/** A run of another host still "running" after this long is considered dead. */
const FOREIGN_RUN_STALE_MS = 24 * 3600_000;

/** `store.syncs` */
export class SyncRepository {
  constructor(private readonly db: Db) {}

  /**
   * Start a sync run (status "running"). Runs left "running" by a process
   * that died are marked "interrupted" first.
   */
  begin(opts: BeginOptions = {}): Promise<SyncRunRecord> {
    return guard(this.db, async () => {
      await this.markInterrupted();
      const row = await this.db.client.syncRun.create({
        data: { correlationId: opts.correlationId ?? null, pid: process.pid, host: hostName(), startedAt: new Date(), status: "running" },
      });
      return toSyncRunRecord(row);
    });
  }

  /** Run `planner` against the store without writing anything (sync --dry-run). */
  inspect(planner: SyncPlanner): Promise<SyncWrite> {
    return guard(this.db, () => planner(syncReader(this.db.client)));
  }

  /**
   * Write what `planner` decides for `run`, in one transaction: nodes,
   * storage, the guests that were added/changed/renamed/removed, their
   * SyncChange rows, and the finished run. The planner runs inside the
   * transaction, against the state it replaces. On any error (or `signal`
   * aborted) nothing is written and the run is marked failed (interrupted
   * when aborted).
   */
  async commit(run: SyncRunRecord, planner: SyncPlanner, opts: CommitOptions = {}): Promise<SyncResult> {
    const { client, provider } = this.db;
    try {
      return await guard(this.db, () =>
        client.$transaction(async (tx) => {
          // Write first: takes SQLite's write lock before reading, so the reads below are the state we overwrite.
          const claim = `UPDATE "SyncRun" SET "status" = 'running' WHERE "id" = ? AND "status" = 'running'`;
          const claimed = await tx.$executeRawUnsafe(dialect(provider, claim), run.id);
          if (claimed !== 1) {
            throw new ProxmoxMpcError(`Sync run ${run.id} is not running; it cannot be written.`, {
              code: "sync-not-running",
              hint: "Start a new run with syncs.begin().",
            });
          }
          opts.onProgress?.({ phase: "compare", done: 0, total: 1 });
          const plan = await planner(syncReader(tx));
          opts.onProgress?.({ phase: "compare", done: 1, total: 1 });
          const now = new Date();
          const counts = await writeSync({ tx, provider }, plan, run.id, now, opts);
          checkAbort(opts.signal);
          const finished = await tx.syncRun.update({
            where: { id: run.id },
            data: {
              ...counts,
              status: "completed",
              finishedAt: now,
              durationMs: Math.max(0, now.getTime() - run.startedAt.getTime()),
              nodes: plan.nodes.length,
              guests: plan.total,
              apiRequests: opts.apiRequests ?? 0,
            },
          });
          opts.onProgress?.({ phase: "finish", done: 1, total: 1 });
          return { run: toSyncRunRecord(finished), diff: plan.diff };
        }, LONG_TRANSACTION),
      );
    } catch (err) {
      const status = opts.signal?.aborted ? "interrupted" : "failed";
      await this.fail(run, err, status).catch(() => undefined);
      throw err;
    }
  }

  /** Mark a run failed (or interrupted) with the error's message, redacted. */
  fail(run: SyncRunRecord, error: unknown, status: Exclude<SyncStatus, "running" | "completed"> = "failed"): Promise<void> {
    return guard(this.db, async () => {
      const message = redactString(error instanceof Error ? error.message : String(error));
      const now = new Date();
      await this.db.client.syncRun.updateMany({
        where: { id: run.id, status: "running" },
        data: { status, error: message, finishedAt: now, durationMs: Math.max(0, now.getTime() - run.startedAt.getTime()) },
      });
    });
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

  /** Runs still "running" whose process is gone: this process's own, dead local pids, or old foreign ones. */
  private async markInterrupted(): Promise<void> {
    const running = await this.db.client.syncRun.findMany({ where: { status: "running" } });
    const now = Date.now();
    const dead = running.filter(
      (r) =>
        (r.pid === process.pid && r.host === hostName()) ||
        holderDead(r.pid, r.host) ||
        (r.host !== hostName() && now - r.startedAt.getTime() > FOREIGN_RUN_STALE_MS),
    );
    if (!dead.length) return;
    await this.db.client.syncRun.updateMany({
      where: { id: { in: dead.map((r) => r.id) }, status: "running" },
      data: { status: "interrupted", finishedAt: new Date(), error: "The process running this sync stopped before it finished." },
    });
  }
}
