/**
 * One sync of a workspace, whoever runs it (the `sync` command, apply's
 * refresh, MCP, the API): read the cluster with the sync's retry policy while
 * the store opens, the workspace's sync lock is taken and the run begins;
 * then write what changed in one transaction, regenerate terraform/ and
 * ansible/, and report. A guest whose config cannot be read does not abort the
 * sync: it keeps its last known state, marked stale (a partial sync).
 * Progress goes to `options.onProgress` as SyncEvents; nothing is drawn here.
 */
import { setMaxListeners } from "node:events";
import type { Logger } from "../core/logger.js";
import type { Workspace } from "../core/workspace.js";
import type { ProxmoxClient, RetryPolicy } from "../proxmox/client.js";
import type { LockHandle, Store, SyncRunRecord } from "../state/index.js";
import { discover, type DiscoverProgress } from "./discover.js";
import { driftAfterSync } from "./drift.js";
import type { SyncEvent, SyncListener, SyncPhase } from "./events.js";
import { refreshIac } from "./iac.js";
import { canonicalOf, canonicalSnapshot, planner, type CanonicalGuest, type CanonicalSnapshot } from "./plan.js";
import { SYNC_CONCURRENCY, syncRetryPolicy } from "./policy.js";
import type { SyncReport } from "./report.js";

/** What a sync works with. Promises are awaited only when needed, so the store opens while the cluster is read. */
export interface SyncServices {
  /** The API client (a sync reads SYNC_CONCURRENCY configs at once). */
  client: ProxmoxClient | Promise<ProxmoxClient>;
  store: Store | Promise<Store>;
  workspace: Pick<Workspace, "paths" | "config">;
  log: Logger;
  /** Recorded with the run and the lock. */
  correlationId?: string;
}

/** Options of one sync. */
export interface SyncOptions {
  /** Compare only: write nothing (no lock, no run, no files). */
  dryRun?: boolean;
  /** Also regenerate hand-edited .tf files. */
  overwrite?: boolean;
  /** Wait this long for another sync holding the lock (0: refuse at once). Default 30 s. */
  waitMs?: number;
  /** The reads' retry policy (default syncRetryPolicy()). */
  retry?: RetryPolicy;
  /** Cancels the sync: nothing is written, the run is marked interrupted. */
  signal?: AbortSignal;
  onProgress?: SyncListener;
}

/** What one read of the cluster gives. */
interface Reading {
  canonical: CanonicalSnapshot;
  /** Guests that vanished between the resource list and their config read. */
  vanished: number[];
}

/** The store side of a sync: open, locked, its run begun (only the store for a dry run). */
interface Held {
  store: Store;
  lock?: LockHandle;
  run?: SyncRunRecord;
}

/** Run one sync; see the module comment. Throws when nothing could be written (and writes nothing). */
export async function syncWorkspace(services: SyncServices, options: SyncOptions = {}): Promise<SyncReport> {
  const emit = listener(options.onProgress, services.log);
  const phases: Partial<Record<SyncPhase, number>> = {};
  const timed = async <T>(phase: SyncPhase, work: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    emit({ type: "phase", phase, state: "start" });
    const result = await work();
    const ms = Math.round(performance.now() - t);
    phases[phase] = (phases[phase] ?? 0) + ms;
    emit({ type: "phase", phase, state: "end", ms });
    return result;
  };
  const signal = options.signal ?? new AbortController().signal;
  // Stops the reads (and a lock wait) when the other side fails, or the caller cancels.
  const stop = new AbortController();
  setMaxListeners(0, stop.signal); // one listener per request in flight
  const cancel = (): void => stop.abort(signal.reason);
  if (signal.aborted) cancel();
  signal.addEventListener("abort", cancel, { once: true });
  const started = Date.now();
  const retry = options.retry ?? syncRetryPolicy();
  let held: Held | undefined;
  try {
    const client = await services.client;
    const requestsBefore = client.transport.requests;
    // Each guest is put in canonical form and hashed as it arrives (while the next configs are on their way).
    const read = (): Promise<Reading> =>
      timed("read", async () => {
        const made: CanonicalGuest[] = [];
        const onProgress = (p: DiscoverProgress) => emit({ type: "read", step: p.phase, ...p });
        const { snapshot, vanished } = await discover(client, { signal: stop.signal, concurrency: SYNC_CONCURRENCY, retry, onProgress, onGuest: (g) => made.push(canonicalOf(g)) });
        return { canonical: canonicalSnapshot(snapshot, made), vanished };
      });
    let firstFailure: "read" | "store" | undefined;
    const fail = (side: "read" | "store") => (): void => {
      firstFailure ??= side;
      stop.abort();
    };
    const readStarted = Date.now();
    const reading = read();
    const opening = timed("store", () => openStoreSide(services, options, stop.signal, emit));
    reading.catch(fail("read"));
    opening.catch(fail("store"));
    const [readResult, storeResult] = await Promise.allSettled([reading, opening]);
    if (storeResult.status === "fulfilled") held = storeResult.value;
    if (readResult.status === "rejected" || storeResult.status === "rejected") {
      const useStore = storeResult.status === "rejected" && (readResult.status === "fulfilled" || (firstFailure === "store" && !signal.aborted));
      throw useStore ? (storeResult as PromiseRejectedResult).reason : (readResult as PromiseRejectedResult).reason;
    }
    const { store, run } = held as Held;
    let reading2: Reading | undefined;
    if (run && (await completedSince(store, readStarted))) {
      // Another sync wrote while this one read: read again, so an older picture never overwrites a newer one.
      emit({ type: "reread" });
      reading2 = await read();
    }
    const { canonical, vanished } = reading2 ?? readResult.value;
    return await finish({ services, options, emit, timed, phases, store, run, canonical, vanished, apiRequests: client.transport.requests - requestsBefore, retries: retry.budget?.used ?? 0, started });
  } catch (err) {
    if (held?.run) await held.store.syncs.fail(held.run, err, signal.aborted ? "interrupted" : "failed").catch(() => undefined);
    throw err;
  } finally {
    signal.removeEventListener("abort", cancel);
    await held?.lock?.release();
  }
}

