/**
 * What a sync would change: compares an observed snapshot with the store by
 * hash, loads only the guests whose hash differs, and builds the field-level
 * diff. Used both by `syncs.diff()` (dry run) and inside `syncs.commit()`.
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
}

/** The plan of one sync. */
export interface SyncPlan {
  diff: SyncDiff;
  added: PlannedGuest[];
  /** Changed and renamed guests, plus guests whose hash changed without a visible difference. */
  rewritten: PlannedGuest[];
  removed: number[];
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
  checkSnapshot(observed);
  const unreachable = new Set(snapshot.unreachableNodes ?? []);
  const current = await tx.guest.findMany({ select: { vmid: true, name: true, node: true, hash: true } });
  const currentByVmid = new Map(current.map((g) => [g.vmid, g]));

  const added: PlannedGuest[] = [];
  const candidates: { guest: NormalizedGuest; hash: string }[] = [];
  for (const guest of observed) {
    const hash = guestHash(guest);
    const stored = currentByVmid.get(guest.vmid);
    if (!stored) added.push({ guest, hash, old: null });
    else if (stored.hash !== hash) candidates.push({ guest, hash });
  }
  const observedVmids = new Set(observed.map((g) => g.vmid));
  const removedRows = current.filter((g) => !observedVmids.has(g.vmid) && !unreachable.has(g.node));

  const details = await loadDetails(tx, candidates.map((c) => c.guest.vmid));
  const diff: SyncDiff = { added: [], changed: [], removed: [], renamed: [], unchanged: 0, nodes: { added: [], removed: [] } };
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
  diff.unchanged += observed.length - added.length - candidates.length;
  diff.added = added.map(({ guest }) => ({ vmid: guest.vmid, name: guest.name, kind: "added" as const, diff: null })).sort(byVmid);
  diff.removed = removedRows.map((g) => ({ vmid: g.vmid, name: g.name, kind: "removed" as const, diff: null })).sort(byVmid);
  diff.changed.sort(byVmid);
  diff.renamed.sort(byVmid);

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
    total: current.length + added.length - removedRows.length,
  };
}
