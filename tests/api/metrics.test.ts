/**
 * GET /metrics of `serve` over real HTTP, before the first sync, then after a
 * sync and a plan run by the server (and two Proxmox API faults it retried;
 * the store's figures kept from the first scrape are dropped): the exposition is parsed
 * strictly (HELP/TYPE, names, labels, histogram buckets), and the figures are
 * the simulator's own counts, the store's values and the sim's request count.
 */
import path from "node:path";
import { openStore } from "../../src/state/index.js";
import { guestName, initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";
import { apiServer, call, settled, stopAll, type ApiServer } from "./helpers.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let server: ApiServer;
let viewer: string;
let admin: string;
let syncRequests: number;
let guest: string;
/** The exposition scraped before the first sync. */
let unsynced: string;

beforeAll(async () => {
  sim = await startSim({ size: 10, randomSeed: 5 });
  ws = await initWorkspace(sim);
  const store = await openStore({ url: `file:${path.join(ws.dir, ".proxmox-mpc", "state.db")}` });
  try {
    viewer = (await store.tokens.create("prometheus", "viewer")).token;
    admin = (await store.tokens.create("root", "admin")).token;
  } finally {
    await store.close();
  }
  server = await apiServer(ws.dir, ws.env);
  unsynced = (await scrape()).text; // read from the store and kept: the sync below must drop it
  // A sync run by the server, its first two Proxmox requests answered 503 (retried).
  const before = sim.stats().requests;
  sim.cluster.faultNext(2, 503);
  const sync = await call(server, "POST", "/api/v1/sync", { token: admin, body: {} });
  expect(sync.status).toBe(202);
  expect((await settled(server, admin, String(sync.body.correlationId))).status).toBe("ok");
  syncRequests = sim.stats().requests - before;
  expect((await ws.run(["create", "vm", "--name", "metrics-01", "--cores", "2", "--node", "pve1"])).code).toBe(0);
  const plan = await call(server, "POST", "/api/v1/plan", { token: admin, body: { engine: "native" } });
  expect(plan.body.ok).toBe(true);
  const vm = sim.cluster.guests().find((g) => g.type === "qemu")!;
  guest = guestName(vm);
  expect((await call(server, "GET", `/api/v1/vms/${guest}`, { token: viewer })).status).toBe(200);
  await call(server, "GET", "/no/such/place-7f3a", { token: viewer });
}, 120_000);

afterAll(() => stopAll(server, sim, ws));

/** One sample: its metric name, labels and value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Family {
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"/;

/** The text format (version 0.0.4), parsed strictly: anything unexpected throws with the line. */
function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const familyOf = (sample: string): [string, Family] | undefined => {
    for (const suffix of ["", "_bucket", "_sum", "_count"]) {
      const base = suffix && sample.endsWith(suffix) ? sample.slice(0, -suffix.length) : sample;
      const f = families.get(base);
      if (f && (suffix === "" ? f.type !== "histogram" : f.type === "histogram" || f.type === "summary")) return [base, f];
    }
    return undefined;
  };
  expect(text.endsWith("\n")).toBe(true);
  for (const line of text.slice(0, -1).split("\n")) {
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta;
      if (!NAME.test(name)) throw new Error(`bad metric name: ${line}`);
      const f = families.get(name) ?? { type: "untyped", help: "", samples: [] };
      if (kind === "HELP") {
        if (f.help) throw new Error(`second HELP: ${line}`);
        f.help = rest;
      } else {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(rest)) throw new Error(`bad TYPE: ${line}`);
        if (families.has(name) && families.get(name)!.samples.length) throw new Error(`TYPE after samples: ${line}`);
        f.type = rest as Family["type"];
      }
      families.set(name, f);
      continue;
    }
    if (line.startsWith("#")) throw new Error(`unexpected comment: ${line}`);
    const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{|\s)/.exec(line);
    if (!head) throw new Error(`bad sample: ${line}`);
    const name = head[1];
    let rest = line.slice(name.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith("{")) {
      rest = rest.slice(1);
      while (!rest.startsWith("}")) {
        const m = LABEL.exec(rest);
        if (!m) throw new Error(`bad label in: ${line}`);
        if (m[1] in labels) throw new Error(`repeated label in: ${line}`);
        labels[m[1]] = m[2].replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
        rest = rest.slice(m[0].length);
        if (rest.startsWith(",")) rest = rest.slice(1);
        else if (!rest.startsWith("}")) throw new Error(`bad label separator in: ${line}`);
      }
      rest = rest.slice(1);
    }
    const value = /^ (NaN|[+-]Inf|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?: -?\d+)?$/.exec(rest);
    if (!value) throw new Error(`bad value in: ${line}`);
    const found = familyOf(name);
    if (!found) throw new Error(`sample before its TYPE: ${line}`);
    found[1].samples.push({ name, labels, value: value[1] === "+Inf" ? Infinity : value[1] === "-Inf" ? -Infinity : Number(value[1]) });
  }
  for (const [name, f] of families) {
    if (!f.help || f.type === "untyped") throw new Error(`${name} lacks HELP or TYPE`);
    if (f.type === "counter" && !name.endsWith("_total")) throw new Error(`counter ${name} does not end in _total`);
    if (f.type === "histogram") checkHistogram(name, f);
  }
  return families;
}

