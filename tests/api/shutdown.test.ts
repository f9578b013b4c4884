/**
 * SIGTERM while a run answered with 202 is in flight: the run is cancelled
 * as on Ctrl-C (it stops between steps), the server waits for it, records it,
 * releases its locks and exits 0; the workspace is left whole (a sync from
 * the command line runs right after, and finds the store consistent).
 */
import { apiServer, call } from "./helpers.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeAll(async () => {
  sim = await startSim({ size: 8, randomSeed: 11, latencyMs: 150 });
  ws = await initWorkspace(sim);
}, 60_000);
afterAll(async () => {
  await sim?.close();
  ws?.cleanup();
});

it("a sync in flight is cancelled cleanly and recorded; the server exits 0", async () => {
  const server = await apiServer(ws.dir, ws.env);
  const sync = await call(server, "POST", "/api/v1/sync", { token: server.token, body: {} });
  expect(sync.status).toBe(202);
  const id = String(sync.body.correlationId);
  const started = Date.now();
  expect(await server.stop("SIGTERM")).toBe(0);
  expect(Date.now() - started).toBeLessThan(15_000);
  const ops = JSON.parse((await ws.run(["logs", "--operations", "--correlation", id, "-o", "json"])).stdout) as Array<{ command: string; actor: string; result: string }>;
  expect(ops.map((o) => [o.command, o.actor])).toEqual([["sync", "api"]]);
  expect(["cancelled", "ok"]).toContain(ops[0].result);
  // Nothing held or half-written: the next sync runs at once and succeeds.
  const next = await ws.run(["sync", "--wait", "0"]);
  expect(next.code).toBe(0);
  expect(JSON.parse((await ws.run(["get", "vms", "-o", "json"])).stdout)).toHaveLength(sim.cluster.guests().filter((g) => g.type === "qemu").length);
}, 60_000);
