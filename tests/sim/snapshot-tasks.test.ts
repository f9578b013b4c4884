/** Snapshot tasks in the simulator: PVE's log lines, parent links, vmstate, the lock held for the task's life, rollback's config. */
import { resolve } from "node:path";
import { startSimulator, type RunningSimulator } from "../../src/sim/index.js";
import { Api, seedsDir } from "./helpers.js";

let sim: RunningSimulator;
let api: Api;
beforeEach(async () => {
  sim = await startSimulator({ seed: resolve(seedsDir, "small.yaml"), taskDelayMs: 10, lockTimeoutMs: 200 });
  api = new Api(sim);
});
afterEach(() => sim.close());

const logOf = async (upid: string): Promise<string[]> =>
  ((await api.get(`/nodes/pve1/tasks/${encodeURIComponent(upid)}/log`)).body!.data as { t: string }[]).map((l) => l.t);

test("qmsnapshot logs the RAM saved and each volume snapshotted; the tree links parents; rollback brings the config back", async () => {
  sim.cluster.hangTasks(true); // keeps the task running however fast this machine is
  const first = String((await api.post("/nodes/pve1/qemu/100/snapshot", { snapname: "base", vmstate: 1, description: "pre" })).body!.data);
  expect(first).toMatch(/:qmsnapshot:100:/);
  expect(sim.cluster.guest(100)!.config.lock).toBe("snapshot");
  const busy = await api.post("/nodes/pve1/qemu/100/snapshot", { snapname: "other" });
  expect([busy.status, busy.reason]).toEqual([500, "VM is locked (snapshot)"]);
  sim.cluster.hangTasks(false);
  expect(await api.waitTask(first)).toMatchObject({ exitstatus: "OK" });
  expect(await logOf(first)).toEqual([
    "saving VM state and RAM using storage 'local-lvm'",
    expect.stringMatching(/^completed saving the VM state in 1s, saved [\d.]+ GiB$/),
    "snapshotting 'drive-scsi0' (local-lvm:vm-100-disk-0)",
    '  Logical volume "snap_vm-100-disk-0_base" created.',
    "TASK OK",
  ]);
  sim.cluster.guest(100)!.config = { ...sim.cluster.guest(100)!.config, cores: 8 };
  await api.waitTask((await api.post("/nodes/pve1/qemu/100/snapshot", { snapname: "later" })).body!.data);
  const tree = await api.data<Record<string, unknown>[]>("/nodes/pve1/qemu/100/snapshot");
  expect(tree.map((s) => [s.name, s.parent, s.vmstate])).toEqual([["base", undefined, 1], ["later", "base", 0], ["current", "later", undefined]]);
  await api.waitTask((await api.post("/nodes/pve1/qemu/100/snapshot/base/rollback")).body!.data);
  expect(sim.cluster.guest(100)!.config).toMatchObject({ cores: 2, parent: "base" });
  expect(sim.cluster.guest(100)!.status).toBe("running");
});
