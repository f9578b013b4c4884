/**
 * Guests, nodes and storage on the read path: the same queries, order and
 * records as guest-repository.ts, through plain SQL (no Prisma). A write
 * (`setStatus`) opens the full store on first use.
 */
import { UsageError } from "../core/errors.js";
import { pageInMemory, type GuestRepository, type NodeRepository, type StorageRepository } from "./guest-repository.js";
import { toGuestDetail, toGuestRecord, toNodeRecord, toStorageRecord } from "./mappers.js";
import type { ReadDb, SqlConnection, SqlValue } from "./read-connection.js";
import { decodeRow, decodeRows } from "./read-rows.js";
import type { RepositoryApi } from "./store.js";
import type { GuestDetail, GuestFilter, GuestName, GuestPage, GuestPageRequest, GuestRecord, NodeRecord, StorageRecord } from "./types.js";

/** The largest value of an Int column: a bigger vmid cannot exist. */
const MAX_INT = 2 ** 31 - 1;

/** `store.guests` of a read store. */
export class ReadGuests implements RepositoryApi<GuestRepository> {
  constructor(private readonly db: ReadDb) {}

  list(filter: GuestFilter = {}): Promise<GuestRecord[]> {
    return this.db.run(async (conn) => {
      const { where, params } = guestWhere(filter);
      const sql = `SELECT * FROM "Guest"${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY "vmid" ASC`;
      const guests = decodeRows("Guest", await conn.query(sql, params), conn.provider).map(toGuestRecord);
      // Tags are a JSON array: filtered here, as guest-repository.ts does.
      return filter.tag === undefined ? guests : guests.filter((g) => g.tags.includes(filter.tag as string));
    });
  }

  /** The pages read since the database last changed (SQLite only; see SqlConnection.version). */
  private pages = new Map<string, GuestPage>();
  private pagesVersion: string | undefined;

  page(filter: GuestFilter, request: GuestPageRequest): Promise<GuestPage> {
    if (filter.tag !== undefined) return this.list(filter).then((all) => pageInMemory(all, request));
    return this.db.run(async (conn) => {
      // A page asked again before anything was written is answered from memory: a dashboard or a
      // script polling the same list costs no query and no decoding (bench/api.mjs).
      const version = conn.version?.("Guest");
      const key = JSON.stringify([filter.node, filter.status, filter.type, filter.template, request.after, request.limit]);
      if (version === undefined || version !== this.pagesVersion) {
        this.pages.clear();
        this.pagesVersion = version;
      } else {
        const known = this.pages.get(key);
        if (known) return copyPage(known);
      }
      const read = await this.readPage(conn, filter, request);
      if (version !== undefined && this.pages.size < 256) this.pages.set(key, read);
      return copyPage(read);
    });
  }

  private async readPage(conn: SqlConnection, filter: GuestFilter, request: GuestPageRequest): Promise<GuestPage> {
    const { where, params } = guestWhere(filter);
    const after = request.after === undefined ? [] : [`"vmid" > ?`];
    const clause = (parts: string[]) => (parts.length ? ` WHERE ${parts.join(" AND ")}` : "");
    // One after the other: a PostgreSQL connection runs one query at a time.
    const rows = await conn.query(`SELECT * FROM "Guest"${clause([...where, ...after])} ORDER BY "vmid" ASC LIMIT ?`, [...params, ...(request.after === undefined ? [] : [request.after]), request.limit]);
    const [count] = await conn.query(`SELECT CAST(count(*) AS INTEGER) AS "n" FROM "Guest"${clause(where)}`, params);
    return { items: decodeRows("Guest", rows, conn.provider).map(toGuestRecord), total: Number(count.n) };
  }

  names(): Promise<GuestName[]> {
    return this.db.run(async (conn) => {
      const rows = await conn.query(`SELECT "vmid", "name", "tags" FROM "Guest" ORDER BY "vmid" ASC`);
      return rows.map((raw) => {
        const r = decodeRow("Guest", raw, conn.provider);
        return { vmid: r.vmid, name: r.name, tags: Array.isArray(r.tags) ? r.tags.filter((t): t is string => typeof t === "string") : [] };
      });
    });
  }

