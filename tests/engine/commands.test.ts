/**
 * plan / apply / destroy / create --apply / delete --apply through the real CLI
 * against the simulator, with the native engine (no terraform on PATH):
 * confirmation rules, the apply lock, -o json shapes, and the loop
 * sync → create → plan → apply → plan shows no changes → edit → apply → delete.
 * One simulator for the file; every test has its own freshly synced workspace
 * and creates the guests it works on.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../../src/state/store.js";
import { guestName, initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
const native = ["--engine", "native"];

beforeAll(async () => {
  sim = await startSim({ size: 25, randomSeed: 33, taskDelayMs: 5 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
});
afterEach(() => ws.cleanup());

/** `create vm NAME --cores 2 --apply --yes`: a guest that exists in the files and in the cluster. */
async function appliedVm(name: string): Promise<void> {
  expect((await ws.run(["create", "vm", "--name", name, "--cores", "2", "--apply", "--yes", ...native])).code).toBe(0);
}

it("after a sync, plan -o json shows no changes (zero-diff adoption)", async () => {
  const run = await ws.run(["plan", ...native, "-o", "json"]);
  expect(run.code).toBe(0);
  const plan = JSON.parse(run.stdout);
  expect(plan).toMatchObject({ engine: "native", changes: [], summary: { create: 0, update: 0, delete: 0, replace: 0 } });
});

it("apply without --yes and without a terminal refuses (exit 2) and changes nothing", async () => {
  expect((await ws.run(["create", "vm", "--name", "refused-01", "--cores", "2"])).code).toBe(0);
  const run = await ws.run(["apply", ...native, "--no-input"]);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/Confirmation needed: Apply this change\?/);
  expect(sim.cluster.guests().some((g) => guestName(g) === "refused-01")).toBe(false);
});

it("a second apply refuses while one holds the workspace lock", async () => {
  const store = await openStore({ url: `file:${join(ws.dir, ".proxmox-mpc", "state.db")}` });
  const lock = await store.locks.acquire("apply", { correlationId: "c-other-apply" });
  try {
    const run = await ws.run(["apply", ...native, "--yes"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Another apply is running \(pid \d+ .*correlation c-other-apply\)/);
  } finally {
    await lock.release();
    await store.close();
  }
});

it("create → plan (1 create) → apply → plan (no changes), and the guest exists as written", async () => {
  expect((await ws.run(["create", "vm", "--name", "loop-01", "--cores", "2"])).code).toBe(0);
  const plan = JSON.parse((await ws.run(["plan", ...native, "-o", "json"])).stdout);
  expect(plan.summary).toEqual({ create: 1, update: 0, delete: 0, replace: 0 });
  expect(JSON.parse((await ws.run(["status", "--offline", "-o", "json"])).stdout).drift).toMatchObject({ engine: "native", create: 1, update: 0 });
  expect(plan.changes[0]).toMatchObject({ action: "create", type: "qemu", name: "loop-01", node: "pve1" });
  const applied = await ws.run(["apply", ...native, "--yes", "-o", "json"]);
  expect(applied.code).toBe(0);
  expect(JSON.parse(applied.stdout)).toMatchObject({ applied: true, ok: true });
  const guest = sim.cluster.guests().find((g) => guestName(g) === "loop-01")!;
  expect(guest).toBeDefined();
  expect(Number(guest.config.cores)).toBe(2);
  expect(JSON.parse((await ws.run(["status", "--offline", "-o", "json"])).stdout).drift).toMatchObject({ create: 0, update: 0, delete: 0, replace: 0 });
  const again = JSON.parse((await ws.run(["plan", ...native, "-o", "json"])).stdout);
  expect(again.changes).toEqual([]);
  const stored = JSON.parse((await ws.run(["get", "vm", "loop-01", "-o", "json"])).stdout);
  expect(stored.vmid).toBe(guest.vmid);
});

it("an edit of cores in the .tf plans `~ cores 2 → 4` and apply makes it so", async () => {
  await appliedVm("edit-01");
  const dir = join(ws.dir, "terraform");
  const file = readdirSync(dir).find((f) => readFileSync(join(dir, f), "utf8").includes('name          = "edit-01"'))!;
  const text = readFileSync(join(dir, file), "utf8");
  writeFileSync(join(dir, file), text.replace(/(cpu \{[^}]*cores\s*=\s*)2/, "$14"));
  const plan = await ws.run(["plan", ...native]);
  expect(plan.stdout).toMatch(/~ update in-place\s+edit-01/);
  expect(plan.stdout).toMatch(/~ cores: 2 → 4/);
  expect((await ws.run(["apply", ...native, "--yes"])).code).toBe(0);
  const guest = sim.cluster.guests().find((g) => guestName(g) === "edit-01")!;
  expect(Number(guest.config.cores)).toBe(4);
  expect(JSON.parse((await ws.run(["plan", ...native, "-o", "json"])).stdout).changes).toEqual([]);
});

it("delete --apply --yes destroys the guest and removes its file", async () => {
  await appliedVm("gone-01");
  const vmid = sim.cluster.guests().find((g) => guestName(g) === "gone-01")!.vmid;
  const run = await ws.run(["delete", "vm", "gone-01", "--apply", "--yes", ...native]);
  expect(run.code).toBe(0);
  expect(sim.cluster.guest(vmid)).toBeUndefined();
  expect(readdirSync(join(ws.dir, "terraform")).some((f) => readFileSync(join(ws.dir, "terraform", f), "utf8").includes('"gone-01"'))).toBe(false);
  expect((await ws.run(["get", "vm", "gone-01"])).code).toBe(2);
});

it("destroy needs names or --all, and destroys a named guest after confirmation", async () => {
  expect((await ws.run(["destroy"])).code).toBe(2);
  const victim = sim.cluster.guests().find((g) => g.type === "qemu" && !g.template && g.status === "stopped")!;
  const refused = await ws.run(["destroy", guestName(victim), ...native, "--no-input"]);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/will be DESTROYED/);
  expect(sim.cluster.guest(victim.vmid)).toBeDefined();
  const done = await ws.run(["destroy", guestName(victim), ...native, "--yes"]);
  expect(done.code).toBe(0);
  expect(sim.cluster.guest(victim.vmid)).toBeUndefined();
  // Like terraform destroy: the file stays, the next plan would create the guest again, and destroy says so.
  expect(done.stderr).toContain("Their .tf files are kept (like terraform destroy): `apply` would create them again");
  const plan = await ws.run(["plan", ...native, "-o", "json"]);
  expect(JSON.parse(plan.stdout).changes).toEqual(expect.arrayContaining([expect.objectContaining({ action: "create", name: guestName(victim) })]));
});

it("create --apply creates the guest in one step", async () => {
  const run = await ws.run(["create", "ct", "--name", "oneshot-01", "--memory", "256", "--apply", "--yes", ...native]);
  expect(run.stderr).toMatch(/Wrote terraform\/oneshot_01\.tf/);
  expect(run.code).toBe(0);
  // The summary once: in the result, not again from the progress line.
  expect((run.stdout + run.stderr).match(/Apply complete!/g)).toHaveLength(1);
  const ct = sim.cluster.guests().find((g) => guestName(g) === "oneshot-01")!;
  expect(ct.type).toBe("lxc");
  expect(Number(ct.config.memory)).toBe(256);
});
