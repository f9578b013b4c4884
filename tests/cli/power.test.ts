/** Power actions through the CLI against the simulator: tasks awaited, store updated, batches confirmed. */
import { guestName, initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeAll(async () => {
  sim = await startSim({ size: 30, randomSeed: 44, taskDelayMs: 10 });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
});
afterAll(async () => {
  await sim.close();
  ws.cleanup();
});

const stoppedVm = () => sim.cluster.guests().find((g) => g.type === "qemu" && g.status === "stopped" && !g.template)!;

it("start waits for the task, and get shows the new status without a sync", async () => {
  const g = stoppedVm();
  const run = await ws.run(["start", "vm", guestName(g), "-o", "json"]);
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual([expect.objectContaining({ vmid: g.vmid, action: "start", result: "ok" })]);
  expect(sim.cluster.guest(g.vmid)!.status).toBe("running");
  expect(JSON.parse((await ws.run(["get", "vm", String(g.vmid), "-o", "json"])).stdout).status).toBe("running");
  const again = JSON.parse((await ws.run(["start", "vm", guestName(g), "-o", "json"])).stdout);
  expect(again[0]).toMatchObject({ result: "skipped", message: "already running" });
});

it("a batch by selector asks first (refused without --yes) and then acts on every match", async () => {
  const tagged = sim.cluster.guests().filter((g) => g.type === "lxc" && !g.template);
  const node = tagged[0].node;
  const onNode = tagged.filter((g) => g.node === node);
  const refused = await ws.run(["shutdown", "ct", "--node", node]);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(new RegExp(`Shut down ${onNode.length} container`));
  const done = await ws.run(["shutdown", "ct", "--node", node, "--yes", "-o", "json"]);
  expect(done.code).toBe(0);
  expect(JSON.parse(done.stdout).map((o: { vmid: number }) => o.vmid).sort()).toEqual(onNode.map((g) => g.vmid).sort());
  for (const g of onNode) expect(sim.cluster.guest(g.vmid)!.status).toBe("stopped");
});

it("a failing task is reported per guest with exit 1", async () => {
  const g = stoppedVm();
  sim.cluster.failNextTask({ vmid: g.vmid, message: "start failed: not enough memory" });
  const run = await ws.run(["start", "vm", String(g.vmid), "-o", "json"]);
  expect(run.code).toBe(1);
  expect(JSON.parse(run.stdout)[0]).toMatchObject({ result: "failed", message: expect.stringContaining("not enough memory") });
});

it("bad input is exit 2: no names, a bad selector, an unknown guest", async () => {
  expect((await ws.run(["start", "vm"])).stderr).toMatch(/Name the guests/);
  expect((await ws.run(["start", "vm", "--selector", "color=red"])).code).toBe(2);
  const unknown = await ws.run(["start", "vm", "nope-99"]);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/Not in the store: nope-99/);
});

it("--no-wait returns once the task is started", async () => {
  const g = stoppedVm();
  const run = await ws.run(["start", "vm", guestName(g), "--no-wait", "-o", "json"]);
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)[0]).toMatchObject({ result: "started", upid: expect.stringMatching(/^UPID:/) });
});