  get(nameOrVmid: string | number): Promise<GuestDetail | null> {
    return this.db.run(async (conn) => {
      const text = String(nameOrVmid).trim();
      const detail = async (raw: Record<string, unknown>): Promise<GuestDetail> => {
        const row = decodeRow("Guest", raw, conn.provider);
        // One after the other: a PostgreSQL connection runs one query at a time.
        const disks = await conn.query(`SELECT * FROM "Disk" WHERE "vmid" = ?`, [row.vmid]);
        const nets = await conn.query(`SELECT * FROM "NetworkInterface" WHERE "vmid" = ?`, [row.vmid]);
        return toGuestDetail({ ...row, disks: decodeRows("Disk", disks, conn.provider), nets: decodeRows("NetworkInterface", nets, conn.provider) });
      };
      if (/^\d+$/.test(text) && Number(text) <= MAX_INT) {
        const [row] = await conn.query(`SELECT * FROM "Guest" WHERE "vmid" = ?`, [Number(text)]);
        if (row) return detail(row);
      }
      const rows = await conn.query(`SELECT * FROM "Guest" WHERE "name" = ? ORDER BY "vmid" ASC LIMIT 10`, [text]);
      if (rows.length > 1) {
        throw new UsageError(
          `${rows.length} guests are named "${text}" (vmid ${rows.map((r) => Number(r.vmid)).join(", ")}).`,
          "Name the guest by its vmid instead.",
          "ambiguous-name",
        );
      }
      return rows.length ? detail(rows[0]) : null;
    });
  }

  async setStatus(vmid: number, status: string): Promise<void> {
    await (await this.db.full()).guests.setStatus(vmid, status);
  }
}

/** `store.nodes` of a read store. */
export class ReadNodes implements RepositoryApi<NodeRepository> {
  constructor(private readonly db: ReadDb) {}

  list(): Promise<NodeRecord[]> {
    return this.db.run(async (conn) => decodeRows("Node", await conn.query(`SELECT * FROM "Node" ORDER BY "name" ASC`), conn.provider).map(toNodeRecord));
  }

  get(name: string): Promise<NodeRecord | null> {
    return this.db.run(async (conn) => {
      const [row] = await conn.query(`SELECT * FROM "Node" WHERE "name" = ?`, [name]);
      return row ? toNodeRecord(decodeRow("Node", row, conn.provider)) : null;
    });
  }
}

/** `store.storage` of a read store. */
export class ReadStorage implements RepositoryApi<StorageRepository> {
  constructor(private readonly db: ReadDb) {}

  list(node?: string): Promise<StorageRecord[]> {
    return this.db.run(async (conn) => {
      const sql = `SELECT * FROM "Storage"${node === undefined ? "" : ` WHERE "node" = ?`} ORDER BY "node" ASC, "storage" ASC`;
      return decodeRows("Storage", await conn.query(sql, node === undefined ? [] : [node]), conn.provider).map(toStorageRecord);
    });
  }
}

/** The SQL conditions of a guest filter's columns (tags, a JSON array, are filtered by the caller). */
function guestWhere(filter: GuestFilter): { where: string[]; params: SqlValue[] } {
  const where: string[] = [];
  const params: SqlValue[] = [];
  for (const key of ["node", "status", "type", "template"] as const) {
    if (filter[key] === undefined) continue;
    where.push(`"${key}" = ?`);
    params.push(filter[key] as SqlValue);
  }
  return { where, params };
}

/**
 * A page kept for later answers: its records frozen (a caller cannot change what the next caller
 * gets; the same record objects are handed out again, so a caller may remember what it made of
 * one: get.ts keeps each record's JSON view) and each answer its own list.
 */
function copyPage(page: GuestPage): GuestPage {
  for (const g of page.items) freezeRecord(g);
  return { items: page.items.slice(), total: page.total };
}

function freezeRecord(g: GuestPage["items"][number]): void {
  if (Object.isFrozen(g)) return;
  Object.freeze(g.tags);
  Object.freeze(g.ipAddresses);
  Object.freeze(g.config);
  if (g.stale) Object.freeze(g.stale);
  Object.freeze(g);
}