/** Open the store, take the sync lock (waiting for another sync if allowed), begin the run. */
async function openStoreSide(services: SyncServices, options: SyncOptions, signal: AbortSignal, emit: (e: SyncEvent) => void): Promise<Held> {
  const store = await services.store;
  if (options.dryRun) return { store };
  const waitMs = options.waitMs ?? 30_000;
  let told = false;
  const lock = await store.locks.acquire("sync", {
    wait: waitMs > 0,
    timeoutMs: waitMs,
    correlationId: services.correlationId,
    signal,
    onBusy: (holder) => {
      if (!told) emit({ type: "lock-wait", holder, waitMs });
      told = true;
    },
  });
  try {
    return { store, lock, run: await store.syncs.begin({ correlationId: services.correlationId }) };
  } catch (err) {
    await lock.release().catch(() => undefined);
    throw err;
  }
}

/** A sync completed after `since` (ms): it may have read the cluster later than this one. */
async function completedSince(store: Store, since: number): Promise<boolean> {
  const last = await store.syncs.last({ status: "completed" });
  return Boolean(last?.finishedAt && last.finishedAt.getTime() > since);
}

interface FinishInput {
  services: SyncServices;
  options: SyncOptions;
  emit: (e: SyncEvent) => void;
  timed: <T>(phase: SyncPhase, work: () => Promise<T>) => Promise<T>;
  phases: Partial<Record<SyncPhase, number>>;
  store: Store;
  run: SyncRunRecord | undefined;
  canonical: CanonicalSnapshot;
  vanished: number[];
  apiRequests: number;
  retries: number;
  started: number;
}

/** Compare (dry run) or write, regenerate the IaC, and report. */
async function finish(input: FinishInput): Promise<SyncReport> {
  const { services, options, emit, timed, store, run, canonical, vanished } = input;
  const { snapshot } = canonical;
  if (vanished.length) services.log.info({ vanished }, "guests removed while the sync read them");
  const guests = canonical.guests.length;
  let report: Pick<SyncReport, "syncRun" | "iac" | "iacWithheld">;
  let diff;
  if (!run) {
    diff = (await store.syncs.inspect(planner(canonical))).diff;
    report = { syncRun: null, iac: null, iacWithheld: [] };
  } else {
    const result = await timed("write", () =>
      store.syncs.commit(run, planner(canonical), {
        apiRequests: input.apiRequests,
        signal: options.signal,
        onProgress: (p) => emit({ type: "write", step: p.phase, done: p.done, total: p.total, guests }),
      }),
    );
    diff = result.diff;
    const written = await timed("iac", () =>
      refreshIac({
        store,
        workspace: services.workspace,
        guests: canonical.guests.map((g) => g.guest),
        diff: result.diff,
        unreachableNodes: snapshot.unreachableNodes ?? [],
        runId: result.run.id,
        overwrite: Boolean(options.overwrite),
      }),
    );
    report = { syncRun: result.run.id, ...written };
  }
  if (diff.stale.length) services.log.warn({ stale: diff.stale }, "guests not read; kept as last known and marked stale");
  for (const s of diff.stale) emit({ type: "stale-guest", vmid: s.vmid, name: s.name, node: s.node, reason: s.reason });
  for (const node of snapshot.unreachableNodes ?? []) emit({ type: "unreachable-node", node });
  const full: SyncReport = {
    dryRun: Boolean(options.dryRun),
    ...report,
    durationMs: Date.now() - input.started,
    phases: input.phases,
    apiRequests: input.apiRequests,
    retries: input.retries,
    nodes: snapshot.nodes.length,
    storages: snapshot.storage.length,
    guests: guests + diff.stale.length,
    unreachableNodes: snapshot.unreachableNodes ?? [],
    added: diff.added,
    changed: diff.changed,
    removed: diff.removed,
    renamed: diff.renamed,
    unchanged: diff.unchanged,
    stale: diff.stale,
    drift: driftAfterSync(services.workspace.paths, input.started),
  };
  emit({ type: "done", report: full });
  return full;
}

/** Log names of the sync's steps (`logs --op sync` shows them with their duration). */
/** The name of each phase in logs and in an operation's metrics. */
export const SYNC_PHASE_NAMES: Record<SyncPhase, string> = { store: "sync.open-store", read: "sync.fetch-resources", write: "sync.write-store", iac: "sync.generate-iac" };

function logPhase(event: SyncEvent, log: Logger): void {
  if (event.type !== "phase") return;
  if (event.state === "start") log.debug({ phase: SYNC_PHASE_NAMES[event.phase] }, `sync ${event.phase} started`);
  else log.info({ phase: SYNC_PHASE_NAMES[event.phase], durationMs: Math.round(event.ms) }, `sync ${event.phase} done`);
}

/** The caller's listener, guarded: a listener that throws is logged, never stops the sync. */
function listener(onProgress: SyncListener | undefined, log: Logger): (event: SyncEvent) => void {
  return (event) => {
    logPhase(event, log);
    if (!onProgress) return;
    try {
      onProgress(event);
    } catch (err) {
      log.debug({ err, event: event.type }, "a sync progress listener threw");
    }
  };
}
