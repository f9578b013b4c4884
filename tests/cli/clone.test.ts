/** `clone` through the real CLI against the simulator: linked or full (and why), the task, the sync, plan empty after. */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";
import { seedsDir } from "../sim/helpers.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeEach(async () => {
  sim = await startSim({ seed: resolve(seedsDir, "small.yaml"), taskDelayMs: 5 });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
});
afterEach(async () => {
  await sim.close();
  ws.cleanup();
});

const planChanges = async (): Promise<unknown[]> => JSON.parse((await ws.run(["plan", "--engine", "native", "-o", "json"])).stdout).changes as unknown[];
const fileFor = (vmid: number): string | undefined => {
  const dir = join(ws.dir, "terraform");
  return readdirSync(dir).find((f) => readFileSync(join(dir, f), "utf8").startsWith(`# Managed by proxmox-mpc: ${vmid} on `));
};

it("a template on LVM-thin gives a linked clone; the new guest gets its .tf and plan stays empty", async () => {
  const run = await ws.run(["clone", "vm", "debian-12-cloudinit", "--name", "web-03", "-o", "json"]);
  expect(run.code).toBe(0);
  const out = JSON.parse(run.stdout);
  expect(out).toMatchObject({ name: "web-03", node: "pve1", mode: "linked", why: expect.stringMatching(/is a template on local-lvm/), source: { vmid: 9000 } });
  const g = sim.cluster.guest(out.vmid)!;
  expect(g.config.name).toBe("web-03");
  expect(String(g.config.scsi0)).toMatch(/^local-lvm:base-9000-disk-0\/vm-\d+-disk-0/);
  expect(fileFor(out.vmid)).toBeDefined();
  expect(JSON.parse((await ws.run(["get", "vm", "web-03", "-o", "json"])).stdout)).toMatchObject({ vmid: out.vmid, node: "pve1" });
  expect(await planChanges()).toEqual([]);
});

it("full copies, each saying why: not a template, --full, --storage, a storage that cannot link", async () => {
  const notTemplate = JSON.parse((await ws.run(["clone", "vm", "web-01", "--name", "web-01-copy", "-o", "json"])).stdout);
  expect(notTemplate).toMatchObject({ mode: "full", why: "web-01 is not a template (PVE links clones only to templates)" });
  const asked = JSON.parse((await ws.run(["clone", "vm", "9000", "--name", "full-01", "--full", "--vmid", "777", "-o", "json"])).stdout);
  expect(asked).toMatchObject({ vmid: 777, mode: "full", why: "--full asked for a full copy" });
  expect(sim.cluster.guest(777)!.config.scsi0).toMatch(/^local-lvm:vm-777-disk-0,.*size=3G/);
  const storage = await ws.run(["clone", "vm", "debian-12-cloudinit", "--name", "nas-01", "--storage", "nas01", "-o", "json"]);
  expect(JSON.parse(storage.stdout)).toMatchObject({ mode: "full", why: "--storage nas01 given (a linked clone stays on the template's storage)" });
  sim.cluster.storages.get("local-lvm")!.type = "lvm";
  const thick = await ws.run(["clone", "vm", "debian-12-cloudinit", "--name", "thick-01", "-o", "json"]);
  expect(JSON.parse(thick.stdout)).toMatchObject({ mode: "full", why: "storage local-lvm (lvm) cannot make linked clones" });
  expect(await planChanges()).toEqual([]);
});

it("a container clones too (full: not a template)", async () => {
  sim.cluster.guest(101)!.status = "stopped";
  const run = await ws.run(["clone", "ct", "dns-01", "--name", "dns-02", "-o", "json"]);
  expect(run.code).toBe(0);
  const out = JSON.parse(run.stdout);
  expect(out).toMatchObject({ type: "lxc", mode: "full" });
  expect(sim.cluster.guest(out.vmid)!.config.hostname).toBe("dns-02");
  expect(await planChanges()).toEqual([]);
});

it("refusals (exit 2, nothing created): no --name, a taken name or vmid, an unknown source or node, another node from local storage", async () => {
  const before = sim.cluster.guests().length;
  const cases: [string[], RegExp][] = [
    [["clone", "vm", "web-01"], /Name the new guest: --name NEW/],
    [["clone", "vm", "web-01", "--name", "db-01"], /A guest named db-01 already exists/],
    [["clone", "vm", "web-01", "--name", "x-01", "--vmid", "102"], /vmid 102 is already taken/],
    [["clone", "vm", "nope", "--name", "x-01"], /Not in the cluster: nope/],
    [["clone", "ct", "web-01", "--name", "x-01"], /web-01 is not a container/],
    [["clone", "vm", "web-01", "--name", "x-01", "--node", "pve9"], /Unknown node pve9/],
    [["clone", "vm", "web-01", "--name", "bad_name!"], /is not a valid VM name/],
    [["clone", "vm", "debian-12-cloudinit", "--name", "x-01", "--node", "pve2"], /disks are on local storage \(local-lvm\): PVE clones to another node only from shared storage/],
  ];
  for (const [args, message] of cases) {
    const run = await ws.run(args);
    expect([args.join(" "), run.code, run.stderr]).toEqual([args.join(" "), 2, expect.stringMatching(message)]);
  }
  expect(sim.cluster.guests().length).toBe(before);
});

it("a failed clone task is exit 1 with PVE's reason", async () => {
  sim.cluster.failNextTask({ type: "qmclone", message: "clone failed: no space left on device" });
  const run = await ws.run(["clone", "vm", "web-01", "--name", "web-09"]);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/no space left on device/);
});
