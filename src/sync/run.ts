/**
 * One sync, as the `sync` command (and apply's refresh) runs it: take the
 * workspace's sync lock, read the cluster with the sync's retry policy, write
 * the snapshot in one transaction, then regenerate terraform/ and ansible/.
 * A guest whose config cannot be read does not abort the sync: it keeps its
 * last known state, marked stale, and the report lists it (a partial sync).
 */
import type { Logger } from "../core/logger.js";
import type { UI } from "../core/ui.js";
import type { Workspace } from "../core/workspace.js";
import type { IacReport } from "../iac/workspace-iac.js";
import { RetryBudget, type ProxmoxClient, type RetryPolicy } from "../proxmox/client.js";
import type { Store } from "../state/store.js";
import type { SyncDiff } from "../state/sync-types.js";
import { discover } from "./discover.js";
import type { SyncReport } from "./report.js";

/** Guest configs read at once: reading thousands is latency-bound (other commands use 8). */
export const SYNC_CONCURRENCY = 16;

/**
 * The retry policy of a sync's reads: 6 attempts per GET, backoff from 250 ms
 * doubling to at most 2 s (jittered ±50 %), any 5xx that is not "does not
 * exist" retried too, within a budget of 50 + 25 % of the requests for the
 * whole sync (so a failing server is not hammered).
 */
export function syncRetryPolicy(overrides: RetryPolicy = {}): RetryPolicy {
  return { attempts: 6, baseMs: 250, maxDelayMs: 2_000, serverErrors: true, budget: new RetryBudget({ min: 50, ratio: 0.25 }), ...overrides };
}

/** What a sync works with (the command builds it from its context). */
export interface SyncDeps {
  client: ProxmoxClient;
  store: Store;
  workspace: Pick<Workspace, "paths" | "config">;
  ui: UI;
  log: Logger;
  signal: AbortSignal;
  correlationId?: string;
}

/** Options of one sync. */
export interface SyncOptions {
  dryRun?: boolean;
  /** Also regenerate hand-edited .tf files. */
  overwrite?: boolean;
  /** Wait this long for another sync holding the lock (0: refuse at once). */
  waitMs?: number;
  /** The reads' retry policy (default syncRetryPolicy()). */
  retry?: RetryPolicy;
}

/** Run one sync; see the module comment. Throws when nothing could be written (and writes nothing). */
export async function runSync(deps: SyncDeps, options: SyncOptions = {}): Promise<SyncReport> {
  const { client, store, ui, signal } = deps;
  const dryRun = Boolean(options.dryRun);
  const retry = options.retry ?? syncRetryPolicy();
  const lock = dryRun ? undefined : await acquire(deps, options.waitMs ?? 30_000);
  const started = Date.now();
  const requestsBefore = client.transport.requests;
  const run = dryRun ? undefined : await store.syncs.begin({ correlationId: deps.correlationId });
  const spinner = ui.spinner("Reading the cluster…");
  try {
    const { snapshot, vanished } = await discover(client, {
      signal,
      concurrency: SYNC_CONCURRENCY,
      retry,
      onProgress: (p) => spinner.update(p.phase === "configs" ? `Reading guest configs ${p.done}/${p.total}` : `Reading ${p.phase}…`),
    });
    if (vanished.length) deps.log.info({ vanished }, "guests removed while the sync read them");
    const apiRequests = client.transport.requests - requestsBefore;
    let diff: SyncDiff;
    let syncRun: number | null = null;
    let iac: IacReport | null = null;
    let iacWithheld: SyncReport["iacWithheld"] = [];
    if (!run) {
      diff = await store.syncs.diff(snapshot);
    } else {
      spinner.update(`Writing ${snapshot.guests.length} guests…`);
      const result = await store.syncs.commit(run, snapshot, { apiRequests, signal });
      diff = result.diff;
      syncRun = result.run.id;
      spinner.update("Writing terraform/ and ansible/…");
      ({ iac, iacWithheld } = await writeIac(deps, diff, snapshot.guests.map((g) => g.vmid), Boolean(options.overwrite)));
    }
    if (diff.stale.length) deps.log.warn({ stale: diff.stale }, "guests not read; kept as last known and marked stale");
    const report: SyncReport = {
      dryRun,
      syncRun,
      durationMs: Date.now() - started,
      apiRequests,
      retries: retry.budget?.used ?? 0,
      nodes: snapshot.nodes.length,
      guests: snapshot.guests.length + diff.stale.length,
      unreachableNodes: snapshot.unreachableNodes ?? [],
      added: diff.added,
      changed: diff.changed,
      removed: diff.removed,
      renamed: diff.renamed,
      unchanged: diff.unchanged,
      stale: diff.stale,
      iac,
      iacWithheld,
    };
    spinner.stop();
    for (const node of report.unreachableNodes) ui.warn(`Node ${node} could not be read; its guests were kept as they were.`);
    return report;
  } catch (err) {
    spinner.fail("Sync failed; the previous state is unchanged.");
    if (run) await store.syncs.fail(run, err, signal.aborted ? "interrupted" : "failed").catch(() => undefined);
    throw err;
  } finally {
    await lock?.release();
  }
}

/**
 * Regenerate terraform/ and ansible/ from the store. A stale guest whose
 * config was read before keeps the file made from those values; one whose
 * config was never read gets no file (it would be a guess).
 */
async function writeIac(deps: SyncDeps, diff: SyncDiff, readVmids: number[], overwrite: boolean): Promise<{ iac: IacReport; iacWithheld: SyncReport["iacWithheld"] }> {
  const { generateWorkspaceIac } = await import("../iac/workspace-iac.js");
  const withheld = diff.stale.filter((s) => s.values === "cluster-resources");
  const withheldVmids = new Set(withheld.map((s) => s.vmid));
  const lastRead = diff.stale.filter((s) => s.values === "last-read").map((s) => s.vmid);
  const unchanged = !diff.added.length && !diff.changed.length && !diff.removed.length && !diff.renamed.length;
  const iac = await generateWorkspaceIac({
    paths: deps.workspace.paths,
    config: deps.workspace.config,
    vmids: [...readVmids, ...lastRead],
    guests: async () => (await deps.store.guests.list()).filter((g) => !withheldVmids.has(g.vmid) && g.stale?.configRead !== false),
    removedVmids: diff.removed.map((c) => c.vmid),
    unchanged,
    overwrite,
  });
  return { iac, iacWithheld: withheld.map((s) => ({ vmid: s.vmid, name: s.name })) };
}

async function acquire(deps: SyncDeps, waitMs: number) {
  const holder = await deps.store.locks.holder("sync");
  if (holder && !holder.stale && waitMs > 0) deps.ui.info(`Waiting for another sync to finish (pid ${holder.pid} on ${holder.host})…`);
  return deps.store.locks.acquire("sync", { wait: waitMs > 0, timeoutMs: waitMs, correlationId: deps.correlationId });
}
