/**
 * The read store (`openStore({ url, readOnly: true })`): the same Store
 * interface, answered by plain SQL on one better-sqlite3 or `pg` connection,
 * so commands that mostly read (get, status, describe, the console's banner
 * and completion) never load Prisma: its client, query compiler (WASM) and
 * adapter cost about 0.4 s a process, and each findMany of 1,000 guests
 * another 0.1–0.3 s. Every read returns exactly what the Prisma store
 * returns (tests/state/read-store.test.ts compares them on one database).
 *
 * The operation log is written here too (one INSERT per command), and so are
 * a sync and the workspace locks (plain SQL shared with the full store:
 * sync-runs.ts, lock-repository.ts). Any other write — a guest's status —
 * opens the full store on the same database on first use and goes through it.
 */
import { TokenRepository } from "./token-repository.js";
import { InboundHookRepository, WebhookRepository } from "./webhook-repository.js";
import { ProxmoxMpcError } from "../core/errors.js";
import type { DbClient } from "./db.js";
import type { ReaderOpening, ReadDb, SqlConnection } from "./read-connection.js";
import { ReadGuests, ReadNodes, ReadStorage } from "./read-guests.js";
import { ReadOperations, ReadSyncs } from "./read-history.js";
import { LockRepository, type LockRepositoryOptions } from "./lock-repository.js";
import { connectionSql } from "./sql-exec.js";
import { SyncRuns } from "./sync-runs.js";
import type { Store, StoreInfo } from "./store.js";
import type { StoreCounts } from "./types.js";
import type { StoreProvider } from "./url.js";

const COUNTS = `SELECT
  (SELECT CAST(count(*) AS INTEGER) FROM "Node") AS "nodes",
  (SELECT CAST(count(*) AS INTEGER) FROM "Storage") AS "storage",
  (SELECT CAST(count(*) AS INTEGER) FROM "Guest") AS "guests",
  (SELECT CAST(count(*) AS INTEGER) FROM "Guest" WHERE "type" = 'qemu') AS "vms",
  (SELECT CAST(count(*) AS INTEGER) FROM "Guest" WHERE "template" = ?) AS "templates",
  (SELECT CAST(count(*) AS INTEGER) FROM "Guest" WHERE "status" = 'running') AS "running",
  (SELECT CAST(count(*) AS INTEGER) FROM "SyncRun") AS "syncRuns",
  (SELECT CAST(count(*) AS INTEGER) FROM "Operation") AS "operations"`;

/** A Store on the read path; `openFull` opens the Prisma store on the same database. */
export class ReadStore implements Store {
  readonly provider: StoreProvider;
  readonly guests: ReadGuests;
  readonly nodes: ReadNodes;
  readonly storage: ReadStorage;
  readonly syncs: ReadSyncs;
  readonly operations: ReadOperations;
  readonly locks: LockRepository;
  readonly tokens: TokenRepository;
  readonly webhooks: WebhookRepository;
  readonly hooks: InboundHookRepository;
  private fullStore: Promise<Store> | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly connection: SqlConnection;

  constructor(
    private readonly opening: ReaderOpening,
    private readonly openFull: () => Promise<Store>,
    locks: LockRepositoryOptions = {},
  ) {
    this.connection = opening.connection;
    this.provider = opening.connection.provider;
    const db: ReadDb = { run: (fn) => this.run(fn), full: () => this.full() };
    this.guests = new ReadGuests(db);
    this.nodes = new ReadNodes(db);
    this.storage = new ReadStorage(db);
    const sql = connectionSql(opening.connection, opening.translate);
    this.syncs = new ReadSyncs(db, new SyncRuns(sql));
    this.operations = new ReadOperations(db);
    this.locks = new LockRepository(sql, locks);
    this.tokens = new TokenRepository(sql);
    this.webhooks = new WebhookRepository(sql);
    this.hooks = new InboundHookRepository(sql);
  }

  /** The Prisma client is not loaded on the read path. */
  get prisma(): DbClient {
    throw new ProxmoxMpcError("This store was opened for reading (readOnly): it has no Prisma client.", {
      code: "store-read-only",
      hint: "Open the store without readOnly to use the Prisma client directly.",
    });
  }

  counts(): Promise<StoreCounts> {
    return this.run(async (conn) => {
      const [row] = await conn.query(COUNTS, [true]);
      const n = (key: string): number => Number(row[key]);
      const guests = n("guests");
      const vms = n("vms");
      return {
        nodes: n("nodes"),
        storage: n("storage"),
        guests,
        vms,
        containers: guests - vms,
        templates: n("templates"),
        running: n("running"),
        syncRuns: n("syncRuns"),
        operations: n("operations"),
      };
    });
  }

  info(): StoreInfo {
    const { applied } = this.opening.migrations;
    return {
      provider: this.provider,
      location: this.opening.label,
      schemaVersion: applied.length ? applied[applied.length - 1] : "none",
      migrations: this.opening.migrations,
    };
  }

  ping(): Promise<number> {
    return this.run(async (conn) => {
      const started = performance.now();
      await conn.query("SELECT 1");
      return Math.round((performance.now() - started) * 10) / 10;
    });
  }

  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    // Records gathered for a batch are written before the store closes (nothing recorded is dropped).
    await this.operations.flushSoon().catch(() => undefined);
    this.closed = true;
    await this.locks.releaseAll().catch(() => undefined);
    const full = this.fullStore;
    this.fullStore = undefined;
    if (full) await (await full.catch(() => undefined))?.close();
    await this.connection.close();
  }

  private async run<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T> {
    if (this.closed) throw new ProxmoxMpcError("The state store is closed.", { code: "store-closed" });
    try {
      return await fn(this.connection);
    } catch (err) {
      throw this.opening.translate(err);
    }
  }

  private full(): Promise<Store> {
    if (this.closed) return Promise.reject(new ProxmoxMpcError("The state store is closed.", { code: "store-closed" }));
    if (!this.fullStore) {
      const opening = this.openFull();
      this.fullStore = opening;
      // A failed open (say, PostgreSQL restarting) is tried again by the next write.
      opening.catch(() => {
        if (this.fullStore === opening) this.fullStore = undefined;
      });
    }
    return this.fullStore;
  }
}
