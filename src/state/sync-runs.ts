/**
 * The write side of `store.syncs`, in plain SQL on either store (sql-exec.ts):
 * begin a run, write what a sync planned in one transaction (the planner,
 * src/sync's planSync, runs inside it against the state it replaces), run the
 * planner without writing (a dry run), mark a run failed. A sync through the
 * read store therefore never loads Prisma.
 */
import { ProxmoxMpcError } from "../core/errors.js";
import { redactString } from "../core/redact.js";
import { holderDead, hostName } from "./liveness.js";
import { toSyncRunRecord } from "./mappers.js";
import { decodeRow } from "./read-rows.js";
import { stamp, type SqlDatabase } from "./sql-exec.js";
import { syncReader } from "./sync-reader.js";
import type { BeginOptions, CommitOptions, SyncPlanner, SyncResult, SyncRunRecord, SyncStatus, SyncWrite } from "./sync-types.js";
import { checkAbort, writeSync } from "./sync-writer.js";

/** A run of another host still "running" after this long is considered dead. */
const FOREIGN_RUN_STALE_MS = 24 * 3600_000;

/** Begin, commit, inspect and fail sync runs (see the module comment). */
export class SyncRuns {
  constructor(private readonly sql: SqlDatabase) {}

  /** Start a run (status "running"); runs left "running" by a process that died are marked "interrupted" first. */
  begin(opts: BeginOptions = {}): Promise<SyncRunRecord> {
    const { sql } = this;
    return sql.guard(async () => {
      await this.markInterrupted();
      const insert = `INSERT INTO "SyncRun" ("correlationId", "pid", "host", "startedAt", "status") VALUES (?, ?, ?, ${stamp(sql.provider)}, 'running') RETURNING *`;
      const [row] = await sql.rows(insert, [opts.correlationId ?? null, process.pid, hostName(), new Date()]);
      return toSyncRunRecord(decodeRow("SyncRun", row, sql.provider));
    });
  }

  /** Run `planner` against the store without writing anything (sync --dry-run). */
  inspect(planner: SyncPlanner): Promise<SyncWrite> {
    return this.sql.guard(() => planner(syncReader(this.sql)));
  }

  /**
   * Write what `planner` decides for `run`, in one transaction. On any error
   * (or `signal` aborted) nothing is written and the run is marked failed
   * (interrupted when aborted).
   */
  async commit(run: SyncRunRecord, planner: SyncPlanner, opts: CommitOptions = {}): Promise<SyncResult> {
    const { sql } = this;
    try {
      return await sql.guard(() =>
        sql.transaction(async (tx) => {
          // Write first: takes SQLite's write lock before reading, so the reads below are the state we overwrite.
          const claimed = await tx.rows(`UPDATE "SyncRun" SET "status" = 'running' WHERE "id" = ? AND "status" = 'running' RETURNING "id"`, [run.id]);
          if (claimed.length !== 1) {
            throw new ProxmoxMpcError(`Sync run ${run.id} is not running; it cannot be written.`, { code: "sync-not-running", hint: "Start a new run with syncs.begin()." });
          }
          opts.onProgress?.({ phase: "compare", done: 0, total: 1 });
          const plan = await planner(syncReader(tx));
          opts.onProgress?.({ phase: "compare", done: 1, total: 1 });
          const now = new Date();
          const counts = await writeSync(tx, plan, run.id, now, opts);
          checkAbort(opts.signal);
          const finish = `UPDATE "SyncRun" SET "status" = 'completed', "finishedAt" = ${stamp(tx.provider)}, "durationMs" = ?, "nodes" = ?, "guests" = ?,
            "apiRequests" = ?, "added" = ?, "changed" = ?, "removed" = ?, "renamed" = ?, "stale" = ? WHERE "id" = ? RETURNING *`;
          const durationMs = Math.max(0, now.getTime() - run.startedAt.getTime());
          const [row] = await tx.rows(finish, [now, durationMs, plan.nodes.length, plan.total, opts.apiRequests ?? 0, counts.added, counts.changed, counts.removed, counts.renamed, counts.stale, run.id]);
          opts.onProgress?.({ phase: "finish", done: 1, total: 1 });
          return { run: toSyncRunRecord(decodeRow("SyncRun", row, tx.provider)), diff: plan.diff };
        }),
      );
    } catch (err) {
      await this.fail(run, err, opts.signal?.aborted ? "interrupted" : "failed").catch(() => undefined);
      throw err;
    }
  }

  /** Mark a run failed (or interrupted) with the error's message, redacted. */
  fail(run: SyncRunRecord, error: unknown, status: Exclude<SyncStatus, "running" | "completed"> = "failed"): Promise<void> {
    const { sql } = this;
    return sql.guard(async () => {
      const message = redactString(error instanceof Error ? error.message : String(error));
      const now = new Date();
      const update = `UPDATE "SyncRun" SET "status" = ?, "error" = ?, "finishedAt" = ${stamp(sql.provider)}, "durationMs" = ? WHERE "id" = ? AND "status" = 'running'`;
      await sql.run(update, [status, message, now, Math.max(0, now.getTime() - run.startedAt.getTime()), run.id]);
    });
  }

  /** Runs still "running" whose process is gone: this process's own, dead local pids, or old foreign ones. */
  private async markInterrupted(): Promise<void> {
    const { sql } = this;
    const running = (await sql.rows(`SELECT "id", "pid", "host", "startedAt" FROM "SyncRun" WHERE "status" = 'running'`)).map((r) => decodeRow("SyncRun", r, sql.provider));
    const now = Date.now();
    const dead = running.filter(
      (r) =>
        (r.pid === process.pid && r.host === hostName()) ||
        holderDead(r.pid, r.host) ||
        (r.host !== hostName() && now - r.startedAt.getTime() > FOREIGN_RUN_STALE_MS),
    );
    const update = `UPDATE "SyncRun" SET "status" = 'interrupted', "finishedAt" = ${stamp(sql.provider)}, "error" = ? WHERE "id" = ? AND "status" = 'running'`;
    for (const r of dead) await sql.run(update, [new Date(), "The process running this sync stopped before it finished.", r.id]);
  }
}
