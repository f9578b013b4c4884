/**
 * The services a command gets from its context: one client per tuning, so the
 * refresh sync after `apply` reads with sync's 16 requests in flight and not
 * with the engine's 8 (regression: the engine's client was reused).
 */
import { createContext } from "../../src/core/context.js";
import { ScriptedUI } from "../../src/core/ui.js";
import { loadWorkspace } from "../../src/core/workspace.js";
import { closeServices, getClient } from "../../src/commands/services.js";
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
  return createContext({
    cwd: ws.dir,
    env: ws.env,
    globals: { output: "table", debug: false, color: false, input: false, yes: false },
    ui: new ScriptedUI(),
    signal: new AbortController().signal,
    actor: "cli",
    version: "test",
    command: "apply",
    workspace: await loadWorkspace(ws.dir),
  });
}

it("a context keeps one client per tuning: the engine's (8 in flight) and sync's (16)", async () => {
  const ctx = await context();
  try {
    const engine = await getClient(ctx);
    const sync = await getClient(ctx, {}, { concurrency: 16 });
    expect(engine.transport.concurrency).toBe(8);
    expect(sync.transport.concurrency).toBe(16);
    expect(await getClient(ctx)).toBe(engine);
    expect(await getClient(ctx, {}, { concurrency: 16 })).toBe(sync);
    expect((await sync.version()).version).toMatch(/^\d/);
  } finally {
    await closeServices(ctx);
  }
});
