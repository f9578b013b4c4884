/**
 * Sync history and the operation log on the read path: the same queries and
 * records as sync-repository.ts and operation-repository.ts, in plain SQL.
 * Writing an operation (every command records its run) is one INSERT here;
 * a sync is begun and written in plain SQL too (sync-runs.ts).
 */
import { ProxmoxMpcError } from "../core/errors.js";
import { redactString, redactValue } from "../core/redact.js";
import type { Operation } from "./generated/sqlite/client.js";
import { toOperationRecord, toSyncChangeRecord, toSyncRunRecord } from "./mappers.js";
import {
  auditFields,
  finishedOnce,
  type OperationEnd,
  type OperationQuery,
  type OperationRecord,
  type OperationRepository,
  type OperationStart,
} from "./operation-repository.js";
import type { ReadDb, SqlValue } from "./read-connection.js";
import { decodeRow, decodeRows } from "./read-rows.js";
import type { RepositoryApi } from "./store.js";
import type { SyncRepository } from "./sync-repository.js";
import type { SyncRuns } from "./sync-runs.js";
import type { BeginOptions, CommitOptions, SyncChangeRecord, SyncPlanner, SyncResult, SyncRunRecord, SyncStatus, SyncWrite } from "./sync-types.js";

/** `store.syncs` of a read store: history read here, runs written by the full store. */
export class ReadSyncs implements RepositoryApi<SyncRepository> {
  constructor(
    private readonly db: ReadDb,
    private readonly runs: SyncRuns,
  ) {}

  // A sync is written here too, in plain SQL (sync-runs.ts): it never needs the full store.
  begin(opts?: BeginOptions): Promise<SyncRunRecord> {
    return this.runs.begin(opts);
  }

  inspect(planner: SyncPlanner): Promise<SyncWrite> {
    return this.runs.inspect(planner);
  }

  commit(run: SyncRunRecord, planner: SyncPlanner, opts?: CommitOptions): Promise<SyncResult> {
    return this.runs.commit(run, planner, opts);
  }

  fail(run: SyncRunRecord, error: unknown, status?: Exclude<SyncStatus, "running" | "completed">): Promise<void> {
    return this.runs.fail(run, error, status);
  }

  last(opts: { status?: SyncStatus } = {}): Promise<SyncRunRecord | null> {
    return this.db.run(async (conn) => {
      const sql = `SELECT * FROM "SyncRun"${opts.status ? ` WHERE "status" = ?` : ""} ORDER BY "id" DESC LIMIT 1`;
      const [row] = await conn.query(sql, opts.status ? [opts.status] : []);
      return row ? toSyncRunRecord(decodeRow("SyncRun", row, conn.provider)) : null;
    });
  }

  history(limit = 20): Promise<SyncRunRecord[]> {
    return this.db.run(async (conn) =>
      decodeRows("SyncRun", await conn.query(`SELECT * FROM "SyncRun" ORDER BY "id" DESC LIMIT ?`, [limit]), conn.provider).map(toSyncRunRecord),
    );
  }

  changes(runId: number): Promise<SyncChangeRecord[]> {
    return this.db.run(async (conn) =>
      decodeRows("SyncChange", await conn.query(`SELECT * FROM "SyncChange" WHERE "syncRunId" = ? ORDER BY "id" ASC`, [runId]), conn.provider).map(
        toSyncChangeRecord,
      ),
    );
  }

  changesOf(vmid: number, limit = 20): Promise<SyncChangeRecord[]> {
    return this.db.run(async (conn) =>
      decodeRows("SyncChange", await conn.query(`SELECT * FROM "SyncChange" WHERE "vmid" = ? ORDER BY "id" DESC LIMIT ?`, [vmid, limit]), conn.provider).map(
        toSyncChangeRecord,
      ),
    );
  }
}

/** Arguments as operation-repository.ts stores them: redacted, JSON-safe, as JSON text. */
function argumentsJson(args: Record<string, unknown>): string {
  return JSON.stringify(JSON.parse(JSON.stringify(redactValue(args) ?? {})));
}

