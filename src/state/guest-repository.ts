/**
 * Reading guests, nodes and storage as the last sync stored them.
 */
import { UsageError } from "../core/errors.js";
import { guard, type Db } from "./db.js";
import { toGuestDetail, toGuestRecord, toNodeRecord, toStorageRecord } from "./mappers.js";
import type { GuestDetail, GuestFilter, GuestName, GuestPage, GuestPageRequest, GuestRecord, NodeRecord, StorageRecord } from "./types.js";

/** `store.guests` */
export class GuestRepository {
  constructor(private readonly db: Db) {}

  /** Guests ordered by vmid; every given filter field must match (tag: one of the guest's tags). */
  list(filter: GuestFilter = {}): Promise<GuestRecord[]> {
    return guard(this.db, async () => {
      const rows = await this.db.client.guest.findMany({ where: guestWhere(filter), orderBy: { vmid: "asc" } });
      const guests = rows.map(toGuestRecord);
      // Tags are a JSON array: filtered here, the same way on SQLite and PostgreSQL.
      return filter.tag === undefined ? guests : guests.filter((g) => g.tags.includes(filter.tag as string));
    });
  }

  /**
   * One page of the guests `list(filter)` gives: those after vmid `after`, at most `limit`, with the
   * total that match. The page is read in the database (only its rows are decoded), so a page of
   * 100 out of 10,000 costs a page, not the whole list; a tag filter reads the list (tags are JSON).
   */
  page(filter: GuestFilter, request: GuestPageRequest): Promise<GuestPage> {
    if (filter.tag !== undefined) return this.list(filter).then((all) => pageInMemory(all, request));
    return guard(this.db, async () => {
      const where = guestWhere(filter);
      const [rows, total] = await Promise.all([
        this.db.client.guest.findMany({ where: { ...where, ...(request.after !== undefined ? { vmid: { gt: request.after } } : {}) }, orderBy: { vmid: "asc" }, take: request.limit }),
        this.db.client.guest.count({ where }),
      ]);
      return { items: rows.map(toGuestRecord), total };
    });
  }

  /**
   * Every guest's vmid, name and tags (no config, disks or nets): what Tab
   * completion and the console's banner need, cheap even for 10,000 guests.
   */
  names(): Promise<GuestName[]> {
    return guard(this.db, async () => {
      const rows = await this.db.client.guest.findMany({ select: { vmid: true, name: true, tags: true }, orderBy: { vmid: "asc" } });
      return rows.map((r) => ({ vmid: r.vmid, name: r.name, tags: Array.isArray(r.tags) ? r.tags.filter((t): t is string => typeof t === "string") : [] }));
    });
  }

  /**
   * One guest with disks and nets, by vmid (number or digits) or by name;
   * null when unknown. Two guests with that name → UsageError listing their vmids.
   */
  get(nameOrVmid: string | number): Promise<GuestDetail | null> {
    return guard(this.db, async () => {
      const include = { disks: true, nets: true } as const;
      const text = String(nameOrVmid).trim();
      if (/^\d+$/.test(text)) {
        const row = await this.db.client.guest.findUnique({ where: { vmid: Number(text) }, include });
        if (row) return toGuestDetail(row);
      }
      const rows = await this.db.client.guest.findMany({ where: { name: text }, include, orderBy: { vmid: "asc" }, take: 10 });
      if (rows.length > 1) {
        throw new UsageError(
          `${rows.length} guests are named "${text}" (vmid ${rows.map((r) => r.vmid).join(", ")}).`,
          "Name the guest by its vmid instead.",
          "ambiguous-name",
        );
      }
      return rows.length ? toGuestDetail(rows[0]) : null;
    });
  }

  /**
   * Record a guest's power state after a power action, between syncs. Only the
   * status changes; the next sync sees a hash without a visible difference and
   * rewrites the row silently (see src/sync/plan.ts).
   */
  setStatus(vmid: number, status: string): Promise<void> {
    return guard(this.db, async () => {
      await this.db.client.guest.updateMany({ where: { vmid }, data: { status } });
    });
  }
}

/** `store.nodes` */
export class NodeRepository {
  constructor(private readonly db: Db) {}

  /** Nodes ordered by name. */
  list(): Promise<NodeRecord[]> {
    return guard(this.db, async () => (await this.db.client.node.findMany({ orderBy: { name: "asc" } })).map(toNodeRecord));
  }

  /** One node by name, or null. */
  get(name: string): Promise<NodeRecord | null> {
    return guard(this.db, async () => {
      const row = await this.db.client.node.findUnique({ where: { name } });
      return row ? toNodeRecord(row) : null;
    });
  }
}

/** `store.storage` */
export class StorageRepository {
  constructor(private readonly db: Db) {}

  /** Storage of one node, or of every node; ordered by node then storage id. */
  list(node?: string): Promise<StorageRecord[]> {
    return guard(this.db, async () => {
      const rows = await this.db.client.storage.findMany({
        where: node === undefined ? {} : { node },
        orderBy: [{ node: "asc" }, { storage: "asc" }],
      });
      return rows.map(toStorageRecord);
    });
  }
}

/** The columns of a guest filter as a Prisma `where` (tags, a JSON array, are filtered by the caller). */
function guestWhere(filter: GuestFilter) {
  return {
    ...(filter.node !== undefined ? { node: filter.node } : {}),
    ...(filter.status !== undefined ? { status: filter.status } : {}),
    ...(filter.type !== undefined ? { type: filter.type } : {}),
    ...(filter.template !== undefined ? { template: filter.template } : {}),
  };
}

/** A page cut from a whole list (sorted by vmid), as `page()` reads one from the database. */
export function pageInMemory(all: GuestRecord[], request: GuestPageRequest): GuestPage {
  const rest = request.after === undefined ? all : all.filter((g) => g.vmid > (request.after as number));
  return { items: rest.slice(0, request.limit), total: all.length };
}
