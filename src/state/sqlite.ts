/**
 * Opening a SQLite state database: sanity checks that turn a broken file into
 * a clear error, WAL + busy timeout (a second process waits instead of
 * failing), self-applied migrations, then the Prisma client over the
 * better-sqlite3 driver adapter (both loaded lazily) — or, for the read path,
 * the plain better-sqlite3 connection itself.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from "node:fs";
import path from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { ProxmoxMpcError } from "../core/errors.js";
import { errorSignature, type Db, type DbClient } from "./db.js";
import { applyMigrations, loadMigrations, type AppliedMigration, type MigrationDriver, type MigrationReport } from "./migrations.js";
import { sqliteConnection, type ReaderOpening } from "./read-connection.js";

/** How long a statement waits for another process's write lock. */
export const SQLITE_BUSY_TIMEOUT_MS = 15_000;
const HEADER = Buffer.from("SQLite format 3\0", "latin1");

/** The error for a file that is not (or no longer) a SQLite database. */
export function corruptDatabaseError(file: string, detail: string, cause?: unknown): ProxmoxMpcError {
  const rel = path.relative(process.cwd(), file) || file;
  const shown = rel.startsWith("..") ? file : rel;
  return new ProxmoxMpcError(`The state database ${shown} is not a usable SQLite database (${detail}).`, {
    code: "database-corrupt",
    hint: `The cluster is the source of truth: move it aside and run sync again: mv ${shown} ${shown}.broken`,
    cause,
  });
}

/**
 * Connections this process holds open, by file. Closing any descriptor of a file drops every POSIX
 * lock this process holds on it (fcntl semantics): checkFile's own open/close, run while a connection
 * is open (a long-lived server opening the full store beside its read store), would drop that
 * connection's WAL lock, and the next process to close the database would delete the WAL under it.
 */
const inUse = new Map<string, number>();

