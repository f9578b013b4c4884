/** Migration in the simulator: the precondition GET, the migrate task, its refusals, locks and memory. */
import { resolve } from "node:path";
import { startSimulator, type RunningSimulator } from "../../src/sim/index.js";
import { migrationMs } from "../../src/sim/handlers/migrate.js";
import { Api, seedsDir } from "./helpers.js";

let sim: RunningSimulator;
let api: Api;
beforeEach(async () => {
  sim = await startSimulator({ seed: resolve(seedsDir, "small.yaml"), taskDelayMs: 10, lockTimeoutMs: 150 });
  api = new Api(sim);
});
afterEach(() => sim.close());

const resources = async (): Promise<Record<string, unknown>[]> => api.data<Record<string, unknown>[]>("/cluster/resources", { type: "vm" });

describe("GET …/migrate (precondition)", () => {
  test("a VM on local-lvm: running, pve2 allowed, its local disks listed with sizes", async () => {
    const pre = await api.data("/nodes/pve1/qemu/100/migrate");
    expect(pre).toMatchObject({ running: 1, allowed_nodes: ["pve2"], not_allowed_nodes: {}, local_resources: [], "mapped-resources": [] });
    expect(pre.local_disks).toEqual(
      expect.arrayContaining([expect.objectContaining({ volid: "local-lvm:vm-100-disk-0", size: 32 * 1024 ** 3, drivename: "scsi0", is_attached: 1 })]),
    );
  });

  test("a storage missing on a node puts it in not_allowed_nodes with the storage; containers answer with hyphenated keys", async () => {
    sim.cluster.storages.get("local-lvm")!.nodes = ["pve1"];
    expect(await api.data("/nodes/pve1/qemu/100/migrate")).toMatchObject({ allowed_nodes: [], not_allowed_nodes: { pve2: { unavailable_storages: ["local-lvm"] } } });
    expect(await api.data("/nodes/pve1/lxc/101/migrate")).toEqual({ running: 1, "allowed-nodes": [], "not-allowed-nodes": { pve2: { unavailable_storages: ["local-lvm"] } } });
    const shared = await api.data("/nodes/pve2/qemu/102/migrate");
    expect(shared).toMatchObject({ running: 0, allowed_nodes: ["pve1"], local_disks: [] });
  });

  test("an unknown target or guest: PVE's errors", async () => {
    expect((await api.get("/nodes/pve1/qemu/100/migrate", { target: "pve9" })).reason).toBe("no such cluster node 'pve9'");
    expect((await api.get("/nodes/pve2/qemu/100/migrate")).reason).toBe("Configuration file 'nodes/pve2/qemu-server/100.conf' does not exist");
  });
});

