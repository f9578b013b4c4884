/**
 * `GET /metrics`: the workspace and this server in Prometheus' text format
 * (prom-client, a registry of this app's own), behind a viewer token.
 *
 * - From the store, read at scrape time (kept 5 s, dropped when a run of
 *   this server finishes): guests by status/node/type, node CPU and memory,
 *   storage used/total, the last completed sync's age and duration (absent
 *   before the first sync), the drift the last plan counted (absent before
 *   the first plan).
 * - From this server as it runs: request latency by route pattern, method
 *   and status (an onResponse hook); operations by command and result, their
 *   duration, and the Proxmox API requests, retries and errors of those runs
 *   (operation.finished events on the server's bus); Node's process figures.
 *
 * Names and units: docs/api.md "Metrics".
 */
import type { FastifyInstance } from "fastify";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { readDrift } from "../core/drift.js";
import type { WorkspaceEvent } from "../core/events.js";
import type { Store } from "../state/store.js";
import type { ApiKit } from "./app.js";

const PREFIX = "proxmox_mpc_";
/** How long figures read from the store are served again (Prometheus scrapes every 15–60 s). */
const STORE_TTL_MS = 5_000;
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const OPERATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];
/** A request no route matched: one label value, never the raw URL (unbounded label values). */
const UNMATCHED = "(unmatched)";

/** The figures `GET /metrics` serves (one registry per app). */
function metricsOf(registry: Registry, sync: Registry) {
  const registers = [registry];
  const g = (name: string, help: string, labelNames: string[] = [], on = registers) => new Gauge({ name: PREFIX + name, help, labelNames, registers: on });
  const c = (name: string, help: string, labelNames: string[]) => new Counter({ name: PREFIX + name, help, labelNames, registers });
  return {
    guests: g("guests", "Guests in the store by power status, node and type (qemu, lxc), as of the last sync.", ["status", "node", "type"]),
    nodeUp: g("node_up", "1 when the node was online at the last sync, else 0.", ["node"]),
    nodeCpu: g("node_cpu_ratio", "Node CPU use (0..1) at the last sync.", ["node"]),
    nodeCpus: g("node_cpus", "Node CPU count.", ["node"]),
    nodeMemUsed: g("node_memory_used_bytes", "Node memory in use at the last sync.", ["node"]),
    nodeMemTotal: g("node_memory_total_bytes", "Node memory in all.", ["node"]),
    storageUsed: g("storage_used_bytes", "Storage used, per node and storage, at the last sync.", ["node", "storage"]),
    storageTotal: g("storage_total_bytes", "Storage size, per node and storage.", ["node", "storage"]),
    drift: g("drift_resources", "Resources the last plan would create, update, delete or replace (sum them for the drift count).", ["action"]),
    syncAge: g("last_sync_age_seconds", "Seconds since the last completed sync finished.", [], [sync]),
    syncDuration: g("last_sync_duration_seconds", "How long the last completed sync took.", [], [sync]),
    syncGuests: g("last_sync_guests", "Guests the last completed sync read.", [], [sync]),
    http: new Histogram({ name: `${PREFIX}http_request_duration_seconds`, help: "API request latency by route pattern, method and status.", labelNames: ["route", "method", "status"], buckets: HTTP_BUCKETS, registers }),
    operations: c("operations_total", "Operations this server ran (API and MCP) by command and result (ok, failed, cancelled).", ["command", "result"]),
    operationSeconds: new Histogram({ name: `${PREFIX}operation_duration_seconds`, help: "Duration of the operations this server ran, by command.", labelNames: ["command"], buckets: OPERATION_BUCKETS, registers }),
    apiRequests: c("proxmox_api_requests_total", "Proxmox API requests (attempts) made by the operations this server ran, by command.", ["command"]),
    apiRetries: c("proxmox_api_retries_total", "Proxmox API attempts that were retries, by command.", ["command"]),
    apiErrors: c("proxmox_api_errors_total", "Proxmox API attempts answered with an HTTP error or not at all, by command.", ["command"]),
  };
}

type Figures = ReturnType<typeof metricsOf>;

