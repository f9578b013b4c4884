/**
 * Writes one sync plan inside the caller's transaction: nodes and storage,
 * then only the guests that were added, changed or removed (bulk inserts of
 * bulk-insert.ts, batched deleteMany), the stale marks (set on guests not
 * read, cleared on guests read again), then the SyncChange rows. Unchanged
 * guests are not touched at all.
 */
import { CancelledError } from "../core/errors.js";
import { bulkInsert, COLUMNS } from "./bulk-insert.js";
import type { DbJson, DbTx } from "./db.js";
import type { NormalizedGuest } from "./sync-diff.js";
import { chunks, type PlannedGuest, type SyncPlan } from "./sync-plan.js";
import type { CommitOptions, CommitProgress } from "./sync-types.js";
import type { ObservedSnapshot } from "./types.js";
import type { StoreProvider } from "./url.js";

/** Guests per batch (between two abort checks and progress reports). */
const BATCH = 1000;

/** Where a plan is written. */
export interface WriteTarget {
  tx: DbTx;
  provider: StoreProvider;
}

/** Throw when the commit was cancelled (the transaction then rolls back). */
export function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError("Sync cancelled; the store was left as it was before this sync.");
}

function guestRow(g: NormalizedGuest, hash: string, now: Date, runId: number, firstSeen: number, staleReason: string | undefined) {
  return {
    vmid: g.vmid,
    type: g.type,
    node: g.node,
    name: g.name,
    status: g.status,
    template: g.template,
    cores: g.cores,
    memory: g.memory,
    disk: g.disk,
    tags: g.tags,
    ipAddresses: g.ipAddresses,
    config: g.config,
    digest: g.digest,
    hash,
    updatedAt: now,
    firstSeenSyncId: firstSeen,
    lastChangedSyncId: runId,
    staleSyncId: staleReason === undefined ? null : runId,
    staleReason: staleReason ?? null,
    staleValuesAt: staleReason === undefined ? null : now,
  };
}

async function writeNodes({ tx, provider }: WriteTarget, snapshot: ObservedSnapshot, runId: number, now: Date): Promise<void> {
  const unreachable = [...new Set(snapshot.unreachableNodes ?? [])];
  const seen = snapshot.nodes.map((n) => n.name);
  await tx.node.deleteMany({ where: { name: { notIn: [...seen, ...unreachable] } } });
  for (const n of snapshot.nodes) {
    const data = { status: n.status, cpu: n.cpu, maxcpu: n.maxcpu, mem: n.mem, maxmem: n.maxmem, uptime: n.uptime, raw: (n.raw ?? {}) as DbJson, lastSyncId: runId, updatedAt: now };
    await tx.node.upsert({ where: { name: n.name }, create: { name: n.name, ...data }, update: data });
  }
  // Storage of an unreachable node could not be read: keep what we knew.
  await tx.storage.deleteMany({ where: { node: { notIn: unreachable } } });
  const storage = snapshot.storage.filter((s) => !unreachable.includes(s.node));
  await bulkInsert(tx, provider, "Storage", COLUMNS.Storage, storage.map((s) => ({ ...s, raw: s.raw ?? {}, updatedAt: now })));
}

async function deleteGuests(tx: DbTx, vmids: number[]): Promise<void> {
  for (const part of chunks(vmids, BATCH)) {
    await tx.disk.deleteMany({ where: { vmid: { in: part } } });
    await tx.networkInterface.deleteMany({ where: { vmid: { in: part } } });
    await tx.guest.deleteMany({ where: { vmid: { in: part } } });
  }
}

