/** Tasks (UPIDs, status, logs, lists, injected failures, hanging) and config locks / digests. */
import { resolve } from "node:path";
import { startSimulator, type RunningSimulator } from "../../src/sim/index.js";
import { Api, seedsDir } from "./helpers.js";

const UPID_RE = /^UPID:([^:]+):([0-9A-F]{8}):([0-9A-F]{8}):([0-9A-F]{8}):([^:]+):([^:]*):([^:]+):$/;

let sim: RunningSimulator;
let api: Api;
beforeEach(async () => {
  sim = await startSimulator({ seed: resolve(seedsDir, "small.yaml"), taskDelayMs: 30, lockTimeoutMs: 200 });
  api = new Api(sim);
});
afterEach(() => sim.close());

describe("tasks", () => {
  test("a UPID in PVE's form; status running, then stopped with OK; the effect lands at the end", async () => {
    sim.cluster.hangTasks(true); // keeps the task running however slow this machine is
    const upid = String((await api.post("/nodes/pve2/qemu/102/status/start")).body!.data);
    const m = UPID_RE.exec(upid)!;
    expect(m).not.toBeNull();
    expect([m[1], m[5], m[6], m[7]]).toEqual(["pve2", "qmstart", "102", sim.token.split("=")[0]]);
    expect(parseInt(m[4], 16)).toBeCloseTo(Date.now() / 1000, -1);
    const running = await api.data(`/nodes/pve2/tasks/${encodeURIComponent(upid)}/status`);
    expect(running).toMatchObject({ status: "running", type: "qmstart", id: "102", node: "pve2", upid });
    expect(running.exitstatus).toBeUndefined();
    expect(sim.cluster.guest(102)!.status).toBe("stopped");
    sim.cluster.hangTasks(false);
    expect(await api.waitTask(upid)).toMatchObject({ status: "stopped", exitstatus: "OK" });
    expect(sim.cluster.guest(102)!.status).toBe("running");
    const log = await api.get(`/nodes/pve2/tasks/${encodeURIComponent(upid)}/log`);
    expect(log.body).toMatchObject({ total: 1, data: [{ n: 1, t: "TASK OK" }] });
  });

  test("starting a running VM: the task fails with 'VM 100 already running'; containers refuse at once", async () => {
    const status = await api.waitTask((await api.post("/nodes/pve1/qemu/100/status/start")).body!.data);
    expect(status.exitstatus).toBe("VM 100 already running");
    const ct = await api.post("/nodes/pve1/lxc/101/status/start");
    expect([ct.status, ct.reason]).toEqual([500, "CT 101 already running"]);
    const reboot = await api.post("/nodes/pve2/qemu/102/status/reboot");
    expect([reboot.status, reboot.reason]).toEqual([500, "VM 102 not running"]);
  });

  test("stop and shutdown change the status; failNextTask makes the next matching task fail without effect", async () => {
    sim.cluster.failNextTask({ type: "qmshutdown", vmid: 100, message: "VM quit/powerdown failed - got timeout" });
    const failed = await api.waitTask((await api.post("/nodes/pve1/qemu/100/status/shutdown")).body!.data);
    expect(failed.exitstatus).toBe("VM quit/powerdown failed - got timeout");
    expect(sim.cluster.guest(100)!.status).toBe("running");
    const log = await api.data<{ t: string }[]>(`/nodes/pve1/tasks/${encodeURIComponent(String(failed.upid))}/log`);
    expect(log.at(-1)!.t).toBe("TASK ERROR: VM quit/powerdown failed - got timeout");
    expect((await api.waitTask((await api.post("/nodes/pve1/qemu/100/status/shutdown")).body!.data)).exitstatus).toBe("OK");
    expect(sim.cluster.guest(100)!.status).toBe("stopped");
    await api.waitTask((await api.post("/nodes/pve1/lxc/101/status/stop")).body!.data);
    expect(sim.cluster.guest(101)!.status).toBe("stopped");
  });

  test("hangTasks keeps tasks running until released", async () => {
    sim.cluster.hangTasks(true);
    const upid = String((await api.post("/nodes/pve2/qemu/102/status/start")).body!.data);
    await new Promise((r) => setTimeout(r, 150));
    expect((await api.data(`/nodes/pve2/tasks/${encodeURIComponent(upid)}/status`)).status).toBe("running");
    expect(sim.cluster.guest(102)!.status).toBe("stopped");
    sim.cluster.hangTasks(false);
    expect((await api.waitTask(upid)).exitstatus).toBe("OK");
    expect(sim.cluster.guest(102)!.status).toBe("running");
  });

  test("DELETE a running task stops it", async () => {
    sim.cluster.hangTasks(true);
    const upid = String((await api.post("/nodes/pve2/qemu/102/status/start")).body!.data);
    expect((await api.del(`/nodes/pve2/tasks/${encodeURIComponent(upid)}`)).status).toBe(200);
    expect(await api.waitTask(upid)).toMatchObject({ status: "stopped", exitstatus: "received interrupt" });
  });

  test("task list: finished tasks by default, newest first, with filters and total", async () => {
    await api.waitTask((await api.post("/nodes/pve1/qemu/100/status/reboot")).body!.data);
    sim.cluster.failNextTask({ message: "boom" });
    await api.waitTask((await api.post("/nodes/pve1/lxc/101/status/reboot")).body!.data);
    const r = await api.get("/nodes/pve1/tasks");
    expect(r.body!.total).toBe(2);
    const list = r.body!.data as Record<string, unknown>[];
    expect(list.map((t) => [t.type, t.status])).toEqual([["vzreboot", "boom"], ["qmreboot", "OK"]]);
    expect(list[0]).toEqual(expect.objectContaining({ upid: expect.stringMatching(UPID_RE), endtime: expect.any(Number), user: expect.any(String) }));
    expect((await api.data<unknown[]>("/nodes/pve1/tasks", { errors: 1 })).length).toBe(1);
    expect((await api.data<unknown[]>("/nodes/pve1/tasks", { vmid: 100 })).length).toBe(1);
    expect((await api.data<unknown[]>("/nodes/pve1/tasks", { typefilter: "qmreboot" })).length).toBe(1);
    expect(await api.data<unknown[]>("/nodes/pve2/tasks")).toEqual([]);
  });

  test("unknown and malformed UPIDs", async () => {
    const unknown = await api.get(`/nodes/pve1/tasks/${encodeURIComponent("UPID:pve1:00000001:00000001:00000001:qmstart:100:root@pam:")}/status`);
    expect([unknown.status, unknown.reason]).toEqual([500, "no such task"]);
    expect((await api.get("/nodes/pve1/tasks/nonsense/status")).status).toBe(400);
  });
});

