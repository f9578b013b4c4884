/**
 * What the console shows in its banner (the last sync) and offers in Tab
 * completion (guest, node, storage and tag names), and what the shell
 * completion's `__complete` offers. Read through the store's repositories,
 * whatever the database; a SQLite workspace takes the fast path of
 * quick-state-sqlite.ts, which gives the same answer without loading Prisma.
 * Importing this module loads no database code.
 */
import { databaseUrl, type Workspace } from "../core/workspace.js";
import { stateFrom, type QuickState, type QuickStateStore } from "./quick-state-rows.js";

export { emptyState, stateFrom, type QuickState, type QuickStateStore } from "./quick-state-rows.js";

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