/** Count a connection to `file` as open; the function that counts it closed (once). */
function hold(file: string): () => void {
  const key = path.resolve(file);
  inUse.set(key, (inUse.get(key) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (inUse.get(key) ?? 1) - 1;
    if (left > 0) inUse.set(key, left);
    else inUse.delete(key);
  };
}

/** Cheap checks before SQLite reads the file: header magic, and a file shorter than its header says. */
function checkFile(file: string): void {
  // Already open in this process: it was checked then, and opening it again would drop our locks (see inUse).
  if (inUse.has(path.resolve(file))) return;
  if (!existsSync(file)) return;
  const size = statSync(file).size;
  if (size === 0) return; // SQLite treats an empty file as a new database
  const header = Buffer.alloc(100);
  const fd = openSync(file, "r");
  let read: number;
  try {
    read = readSync(fd, header, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (read < 100 || !header.subarray(0, 16).equals(HEADER)) throw corruptDatabaseError(file, "no SQLite header");
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  const pages = header.readUInt32BE(28);
  const sizeValid = header.readUInt32BE(24) === header.readUInt32BE(92);
  // A pending WAL may legitimately hold pages the main file has not got yet.
  const wal = `${file}-wal`;
  const walPending = existsSync(wal) && statSync(wal).size > 0;
  if (sizeValid && !walPending && pages > 0 && pages * pageSize > size) {
    throw corruptDatabaseError(file, `truncated: ${size} of ${pages * pageSize} bytes`);
  }
}

/** Translate SQLite conditions into ProxmoxMpcErrors; other errors pass through. */
export function translateSqliteError(err: unknown, file: string): unknown {
  if (err instanceof ProxmoxMpcError) return err;
  const { codes, text } = errorSignature(err);
  const has = (code: string) => codes.some((c) => c.startsWith(code));
  if (has("SQLITE_NOTADB") || /file is not a database/i.test(text)) return corruptDatabaseError(file, "file is not a database", err);
  if (has("SQLITE_CORRUPT") || /database disk image is malformed/i.test(text)) {
    return corruptDatabaseError(file, "database disk image is malformed", err);
  }
  if (has("SQLITE_BUSY") || /database is locked/i.test(text)) {
    return new ProxmoxMpcError(`The state database ${file} stayed locked by another process for ${SQLITE_BUSY_TIMEOUT_MS / 1000} s.`, {
      code: "database-busy",
      hint: "Another proxmox-mpc is writing a large change; wait for it and run again.",
      cause: err,
    });
  }
  if (has("SQLITE_CANTOPEN") || has("SQLITE_READONLY") || has("SQLITE_PERM") || has("EACCES")) {
    return new ProxmoxMpcError(`Cannot open the state database ${file} for writing.`, {
      code: "database-unwritable",
      hint: "Check that the file and its folder exist and are writable by this user.",
      cause: err,
    });
  }
  if (has("SQLITE_FULL") || /database or disk is full/i.test(text)) {
    return new ProxmoxMpcError(`The disk holding ${file} is full.`, { code: "database-full", hint: "Free some space and run again.", cause: err });
  }
  return err;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Run `fn`, retrying while another connection holds the lock. The raw
 * connection has no busy timeout: better-sqlite3 would wait synchronously and
 * block the event loop, which deadlocks against another connection of this
 * same process (it could never finish its transaction).
 */
async function whenNotBusy<T>(fn: () => T): Promise<T> {
  const deadline = Date.now() + SQLITE_BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      return fn();
    } catch (err) {
      const busy = errorSignature(err).codes.some((c) => c.startsWith("SQLITE_BUSY") || c.startsWith("SQLITE_LOCKED"));
      if (!busy || Date.now() > deadline) throw err;
      await sleep(20);
    }
  }
}

function sqliteDriver(raw: BetterSqlite3.Database): MigrationDriver {
  return {
    async transaction(fn) {
      // IMMEDIATE takes the write lock first, so two migrating processes queue up.
      await whenNotBusy(() => raw.exec("BEGIN IMMEDIATE"));
      try {
        const result = await fn();
        raw.exec("COMMIT");
        return result;
      } catch (err) {
        if (raw.inTransaction) raw.exec("ROLLBACK");
        throw err;
      }
    },
    async exec(sql) {
      raw.exec(sql);
    },
    async applied() {
      return raw.prepare('SELECT "version", "name", "checksum" FROM "SchemaMigration" ORDER BY "version"').all() as AppliedMigration[];
    },
    async record(m, appliedAt) {
      raw
        .prepare('INSERT INTO "SchemaMigration" ("version", "name", "appliedAt", "checksum") VALUES (?, ?, ?, ?)')
        .run(m.version, m.name, appliedAt.toISOString().replace("Z", "+00:00"), m.checksum);
    },
  };
}

/** An open, migrated SQLite database on a plain better-sqlite3 connection. */
interface RawSqlite {
  raw: BetterSqlite3.Database;
  migrations: MigrationReport;
  translate: (err: unknown) => unknown;
}

/** Sanity checks, WAL, migrations (a cheap version read when up to date), on a plain connection. */
async function openRaw(file: string): Promise<RawSqlite> {
  const translate = (err: unknown) => translateSqliteError(err, file);
  checkFile(file);
  mkdirSync(path.dirname(file), { recursive: true });
  const { default: Database } = await import("better-sqlite3");
  let raw: BetterSqlite3.Database | undefined;
  try {
    const db = new Database(file, { timeout: 0 });
    raw = db;
    await whenNotBusy(() => db.pragma("journal_mode = WAL"));
    const migrations = await applyMigrations(sqliteDriver(db), loadMigrations("sqlite"));
    return { raw: db, migrations, translate };
  } catch (err) {
    raw?.close();
    throw translate(err);
  }
}

/** Open (creating if needed) and migrate a SQLite state database. */
export async function openSqlite(file: string): Promise<Db> {
  const { raw, migrations, translate } = await openRaw(file);
  raw.close();
  const [{ PrismaBetterSQLite3 }, { PrismaClient }] = await Promise.all([
    import("@prisma/adapter-better-sqlite3"),
    import("./generated/sqlite/client.js"),
  ]);
  const adapter = new PrismaBetterSQLite3({ url: file, timeout: SQLITE_BUSY_TIMEOUT_MS });
  const client: DbClient = new PrismaClient({ adapter });
  const release = hold(file);
  try {
    // WAL + NORMAL: no corruption on power loss, at most the last commit lost; much faster commits.
    await client.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
  } catch (err) {
    await client.$disconnect().catch(() => undefined);
    release();
    throw translate(err);
  }
  return {
    client,
    provider: "sqlite",
    label: file,
    migrations,
    translate,
    close: () => client.$disconnect().finally(release),
  };
}

/**
 * Open (creating if needed) and migrate a SQLite state database for the read
 * path: the same checks and errors as `openSqlite`, without Prisma.
 */
export async function openSqliteReader(file: string): Promise<ReaderOpening> {
  const { raw, migrations, translate } = await openRaw(file);
  try {
    raw.pragma("synchronous = NORMAL");
  } catch (err) {
    raw.close();
    throw translate(err);
  }
  const release = hold(file);
  const connection = sqliteConnection(raw, whenNotBusy);
  const close = connection.close.bind(connection);
  connection.close = () => close().finally(release);
  return { connection, label: file, migrations, translate };
}
