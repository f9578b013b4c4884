/**
 * The console's copy of the quick state, refreshed after every command.
 *
 * A SQLite workspace reads it in a few milliseconds (the fast path), so the
 * banner is complete before the first prompt. Any other store is read through
 * `openStore()`, which costs ~0.5 s on PostgreSQL (Prisma, the connection,
 * the migration check) and more on a slow network: that read runs in the
 * background, the first prompt does not wait for it, and the console keeps
 * the store open for the following refreshes (a few ms each).
 */
import type { Store } from "../state/index.js";
import { asProxmoxMpcError } from "../core/errors.js";
import { databaseUrl, type Workspace } from "../core/workspace.js";
import { emptyState, readQuickState, sqliteFile, type QuickState } from "../state/quick-state.js";

/** The quick state of a console session. */
export class SessionState {
  /** The newest state read (empty until the first read ends). */
  current: QuickState = emptyState();
  private store?: Promise<Store>;
  private reading?: Promise<void>;
  private again = false;
  private closing = false;

  constructor(
    private ws: Workspace | undefined,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** True when a read is fast enough to wait for before a prompt (the SQLite fast path, or no workspace). */
  get fast(): boolean {
    return !this.ws || sqliteFile(this.ws, this.env) !== undefined;
  }

  /** Switch to another workspace (after `/init` created one). */
  async setWorkspace(ws: Workspace): Promise<void> {
    await this.close();
    this.ws = ws;
  }

  /**
   * Read the state again; resolves once `current` holds the result. A call
   * during a read gets that read's promise and one more read follows it (a
   * command may have changed the store meanwhile). Never rejects: a failure
   * is kept in `current.error`.
   */
  refresh(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = this.read().finally(() => {
      this.reading = undefined;
      if (this.again && !this.closing) void this.refresh();
      this.again = false;
    });
    return this.reading;
  }

  /** Close the store this session opened (waits for a read in progress). */
  async close(): Promise<void> {
    this.closing = true;
    try {
      await this.reading;
      const store = this.store;
      this.store = undefined;
      if (store) await (await store.catch(() => undefined))?.close();
    } finally {
      this.closing = false;
    }
  }

  private async read(): Promise<void> {
    const ws = this.ws;
    if (!ws) {
      this.current = emptyState();
      return;
    }
    try {
      this.current = await readQuickState(ws, this.env, () => this.openStore(ws));
    } catch (err) {
      // Open the store again at the next refresh (a server that was down may be back).
      const store = this.store;
      this.store = undefined;
      void store?.then((s) => s.close()).catch(() => undefined);
      this.current = { ...this.current, error: asProxmoxMpcError(err).message };
    }
  }

  private openStore(ws: Workspace): Promise<Store> {
    this.store ??= import("../state/store.js").then(({ openStore }) => openStore({ url: databaseUrl(ws, this.env) }));
    return this.store;
  }
}
