/**
 * The light connection of the read path: plain better-sqlite3 (SQLite) or
 * `pg` (PostgreSQL) queries, without Prisma's client and its query compiler.
 * Statements use `?` placeholders on both; parameters are encoded the way
 * Prisma writes them (SQLite: booleans 0/1, DateTime as ISO text with
 * +00:00; PostgreSQL: timestamp(3) in UTC).
 */
import type BetterSqlite3 from "better-sqlite3";
import type pg from "pg";
import type { MigrationReport } from "./migrations.js";
import type { Store } from "./store.js";
import type { StoreProvider } from "./url.js";

/** A parameter of a statement. */
export type SqlValue = string | number | boolean | Date | null;

/** A row as the driver returns it (decoded by read-rows.ts). */
export type RawRow = Record<string, unknown>;

/** One open connection of the read path. */
export interface SqlConnection {
  readonly provider: StoreProvider;
  /** Run one statement (`?` placeholders) and return its rows (none for a statement without RETURNING). */
  query(sql: string, params?: SqlValue[]): Promise<RawRow[]>;
  /**
   * A number that changes whenever `table` may have changed since it was last read: a commit by
   * another connection (SQLite's data_version), or this connection's own write to that table (or to
   * one it cannot name).
   * Undefined where there is no cheap way to know (PostgreSQL): callers then cache nothing.
   */
  version?(table: string): string | undefined;
  close(): Promise<void>;
}

/** An opened database of the read path (what sqlite.ts / postgres.ts hand to read-store.ts). */
export interface ReaderOpening {
  connection: SqlConnection;
  /** Path (SQLite) or redacted URL (PostgreSQL): safe to print. */
  label: string;
  migrations: MigrationReport;
  /** Turn a driver error into a ProxmoxMpcError when it is a known condition. */
  translate(err: unknown): unknown;
}

/** What the read repositories share: the connection, and the full store for writes. */
export interface ReadDb {
  /** Run reads on the connection, translating driver errors into ProxmoxMpcErrors. */
  run<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T>;
  /** The full (Prisma) store on the same database, opened on first use. */
  full(): Promise<Store>;
}

/** The DateTime text Prisma's SQLite adapter writes (and that sorts correctly as text). */
export function sqliteDateText(d: Date): string {
  return d.toISOString().replace("Z", "+00:00");
}

/** Retries a statement while another connection holds SQLite's lock (see sqlite.ts). */
export type BusyRetry = <T>(fn: () => T) => Promise<T>;

/**
 * A connection over an open better-sqlite3 database (opened with timeout 0:
 * `whenNotBusy` waits asynchronously, never blocking the event loop).
 */
export function sqliteConnection(db: BetterSqlite3.Database, whenNotBusy: BusyRetry): SqlConnection {
  const statements = new Map<string, BetterSqlite3.Statement>();
  const encode = (v: SqlValue): string | number | null => (typeof v === "boolean" ? (v ? 1 : 0) : v instanceof Date ? sqliteDateText(v) : v);
  /** This connection's own writes per table ("" for a statement whose table is not plain to see). */
  const ownWrites = new Map<string, number>();
  const writtenTable = new Map<string, string | null>();
  let dataVersion: BetterSqlite3.Statement | undefined;
  return {
    provider: "sqlite",
    query(sql, params = []) {
      return whenNotBusy(() => {
        let stmt = statements.get(sql);
        if (!stmt) statements.set(sql, (stmt = db.prepare(sql)));
        const values = params.map(encode);
        // A write (an INSERT … RETURNING is a "reader" to better-sqlite3, so the text tells): counted for version().
        let table = writtenTable.get(sql);
        if (table === undefined) writtenTable.set(sql, (table = writeTarget(sql)));
        if (table !== null) ownWrites.set(table, (ownWrites.get(table) ?? 0) + 1);
        if (!stmt.reader) {
          stmt.run(...values);
          return [];
        }
        return stmt.all(...values) as RawRow[];
      });
    },
    version(table) {
      try {
        dataVersion ??= db.prepare("PRAGMA data_version").pluck();
        // data_version changes with every commit of another connection; this one's own writes are counted here.
        return `${dataVersion.get() as number}:${ownWrites.get(table) ?? 0}:${ownWrites.get("") ?? 0}`;
      } catch {
        return undefined; // busy or closed: no version, so nothing is answered from memory
      }
    },
    async close() {
      db.close();
    },
  };
}

/** The table a statement writes (null: it only reads; "": it writes, but which table is not plain to see). */
function writeTarget(sql: string): string | null {
  if (!/^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|WITH)\b/i.test(sql)) return null;
  return /^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"(\w+)"/i.exec(sql)?.[1] ?? "";
}

/** `?` → `$1`, `$2` … (the statements of the read path have no `?` inside literals). */
export function pgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** timestamp(3) columns hold UTC (as Prisma writes them); `pg` would read them as local time. */
export function parsePgTimestamp(text: string): Date {
  return new Date(`${text.replace(" ", "T")}Z`);
}

/** The `types` option of a pg.Client whose timestamps are read as UTC. */
export function pgTypes(types: typeof pg.types): pg.CustomTypesConfig {
  const TIMESTAMP = 1114;
  return {
    getTypeParser: ((oid: number, format?: string) =>
      oid === TIMESTAMP && format !== "binary" ? parsePgTimestamp : types.getTypeParser(oid, format as "text")) as pg.CustomTypesConfig["getTypeParser"],
  };
}

/** A connection over a connected pg.Client (created with `pgTypes`). */
export function pgConnection(client: pg.Client): SqlConnection {
  const encode = (v: SqlValue): string | number | boolean | null => (v instanceof Date ? v.toISOString() : v);
  return {
    provider: "postgresql",
    async query(sql, params = []) {
      const res = await client.query(pgPlaceholders(sql), params.map(encode));
      return res.rows as RawRow[];
    },
    async close() {
      await client.end().catch(() => undefined);
    },
  };
}
