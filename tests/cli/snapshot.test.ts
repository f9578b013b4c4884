/**
 * `snapshot list|create|rollback|delete` through the real CLI program against
 * the simulator: tasks awaited, the tree with dates, rollback and delete that
 * show what happens and ask (n and --no-input change nothing), a missing
 * snapshot, a batch by selector, a lock held by another task, Ctrl-C.
 */
import { cliOnTerminal } from "../helpers/cli.js";
import { PER_NODE } from "../../src/commands/snapshot.js";
import type { SimGuest } from "../../src/sim/types.js";
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

/** A VM no earlier test used (running or stopped as asked). */
const used = new Set<number>();
function vm(status: "running" | "stopped" = "running"): SimGuest {
  const g = sim.cluster.guests().find((x) => x.type === "qemu" && !x.template && x.status === status && !used.has(x.vmid) && x.config.lock === undefined);
  if (!g) throw new Error(`no ${status} VM left`);
  used.add(g.vmid);
  return g;
}

/** The CLI as on a terminal whose user answers `answer` to every question. */
const onTerminal = (args: string[], answer: string, signal?: AbortSignal) => cliOnTerminal(args, { env: ws.env, cwd: ws.dir, answer, signal });

it("create waits for the task; list prints the tree with dates, RAM and descriptions (and JSON)", async () => {
  const g = vm();
  const name = guestName(g);
  const first = await ws.run(["snapshot", "create", "vm", name, "before-upgrade", "--description", "before apt upgrade", "--vmstate", "-o", "json"]);
  expect([first.code, first.stderr]).toEqual([0, expect.stringContaining(`Snapshot "before-upgrade" of ${name}`)]);
  expect(JSON.parse(first.stdout)).toEqual([expect.objectContaining({ vmid: g.vmid, snapshot: "before-upgrade", result: "ok", upid: expect.stringMatching(/:qmsnapshot:/) })]);
  expect((await ws.run(["snapshot", "create", "vm", String(g.vmid), "after-upgrade"])).code).toBe(0);
  expect(sim.cluster.guest(g.vmid)!.snapshots.map((s) => [s.name, s.parent, s.vmstate])).toEqual([["before-upgrade", undefined, true], ["after-upgrade", "before-upgrade", false]]);
  const list = await ws.run(["snapshot", "list", "vm", name]);
  expect(list.code).toBe(0);
  const lines = list.stdout.trimEnd().split("\n");
  expect(lines[0]).toBe(`${name} (${g.vmid} on ${g.node}): 2 snapshots`);
  expect(lines[1]).toMatch(/^`-> before-upgrade\s+\d{4}-\d\d-\d\d \d\d:\d\d \(\d+ s ago\)  with RAM  "before apt upgrade"$/);
  expect(lines[2]).toMatch(/^ {3}`-> after-upgrade\s+\d{4}-\d\d-\d\d \d\d:\d\d/);
  expect(lines[3]).toMatch(/^ {6}`-> NOW\s+the current state$/);
  const json = JSON.parse((await ws.run(["snapshot", "list", "vm", name, "-o", "json"])).stdout);
  expect(json.map((s: { name: string; depth: number; current: boolean }) => [s.name, s.depth, s.current])).toEqual([["before-upgrade", 0, false], ["after-upgrade", 1, false], ["current", 2, true]]);
});

it("a missing snapshot is a clear error (exit 2) that lists the ones there are", async () => {
  const g = vm();
  expect((await ws.run(["snapshot", "create", "vm", guestName(g), "one"])).code).toBe(0);
  const run = await ws.run(["snapshot", "rollback", "vm", guestName(g), "nope", "--yes"]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(`${guestName(g)} (${g.vmid}) has no snapshot "nope".`);
  expect(run.stderr).toContain("Its snapshots: one.");
  expect((await ws.run(["snapshot", "delete", "vm", guestName(g), "nope", "--yes"])).code).toBe(2);
  expect((await ws.run(["snapshot", "create", "vm", guestName(g), "1bad"])).code).toBe(2);
});

it("rollback says what is lost and asks: --no-input and n change nothing; y rolls the config back (a running VM is stopped, as PVE does)", async () => {
  const g = vm("running");
  const name = guestName(g);
  expect((await ws.run(["snapshot", "create", "vm", name, "base"])).code).toBe(0);
  const cores = Number(sim.cluster.guest(g.vmid)!.config.cores ?? 1);
  sim.cluster.guest(g.vmid)!.config = { ...sim.cluster.guest(g.vmid)!.config, cores: cores + 6 };
  const refused = await ws.run(["snapshot", "rollback", "vm", name, "base", "--no-input"]);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain("What is lost: the current state");
  const no = await onTerminal(["snapshot", "rollback", "vm", name, "base"], "n");
  expect(no.code).toBe(1);
  expect(no.asked).toEqual([`Roll ${name} back to "base"? Its current state is lost. [y/N] `]);
  expect(no.stderr).toContain(`Config that changes back: cores ${cores + 6} → ${cores}.`);
  expect(no.stderr).toContain(`${name} is running: PVE stops it for the rollback; it stays stopped afterwards (add --start to start it).`);
  expect(sim.cluster.guest(g.vmid)!.config.cores).toBe(cores + 6);
  const yes = await onTerminal(["snapshot", "rollback", "vm", name, "base", "-o", "json"], "y");
  expect(yes.code).toBe(0);
  expect(JSON.parse(yes.stdout)).toMatchObject({ vmid: g.vmid, snapshot: "base", status: "stopped", configChanges: [`cores ${cores + 6} → ${cores}`] });
  expect(sim.cluster.guest(g.vmid)!.config.cores).toBe(cores);
  expect(sim.cluster.guest(g.vmid)!.status).toBe("stopped");
  expect(yes.stderr).toContain("proxmox-mpc sync");
});

it("delete asks, then removes the snapshot; the child is re-attached", async () => {
  const g = vm("stopped");
  const name = guestName(g);
  for (const s of ["a1", "b2", "c3"]) expect((await ws.run(["snapshot", "create", "vm", name, s])).code).toBe(0);
  const no = await onTerminal(["snapshot", "delete", "vm", name, "b2"], "n");
  expect(no.code).toBe(1);
  expect(no.stderr).toContain(`Its child snapshots (c3) then hang off "a1".`);
  expect(sim.cluster.guest(g.vmid)!.snapshots).toHaveLength(3);
  expect((await ws.run(["snapshot", "delete", "vm", name, "b2", "--yes"])).code).toBe(0);
  expect(sim.cluster.guest(g.vmid)!.snapshots.map((s) => [s.name, s.parent])).toEqual([["a1", undefined], ["c3", "a1"]]);
});

it("a batch by selector: every match in parallel, a summary of what worked and what did not (exit 1)", async () => {
  const tagged = new Map<string, SimGuest[]>();
  for (const g of sim.cluster.guests().filter((x) => x.type === "qemu" && !x.template && x.config.lock === undefined)) {
    for (const t of String(g.config.tags ?? "").split(";").filter(Boolean)) tagged.set(t, [...(tagged.get(t) ?? []), g]);
  }
  const [tag, guests] = [...tagged].sort((a, b) => b[1].length - a[1].length)[0];
  expect(guests.length).toBeGreaterThan(2);
  sim.cluster.failNextTask({ type: "qmsnapshot", vmid: guests[1].vmid, message: "snapshot feature is not available" });
  // The bound per node: never more than PER_NODE snapshot tasks running on one node at once.
  let most = 0;
  const watcher = setInterval(() => {
    const running = new Map<string, number>();
    for (const t of sim.cluster.tasks.all()) if (t.type === "qmsnapshot" && t.status === "running") running.set(t.node, (running.get(t.node) ?? 0) + 1);
    most = Math.max(most, ...running.values(), 0);
  }, 1);
  const run = await ws.run(["snapshot", "create", "vm", "--selector", `tag=${tag}`, "batch-1", "-o", "json"]).finally(() => clearInterval(watcher));
  expect(most).toBeLessThanOrEqual(PER_NODE);
  expect(run.code).toBe(1);
  const out = JSON.parse(run.stdout) as { vmid: number; result: string; message?: string }[];
  expect(out.map((o) => o.vmid)).toEqual(guests.map((g) => g.vmid).sort((a, b) => a - b));
  expect(out.find((o) => o.vmid === guests[1].vmid)).toMatchObject({ result: "failed", message: expect.stringContaining("snapshot feature is not available") });
  expect(out.filter((o) => o.result === "ok")).toHaveLength(guests.length - 1);
  expect(run.stderr).toContain(`${guests.length - 1} of ${guests.length} snapshots taken; 1 failed`);
  for (const g of guests) if (g.vmid !== guests[1].vmid) expect(sim.cluster.guest(g.vmid)!.snapshots.some((s) => s.name === "batch-1")).toBe(true);
  expect((await ws.run(["snapshot", "rollback", "vm", "--selector", `tag=${tag}`, "batch-1"])).code).toBe(2);
});

it("a lock held by another task: PVE's error, exit 1, nothing taken", async () => {
  const g = vm();
  sim.cluster.setLock(g.vmid, "backup");
  try {
    const run = await ws.run(["snapshot", "create", "vm", guestName(g), "locked"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("VM is locked (backup)");
    expect(sim.cluster.guest(g.vmid)!.snapshots.map((s) => s.name)).not.toContain("locked");
  } finally {
    sim.cluster.setLock(g.vmid, undefined);
  }
});

it("Ctrl-C while the snapshot task runs stops waiting (exit 130); the task goes on on the server", async () => {
  const g = vm();
  const controller = new AbortController();
  sim.cluster.hangTasks(true);
  const watcher = setInterval(() => {
    if (sim.cluster.guest(g.vmid)?.config.lock === "snapshot") controller.abort();
  }, 5);
  try {
    const run = await onTerminal(["snapshot", "create", "vm", guestName(g), "interrupted"], "y", controller.signal);
    expect(controller.signal.aborted).toBe(true);
    expect(run.code).toBe(130);
  } finally {
    clearInterval(watcher);
    sim.cluster.hangTasks(false);
  }
});

it("ct: --vmstate is refused; list of a container without snapshots", async () => {
  const ct = sim.cluster.guests().find((x) => x.type === "lxc" && !x.template)!;
  expect((await ws.run(["snapshot", "create", "ct", guestName(ct), "s1", "--vmstate"])).code).toBe(2);
  const list = await ws.run(["snapshot", "list", "ct", guestName(ct)]);
  expect(list.stdout).toContain(`${guestName(ct)} (${ct.vmid} on ${ct.node}): no snapshots`);
});