/** `store.operations` of a read store. */
export class ReadOperations implements RepositoryApi<OperationRepository> {
  constructor(private readonly db: ReadDb) {}

  start(input: OperationStart): Promise<OperationRecord> {
    return this.insert(input);
  }

  finish(id: number, end: OperationEnd): Promise<OperationRecord> {
    return this.db.run(async (conn) => {
      const [found] = await conn.query(`SELECT "startedAt", "finishedAt" FROM "Operation" WHERE "id" = ?`, [id]);
      if (!found) throw new ProxmoxMpcError(`No operation ${id} in the store.`, { code: "not-found" });
      const { startedAt, finishedAt: finishedBefore } = decodeRow("Operation", found, conn.provider);
      if (finishedBefore !== null) throw finishedOnce(id);
      const finishedAt = end.finishedAt ?? new Date();
      const [row] = await conn.query(
        `UPDATE "Operation" SET "finishedAt" = ?, "durationMs" = ?, "result" = ?, "exitCode" = ?, "error" = ?, "metrics" = ${jsonParam(conn.provider)} WHERE "id" = ? AND "finishedAt" IS NULL RETURNING *`,
        [finishedAt, Math.max(0, finishedAt.getTime() - startedAt.getTime()), ...ending(end), id],
      );
      if (!row) throw finishedOnce(id); // finished by another process between the two statements
      return toOperationRecord(decodeRow("Operation", row, conn.provider));
    });
  }

  /** A whole operation in one INSERT (the full store needs two statements). */
  record(input: OperationStart & OperationEnd): Promise<OperationRecord> {
    return this.insert(input, input);
  }

  /** Records waiting for the next batch (recordSoon), and the write of the batches before. */
  private soon: Array<{ input: OperationStart & OperationEnd; done: (err?: unknown) => void }> = [];
  private soonTimer: NodeJS.Timeout | undefined;
  private soonWritten: Promise<void> = Promise.resolve();

  /**
   * Record a whole operation without the caller waiting for its commit: the records of
   * SOON_MS are written together, in one statement (one commit instead of one per record:
   * the API answers hundreds of reads a second, each recorded). The promise settles when its
   * batch is written (or failed). close() writes what waits; only a crash of the process can
   * lose the last SOON_MS of records.
   */
  recordSoon(input: OperationStart & OperationEnd): Promise<void> {
    return new Promise((resolve, reject) => {
      this.soon.push({ input, done: (err) => (err === undefined ? resolve() : reject(err)) });
      if (this.soon.length >= SOON_MAX) void this.flushSoon();
      else this.soonTimer ??= setTimeout(() => void this.flushSoon(), SOON_MS);
    });
  }

  /** Write the records recordSoon() holds now; settles when they (and the batches before) are written. */
  flushSoon(): Promise<void> {
    clearTimeout(this.soonTimer);
    this.soonTimer = undefined;
    const batch = this.soon.splice(0);
    if (batch.length) {
      this.soonWritten = this.soonWritten.then(() =>
        this.insertMany(batch.map((b) => b.input)).then(
          () => batch.forEach((b) => b.done()),
          (err: unknown) => batch.forEach((b) => b.done(err ?? new Error("The operation records could not be written."))),
        ),
      );
    }
    return this.soonWritten;
  }

  /** Whole operations in one multi-row INSERT. */
  private insertMany(inputs: Array<OperationStart & OperationEnd>): Promise<void> {
    return this.db.run(async (conn) => {
      const json = jsonParam(conn.provider);
      const placeholders = SOON_COLUMNS.map((c) => (c === "arguments" || c === "metrics" ? json : "?"));
      const values = inputs.flatMap((input) => operationValues(input, input));
      const rows = inputs.map(() => `(${placeholders.join(", ")})`).join(", ");
      await conn.query(`INSERT INTO "Operation" (${SOON_COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES ${rows}`, values);
    });
  }

