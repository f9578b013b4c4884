/**
 * The state store: `openStore({ url })` picks SQLite (file:…) or PostgreSQL
 * (postgresql://…) from the URL, applies pending migrations, and returns typed
 * repositories. The Prisma client, its adapter and the database driver are
 * imported lazily here, so commands that never touch the store stay fast;
 * `openStore({ url, readOnly: true })` serves the same interface without
 * loading Prisma at all (read-store.ts).
 */
import { guard, type Db, type DbClient } from "./db.js";
import { GuestRepository, NodeRepository, StorageRepository } from "./guest-repository.js";
import { LockRepository, type LockRepositoryOptions } from "./lock-repository.js";
import type { LockClock } from "./lock-types.js";
import type { MigrationReport } from "./migrations.js";
import { OperationRepository } from "./operation-repository.js";
import { prismaSql } from "./sql-exec.js";
import { SyncRepository } from "./sync-repository.js";
import { TokenRepository } from "./token-repository.js";
import { InboundHookRepository, WebhookRepository } from "./webhook-repository.js";
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
  /** The clock of the workspace locks (tests pass a manual one). */
  lockClock?: LockClock;
  /**
   * For commands that mostly read (get, status, describe, completion): reads
   * and the operation log go through plain SQL without loading Prisma (see
   * read-store.ts); any other write loads the full store on first use.
   */
  readOnly?: boolean;
}

/** The public methods of a repository: what a Store's callers may use, whichever store serves them. */
export type RepositoryApi<T> = { [K in keyof T]: T[K] };

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
  readonly guests: RepositoryApi<GuestRepository>;
  readonly nodes: RepositoryApi<NodeRepository>;
  readonly storage: RepositoryApi<StorageRepository>;
  readonly syncs: RepositoryApi<SyncRepository>;
  readonly operations: RepositoryApi<OperationRepository>;
  readonly locks: RepositoryApi<LockRepository>;
  /** The API tokens of `serve` (hashed; see token-repository.ts). */
  readonly tokens: RepositoryApi<TokenRepository>;
  /** Outbound webhooks and their delivery log (webhook-repository.ts). */
  readonly webhooks: RepositoryApi<WebhookRepository>;
  /** Inbound hooks (`POST /api/v1/hooks/{id}`). */
  readonly hooks: RepositoryApi<InboundHookRepository>;
  /** Row counts for status/health. */
  counts(): Promise<StoreCounts>;
  info(): StoreInfo;
  /** Round trip to the database in ms (health). */
  ping(): Promise<number>;
  /**
   * The underlying Prisma client, for tests and one-off queries. Prefer the
   * repositories: they translate database errors into clear messages. A
   * store opened with `readOnly` has none (it throws `store-read-only`).
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
  readonly tokens: TokenRepository;
  readonly webhooks: WebhookRepository;
  readonly hooks: InboundHookRepository;
  private closed = false;

  constructor(
    private readonly db: Db,
    locks: LockRepositoryOptions,
  ) {
    this.provider = db.provider;
    this.guests = new GuestRepository(db);
    this.nodes = new NodeRepository(db);
    this.storage = new StorageRepository(db);
    this.syncs = new SyncRepository(db);
    this.operations = new OperationRepository(db);
    this.locks = new LockRepository(prismaSql(db), locks);
    this.tokens = new TokenRepository(prismaSql(db));
    this.webhooks = new WebhookRepository(prismaSql(db));
    this.hooks = new InboundHookRepository(prismaSql(db));
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
  if (options.readOnly) {
    const [{ ReadStore }, opening] = await Promise.all([
      import("./read-store.js"),
      target.provider === "sqlite"
        ? import("./sqlite.js").then(({ openSqliteReader }) => openSqliteReader(target.path))
        : import("./postgres.js").then(({ openPostgresReader }) => openPostgresReader(target)),
    ]);
    return new ReadStore(opening, () => openStore({ ...options, readOnly: false }), { staleAfterMs: options.lockStaleAfterMs, clock: options.lockClock });
  }
  let db: Db;
  if (target.provider === "sqlite") {
    const { openSqlite } = await import("./sqlite.js");
    db = await openSqlite(target.path);
  } else {
    const { openPostgres } = await import("./postgres.js");
    db = await openPostgres(target);
  }
  return new OpenStore(db, { staleAfterMs: options.lockStaleAfterMs, clock: options.lockClock });
}
