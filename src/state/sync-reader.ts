/**
 * The reads a sync planner makes: every stored guest's hash (plain SQL, not
 * Prisma's query compiler: 10,000 rows in a few ms), the full records of the
 * guests whose hash changed, and the stored nodes. Inside a commit they read
 * through its transaction, so the plan is made against the state it replaces.
 */
import type { DbTx } from "./db.js";
import { toGuestDetail } from "./mappers.js";
import type { StoredGuestSummary, SyncReader } from "./sync-types.js";
import type { GuestDetail } from "./types.js";

/** Rows fetched per `IN (…)` query of full records. */
const DETAIL_CHUNK = 1000;

interface SummaryRow {
  vmid: number | bigint;
  name: string;
  node: string;
  hash: string;
  staleSyncId: number | bigint | null;
  firstSeenSyncId: number | bigint;
}

const num = (v: number | bigint): number => (typeof v === "bigint" ? Number(v) : v);

/** A SyncReader over a transaction (or the plain client, for a dry run). */
export function syncReader(tx: DbTx): SyncReader {
  return {
    async summaries(): Promise<StoredGuestSummary[]> {
      const rows = await tx.$queryRawUnsafe<SummaryRow[]>(`SELECT "vmid", "name", "node", "hash", "staleSyncId", "firstSeenSyncId" FROM "Guest"`);
      return rows.map((r) => ({
        vmid: num(r.vmid),
        name: r.name,
        node: r.node,
        hash: r.hash,
        staleSyncId: r.staleSyncId === null ? null : num(r.staleSyncId),
        firstSeenSyncId: num(r.firstSeenSyncId),
      }));
    },
    async details(vmids: number[]): Promise<Map<number, GuestDetail>> {
      const out = new Map<number, GuestDetail>();
      for (let i = 0; i < vmids.length; i += DETAIL_CHUNK) {
        const part = vmids.slice(i, i + DETAIL_CHUNK);
        const rows = await tx.guest.findMany({ where: { vmid: { in: part } }, include: { disks: true, nets: true } });
        for (const row of rows) out.set(row.vmid, toGuestDetail(row));
      }
      return out;
    },
    async nodeNames(): Promise<string[]> {
      const rows = await tx.$queryRawUnsafe<{ name: string }[]>(`SELECT "name" FROM "Node"`);
      return rows.map((r) => r.name);
    },
  };
}
