/**
 * The services a command gets from its context: one client per tuning, so the
 * refresh sync after `apply` reads with sync's 16 requests in flight and not
 * with the engine's 8 (regression: the engine's client was reused).
 */
import { loadWorkspace } from "../../src/core/workspace.js";
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
