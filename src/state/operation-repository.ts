/**
 * The operation log in the database: one row per command run, with its
 * arguments redacted (secret keys and registered secrets never reach a row).
 */
import { ProxmoxMpcError } from "../core/errors.js";
import type { MetricsSnapshot } from "../core/metrics.js";
import { redactString, redactValue } from "../core/redact.js";
import { guard, type Db, type DbJson } from "./db.js";
import type { Operation } from "./generated/sqlite/client.js";
import { toOperationRecord } from "./mappers.js";
import type { JsonValue } from "./types.js";

/** Who ran the command. */
export type OperationActor = "cli" | "console" | "mcp" | "nl" | "api";

/** How a command ended. */
export type OperationResult = "ok" | "failed" | "cancelled";

/** What `start()` needs. */
export interface OperationStart {
  correlationId: string;
  command: string;
  actor: OperationActor;
  /** Redacted before it is written. */
  arguments: Record<string, unknown>;
  startedAt?: Date;
  /** Audit: who (token name, `mcp-stdio`, OS user), with which role, from where, naming what (redacted, as written). */
  principal?: string | null;
  role?: string | null;
  source?: string | null;
  target?: string | null;
}

/** What `finish()` needs. */
export interface OperationEnd {
  result: OperationResult;
  exitCode?: number;
  /** Redacted before it is written. */
  error?: string | null;
  finishedAt?: Date;
  /** The run's figures (phases, API requests and bytes, retries, DB time). */
  metrics?: MetricsSnapshot | null;
}

/** A stored operation. */
export interface OperationRecord {
  id: number;
  correlationId: string;
  command: string;
  actor: OperationActor;
  arguments: Record<string, JsonValue>;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  /** null while the command runs (or if its process died) */
  result: OperationResult | null;
  exitCode: number | null;
  error: string | null;
  /** The run's figures; null for runs recorded without them (older rows, runs that did no work). */
  metrics: MetricsSnapshot | null;
  /** Audit (see OperationStart); null on rows written before they were recorded. */
  principal: string | null;
  role: string | null;
  source: string | null;
  target: string | null;
}

/** Filter of `operations.list()`. */
export interface OperationQuery {
  since?: Date;
  command?: string;
  correlationId?: string;
  actor?: OperationActor;
  /** The command's first argument (the action of `snapshot create`); with `command`. */
  action?: string;
  principal?: string;
  result?: OperationResult;
  /** Leave out the runs of these commands (`audit --changes`: the commands that only read). */
  notCommands?: readonly string[];
  /** default 100 */
  limit?: number;
}

/** The audit fields as written: redacted, and never longer than a column should hold. */
export function auditFields(input: Pick<OperationStart, "principal" | "role" | "source" | "target">): { principal: string | null; role: string | null; source: string | null; target: string | null } {
  const clean = (value: string | null | undefined, max: number): string | null => (value == null || value === "" ? null : redactString(value).slice(0, max));
  return { principal: clean(input.principal, 200), role: clean(input.role, 40), source: clean(input.source, 200), target: clean(input.target, 200) };
}

/** JSON-safe and redacted: undefined dropped, Dates as ISO strings, secrets replaced. */
function safeArguments(args: Record<string, unknown>): DbJson {
  return JSON.parse(JSON.stringify(redactValue(args) ?? {})) as DbJson;
}

/**
 * The operation log is the audit trail, append-only: a row is written once when a command starts (or once,
 * whole, when it ended) and finished at most once; no method deletes or rewrites one (tests/observability/audit.test.ts).
 */
export function finishedOnce(id: number): ProxmoxMpcError {
  return new ProxmoxMpcError(`Operation ${id} is already finished; the operation log is append-only.`, { code: "operation-finished" });
}

/** Arguments whose first positional (`{args: [first, …]}`) is `value`: a JSON path, as each database spells it. */
function firstArgumentIs(provider: Db["provider"], value: string): { path: string | string[]; equals: string } {
  return provider === "postgresql" ? { path: ["args", "0"], equals: value } : { path: "$.args[0]", equals: value };
}

