/**
 * The API server's store watcher: runs made by other processes on the same
 * workspace (a CLI `stop`, a console session, a cron `sync`, another `serve`
 * on the same PostgreSQL store) never pass through this server's bus, but
 * every run is recorded in the store. Every tick (1 s) one indexed query
 * reads the operations recorded since the last one seen (by id), and each
 * finished run this server did not run itself is emitted on the bus as
 * `operation.finished` with `data.origin: "store"`. Starts at the newest
 * operation (no history replayed). A failed read is logged and tried again
 * next tick; nothing here ever throws into the server.
 */
import type { EventBus } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import type { OperationRecord } from "../state/operation-repository.js";
import type { Store } from "../state/store.js";

/** How often the store is read. */
export const WATCH_INTERVAL_MS = 1_000;
/** The most operations read per tick (the rest come next tick). */
const BATCH = 200;
/** Correlation ids of this bus's own runs kept (the server's reads are recorded up to a few hundred a second). */
const OWN_KEEP = 10_000;
/** Runs seen unfinished and looked at again each tick (a process that died leaves its row unfinished for good). */
const PENDING_KEEP = 100;

export interface StoreWatch {
  /** Stop ticking and wait for a read in flight (before the store closes). */
  stop(): Promise<void>;
}

/** Watch the store for other processes' runs and emit them on `events`. */
export function watchStore(input: { store: () => Promise<Store>; events: EventBus; log: Logger; intervalMs?: number }): StoreWatch {
  const own = new Set<string>();
  const pending = new Set<number>();
  let last: number | undefined;
  let stopped = false;
  let failing = false;
  // This bus's own runs: their operation.finished was already emitted (before their row is written: runner.ts).
  const unsubscribe = input.events.subscribe((event) => {
    if (event.type !== "operation.finished" || event.data.origin === "store" || !event.correlationId) return;
    own.add(event.correlationId);
    if (own.size > OWN_KEEP) own.delete(own.values().next().value!);
  });

  const tick = async (): Promise<void> => {
    try {
      const store = await input.store();
      if (last === undefined) last = await store.operations.newestId();
      else last = emitNew(await store.operations.after(last, BATCH, [...pending]), last);
      if (failing) input.log.info("store watcher reading again");
      failing = false;
    } catch (err) {
      // Logged once per outage, not once a second; the next tick tries again.
      if (!failing) input.log.warn({ err: err instanceof Error ? err.message : String(err) }, "store watcher could not read the operations; trying again every tick");
      failing = true;
    }
  };

  /** Emit the finished runs among `rows` that are not this bus's own; the new high id. */
  const emitNew = (rows: OperationRecord[], high: number): number => {
    for (const row of rows) {
      high = Math.max(high, row.id);
      if (own.has(row.correlationId)) {
        pending.delete(row.id);
        continue;
      }
      if (row.finishedAt === null) {
        pending.add(row.id);
        if (pending.size > PENDING_KEEP) pending.delete(Math.min(...pending));
        continue;
      }
      pending.delete(row.id);
      input.events.emit("operation.finished", storeEventData(row), row.correlationId);
    }
    return high;
  };

  let running: Promise<void> = tick();
  const loop = async (): Promise<void> => {
    await running;
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick();
      void loop();
    }, input.intervalMs ?? WATCH_INTERVAL_MS);
    timer.unref();
  };
  let timer: NodeJS.Timeout | undefined;
  void loop();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      unsubscribe();
      await running;
    },
  };
}

/** An operation.finished payload for a run read from the store: as the runner emits it, plus origin, args and the audit fields. */
export function storeEventData(row: OperationRecord): Record<string, unknown> {
  const args = Array.isArray(row.arguments.args) ? row.arguments.args : [];
  return {
    command: row.command,
    actor: row.actor,
    result: row.result,
    exitCode: row.exitCode,
    durationMs: row.durationMs,
    origin: "store",
    // Already redacted when written; the dashboard tells reads from changes by command and args.
    args,
    ...(row.principal ? { principal: row.principal } : {}),
    ...(row.target ? { target: row.target } : {}),
    ...(row.error ? { error: row.error } : {}),
  };
}