describe("config locks and digests", () => {
  test("a stale digest → 500 detected modified configuration; the current one works", async () => {
    const { digest } = await api.data("/nodes/pve1/qemu/100/config");
    await api.put("/nodes/pve1/qemu/100/config", { description: "changed by someone else" });
    const stale = await api.put("/nodes/pve1/qemu/100/config", { cores: 8, digest: String(digest) });
    expect([stale.status, stale.reason]).toEqual([500, "detected modified configuration - file changed by other user? Try again."]);
    const fresh = await api.data("/nodes/pve1/qemu/100/config");
    expect(fresh.digest).not.toBe(digest);
    expect((await api.put("/nodes/pve1/qemu/100/config", { cores: 8, digest: String(fresh.digest) })).status).toBe(200);
    expect(sim.cluster.guest(100)!.config.cores).toBe(8);
  });

  test("a config lock (backup) → 500 VM is locked (backup) / CT is locked (backup)", async () => {
    sim.cluster.setLock(100, "backup");
    sim.cluster.setLock(101, "backup");
    expect((await api.put("/nodes/pve1/qemu/100/config", { cores: 3 })).reason).toBe("VM is locked (backup)");
    expect((await api.put("/nodes/pve1/lxc/101/config", { cores: 3 })).reason).toBe("CT is locked (backup)");
    expect((await api.data("/nodes/pve1/qemu/100/config")).lock).toBe("backup");
    const stop = await api.waitTask((await api.post("/nodes/pve1/qemu/100/status/stop")).body!.data);
    expect(stop.exitstatus).toBe("VM is locked (backup)");
    sim.cluster.setLock(100, undefined);
    expect((await api.put("/nodes/pve1/qemu/100/config", { cores: 3 })).status).toBe(200);
  });

  test("holdLock longer than the lock timeout → can't lock file … got timeout", async () => {
    sim.cluster.holdLock(100, 1000);
    const t = performance.now();
    const r = await api.put("/nodes/pve1/qemu/100/config", { cores: 6 });
    expect([r.status, r.reason]).toEqual([500, "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout"]);
    expect(performance.now() - t).toBeGreaterThanOrEqual(190);
    sim.cluster.holdLock(101, 1000);
    expect((await api.put("/nodes/pve1/lxc/101/config", { cores: 2 })).reason).toBe("can't lock file '/run/lock/lxc/pve-config-101.lock' - got timeout");
  });

  test("a shorter hold only delays the change; a running task holds the lock too", async () => {
    sim.cluster.holdLock(100, 80);
    const t = performance.now();
    expect((await api.put("/nodes/pve1/qemu/100/config", { cores: 5 })).status).toBe(200);
    expect(performance.now() - t).toBeGreaterThanOrEqual(70);
    sim.cluster.hangTasks(true);
    await api.post("/nodes/pve1/qemu/100/status/reboot");
    expect((await api.put("/nodes/pve1/qemu/100/config", { cores: 4 })).reason).toMatch(/got timeout$/);
    sim.cluster.hangTasks(false);
  });

  test("POST config is asynchronous: a qmconfig task that applies the change", async () => {
    const upid = (await api.post("/nodes/pve1/qemu/100/config", { memory: 4096, delete: "ide2" })).body!.data;
    expect(String(upid)).toMatch(/:qmconfig:100:/);
    expect((await api.waitTask(upid)).exitstatus).toBe("OK");
    expect(sim.cluster.guest(100)!.config.memory).toBe("4096");
    expect(sim.cluster.guest(100)!.config.ide2).toBeUndefined();
    const stale = await api.waitTask((await api.post("/nodes/pve1/qemu/100/config", { cores: 1, digest: "0".repeat(40) })).body!.data);
    expect(stale.exitstatus).toBe("detected modified configuration - file changed by other user? Try again.");
  });
});