/** Per label set: le increasing, counts not decreasing, the last le is +Inf and equals _count. */
function checkHistogram(name: string, f: Family): void {
  const series = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    if (s.name === `${name}_bucket`) entry.buckets.push([le === "+Inf" ? Infinity : Number(le), s.value]);
    else if (s.name === `${name}_count`) entry.count = s.value;
    else if (s.name === `${name}_sum`) entry.sum = s.value;
    series.set(key, entry);
  }
  for (const [key, { buckets, count, sum }] of series) {
    const where = `${name} ${key}`;
    expect([where, buckets.length > 1, count !== undefined, sum !== undefined]).toEqual([where, true, true, true]);
    for (let i = 1; i < buckets.length; i++) {
      expect([where, buckets[i][0] > buckets[i - 1][0], buckets[i][1] >= buckets[i - 1][1]]).toEqual([where, true, true]);
    }
    expect([where, buckets[buckets.length - 1]]).toEqual([where, [Infinity, count]]);
  }
}

/** The value of the one sample of `name` with exactly these labels (undefined: none). */
function value(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  const all = [...families.values()].flatMap((f) => f.samples).filter((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === JSON.stringify(Object.entries(labels).sort()));
  expect(all.length).toBeLessThanOrEqual(1);
  return all[0]?.value;
}

async function scrape(token = viewer): Promise<{ status: number; text: string; type: string | null }> {
  const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text(), type: res.headers.get("content-type") };
}

test("without a token 401 and no figures; with a viewer token the exposition format", async () => {
  const none = await call(server, "GET", "/metrics");
  expect(none.status).toBe(401);
  expect(none.text).not.toMatch(/proxmox_mpc_/);
  const got = await scrape();
  expect(got.status).toBe(200);
  expect(got.type).toBe("text/plain; version=0.0.4; charset=utf-8");
  const families = parseExposition(got.text);
  for (const name of families.keys()) expect(name).toMatch(/^proxmox_mpc_[a-z0-9_]+$/);
  for (const name of ["guests", "node_cpu_ratio", "node_memory_used_bytes", "storage_used_bytes", "last_sync_age_seconds", "last_sync_duration_seconds", "drift_resources", "http_request_duration_seconds", "operations_total", "proxmox_api_requests_total", "proxmox_api_retries_total", "process_cpu_seconds_total"]) {
    expect(families.get(`proxmox_mpc_${name}`)?.samples.length).toBeGreaterThan(0);
  }
});

test("before the first sync and plan: no guests, and no sync or drift figures (absent, not 0)", () => {
  const families = parseExposition(unsynced);
  expect(families.get("proxmox_mpc_guests")).toMatchObject({ type: "gauge", samples: [] });
  expect(families.get("proxmox_mpc_drift_resources")?.samples).toEqual([]);
  expect(families.has("proxmox_mpc_last_sync_age_seconds")).toBe(false);
  expect(families.has("proxmox_mpc_last_sync_duration_seconds")).toBe(false);
});

