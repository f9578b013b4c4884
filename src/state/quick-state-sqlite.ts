/**
 * The SQLite fast path of the console's quick state: the same answer as the
 * store's repositories (tests/console/quick-state.test.ts compares them on
 * one synced workspace), read straight from the file with better-sqlite3.
 * Measured on 300 guests: ~25 ms, against ~0.5 s to load Prisma and open
 * the store; that difference is most of the console's first-prompt budget.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { emptyState, stateFrom, type QuickState } from "./quick-state-rows.js";

interface SqliteDb {
  prepare(sql: string): { get(): unknown; all(): unknown[] };
  close(): void;
}

/** Read the banner and completion data from a SQLite state file; never throws (empty when unreadable). */
export function readSqliteState(file: string): QuickState {
  if (!existsSync(file)) return emptyState();
  let db: SqliteDb | undefined;
  try {
    const Database = createRequire(import.meta.url)("better-sqlite3") as new (f: string, o: object) => SqliteDb;
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 200 });
    const last = db.prepare(`SELECT "finishedAt" AS f FROM "SyncRun" WHERE "status" = 'completed' ORDER BY "id" DESC LIMIT 1`).get() as { f: string | number } | undefined;
    const guests = db.prepare(`SELECT "name" AS n, "tags" AS t FROM "Guest"`).all() as { n: string; t: string }[];
    const nodes = (db.prepare(`SELECT "name" AS n FROM "Node"`).all() as { n: string }[]).map((r) => r.n);
    const storage = (db.prepare(`SELECT "storage" AS n FROM "Storage"`).all() as { n: string }[]).map((r) => r.n);
    return stateFrom({
      lastSyncAt: last ? toDate(last.f) : undefined,
      guests: guests.map((g) => ({ name: g.n, tags: parseTags(g.t) })),
      nodes,
      storage,
    });
  } catch {
    return emptyState();
  } finally {
    db?.close();
  }
}

/** Tags as the store writes them: a JSON array of strings (the store keeps only the strings). */
function parseTags(value: unknown): string[] {
  if (typeof value !== "string" || !value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((t): t is string => typeof t === "string") : [];
  } catch {
    return [];
  }
}

/** Prisma's SQLite adapter stores DateTime as an ISO string or as epoch milliseconds. */
function toDate(value: string | number): Date | undefined {
  const d = typeof value === "number" ? new Date(value) : new Date(/^\d+$/.test(value) ? Number(value) : value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
