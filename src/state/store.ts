/**
 * The state store: `openStore({ url })` picks SQLite (file:…) or PostgreSQL
 * (postgresql://…) from the URL, applies pending migrations, and returns typed
 * repositories. The Prisma client, its adapter and the database driver are
 * imported lazily here, so commands that never touch the store stay fast.
 */
import { guard, type Db, type DbClient } from "./db.js";
import { GuestRepository, NodeRepository, StorageRepository } from "./guest-repository.js";
import { DEFAULT_STALE_AFTER_MS, LockRepository } from "./lock-repository.js";
import type { MigrationReport } from "./migrations.js";
import { OperationRepository } from "./operation-repository.js";
import { SyncRepository } from "./sync-repository.js";
import type { StoreCounts } from "./types.js";
import { parseDatabaseUrl, type StoreProvider } from "./url.js";

/** Options of `openStore`. */
export interface OpenStoreOptions {
  /** `file:/abs/path/state.db` or `postgresql://user:pass@host:5432/db[?schema=s]`. */
  url: string;
  /** Resolves a relative `file:` path (default: cwd). */
  baseDir?: string;
  /** Default staleness of workspace locks (30 s). */
  lockStaleAfterMs?: number;
}

/** What health and status show about the database. */
export interface StoreInfo {
  provider: StoreProvider;
  /** File path, or the URL with its password replaced: safe to print. */
  location: string;
  /** Newest applied migration, e.g. "0001". */
  schemaVersion: string;
  migrations: MigrationReport;
}

/** An open state store. Close it when done. */
export interface Store {
  readonly provider: StoreProvider;
  readonly guests: GuestRepository;
  readonly nodes: NodeRepository;
  readonly storage: StorageRepository;
  readonly syncs: SyncRepository;
  readonly operations: OperationRepository;
  readonly locks: LockRepository;
  /** Row counts for status/health. */
  counts(): Promise<StoreCounts>;
  info(): StoreInfo;
  /** Round trip to the database in ms (health). */
  ping(): Promise<number>;
  /**
   * The underlying Prisma client, for tests and one-off queries. Prefer the
   * repositories: they translate database errors into clear messages.
   */
  readonly prisma: DbClient;
  /** Release held locks and the connection. Idempotent. */
  close(): Promise<void>;
}

class OpenStore implements Store {
  readonly provider: StoreProvider;
  readonly guests: GuestRepository;
  readonly nodes: NodeRepository;
  readonly storage: StorageRepository;
  readonly syncs: SyncRepository;
  readonly operations: OperationRepository;
  readonly locks: LockRepository;
  private closed = false;

  constructor(
    private readonly db: Db,
    lockStaleAfterMs: number,
  ) {
    this.provider = db.provider;
    this.guests = new GuestRepository(db);
    this.nodes = new NodeRepository(db);
    this.storage = new StorageRepository(db);
    this.syncs = new SyncRepository(db);
    this.operations = new OperationRepository(db);
    this.locks = new LockRepository(db, { staleAfterMs: lockStaleAfterMs });
  }

  get prisma(): DbClient {
    return this.db.client;
  }

  counts(): Promise<StoreCounts> {
    return guard(this.db, async () => {
      const c = this.db.client;
      const [nodes, storage, guests, vms, templates, running, syncRuns, operations] = await Promise.all([
        c.node.count(),
        c.storage.count(),
        c.guest.count(),
        c.guest.count({ where: { type: "qemu" } }),
        c.guest.count({ where: { template: true } }),
        c.guest.count({ where: { status: "running" } }),
        c.syncRun.count(),
        c.operation.count(),
      ]);
      return { nodes, storage, guests, vms, containers: guests - vms, templates, running, syncRuns, operations };
    });
  }

  info(): StoreInfo {
    const applied = this.db.migrations.applied;
    return {
      provider: this.db.provider,
      location: this.db.label,
      schemaVersion: applied.length ? applied[applied.length - 1] : "none",
      migrations: this.db.migrations,
    };
  }

  ping(): Promise<number> {
    return guard(this.db, async () => {
      const started = performance.now();
      await this.db.client.$queryRawUnsafe("SELECT 1");
      return Math.round((performance.now() - started) * 10) / 10;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.locks.releaseAll().catch(() => undefined);
    await this.db.close();
  }
}

/**
 * Open the state store at `url`: creates a missing SQLite file, applies
 * pending migrations, refuses a database written by a newer proxmox-mpc.
 * Errors are ProxmoxMpcErrors with a hint (corrupt file, unreachable server …).
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const target = parseDatabaseUrl(options.url, options.baseDir);
  let db: Db;
  if (target.provider === "sqlite") {
    const { openSqlite } = await import("./sqlite.js");
    db = await openSqlite(target.path);
  } else {
    const { openPostgres } = await import("./postgres.js");
    db = await openPostgres(target);
  }
  return new OpenStore(db, options.lockStaleAfterMs ?? DEFAULT_STALE_AFTER_MS);
}
