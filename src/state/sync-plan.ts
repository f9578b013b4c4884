/**
 * What a sync would change: compares an observed snapshot with the store by
 * hash, loads only the guests whose hash differs, and builds the field-level
 * diff. Guests the sync could not read are kept (or stored from their
 * /cluster/resources row when new) and marked stale; a stale guest read again
 * is cleared. Used both by `syncs.diff()` (dry run) and inside `syncs.commit()`.
 */
import type { DbTx } from "./db.js";
import { toGuestDetail } from "./mappers.js";
import { checkSnapshot, diffGuest, guestHash, normalizeGuest, type NormalizedGuest } from "./sync-diff.js";
import type { GuestChange, SyncDiff } from "./sync-types.js";
import type { GuestDetail, ObservedSnapshot } from "./types.js";

/** Rows fetched per `IN (…)` query. */
export const CHUNK = 1000;

/** A guest to (re)write, with what the store knew of it. */
export interface PlannedGuest {
  guest: NormalizedGuest;
  hash: string;
  /** null for a new guest */
  old: GuestDetail | null;
  /** Set for a new guest whose config could not be read: `guest` is its /cluster/resources row. */
  staleReason?: string;
}

/** A stored guest this sync could not read: its row is kept and marked stale. */
export interface StaleMark {
  vmid: number;
  reason: string;
  /** It was not stale before this sync. */
  fresh: boolean;
}

/** The plan of one sync. */
export interface SyncPlan {
  diff: SyncDiff;
  added: PlannedGuest[];
  /** Changed and renamed guests, plus guests whose hash changed without a visible difference. */
  rewritten: PlannedGuest[];
  removed: number[];
  /** Stored guests not read by this sync: kept, marked stale. */
  stale: StaleMark[];
  /** Stale guests read again without any change: only their stale mark is cleared. */
  cleared: number[];
  /** Guests in the store after the sync. */
  total: number;
}

/** Split a list into chunks of `size`. */
export function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function loadDetails(tx: DbTx, vmids: number[]): Promise<Map<number, GuestDetail>> {
  const out = new Map<number, GuestDetail>();
  for (const part of chunks(vmids)) {
    const rows = await tx.guest.findMany({ where: { vmid: { in: part } }, include: { disks: true, nets: true } });
    for (const row of rows) out.set(row.vmid, toGuestDetail(row));
  }
  return out;
}

const byVmid = (a: GuestChange, b: GuestChange) => a.vmid - b.vmid;

/** Compare `snapshot` with what `tx` sees. Reads only. */
export async function planSync(tx: DbTx, snapshot: ObservedSnapshot): Promise<SyncPlan> {
  const observed = snapshot.guests.map(normalizeGuest);
  const staleGuests = snapshot.staleGuests ?? [];
  const fallbacks = new Map(staleGuests.map((s) => [s.vmid, normalizeGuest(s.fallback)]));
  checkSnapshot([...observed, ...fallbacks.values()]);
  const unreachable = new Set(snapshot.unreachableNodes ?? []);
  const current = await tx.guest.findMany({ select: { vmid: true, name: true, node: true, hash: true, staleSyncId: true, firstSeenSyncId: true } });
  const currentByVmid = new Map(current.map((g) => [g.vmid, g]));

  const added: PlannedGuest[] = [];
  const candidates: { guest: NormalizedGuest; hash: string }[] = [];
  const cleared: number[] = [];
  for (const guest of observed) {
    const hash = guestHash(guest);
    const stored = currentByVmid.get(guest.vmid);
    if (!stored) added.push({ guest, hash, old: null });
    else if (stored.hash !== hash) candidates.push({ guest, hash });
    else if (stored.staleSyncId !== null) cleared.push(guest.vmid);
  }
  const addedObserved = added.length;
  const diff: SyncDiff = { added: [], changed: [], removed: [], renamed: [], unchanged: 0, stale: [], nodes: { added: [], removed: [] } };
  const marks: StaleMark[] = [];
  for (const { vmid, reason } of staleGuests) {
    const stored = currentByVmid.get(vmid);
    const fallback = fallbacks.get(vmid) as NormalizedGuest;
    if (stored) {
      marks.push({ vmid, reason, fresh: stored.staleSyncId === null });
      const neverRead = stored.staleSyncId !== null && stored.staleSyncId === stored.firstSeenSyncId;
      diff.stale.push({ vmid, name: stored.name, node: stored.node, reason, values: neverRead ? "cluster-resources" : "last-read" });
    } else {
      added.push({ guest: fallback, hash: guestHash(fallback), old: null, staleReason: reason });
      diff.stale.push({ vmid, name: fallback.name, node: fallback.node, reason, values: "cluster-resources" });
    }
  }
  const keptVmids = new Set([...observed.map((g) => g.vmid), ...fallbacks.keys()]);
  const removedRows = current.filter((g) => !keptVmids.has(g.vmid) && !unreachable.has(g.node));

  const details = await loadDetails(tx, candidates.map((c) => c.guest.vmid));
  const rewritten: PlannedGuest[] = [];
  for (const { guest, hash } of candidates) {
    const old = details.get(guest.vmid) ?? null;
    rewritten.push({ guest, hash, old });
    const fields = old ? diffGuest(old, guest) : {};
    if (Object.keys(fields).length === 0) {
      diff.unchanged++; // e.g. a hash written by an older normalization: rewrite silently
      continue;
    }
    const kind = "name" in fields ? "renamed" : "changed";
    diff[kind].push({ vmid: guest.vmid, name: guest.name, kind, diff: fields });
  }
  diff.unchanged += observed.length - addedObserved - candidates.length;
  diff.added = added.map(({ guest }) => ({ vmid: guest.vmid, name: guest.name, kind: "added" as const, diff: null })).sort(byVmid);
  diff.removed = removedRows.map((g) => ({ vmid: g.vmid, name: g.name, kind: "removed" as const, diff: null })).sort(byVmid);
  diff.changed.sort(byVmid);
  diff.renamed.sort(byVmid);
  diff.stale.sort((a, b) => a.vmid - b.vmid);

  const nodes = await tx.node.findMany({ select: { name: true } });
  const known = new Set(nodes.map((n) => n.name));
  const seen = new Set(snapshot.nodes.map((n) => n.name));
  diff.nodes.added = [...seen].filter((n) => !known.has(n)).sort();
  diff.nodes.removed = [...known].filter((n) => !seen.has(n) && !unreachable.has(n)).sort();

  return {
    diff,
    added,
    rewritten,
    removed: removedRows.map((g) => g.vmid),
    stale: marks,
    cleared,
    total: current.length + added.length - removedRows.length,
  };
}