  list(query: OperationQuery = {}): Promise<OperationRecord[]> {
    return this.db.run(async (conn) => {
      const where: string[] = [];
      const params: SqlValue[] = [];
      if (query.since) {
        where.push(`"startedAt" >= ?`);
        params.push(query.since);
      }
      if (query.action !== undefined) {
        where.push(conn.provider === "postgresql" ? `"arguments"->'args'->>0 = ?` : `json_extract("arguments", '$.args[0]') = ?`);
        params.push(query.action);
      }
      if (query.command === undefined && query.notCommands?.length) {
        where.push(`"command" NOT IN (${query.notCommands.map(() => "?").join(", ")})`);
        params.push(...query.notCommands);
      }
      for (const key of ["command", "correlationId", "actor", "principal", "result"] as const) {
        if (query[key] === undefined) continue;
        where.push(`"${key}" = ?`);
        params.push(query[key] as string);
      }
      params.push(query.limit ?? 100);
      const sql = `SELECT * FROM "Operation"${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY "startedAt" DESC, "id" DESC LIMIT ?`;
      return decodeRows("Operation", await conn.query(sql, params), conn.provider).map(toOperationRecord);
    });
  }

  after(id: number, limit = 100, also: readonly number[] = []): Promise<OperationRecord[]> {
    return this.db.run(async (conn) => {
      const named = also.length ? ` OR "id" IN (${also.map(() => "?").join(", ")})` : "";
      const sql = `SELECT * FROM "Operation" WHERE "id" > ?${named} ORDER BY "id" ASC LIMIT ?`;
      return decodeRows("Operation", await conn.query(sql, [id, ...also, limit]), conn.provider).map(toOperationRecord);
    });
  }

  newestId(): Promise<number> {
    return this.db.run(async (conn) => {
      const [row] = await conn.query(`SELECT MAX("id") AS "newest" FROM "Operation"`, []);
      return Number(row?.newest ?? 0);
    });
  }

  private insert(input: OperationStart, end?: OperationEnd): Promise<OperationRecord> {
    return this.db.run(async (conn) => {
      const json = jsonParam(conn.provider);
      const columns = end ? SOON_COLUMNS : SOON_COLUMNS.slice(0, START_COLUMNS);
      const values = operationValues(input, end);
      const placeholders = columns.map((c) => (c === "arguments" || c === "metrics" ? json : "?"));
      const sql = `INSERT INTO "Operation" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${placeholders.join(", ")}) RETURNING *`;
      const [row] = await conn.query(sql, values);
      return toOperationRecord(decodeRow("Operation", row, conn.provider));
    });
  }
}

/** The columns of a whole operation: those of its start, then those of its end. */
const SOON_COLUMNS = ["correlationId", "command", "actor", "arguments", "startedAt", "principal", "role", "source", "target", "finishedAt", "durationMs", "result", "exitCode", "error", "metrics"];
/** The start's columns come first: up to finishedAt. */
const START_COLUMNS = SOON_COLUMNS.indexOf("finishedAt");
/** How long recordSoon() gathers records before writing them, and the most it gathers. */
const SOON_MS = 50;
const SOON_MAX = 200;

/** The values of SOON_COLUMNS for an operation (only the start's without `end`). */
function operationValues(input: OperationStart, end?: OperationEnd): SqlValue[] {
  const startedAt = input.startedAt ?? new Date();
  const audit = auditFields(input);
  const values: SqlValue[] = [input.correlationId, input.command, input.actor, argumentsJson(input.arguments), startedAt, audit.principal, audit.role, audit.source, audit.target];
  if (!end) return values;
  const finishedAt = end.finishedAt ?? new Date();
  return [...values, finishedAt, Math.max(0, finishedAt.getTime() - startedAt.getTime()), ...ending(end)];
}

/** result, exitCode, error and metrics (JSON text) as operation-repository.ts writes them. */
function ending(end: OperationEnd): SqlValue[] {
  return [end.result, end.exitCode ?? (end.result === "ok" ? 0 : 1), end.error == null ? null : redactString(end.error), end.metrics ? JSON.stringify(end.metrics) : null];
}

/** The placeholder of a JSON value: jsonb on PostgreSQL, text on SQLite. */
function jsonParam(provider: string): string {
  return provider === "postgresql" ? "?::jsonb" : "?";
}