describe("POST …/migrate", () => {
  test("an offline migration moves the guest in /cluster/resources, the node lists and its task log", async () => {
    sim.cluster.hangTasks(true); // holds the task running however slow this machine is
    const upid = String((await api.post("/nodes/pve2/qemu/102/migrate", { target: "pve1" })).body!.data);
    expect(upid).toMatch(/^UPID:pve2:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmigrate:102:/);
    expect(sim.cluster.guest(102)!.config.lock).toBe("migrate");
    expect(sim.cluster.guest(102)!.node).toBe("pve2");
    sim.cluster.hangTasks(false);
    expect(await api.waitTask(upid)).toMatchObject({ exitstatus: "OK" });
    expect((await resources()).find((r) => r.vmid === 102)).toMatchObject({ node: "pve1", id: "qemu/102" });
    expect((await api.data<{ vmid: number }[]>("/nodes/pve1/qemu")).map((g) => g.vmid)).toContain(102);
    expect((await api.data<{ vmid: number }[]>("/nodes/pve2/qemu")).map((g) => g.vmid)).not.toContain(102);
    expect(sim.cluster.guest(102)!.config.lock).toBeUndefined();
    const log = await api.data<{ t: string }[]>(`/nodes/pve2/tasks/${encodeURIComponent(upid)}/log`);
    expect(log[0].t).toMatch(/starting migration of VM 102 to node 'pve1' \(/);
    expect(log.at(-2)!.t).toMatch(/migration finished successfully \(duration \d\d:\d\d:\d\d\)$/);
    expect(log.at(-1)!.t).toBe("TASK OK");
  });

  test("refusals answered at once: running without online, local target, unknown target, locked guest, running container without restart", async () => {
    expect((await api.post("/nodes/pve1/qemu/100/migrate", { target: "pve2" })).reason).toBe("can't migrate running VM without --online");
    expect((await api.post("/nodes/pve1/qemu/100/migrate", { target: "pve1", online: 1 })).reason).toBe("target is local node.");
    expect((await api.post("/nodes/pve1/qemu/100/migrate", { target: "pve7", online: 1 })).reason).toBe("no such cluster node 'pve7'");
    expect((await api.post("/nodes/pve1/lxc/101/migrate", { target: "pve2" })).reason).toBe("running container can only be migrated in restart mode");
    expect((await api.post("/nodes/pve1/lxc/101/migrate", { target: "pve2", online: 1 })).reason).toBe("lxc live migration is currently not implemented");
    sim.cluster.setLock(102, "backup");
    expect((await api.post("/nodes/pve2/qemu/102/migrate", { target: "pve1" })).reason).toBe("VM is locked (backup)");
    expect(sim.cluster.guest(100)!.node).toBe("pve1");
  });

  test("a live migration with attached local disks needs with-local-disks; with it the VM arrives running", async () => {
    const failed = await api.waitTask((await api.post("/nodes/pve1/qemu/100/migrate", { target: "pve2", online: 1 })).body!.data);
    expect(failed.exitstatus).toBe("migration aborted");
    const log = await api.data<{ t: string }[]>(`/nodes/pve1/tasks/${encodeURIComponent(String(failed.upid))}/log`);
    expect(log.map((l) => l.t).join("\n")).toContain("can't live migrate attached local disks without with-local-disks option");
    expect(sim.cluster.guest(100)).toMatchObject({ node: "pve1", status: "running" });
    expect(sim.cluster.guest(100)!.config.lock).toBeUndefined();
    const ok = await api.waitTask((await api.post("/nodes/pve1/qemu/100/migrate", { target: "pve2", online: 1, "with-local-disks": 1 })).body!.data);
    expect(ok.exitstatus).toBe("OK");
    expect(sim.cluster.guest(100)).toMatchObject({ node: "pve2", status: "running" });
  });

  test("a container moves in restart mode and runs on the target", async () => {
    const s = await api.waitTask((await api.post("/nodes/pve1/lxc/101/migrate", { target: "pve2", restart: 1 })).body!.data);
    expect(s).toMatchObject({ exitstatus: "OK", type: "vzmigrate" });
    expect(sim.cluster.guest(101)).toMatchObject({ node: "pve2", status: "running" });
  });

  test("too little memory on the target: the live migration fails with 'migration problems' and the VM stays", async () => {
    sim.cluster.node("pve2")!.memory = 4 * 1024 ** 3; // 2.5 GiB base use leaves ~1.4 GiB; web-01 needs 2 GiB
    const s = await api.waitTask((await api.post("/nodes/pve1/qemu/100/migrate", { target: "pve2", online: 1, "with-local-disks": 1 })).body!.data);
    expect(s.exitstatus).toBe("migration problems");
    expect(sim.cluster.guest(100)!.node).toBe("pve1");
    const status = await api.data("/nodes/pve2/status");
    expect((status.memory as { free: number }).free).toBeLessThan(2 * 1024 ** 3);
  });

  test("memory moves with a running VM: the target's used memory grows by what the VM uses", async () => {
    const before = ((await api.data("/nodes/pve2/status")).memory as { used: number }).used;
    await api.waitTask((await api.post("/nodes/pve1/qemu/100/migrate", { target: "pve2", online: 1, "with-local-disks": 1 })).body!.data);
    const after = ((await api.data("/nodes/pve2/status")).memory as { used: number }).used;
    expect(after).toBeGreaterThan(before);
  });

  test("the config file lock is held for the task's life: a concurrent change waits, then gets PVE's lock error", async () => {
    sim.cluster.hangTasks(true);
    const upid = (await api.post("/nodes/pve2/qemu/102/migrate", { target: "pve1" })).body!.data;
    const start = await api.post("/nodes/pve2/qemu/102/status/start");
    expect([start.status, start.reason]).toEqual([200, expect.anything()]);
    const startTask = await api.waitTask(start.body!.data, 3000);
    expect(startTask.exitstatus).toBe("can't lock file '/var/lock/qemu-server/lock-102.conf' - got timeout");
    expect((await api.del("/nodes/pve2/qemu/102")).reason).toBe("VM is locked (migrate)");
    sim.cluster.hangTasks(false);
    expect((await api.waitTask(upid)).exitstatus).toBe("OK");
  });

  test("a migration held up by another task's lock fails with the lock timeout and leaves the guest", async () => {
    sim.cluster.holdLock(102, 2000);
    const s = await api.waitTask((await api.post("/nodes/pve2/qemu/102/migrate", { target: "pve1" })).body!.data, 3000);
    expect(s.exitstatus).toBe("can't lock file '/var/lock/qemu-server/lock-102.conf' - got timeout");
    expect(sim.cluster.guest(102)!.node).toBe("pve2");
    expect(sim.cluster.guest(102)!.config.lock).toBeUndefined();
  });

  test("the duration scales with the memory and local disk copied", () => {
    const vm = sim.cluster.guest(100)!;
    expect(migrationMs(sim.cluster, vm, { online: true, withLocalDisks: false })).toBe(Math.round(10 * (1 + 2 / 4)));
    expect(migrationMs(sim.cluster, vm, { online: true, withLocalDisks: true })).toBeGreaterThan(migrationMs(sim.cluster, vm, { online: true, withLocalDisks: false }));
    expect(migrationMs(sim.cluster, sim.cluster.guest(102)!, { online: false, withLocalDisks: false })).toBe(10);
  });
});
