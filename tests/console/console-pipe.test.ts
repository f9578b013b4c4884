/** The console without a terminal: one command per line, plain output, exit status of the last failure. */
import { cliProcess } from "../helpers/cli.js";
import { guestName, initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeAll(async () => {
  sim = await startSim({ size: 15, randomSeed: 9 });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
});
afterAll(async () => {
  await sim.close();
  ws.cleanup();
});

it("runs piped commands through the same registry and exits 0 when all succeed", async () => {
  const run = await cliProcess([], { env: ws.env, cwd: ws.dir, input: "get vms -o json\n/status --offline\n# a comment\n\n" });
  expect(run.code).toBe(0);
  const json = run.stdout.slice(0, run.stdout.indexOf("]\n") + 1);
  expect(JSON.parse(json).length).toBeGreaterThan(0);
  expect(run.stdout).toMatch(/Last sync\s+#1/);
  expect(run.stdout).not.toMatch(/\u001b\[/);
});

it("keeps going after a failure and exits with the status of the last failure", async () => {
  const run = await cliProcess([], { env: ws.env, cwd: ws.dir, input: "get vms --bogus\nget vm no-such-guest\nstatus --offline\n" });
  expect(run.stderr).toMatch(/unknown option '--bogus'/);
  expect(run.stderr).toMatch(/No VM named "no-such-guest"/);
  expect(run.stdout).toMatch(/Workspace/);
  expect(run.code).toBe(2);
});

it("suggests the closest command for a typo", async () => {
  const run = await cliProcess([], { env: ws.env, cwd: ws.dir, input: "/sycn\ngte vms\n" });
  expect(run.stderr).toContain('Unknown command "/sycn". Did you mean /sync?');
  expect(run.stderr).toContain('Unknown command "gte". Did you mean get?');
  expect(run.code).toBe(2);
});

it("destructive commands refuse without a terminal unless --yes", async () => {
  const running = sim.cluster.guests().find((g) => g.type === "qemu" && g.status === "running" && !g.template)!;
  const refused = await cliProcess([], { env: ws.env, cwd: ws.dir, input: `stop vm ${guestName(running)}\n` });
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/Confirmation needed[\s\S]*--yes/);
  expect(sim.cluster.guest(running.vmid)!.status).toBe("running");
  const done = await cliProcess(["--yes"], { env: ws.env, cwd: ws.dir, input: `stop vm ${guestName(running)}\n` });
  expect(done.code).toBe(0);
  expect(sim.cluster.guest(running.vmid)!.status).toBe("stopped");
});

it("outside a workspace it offers /init and demo", async () => {
  const run = await cliProcess([], { env: ws.env, cwd: "/", input: "get vms\nhelo\n" });
  expect(run.stderr).toMatch(/Not in a proxmox-mpc workspace/);
  expect(run.stderr).toMatch(/\/init creates one here, `demo` tries everything/);
});
