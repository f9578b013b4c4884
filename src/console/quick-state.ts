/**
 * What the console shows before the first prompt (banner) and offers in Tab
 * completion, read straight from the SQLite file with better-sqlite3 (a few
 * milliseconds) instead of loading Prisma. PostgreSQL workspaces get the same
 * data from the store after the prompt is up.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { databaseUrl, type Workspace } from "../core/workspace.js";

export interface QuickState {
  lastSyncAt?: Date;
  guests?: number;
  names: { guests: string[]; nodes: string[]; storage: string[]; tags: string[] };
}

const EMPTY: QuickState = { names: { guests: [], nodes: [], storage: [], tags: [] } };

interface SqliteDb {
  prepare(sql: string): { get(): unknown; all(): unknown[] };
  close(): void;
}

/** Read the banner and completion data; never throws (returns what it could read). */
export function readQuickState(ws: Workspace, env: NodeJS.ProcessEnv): QuickState {
  const url = databaseUrl(ws, env);
  if (!url.startsWith("file:")) return EMPTY;
  const file = url.slice("file:".length);
  if (!existsSync(file)) return EMPTY;
  let db: SqliteDb | undefined;
  try {
    const Database = createRequire(import.meta.url)("better-sqlite3") as new (f: string, o: object) => SqliteDb;
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 200 });
    const last = db.prepare(`SELECT "finishedAt" AS f FROM "SyncRun" WHERE "status" = 'completed' ORDER BY "id" DESC LIMIT 1`).get() as { f: string | number } | undefined;
    const guests = db.prepare(`SELECT "name" AS n, "tags" AS t FROM "Guest"`).all() as { n: string; t: string }[];
    const nodes = (db.prepare(`SELECT "name" AS n FROM "Node"`).all() as { n: string }[]).map((r) => r.n);
    const storage = (db.prepare(`SELECT DISTINCT "storage" AS n FROM "Storage"`).all() as { n: string }[]).map((r) => r.n);
    const tags = new Set<string>();
    for (const g of guests) for (const t of parseTags(g.t)) tags.add(t);
    return {
      lastSyncAt: last ? toDate(last.f) : undefined,
      guests: guests.length,
      names: { guests: guests.map((g) => g.n).sort(), nodes: nodes.sort(), storage: storage.sort(), tags: [...tags].sort() },
    };
  } catch {
    return EMPTY;
  } finally {
    db?.close();
  }
}

function parseTags(value: unknown): string[] {
  if (typeof value !== "string" || !value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return value.split(/[;,]/).filter(Boolean);
  }
}

function toDate(value: string | number): Date | undefined {
  const d = typeof value === "number" ? new Date(value) : new Date(/^\d+$/.test(value) ? Number(value) : value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
