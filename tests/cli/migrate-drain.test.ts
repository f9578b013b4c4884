/** `migrate --from NODE --to NODE`: draining a node through the real CLI, bounded concurrency, the summary, Ctrl-C. */
import type { SeedDocument, SeedGuest } from "../../src/sim/index.js";
import { cli } from "../helpers/cli.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

/** pve1 with `count` stopped VMs on shared storage, one running VM on local storage, one big running VM; pve2 empty. */
function seed(count: number): SeedDocument {
  const guests: SeedGuest[] = Array.from({ length: count }, (_, i) => ({
    vmid: 200 + i,
    type: "qemu",
    node: "pve1",
    name: `app-${String(i).padStart(2, "0")}`,
    status: "stopped",
    config: { cores: 1, memory: 1024, scsi0: `nas01:${200 + i}/vm-${200 + i}-disk-0.qcow2,size=8G`, net0: "virtio,bridge=vmbr0" },
  }));
  guests.push({ vmid: 300, type: "qemu", node: "pve1", name: "local-01", status: "running", config: { cores: 1, memory: 1024, scsi0: "local-lvm:vm-300-disk-0,size=16G" } });
  guests.push({ vmid: 301, type: "qemu", node: "pve1", name: "huge-01", status: "running", config: { cores: 8, memory: 65536, scsi0: "nas01:301/vm-301-disk-0.qcow2,size=8G" } });
  return {
    nodes: [
      { name: "pve1", memory: "128G" },
      { name: "pve2", memory: "32G" },
    ],
    storage: [{ storage: "nas01", type: "nfs", content: "images,rootdir", total: "8T" }],
    guests,
  };
}

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
afterEach(async () => {
  await sim.close();
  ws.cleanup();
});

async function setUp(count: number, taskDelayMs: number): Promise<void> {
  sim = await startSim({ seed: seed(count), taskDelayMs });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
}

type Outcome = { vmid: number; result: string; detail: string };

it("drains what can move, with at most --concurrency at once, and says why the rest did not", async () => {
  await setUp(6, 40);
  let most = 0;
  const timer = setInterval(() => {
    most = Math.max(most, sim.cluster.tasks.all().filter((t) => t.type === "qmigrate" && t.status === "running").length);
  }, 5);
  const run = await ws.run(["migrate", "--from", "pve1", "--to", "pve2", "--online", "--concurrency", "2", "--yes", "-o", "json"]);
  clearInterval(timer);
  expect(run.code).toBe(1); // two guests did not move
  const out = JSON.parse(run.stdout) as Outcome[];
  expect(out.filter((o) => o.result === "moved").map((o) => o.vmid)).toEqual([200, 201, 202, 203, 204, 205]);
  expect(out.find((o) => o.vmid === 300)).toMatchObject({ result: "refused", detail: expect.stringMatching(/local-01 has local disks .*--with-local-disks/) });
  expect(out.find((o) => o.vmid === 301)).toMatchObject({ result: "refused", detail: expect.stringMatching(/not enough memory on pve2: needs 64 GiB, [\d.]+ GiB free/) });
  expect(most).toBeLessThanOrEqual(2);
  expect(most).toBeGreaterThan(0);
  expect(run.stderr).toMatch(/6 of 8 moved from pve1 to pve2/);
  for (let vmid = 200; vmid < 206; vmid++) expect(sim.cluster.guest(vmid)!.node).toBe("pve2");
  const plan = JSON.parse((await ws.run(["plan", "--engine", "native", "-o", "json"])).stdout) as { changes: unknown[] };
  expect(plan.changes).toEqual([]);
});

it("--dry-run shows the plan and refusals, and moves nothing", async () => {
  await setUp(3, 5);
  const run = await ws.run(["migrate", "vm", "--from", "pve1", "--to", "pve2", "--online", "--with-local-disks", "--dry-run", "-o", "json"]);
  expect(run.code).toBe(0);
  const out = JSON.parse(run.stdout) as Outcome[];
  expect(out.map((o) => [o.vmid, o.result])).toEqual([[200, "planned"], [201, "planned"], [202, "planned"], [300, "planned"], [301, "refused"]]);
  expect(sim.cluster.tasks.all().filter((t) => t.type === "qmigrate")).toEqual([]);
});

it("Ctrl-C stops starting new migrations, lets those under way finish, and reports; the store follows what moved", async () => {
  await setUp(10, 150);
  const controller = new AbortController();
  const watch = setInterval(() => {
    if (sim.cluster.tasks.all().some((t) => t.type === "qmigrate")) {
      clearInterval(watch);
      controller.abort();
    }
  }, 2);
  const run = await cli(["migrate", "--from", "pve1", "--to", "pve2", "--concurrency", "2", "--yes", "-o", "json"], { env: ws.env, cwd: ws.dir, signal: controller.signal });
  clearInterval(watch);
  expect(run.code).not.toBe(0);
  expect(run.stderr).toMatch(/Interrupted: no new migrations start; waiting for the \d under way/);
  const out = JSON.parse(run.stdout) as Outcome[];
  const moved = out.filter((o) => o.result === "moved");
  const cancelled = out.filter((o) => o.result === "cancelled");
  expect(moved.length).toBeGreaterThan(0);
  expect(moved.length).toBeLessThanOrEqual(2);
  expect(cancelled.length).toBe(10 - moved.length);
  expect(cancelled[0].detail).toBe("not started: interrupted (Ctrl-C)");
  // Only what was started ran, and it finished: nothing is left running or locked.
  const tasks = sim.cluster.tasks.all().filter((t) => t.type === "qmigrate");
  expect(tasks.length).toBe(moved.length);
  expect(tasks.every((t) => t.status === "stopped" && t.exitstatus === "OK")).toBe(true);
  const stored = JSON.parse((await ws.run(["get", "vms", "-o", "json"])).stdout) as { vmid: number; node: string }[];
  for (const m of moved) expect(stored.find((g) => g.vmid === m.vmid)!.node).toBe("pve2");
  for (const c of cancelled) expect(stored.find((g) => g.vmid === c.vmid)!.node).toBe("pve1");
});

it("an unknown source node is bad input (exit 2); an empty one has nothing to move", async () => {
  await setUp(1, 5);
  const unknown = await ws.run(["migrate", "--from", "pve7", "--to", "pve2", "--yes"]);
  expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/Unknown node pve7/)]);
  const empty = await ws.run(["migrate", "--from", "pve2", "--to", "pve1", "--yes"]);
  expect(empty.code).toBe(0);
  expect(empty.stdout + empty.stderr).toMatch(/No guests on pve2: nothing to move/);
});