test("guests, nodes and storage are the simulator's and the store's", async () => {
  const families = parseExposition((await scrape()).text);
  const expected = new Map<string, number>();
  for (const g of sim.cluster.guests()) {
    const key = JSON.stringify({ node: g.node, status: g.status, type: g.type });
    expected.set(key, (expected.get(key) ?? 0) + 1);
  }
  const got = new Map(families.get("proxmox_mpc_guests")!.samples.map((s) => [JSON.stringify({ node: s.labels.node, status: s.labels.status, type: s.labels.type }), s.value]));
  expect(got).toEqual(expected);
  expect(sim.cluster.guests().length).toBe(10);

  const store = await openStore({ url: `file:${path.join(ws.dir, ".proxmox-mpc", "state.db")}`, readOnly: true });
  try {
    const nodes = await store.nodes.list();
    expect(nodes.map((n) => n.name).sort()).toEqual([...sim.cluster.nodes.keys()].sort());
    for (const n of nodes) {
      const simNode = sim.cluster.nodes.get(n.name)!;
      expect(value(families, "proxmox_mpc_node_memory_total_bytes", { node: n.name })).toBe(simNode.memory);
      expect(value(families, "proxmox_mpc_node_cpus", { node: n.name })).toBe(simNode.cpus);
      expect(value(families, "proxmox_mpc_node_memory_used_bytes", { node: n.name })).toBe(n.mem);
      expect(value(families, "proxmox_mpc_node_cpu_ratio", { node: n.name })).toBe(n.cpu);
      expect(value(families, "proxmox_mpc_node_up", { node: n.name })).toBe(simNode.status === "online" ? 1 : 0);
    }
    const storage = await store.storage.list();
    expect(storage.length).toBeGreaterThan(0);
    expect(families.get("proxmox_mpc_storage_total_bytes")!.samples.length).toBe(storage.length);
    for (const s of storage) {
      const simStorage = sim.cluster.storages.get(s.storage)!;
      expect(value(families, "proxmox_mpc_storage_total_bytes", { node: s.node, storage: s.storage })).toBe(simStorage.total);
      expect(value(families, "proxmox_mpc_storage_used_bytes", { node: s.node, storage: s.storage })).toBe(sim.cluster.storageUsed(s.node, simStorage));
    }
    const last = (await store.syncs.last({ status: "completed" }))!;
    expect(value(families, "proxmox_mpc_last_sync_duration_seconds")).toBe(last.durationMs! / 1000);
    expect(value(families, "proxmox_mpc_last_sync_guests")).toBe(10);
    expect(value(families, "proxmox_mpc_last_sync_age_seconds")).toBeGreaterThanOrEqual(0);
  } finally {
    await store.close();
  }
  // The plan run by the server: one guest in the IaC (metrics-01) that the cluster lacks.
  expect(["create", "update", "delete", "replace"].map((action) => value(families, "proxmox_mpc_drift_resources", { action }))).toEqual([1, 0, 0, 0]);
});

test("operations, Proxmox API requests and retries of the server's runs; request latency by route pattern", async () => {
  const text = (await scrape()).text;
  const families = parseExposition(text);
  expect(value(families, "proxmox_mpc_operations_total", { command: "sync", result: "ok" })).toBe(1);
  expect(value(families, "proxmox_mpc_operations_total", { command: "plan", result: "ok" })).toBe(1);
  expect(value(families, "proxmox_mpc_operation_duration_seconds_count", { command: "sync" })).toBe(1);
  // Every attempt the sync made reached the simulator: two answered 503 and retried.
  expect(value(families, "proxmox_mpc_proxmox_api_requests_total", { command: "sync" })).toBe(syncRequests);
  expect(value(families, "proxmox_mpc_proxmox_api_retries_total", { command: "sync" })).toBe(2);
  expect(value(families, "proxmox_mpc_proxmox_api_errors_total", { command: "sync" })).toBe(2);

  const h = "proxmox_mpc_http_request_duration_seconds_count";
  expect(value(families, h, { route: "/api/v1/sync", method: "POST", status: "202" })).toBe(1);
  expect(value(families, h, { route: "/api/v1/vms/:name", method: "GET", status: "200" })).toBe(1);
  expect(value(families, h, { route: "(unmatched)", method: "GET", status: "404" })).toBe(1);
  expect(value(families, h, { route: "/metrics", method: "GET", status: "401" })).toBeGreaterThanOrEqual(1);
  // Route patterns only: never a raw URL, a guest's name or a token.
  expect(text).not.toMatch(/place-7f3a|pmpc_/);
  expect(text).not.toContain(guest);
});
