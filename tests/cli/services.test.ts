/**
 * The services a command gets from its context: one client per tuning, so the
 * refresh sync after `apply` reads with sync's 16 requests in flight and not
 * with the engine's 8 (regression: the engine's client was reused).
 */
import { databaseUrl, loadWorkspace } from "../../src/core/workspace.js";
import { openStore } from "../../src/state/store.js";
import { testContext } from "../helpers/context.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeAll(async () => {
  sim = await startSim({ size: 5, randomSeed: 3 });
  ws = await initWorkspace(sim);
});
afterAll(async () => {
  await sim.close();
  ws.cleanup();
});

async function context() {
  return testContext({ workspace: await loadWorkspace(ws.dir), env: ws.env, command: "apply" });
}

it("a context keeps one client per tuning: the engine's (8 in flight) and sync's (16)", async () => {
  const ctx = await context();
  try {
    const engine = await ctx.services.proxmox();
    const sync = await ctx.services.proxmox({ concurrency: 16 });
    expect(engine.transport.concurrency).toBe(8);
    expect(sync.transport.concurrency).toBe(16);
    expect(await ctx.services.proxmox()).toBe(engine);
    expect(await ctx.services.proxmox({ concurrency: 16 })).toBe(sync);
    expect((await sync.version()).version).toMatch(/^\d/);
  } finally {
    await ctx.services.close();
  }
});

it("a store shared by a long-lived face serves every run, which leaves it open; each run's DB time is its own", async () => {
  expect((await ws.run(["sync"])).code).toBe(0);
  const workspace = await loadWorkspace(ws.dir);
  const shared = await openStore({ url: databaseUrl(workspace, ws.env), readOnly: true });
  let opened = 0;
  const sharedStore = async () => (opened++, shared);
  try {
    for (let run = 0; run < 3; run++) {
      const ctx = testContext({ workspace, env: ws.env, command: "get", sharedStore });
      expect(await (await ctx.services.store()).guests.list()).toHaveLength(5);
      expect(ctx.metrics.snapshot().db.queries).toBe(1);
      await ctx.services.close();
    }
    expect(opened).toBe(3);
    // Still open after every run closed its services.
    expect(await shared.guests.list()).toHaveLength(5);
  } finally {
    await shared.close();
  }
});