async function insertGuests(
  { tx, provider }: WriteTarget,
  planned: PlannedGuest[],
  runId: number,
  now: Date,
  opts: CommitOptions,
  report: (done: number) => void,
): Promise<void> {
  let done = 0;
  for (const part of chunks(planned, BATCH)) {
    checkAbort(opts.signal);
    const guests = part.map((p) => guestRow(p.guest, p.hash, now, runId, p.old?.firstSeenSyncId ?? runId, p.staleReason));
    await bulkInsert(tx, provider, "Guest", COLUMNS.Guest, guests);
    const disks = part.flatMap((p) => p.guest.disks.map((d) => ({ vmid: p.guest.vmid, ...d })));
    await bulkInsert(tx, provider, "Disk", COLUMNS.Disk, disks);
    const nets = part.flatMap((p) => p.guest.nets.map((n) => ({ vmid: p.guest.vmid, ...n })));
    await bulkInsert(tx, provider, "NetworkInterface", COLUMNS.NetworkInterface, nets);
    done += part.length;
    report(done);
  }
}

/**
 * Mark the stored guests this sync could not read (their values stay), and
 * clear the mark of stale guests read again unchanged. A guest newly stale
 * has the values the previous completed sync read.
 */
async function writeStaleMarks(tx: DbTx, plan: SyncPlan, runId: number, now: Date): Promise<void> {
  if (plan.stale.some((m) => m.fresh)) {
    const last = await tx.syncRun.findFirst({ where: { status: "completed", id: { lt: runId } }, orderBy: { id: "desc" }, select: { startedAt: true } });
    for (const m of plan.stale.filter((x) => x.fresh)) {
      await tx.guest.update({ where: { vmid: m.vmid }, data: { staleSyncId: runId, staleReason: m.reason, staleValuesAt: last?.startedAt ?? now } });
    }
  }
  for (const m of plan.stale.filter((x) => !x.fresh)) await tx.guest.update({ where: { vmid: m.vmid }, data: { staleReason: m.reason } });
  for (const part of chunks(plan.cleared, BATCH)) {
    await tx.guest.updateMany({ where: { vmid: { in: part } }, data: { staleSyncId: null, staleReason: null, staleValuesAt: null } });
  }
}

/** Counts recorded on the run. */
export interface WriteCounts {
  added: number;
  changed: number;
  removed: number;
  renamed: number;
  stale: number;
}

/** Write `plan` (computed in the same transaction) for sync run `runId`. */
export async function writeSync(
  target: WriteTarget,
  plan: SyncPlan,
  snapshot: ObservedSnapshot,
  runId: number,
  now: Date,
  opts: CommitOptions,
): Promise<WriteCounts> {
  const progress = (phase: CommitProgress["phase"], done: number, total: number) => opts.onProgress?.({ phase, done, total });
  const { tx, provider } = target;
  checkAbort(opts.signal);
  await writeNodes(target, snapshot, runId, now);
  progress("nodes", snapshot.nodes.length, snapshot.nodes.length);

  checkAbort(opts.signal);
  await deleteGuests(tx, plan.removed);
  progress("removed", plan.removed.length, plan.removed.length);

  // A changed guest is replaced as a whole (row, disks, nets): two batched statements per 1000 instead of one update each.
  await deleteGuests(tx, plan.rewritten.map((p) => p.guest.vmid));
  await insertGuests(target, plan.rewritten, runId, now, opts, (done) => progress("changed", done, plan.rewritten.length));
  await insertGuests(target, plan.added, runId, now, opts, (done) => progress("added", done, plan.added.length));
  await writeStaleMarks(tx, plan, runId, now);

  checkAbort(opts.signal);
  const { added, changed, renamed, removed } = plan.diff;
  const changes = [...added, ...changed, ...renamed, ...removed];
  const rows = changes.map((c) => ({ syncRunId: runId, vmid: c.vmid, name: c.name, kind: c.kind, diff: c.diff }));
  await bulkInsert(tx, provider, "SyncChange", COLUMNS.SyncChange, rows);
  progress("changes", changes.length, changes.length);
  return { added: added.length, changed: changed.length, removed: removed.length, renamed: renamed.length, stale: plan.diff.stale.length };
}
