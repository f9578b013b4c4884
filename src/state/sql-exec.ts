/**
 * Plain SQL for what a sync writes and for the workspace locks, on either
 * store: over the Prisma client (its raw queries; the full store) or over the
 * plain connection of the read store, which never loads Prisma. Statements use
 * `?` placeholders and the quoted table names of prisma/models.prisma; values
 * are encoded the way Prisma writes them (see bulk-insert.ts, read-connection.ts).
 */
import { guard, LONG_TRANSACTION, type Db, type DbTx } from "./db.js";
import { dialect, sqliteDateTime } from "./bulk-insert.js";
import type { RawRow, SqlConnection } from "./read-connection.js";
import type { StoreProvider } from "./url.js";

/** A parameter of a statement. */
export type SqlParam = string | number | boolean | Date | null;

/** Runs statements (inside a transaction, or not). */
export interface SqlExec {
  readonly provider: StoreProvider;
  /** The rows of a statement (a write with RETURNING returns what it changed). */
  rows(sql: string, params?: SqlParam[]): Promise<RawRow[]>;
  /** Run a statement that returns nothing. */
  run(sql: string, params?: SqlParam[]): Promise<void>;
}

/** A database: statements, write transactions, and its errors translated. */
export interface SqlDatabase extends SqlExec {
  /** Run `fn` in one write transaction (SQLite: BEGIN IMMEDIATE); an error rolls everything back. */
  transaction<T>(fn: (tx: SqlExec) => Promise<T>): Promise<T>;
  /** Run `fn`, turning driver errors into ProxmoxMpcErrors (a corrupt file, a refused login …). */
  guard<T>(fn: () => Promise<T>): Promise<T>;
}

/** The placeholder of a timestamp(3) parameter: PostgreSQL casts the ISO text, SQLite stores it as it is. */
export function stamp(provider: StoreProvider): string {
  return provider === "sqlite" ? "?" : "CAST(? AS timestamp(3))";
}

function encode(provider: StoreProvider, value: SqlParam): string | number | boolean | null {
  if (value instanceof Date) return provider === "sqlite" ? sqliteDateTime(value) : value.toISOString();
  if (typeof value === "boolean" && provider === "sqlite") return Number(value);
  return value;
}

function prismaExec(tx: DbTx, provider: StoreProvider): SqlExec {
  const args = (params: SqlParam[]) => params.map((p) => encode(provider, p));
  return {
    provider,
    rows: (sql, params = []) => tx.$queryRawUnsafe<RawRow[]>(dialect(provider, sql), ...args(params)),
    run: async (sql, params = []) => {
      await tx.$executeRawUnsafe(dialect(provider, sql), ...args(params));
    },
  };
}

/** The full store's database, through Prisma's raw queries and interactive transactions. */
export function prismaSql(db: Db): SqlDatabase {
  const exec = prismaExec(db.client, db.provider);
  return {
    ...exec,
    transaction: (fn) => db.client.$transaction((tx) => fn(prismaExec(tx, db.provider)), LONG_TRANSACTION),
    guard: (fn) => guard(db, fn),
  };
}

/**
 * The read store's database: its one plain connection. Transactions are
 * queued (one at a time on the connection); statements outside them still
 * run, and run inside an open one (this process's own heartbeats, reads).
 */
export function connectionSql(conn: SqlConnection, translate: (err: unknown) => unknown): SqlDatabase {
  const provider = conn.provider;
  const exec: SqlExec = {
    provider,
    rows: (sql, params = []) => conn.query(sql, params),
    run: async (sql, params = []) => {
      await conn.query(sql, params);
    },
  };
  let queue: Promise<unknown> = Promise.resolve();
  return {
    ...exec,
    transaction<T>(fn: (tx: SqlExec) => Promise<T>): Promise<T> {
      const work = async (): Promise<T> => {
        await conn.query(provider === "sqlite" ? "BEGIN IMMEDIATE" : "BEGIN");
        try {
          const result = await fn(exec);
          await conn.query("COMMIT");
          return result;
        } catch (err) {
          await conn.query("ROLLBACK").catch(() => undefined);
          throw err;
        }
      };
      const next = queue.then(work, work);
      queue = next.catch(() => undefined);
      return next;
    },
    async guard<T>(fn: () => Promise<T>): Promise<T> {
      try {
        return await fn();
      } catch (err) {
        throw translate(err);
      }
    },
  };
}
