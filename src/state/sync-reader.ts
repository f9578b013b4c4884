/**
 * The reads a sync planner makes, in plain SQL: every stored guest's hash
 * (10,000 rows in a few ms), the full records of the guests whose hash
 * changed, and the stored nodes. Inside a commit they read through its
 * transaction, so the plan is made against the state it replaces.
 */
import { jsonList } from "./bulk-insert.js";
import { toGuestDetail } from "./mappers.js";
import { decodeRows } from "./read-rows.js";
import type { SqlExec } from "./sql-exec.js";
import type { StoredGuestSummary, SyncReader } from "./sync-types.js";
import type { GuestDetail } from "./types.js";

/** Guests whose full records are read per statement. */
const DETAIL_CHUNK = 1000;

const num = (v: unknown): number => Number(v);

/** A SyncReader over a transaction (or the store's connection, for a dry run). */
export function syncReader(sql: SqlExec): SyncReader {
  const { provider } = sql;
  return {
    async summaries(): Promise<StoredGuestSummary[]> {
      const rows = await sql.rows(`SELECT "vmid", "name", "node", "hash", "staleSyncId", "firstSeenSyncId" FROM "Guest"`);
      return rows.map((r) => ({
        vmid: num(r.vmid),
        name: String(r.name),
        node: String(r.node),
        hash: String(r.hash),
        staleSyncId: r.staleSyncId === null || r.staleSyncId === undefined ? null : num(r.staleSyncId),
        firstSeenSyncId: num(r.firstSeenSyncId),
      }));
    },
    async details(vmids: number[]): Promise<Map<number, GuestDetail>> {
      const out = new Map<number, GuestDetail>();
      const inList = jsonList(provider, "int");
      for (let i = 0; i < vmids.length; i += DETAIL_CHUNK) {
        const part = [JSON.stringify(vmids.slice(i, i + DETAIL_CHUNK))];
        const [guests, disks, nets] = [
          decodeRows("Guest", await sql.rows(`SELECT * FROM "Guest" WHERE "vmid" IN ${inList}`, part), provider),
          decodeRows("Disk", await sql.rows(`SELECT * FROM "Disk" WHERE "vmid" IN ${inList} ORDER BY "id"`, part), provider),
          decodeRows("NetworkInterface", await sql.rows(`SELECT * FROM "NetworkInterface" WHERE "vmid" IN ${inList} ORDER BY "id"`, part), provider),
        ];
        const byGuest = <T extends { vmid: number }>(rows: T[]): Map<number, T[]> => {
          const map = new Map<number, T[]>();
          for (const row of rows) map.set(row.vmid, [...(map.get(row.vmid) ?? []), row]);
          return map;
        };
        const [disksOf, netsOf] = [byGuest(disks), byGuest(nets)];
        for (const guest of guests) out.set(guest.vmid, toGuestDetail({ ...guest, disks: disksOf.get(guest.vmid) ?? [], nets: netsOf.get(guest.vmid) ?? [] }));
      }
      return out;
    },
    async nodeNames(): Promise<string[]> {
      return (await sql.rows(`SELECT "name" FROM "Node"`)).map((r) => String(r.name));
    },
  };
}
