/**
 * What the console shows in its banner (the last sync) and offers in Tab
 * completion (guest, node, storage and tag names), and what the shell
 * completion's `__complete` offers. Read through the store's repositories,
 * whatever the database; a SQLite workspace takes the fast path of
 * quick-state-sqlite.ts, which gives the same answer without loading Prisma.
 * Importing this module loads no database code.
 */
import type { Store } from "../state/index.js";
import { databaseUrl, type Workspace } from "../core/workspace.js";

/** The banner's and completion's view of the store. */
export interface QuickState {
  /** When the last completed sync finished; undefined when none did. */
  lastSyncAt?: Date;
  /** How many guests the store holds. */
  guests?: number;
  /** Sorted, without duplicates. */
  names: { guests: string[]; nodes: string[]; storage: string[]; tags: string[] };
  /** Why the store could not be read (shown in the banner instead of the sync age). */
  error?: string;
}

/** The repositories the store path reads (a Store has them). */
export type QuickStateStore = Pick<Store, "syncs" | "guests" | "nodes" | "storage">;

/** Nothing known (no workspace, no database yet). */
export function emptyState(): QuickState {
  return { names: { guests: [], nodes: [], storage: [], tags: [] } };
}

/** Build a QuickState from raw rows: one place decides sorting and de-duplication for both paths. */
export function stateFrom(rows: { lastSyncAt?: Date; guests: { name: string; tags: string[] }[]; nodes: string[]; storage: string[] }): QuickState {
  const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();
  return {
    lastSyncAt: rows.lastSyncAt,
    guests: rows.guests.length,
    names: {
      guests: sorted(rows.guests.map((g) => g.name)),
      nodes: sorted(rows.nodes),
      storage: sorted(rows.storage),
      tags: sorted(rows.guests.flatMap((g) => g.tags)),
    },
  };
}

/** Read the quick state through the store's repositories (SQLite or PostgreSQL). */
export async function readStoreState(store: QuickStateStore): Promise<QuickState> {
  const [last, guests, nodes, storage] = await Promise.all([
    store.syncs.last({ status: "completed" }),
    store.guests.names(),
    store.nodes.list(),
    store.storage.list(),
  ]);
  return stateFrom({
    lastSyncAt: last?.finishedAt ?? undefined,
    guests,
    nodes: nodes.map((n) => n.name),
    storage: storage.map((s) => s.storage),
  });
}

/** The workspace's SQLite state file, or undefined when its store is another database. */
export function sqliteFile(ws: Workspace, env: NodeJS.ProcessEnv): string | undefined {
  const url = databaseUrl(ws, env);
  return url.startsWith("file:") ? url.slice("file:".length) : undefined;
}

/**
 * The quick state of a workspace: the SQLite fast path when the store is a
 * SQLite file, else through `openStore()` (which the caller owns and closes).
 * Throws what the store throws (an unreachable PostgreSQL …).
 */
export async function readQuickState(ws: Workspace, env: NodeJS.ProcessEnv, openStore: () => Promise<QuickStateStore>): Promise<QuickState> {
  const file = sqliteFile(ws, env);
  if (file !== undefined) {
    const { readSqliteState } = await import("./quick-state-sqlite.js");
    return readSqliteState(file);
  }
  return readStoreState(await openStore());
}