/** Register GET /metrics and the hooks that feed it. */
export function registerMetrics(app: FastifyInstance, kit: ApiKit): void {
  const registry = new Registry();
  const sync = new Registry();
  const m = metricsOf(registry, sync);
  collectDefaultMetrics({ register: registry, prefix: PREFIX });

  let cached: { at: number; synced: boolean } | undefined;
  let reading: Promise<boolean> | undefined;
  /** Whether a completed sync exists; the store's gauges set (read at most once per STORE_TTL_MS). */
  const fromStore = async (): Promise<boolean> => {
    if (cached && Date.now() - cached.at < STORE_TTL_MS) return cached.synced;
    reading ??= readStore(await kit.input.store(), kit, m)
      .then((synced) => ((cached = { at: Date.now(), synced }), synced))
      .finally(() => (reading = undefined));
    return reading;
  };

  const unsubscribe = kit.input.events.subscribe((event) => {
    if (event.type !== "operation.finished") return;
    // Another process's run (api/store-watch.ts) changed the store too, but the counters are this server's runs.
    if (event.data.origin !== "store") countOperation(m, event);
    cached = undefined; // a sync, plan or power action: read the store again
  });
  app.addHook("onClose", async () => void unsubscribe());

  app.addHook("onResponse", async (request, reply) => {
    m.http.observe({ route: request.routeOptions.url ?? UNMATCHED, method: request.method, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  app.get("/metrics", async (request, reply) => {
    if (!(await kit.authenticate(request, reply, "viewer"))) return reply;
    const synced = await fromStore();
    // prom-client writes NaN as "Nan" (the event-loop figures before their first sample); the format says NaN.
    const text = ((await registry.metrics()) + (synced ? await sync.metrics() : "")).replace(/ Nan$/gm, " NaN");
    return reply.type(registry.contentType).send(text);
  });
}

/** Set the gauges read from the store and the workspace; whether a completed sync exists. */
async function readStore(store: Store, kit: ApiKit, m: Figures): Promise<boolean> {
  const [guests, nodes, storage, last] = await Promise.all([store.guests.list(), store.nodes.list(), store.storage.list(), store.syncs.last({ status: "completed" })]);
  const byLabels = new Map<string, { status: string; node: string; type: string; n: number }>();
  for (const g of guests) {
    const key = `${g.status}\u0000${g.node}\u0000${g.type}`;
    const entry = byLabels.get(key) ?? { status: g.status, node: g.node, type: g.type, n: 0 };
    entry.n += 1;
    byLabels.set(key, entry);
  }
  for (const gauge of [m.guests, m.nodeUp, m.nodeCpu, m.nodeCpus, m.nodeMemUsed, m.nodeMemTotal, m.storageUsed, m.storageTotal, m.drift]) gauge.reset();
  for (const { n, ...labels } of byLabels.values()) m.guests.set(labels, n);
  for (const n of nodes) {
    const node = { node: n.name };
    m.nodeUp.set(node, n.status === "online" ? 1 : 0);
    m.nodeCpu.set(node, n.cpu);
    m.nodeCpus.set(node, n.maxcpu);
    m.nodeMemUsed.set(node, n.mem);
    m.nodeMemTotal.set(node, n.maxmem);
  }
  for (const s of storage) {
    m.storageUsed.set({ node: s.node, storage: s.storage }, s.used);
    m.storageTotal.set({ node: s.node, storage: s.storage }, s.total);
  }
  const drift = readDrift(kit.input.workspace.paths);
  if (drift) for (const action of ["create", "update", "delete", "replace"] as const) m.drift.set({ action }, drift[action]);
  if (!last?.finishedAt) return false;
  m.syncAge.set(Math.max(0, (Date.now() - last.finishedAt.getTime()) / 1000));
  m.syncDuration.set((last.durationMs ?? 0) / 1000);
  m.syncGuests.set(last.guests);
  return true;
}

/** One finished operation of this server: its count, duration and Proxmox API figures. */
function countOperation(m: Figures, event: WorkspaceEvent): void {
  const d = event.data;
  const command = String(d.command);
  m.operations.inc({ command, result: String(d.result) });
  if (typeof d.durationMs === "number") m.operationSeconds.observe({ command }, d.durationMs / 1000);
  const api = d.api as { requests?: number; retries?: number; errors?: number } | undefined;
  // Every counter gets its labels at once, so a command that made no request shows 0 (not nothing).
  m.apiRequests.inc({ command }, api?.requests ?? 0);
  m.apiRetries.inc({ command }, api?.retries ?? 0);
  m.apiErrors.inc({ command }, api?.errors ?? 0);
}
