/**
 * `serve` starting and stopping as an operator sees it: a port in use is a
 * usage error (exit 2) naming the port, and the first admin token is not
 * made by a start that failed (it would never have been shown); the next
 * start that listens prints it. Stopping says so on stderr.
 */
import { createServer, type Server } from "node:net";
import { cliProcess } from "../helpers/cli.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";
import { apiServer } from "./helpers.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let busy: Server;
let port: number;

beforeAll(async () => {
  sim = await startSim({ size: 2 });
  ws = await initWorkspace(sim);
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  port = (busy.address() as { port: number }).port;
}, 60_000);
afterAll(async () => {
  busy?.close();
  ws?.cleanup();
  await sim?.close();
});

test("a port in use: exit 2 naming it, and no admin token made unseen; the next start shows one", async () => {
  const run = await cliProcess(["serve", "--port", String(port)], { env: ws.env, cwd: ws.dir });
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(`Port ${port} on 127.0.0.1 is in use`);
  expect(run.stderr).toMatch(/--port 0/);
  const tokens = JSON.parse((await ws.run(["token", "list", "-o", "json"])).stdout) as unknown[];
  expect(tokens).toEqual([]);
  const server = await apiServer(ws.dir, ws.env);
  try {
    expect(server.token).toMatch(/^pmpc_/);
  } finally {
    expect(await server.stop()).toBe(0);
  }
  expect(server.stderr()).toMatch(/Stopping…\nStopped\.\n/);
});
