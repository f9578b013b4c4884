/**
 * The quick state's shape and the one place that builds it from rows, shared
 * by the store path (quick-state.ts) and the SQLite fast path.
 */
import type { Store } from "./store.js";

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
