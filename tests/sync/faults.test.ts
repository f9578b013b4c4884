/**
 * A sync finishes under injected faults: 20 syncs of 300 guests, each against
 * a simulator answering 10 % of requests with 500/502/503/504/596 or a dropped
 * connection (a different --random-seed each), all end with every guest in
 * the store and none stale. Most run in-process through syncWorkspace (what
 * the `sync` command runs) with a short backoff; three run through the real CLI
 * with the default retry policy.
 */
import { cpSync } from "node:fs";
import { join } from "node:path";
import { setMaxListeners } from "node:events";
import { createLogger } from "../../src/core/logger.js";
import { loadWorkspace } from "../../src/core/workspace.js";
import { ProxmoxClient } from "../../src/proxmox/client.js";
import { parseApiToken } from "../../src/proxmox/connection.js";
import { openStore } from "../../src/state/index.js";
import { SYNC_CONCURRENCY, syncRetryPolicy, syncWorkspace } from "../../src/sync/index.js";
import { guestName, initWorkspace, startSim, tempDir, type RunningSimulator } from "../helpers/sim.js";

const SIZE = 300;
const FAULT_RATE = 0.1;
const IN_PROCESS_SEEDS = Array.from({ length: 17 }, (_, i) => 1001 + i);
const CLI_SEEDS = [2001, 2002, 2003];

interface Outcome {
  retries: number;
  stale: number;
}

/** Every guest of the simulator is in the store, by vmid and name, and none is stale. */
async function expectAllStored(sim: RunningSimulator, dbUrl: string): Promise<void> {
  const store = await openStore({ url: dbUrl });
  try {
    const stored = await store.guests.list();
    const expected = sim.cluster.guests().map((g) => ({ vmid: g.vmid, name: guestName(g) })).sort((a, b) => a.vmid - b.vmid);
    expect(stored.map((g) => ({ vmid: g.vmid, name: g.name }))).toEqual(expected);
    expect(stored.filter((g) => g.stale)).toEqual([]);
    expect(await store.syncs.last()).toMatchObject({ status: "completed", guests: SIZE, stale: 0 });
  } finally {
    await store.close();
  }
}

const startFaultySim = (seed: number) => startSim({ size: SIZE, randomSeed: seed, faultRate: FAULT_RATE, taskDelayMs: 1 });
const dbUrlOf = (dir: string) => `file:${dir}/.proxmox-mpc/state.db`;

/** A workspace made by `init` (against a fault-free simulator), copied fresh for every in-process sync. */
let template: Awaited<ReturnType<typeof initWorkspace>>;
beforeAll(async () => {
  const sim = await startSim({ size: 1 });
  try {
    template = await initWorkspace(sim);
  } finally {
    await sim.close();
  }
});
afterAll(() => template.cleanup());

it(`${IN_PROCESS_SEEDS.length} in-process syncs of ${SIZE} guests under ${FAULT_RATE * 100} % faults all complete`, async () => {
  const outcomes: Outcome[] = [];
  for (const seed of IN_PROCESS_SEEDS) {
    const sim = await startFaultySim(seed);
    const dir = tempDir("mpc-ws-");
    const root = join(dir.dir, "ws");
    cpSync(template.dir, root, { recursive: true });
    const client = new ProxmoxClient({ baseUrl: sim.url, token: parseApiToken(sim.token), tls: { mode: "verify" } }, { concurrency: SYNC_CONCURRENCY });
    const store = await openStore({ url: dbUrlOf(root) });
    const controller = new AbortController();
    setMaxListeners(0, controller.signal); // as the CLI does: one listener per request in flight
    try {
      const services = { client, store, workspace: await loadWorkspace(root), log: createLogger({ level: "silent" }) };
      const report = await syncWorkspace(services, { signal: controller.signal, retry: syncRetryPolicy({ baseMs: 1, maxDelayMs: 8 }) });
      expect({ seed, stale: report.stale, guests: report.guests, added: report.added.length }).toEqual({ seed, stale: [], guests: SIZE, added: SIZE });
      outcomes.push({ retries: report.retries, stale: report.stale.length });
      await store.close();
      await expectAllStored(sim, dbUrlOf(root));
    } finally {
      client.close();
      await store.close();
      await sim.close();
      dir.cleanup();
    }
  }
  // Faults really happened, and were retried, in every run.
  expect(outcomes).toHaveLength(IN_PROCESS_SEEDS.length);
  expect(outcomes.filter((o) => o.retries === 0)).toEqual([]);
}, 300_000);

it.each(CLI_SEEDS)("the real CLI syncs 300 guests under 10 %% faults (seed %i) with the default retry policy", async (seed) => {
  const sim = await startFaultySim(seed);
  let ws: Awaited<ReturnType<typeof initWorkspace>> | undefined;
  try {
    ws = await initWorkspace(sim);
    const run = await ws.run(["sync", "-o", "json"]);
    expect({ code: run.code, stderr: run.stderr.includes("error:") ? run.stderr : "" }).toEqual({ code: 0, stderr: "" });
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ guests: SIZE, stale: [] });
    expect(report.added).toHaveLength(SIZE);
    expect(report.retries).toBeGreaterThan(0);
    expect(report.apiRequests).toBeGreaterThanOrEqual(SIZE + report.retries);
    await expectAllStored(sim, dbUrlOf(ws.dir));
  } finally {
    ws?.cleanup();
    await sim.close();
  }
}, 180_000);