/** `store.operations` */
export class OperationRepository {
  constructor(private readonly db: Db) {}

  /** Record that a command started; finish it later with `finish(id, …)`. */
  start(input: OperationStart): Promise<OperationRecord> {
    return guard(this.db, async () => {
      const row = await this.db.client.operation.create({
        data: {
          correlationId: input.correlationId,
          command: input.command,
          actor: input.actor,
          arguments: safeArguments(input.arguments),
          startedAt: input.startedAt ?? new Date(),
          ...auditFields(input),
        },
      });
      return toOperationRecord(row);
    });
  }

  /** Record how a started command ended (once: a finished operation is never changed, see finishedOnce). */
  finish(id: number, end: OperationEnd): Promise<OperationRecord> {
    return guard(this.db, async () => {
      const started = await this.db.client.operation.findUniqueOrThrow({ where: { id }, select: { startedAt: true, finishedAt: true } });
      if (started.finishedAt !== null) throw finishedOnce(id);
      const finishedAt = end.finishedAt ?? new Date();
      const row = await this.db.client.operation.update({
        where: { id, finishedAt: null },
        data: {
          finishedAt,
          durationMs: Math.max(0, finishedAt.getTime() - started.startedAt.getTime()),
          result: end.result,
          exitCode: end.exitCode ?? (end.result === "ok" ? 0 : 1),
          error: end.error == null ? null : redactString(end.error),
          ...(end.metrics ? { metrics: end.metrics as unknown as DbJson } : {}),
        },
      });
      return toOperationRecord(row);
    });
  }

  /** Record a whole operation at once. */
  async record(input: OperationStart & OperationEnd): Promise<OperationRecord> {
    const started = await this.start(input);
    return this.finish(started.id, input);
  }

  /**
   * Record a whole operation without the caller waiting for it (the read store writes such
   * records in batches: read-history.ts). Here it is written at once; the promise settles when it is.
   */
  async recordSoon(input: OperationStart & OperationEnd): Promise<void> {
    await this.record(input);
  }

  /** Write what recordSoon() holds (nothing here: each was written at once). */
  async flushSoon(): Promise<void> {}

  /**
   * Operations with an id above `id` (and those named in `also`), oldest first, at most `limit`:
   * what was recorded since a watcher last looked (the API server's store watcher), by primary key.
   */
  after(id: number, limit = 100, also: readonly number[] = []): Promise<OperationRecord[]> {
    return guard(this.db, async () => {
      const rows = await this.db.client.operation.findMany({
        where: also.length ? { OR: [{ id: { gt: id } }, { id: { in: [...also] } }] } : { id: { gt: id } },
        orderBy: { id: "asc" },
        take: limit,
      });
      return rows.map(toOperationRecord);
    });
  }

  /** The id of the newest operation recorded, 0 when there is none. */
  newestId(): Promise<number> {
    return guard(this.db, async () => (await this.db.client.operation.aggregate({ _max: { id: true } }))._max.id ?? 0);
  }

  /** Operations, newest first. */
  list(query: OperationQuery = {}): Promise<OperationRecord[]> {
    return guard(this.db, async () => {
      const rows = await this.db.client.operation.findMany({
        where: {
          ...(query.since ? { startedAt: { gte: query.since } } : {}),
          ...(query.command !== undefined ? { command: query.command } : query.notCommands?.length ? { command: { notIn: [...query.notCommands] } } : {}),
          ...(query.correlationId !== undefined ? { correlationId: query.correlationId } : {}),
          ...(query.actor !== undefined ? { actor: query.actor } : {}),
          ...(query.principal !== undefined ? { principal: query.principal } : {}),
          ...(query.result !== undefined ? { result: query.result } : {}),
          ...(query.action !== undefined ? { arguments: firstArgumentIs(this.db.provider, query.action) } : {}),
        },
        orderBy: [{ startedAt: "desc" }, { id: "desc" }],
        take: query.limit ?? 100,
      });
      return rows.map(toOperationRecord);
    });
  }
}
