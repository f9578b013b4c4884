/**
 * What a sync writes: compares an observed snapshot with the store by hash,
 * loads only the guests whose hash differs, and builds the field-level diff.
 * Guests the sync could not read are kept (or stored from their
 * /cluster/resources row when new) and marked stale; a stale guest read again
 * is cleared. The store runs it inside the commit's transaction (or, for a
 * dry run, without one): see `store.syncs.commit(run, planner)`.
 */
import type { GuestChange, GuestInput, ObservedGuest, ObservedSnapshot, PlannedGuest, StaleMark, SyncDiff, SyncPlanner, SyncReader, SyncWrite } from "../state/index.js";
import { canonicalGuest, checkSnapshot, diffGuest, guestHash } from "./guest-hash.js";

const byVmid = (a: { vmid: number }, b: { vmid: number }) => a.vmid - b.vmid;

/** A guest in canonical form, with its hash. */
export interface CanonicalGuest {
  guest: GuestInput;
  hash: string;
}

/** A snapshot with its guests in canonical form and hashed (once per sync); the observed guests are not kept. */
export interface CanonicalSnapshot {
  snapshot: Omit<ObservedSnapshot, "guests">;
  /** Sorted by vmid. */
  guests: CanonicalGuest[];
}

/** The canonical form of one observed guest, and its hash. */
export function canonicalOf(observed: ObservedGuest): CanonicalGuest {
  const guest = canonicalGuest(observed);
  return { guest, hash: guestHash(guest) };
}

/** A snapshot's guests in canonical form (or the given ones, made as they were read), sorted by vmid. */
export function canonicalSnapshot(snapshot: ObservedSnapshot, made?: CanonicalGuest[]): CanonicalSnapshot {
  const { guests, ...rest } = snapshot;
  const canonical = made ?? guests.map(canonicalOf);
  return { snapshot: rest, guests: canonical.sort((a, b) => a.guest.vmid - b.guest.vmid) };
}

/** The planner of one snapshot, for `store.syncs.commit` and `store.syncs.inspect`. */
export function planner(snapshot: ObservedSnapshot | CanonicalSnapshot): SyncPlanner {
  const canonical = "snapshot" in snapshot ? snapshot : canonicalSnapshot(snapshot);
  return (reader) => planSync(reader, canonical);
}

/** Compare a snapshot with what `reader` sees. Reads only. */
export async function planSync(reader: SyncReader, { snapshot, guests: observed }: CanonicalSnapshot): Promise<SyncWrite> {
  const staleGuests = snapshot.staleGuests ?? [];
  const fallbacks = new Map(staleGuests.map((s) => [s.vmid, canonicalGuest(s.fallback)]));
  checkSnapshot([...observed.map((o) => o.guest), ...fallbacks.values()]);
  const unreachable = new Set(snapshot.unreachableNodes ?? []);
  const current = await reader.summaries();
  const currentByVmid = new Map(current.map((g) => [g.vmid, g]));

  const added: PlannedGuest[] = [];
  const candidates: { guest: GuestInput; hash: string; firstSeenSyncId: number }[] = [];
  const cleared: number[] = [];
  for (const { guest, hash } of observed) {
    const stored = currentByVmid.get(guest.vmid);
    if (!stored) added.push({ guest, hash, firstSeenSyncId: null });
    else if (stored.hash !== hash) candidates.push({ guest, hash, firstSeenSyncId: stored.firstSeenSyncId });
    else if (stored.staleSyncId !== null) cleared.push(guest.vmid);
  }
  const addedObserved = added.length;
  const diff: SyncDiff = { added: [], changed: [], removed: [], renamed: [], unchanged: 0, stale: [], nodes: { added: [], removed: [] } };
  const marks: StaleMark[] = [];
  for (const { vmid, reason } of staleGuests) {
    const stored = currentByVmid.get(vmid);
    const fallback = fallbacks.get(vmid) as GuestInput;
    if (stored) {
      marks.push({ vmid, reason, fresh: stored.staleSyncId === null });
      const neverRead = stored.staleSyncId !== null && stored.staleSyncId === stored.firstSeenSyncId;
      diff.stale.push({ vmid, name: stored.name, node: stored.node, reason, values: neverRead ? "cluster-resources" : "last-read" });
    } else {
      added.push({ guest: fallback, hash: guestHash(fallback), firstSeenSyncId: null, staleReason: reason });
      diff.stale.push({ vmid, name: fallback.name, node: fallback.node, reason, values: "cluster-resources" });
    }
  }
  const keptVmids = new Set([...observed.map((o) => o.guest.vmid), ...fallbacks.keys()]);
  const removedRows = current.filter((g) => !keptVmids.has(g.vmid) && !unreachable.has(g.node));

  const details = await reader.details(candidates.map((c) => c.guest.vmid));
  for (const { guest } of candidates) {
    const old = details.get(guest.vmid);
    const fields = old ? diffGuest(old, guest) : {};
    if (Object.keys(fields).length === 0) {
      diff.unchanged++; // e.g. a hash written by an older normalization: rewrite silently
      continue;
    }
    const kind = "name" in fields ? "renamed" : "changed";
    diff[kind].push({ vmid: guest.vmid, name: guest.name, kind, diff: fields });
  }
  diff.unchanged += observed.length - addedObserved - candidates.length;
  diff.added = added.map(({ guest }): GuestChange => ({ vmid: guest.vmid, name: guest.name, kind: "added", diff: null })).sort(byVmid);
  diff.removed = removedRows.map((g): GuestChange => ({ vmid: g.vmid, name: g.name, kind: "removed", diff: null })).sort(byVmid);
  diff.changed.sort(byVmid);
  diff.renamed.sort(byVmid);
  diff.stale.sort(byVmid);

  const known = new Set(await reader.nodeNames());
  const seen = new Set(snapshot.nodes.map((n) => n.name));
  diff.nodes.added = [...seen].filter((n) => !known.has(n)).sort();
  diff.nodes.removed = [...known].filter((n) => !seen.has(n) && !unreachable.has(n)).sort();

  return {
    nodes: snapshot.nodes,
    storage: snapshot.storage,
    unreachableNodes: snapshot.unreachableNodes ?? [],
    diff,
    added,
    rewritten: candidates.map(({ guest, hash, firstSeenSyncId }) => ({ guest, hash, firstSeenSyncId })),
    removed: removedRows.map((g) => g.vmid),
    stale: marks,
    cleared,
    total: current.length + added.length - removedRows.length,
  };
}
