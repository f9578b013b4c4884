/**
 * Writes one SyncWrite inside the caller's transaction: nodes and storage,
 * then only the guests that were added, changed or removed, the stale marks
 * (set on guests not read, cleared on guests read again), then the
 * SyncChange rows. Unchanged guests are not touched at all. Every statement
 * is plain SQL over whole lists (bulk-insert.ts): a few statements per sync
 * whatever its size, and none through Prisma's query compiler.
 */
import { CancelledError } from "../core/errors.js";
import { bulkInsert, COLUMNS, deleteWhereIn, jsonList } from "./bulk-insert.js";
import { decodeRow } from "./read-rows.js";
import { stamp, type SqlExec } from "./sql-exec.js";
import type { CommitOptions, CommitProgress, GuestInput, PlannedGuest, SyncWrite } from "./sync-types.js";

/** Guests per batch (between two abort checks and progress reports). */
const BATCH = 1000;

/** Throw when the commit was cancelled (the transaction then rolls back). */
export function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError("Sync cancelled; the store was left as it was before this sync.");
}

function guestRow(g: GuestInput, hash: string, now: Date, runId: number, firstSeen: number, staleReason: string | undefined) {
  return {
    ...g,
    hash,
    updatedAt: now,
    firstSeenSyncId: firstSeen,
    lastChangedSyncId: runId,
    staleSyncId: staleReason === undefined ? null : runId,
    staleReason: staleReason ?? null,
    staleValuesAt: staleReason === undefined ? null : now,
  };
}

async function writeNodes(sql: SqlExec, plan: SyncWrite, runId: number, now: Date): Promise<void> {
  const unreachable = [...new Set(plan.unreachableNodes)];
  const seen = new Set(plan.nodes.map((n) => n.name));
  // Every node seen is rewritten (its load changed); a node not seen is gone, unless it could not be read.
  await deleteWhereIn(sql, "Node", "name", unreachable.filter((n) => !seen.has(n)), { not: true });
  const nodes = plan.nodes.map((n) => ({ ...n, raw: n.raw ?? {}, lastSyncId: runId, updatedAt: now }));
  await bulkInsert(sql, "Node", COLUMNS.Node, nodes);
  // Storage of an unreachable node could not be read: keep what we knew.
  await deleteWhereIn(sql, "Storage", "node", unreachable, { not: true });
  const storage = plan.storage.filter((s) => !unreachable.includes(s.node));
  await bulkInsert(sql, "Storage", COLUMNS.Storage, storage.map((s) => ({ ...s, raw: s.raw ?? {}, updatedAt: now })));
}

async function deleteGuests(sql: SqlExec, vmids: number[]): Promise<void> {
  for (let i = 0; i < vmids.length; i += 10 * BATCH) {
    const part = vmids.slice(i, i + 10 * BATCH);
    for (const table of ["Disk", "NetworkInterface", "Guest"]) await deleteWhereIn(sql, table, "vmid", part);
  }
}

async function insertGuests(sql: SqlExec, planned: PlannedGuest[], runId: number, now: Date, opts: CommitOptions, report: (done: number) => void): Promise<void> {
  for (let i = 0; i < planned.length; i += BATCH) {
    checkAbort(opts.signal);
    const part = planned.slice(i, i + BATCH);
    const guests = part.map((p) => guestRow(p.guest, p.hash, now, runId, p.firstSeenSyncId ?? runId, p.staleReason));
    await bulkInsert(sql, "Guest", COLUMNS.Guest, guests);
    const disks = part.flatMap((p) => p.guest.disks.map((d) => ({ vmid: p.guest.vmid, ...d })));
    await bulkInsert(sql, "Disk", COLUMNS.Disk, disks);
    const nets = part.flatMap((p) => p.guest.nets.map((n) => ({ vmid: p.guest.vmid, ...n })));
    await bulkInsert(sql, "NetworkInterface", COLUMNS.NetworkInterface, nets);
    report(i + part.length);
  }
}

/**
 * Mark the stored guests this sync could not read (their values stay), and
 * clear the mark of stale guests read again unchanged. A guest newly stale
 * has the values the previous completed sync read.
 */
async function writeStaleMarks(sql: SqlExec, plan: SyncWrite, runId: number, now: Date): Promise<void> {
  const fresh = plan.stale.filter((m) => m.fresh);
  if (fresh.length) {
    const [row] = await sql.rows(`SELECT "startedAt" FROM "SyncRun" WHERE "status" = 'completed' AND "id" < ? ORDER BY "id" DESC LIMIT 1`, [runId]);
    const valuesAt = row ? decodeRow("SyncRun", row, sql.provider).startedAt : now;
    const mark = `UPDATE "Guest" SET "staleSyncId" = ?, "staleReason" = ?, "staleValuesAt" = ${stamp(sql.provider)} WHERE "vmid" = ?`;
    for (const m of fresh) await sql.run(mark, [runId, m.reason, valuesAt, m.vmid]);
  }
  for (const m of plan.stale.filter((x) => !x.fresh)) await sql.run(`UPDATE "Guest" SET "staleReason" = ? WHERE "vmid" = ?`, [m.reason, m.vmid]);
  if (plan.cleared.length) {
    const clear = `UPDATE "Guest" SET "staleSyncId" = NULL, "staleReason" = NULL, "staleValuesAt" = NULL WHERE "vmid" IN ${jsonList(sql.provider, "int")}`;
    await sql.run(clear, [JSON.stringify(plan.cleared)]);
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
export async function writeSync(sql: SqlExec, plan: SyncWrite, runId: number, now: Date, opts: CommitOptions): Promise<WriteCounts> {
  const progress = (phase: CommitProgress["phase"], done: number, total: number) => opts.onProgress?.({ phase, done, total });
  checkAbort(opts.signal);
  await writeNodes(sql, plan, runId, now);
  progress("nodes", plan.nodes.length, plan.nodes.length);

  checkAbort(opts.signal);
  await deleteGuests(sql, plan.removed);
  progress("removed", plan.removed.length, plan.removed.length);

  // A changed guest is replaced as a whole (row, disks, nets): a few statements per 1000 instead of one update each.
  await deleteGuests(sql, plan.rewritten.map((p) => p.guest.vmid));
  await insertGuests(sql, plan.rewritten, runId, now, opts, (done) => progress("changed", done, plan.rewritten.length));
  await insertGuests(sql, plan.added, runId, now, opts, (done) => progress("added", done, plan.added.length));
  await writeStaleMarks(sql, plan, runId, now);

  checkAbort(opts.signal);
  const { added, changed, renamed, removed } = plan.diff;
  const changes = [...added, ...changed, ...renamed, ...removed];
  const rows = changes.map((c) => ({ syncRunId: runId, vmid: c.vmid, name: c.name, kind: c.kind, diff: c.diff }));
  await bulkInsert(sql, "SyncChange", COLUMNS.SyncChange, rows);
  progress("changes", changes.length, changes.length);
  return { added: added.length, changed: changed.length, removed: removed.length, renamed: renamed.length, stale: plan.diff.stale.length };
}
