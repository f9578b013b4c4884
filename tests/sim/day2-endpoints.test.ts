/** Suspend/resume, move_disk/move_volume, firewall rules and the guest agent's exec in the simulator (schema-validated, PVE's errors). */
import { resolve } from "node:path";
import { validateParameters } from "../../src/pve/api-schema/index.js";
import { startSimulator, type RunningSimulator } from "../../src/sim/index.js";
import { setFirewallRules, stopGuestAgent } from "../../src/sim/handlers/day2-endpoints.js";
import { Api, seedsDir } from "./helpers.js";

let sim: RunningSimulator;
let api: Api;
beforeEach(async () => {
  sim = await startSimulator({ seed: resolve(seedsDir, "small.yaml"), taskDelayMs: 5, lockTimeoutMs: 150 });
  api = new Api(sim);
});
afterEach(() => sim.close());

describe("status/suspend and status/resume", () => {
  test("a VM pauses (qmpstatus paused, still running) and resumes", async () => {
    const s = await api.waitTask((await api.post("/nodes/pve1/qemu/100/status/suspend")).body!.data);
    expect(s).toMatchObject({ exitstatus: "OK", type: "qmsuspend" });
    expect(await api.data("/nodes/pve1/qemu/100/status/current")).toMatchObject({ status: "running", qmpstatus: "paused" });
    expect((await api.waitTask((await api.post("/nodes/pve1/qemu/100/status/resume")).body!.data)).type).toBe("qmresume");
    expect(await api.data("/nodes/pve1/qemu/100/status/current")).toMatchObject({ status: "running", qmpstatus: "running" });
  });

  test("refusals: a stopped VM, a stopped container, to-disk; parameters checked against the schema", async () => {
    expect((await api.post("/nodes/pve2/qemu/102/status/suspend")).reason).toBe("VM 102 not running");
    await api.waitTask((await api.post("/nodes/pve1/lxc/101/status/stop")).body!.data);
    expect((await api.post("/nodes/pve1/lxc/101/status/resume")).reason).toBe("CT 101 not running");
    expect((await api.post("/nodes/pve1/qemu/100/status/suspend", { todisk: 1 })).status).toBe(500);
    const bad = await api.post("/nodes/pve1/qemu/100/status/suspend", { todisk: "maybe" });
    expect([bad.status, bad.body?.errors]).toEqual([400, { todisk: "type check ('boolean') failed - got 'maybe'" }]);
  });

  test("a container suspends and resumes through vzsuspend / vzresume", async () => {
    expect((await api.waitTask((await api.post("/nodes/pve1/lxc/101/status/suspend")).body!.data)).type).toBe("vzsuspend");
    expect((await api.waitTask((await api.post("/nodes/pve1/lxc/101/status/resume")).body!.data)).exitstatus).toBe("OK");
  });
});

describe("move_disk / move_volume", () => {
  test("a VM disk moves to another storage; the old volume becomes unused0 (or goes with delete)", async () => {
    const s = await api.waitTask((await api.post("/nodes/pve1/qemu/100/move_disk", { disk: "scsi0", storage: "nas01" })).body!.data);
    expect(s).toMatchObject({ exitstatus: "OK", type: "qmmove" });
    const config = await api.data("/nodes/pve1/qemu/100/config");
    expect(config.scsi0).toMatch(/^nas01:100\/vm-100-disk-\d\.qcow2,iothread=1,size=32G$/);
    expect(config.unused0).toBe("local-lvm:vm-100-disk-0");
    const back = await api.waitTask((await api.post("/nodes/pve1/qemu/100/move_disk", { disk: "scsi0", storage: "local-lvm", delete: 1 })).body!.data);
    expect(back.exitstatus).toBe("OK");
    const after = await api.data("/nodes/pve1/qemu/100/config");
    expect(after.scsi0).toMatch(/^local-lvm:vm-100-disk-\d,iothread=1,size=32G$/);
    expect(after.unused1).toBeUndefined();
  });

  test("refusals: same storage, unknown disk, a cdrom, a running container, unknown disk key (400)", async () => {
    expect((await api.post("/nodes/pve1/qemu/100/move_disk", { disk: "scsi0", storage: "local-lvm" })).reason).toBe("you can't move to the same storage with same format");
    expect((await api.post("/nodes/pve1/qemu/100/move_disk", { disk: "scsi3", storage: "nas01" })).reason).toBe("disk 'scsi3' does not exist");
    expect((await api.post("/nodes/pve1/qemu/100/move_disk", { disk: "ide2", storage: "nas01" })).reason).toBe("you can't move a cdrom");
    expect((await api.post("/nodes/pve1/lxc/101/move_volume", { volume: "rootfs", storage: "nas01" })).reason).toBe("cannot move volumes of a running container");
    expect((await api.post("/nodes/pve1/qemu/100/move_disk", { disk: "scsi99", storage: "nas01" })).status).toBe(400);
  });

  test("a stopped container's rootfs moves with move_volume", async () => {
    await api.waitTask((await api.post("/nodes/pve1/lxc/101/status/stop")).body!.data);
    const s = await api.waitTask((await api.post("/nodes/pve1/lxc/101/move_volume", { volume: "rootfs", storage: "nas01", delete: 1 })).body!.data);
    expect(s).toMatchObject({ exitstatus: "OK", type: "move_volume" });
    expect((await api.data("/nodes/pve1/lxc/101/config")).rootfs).toMatch(/^nas01:101\/vm-101-disk-\d\.raw,size=8G$/);
  });
});

describe("firewall rules (read)", () => {
  test("a firewalled web VM has its rules with pos and digest; a guest without the firewall has none; rules can be set", async () => {
    const rules = await api.data<Record<string, unknown>[]>("/nodes/pve1/qemu/100/firewall/rules");
    expect(rules.map((r) => [r.pos, r.type, r.action, r.dport ?? r.macro])).toEqual([
      [0, "in", "ACCEPT", "80,443"],
      [1, "in", "ACCEPT", "SSH"],
    ]);
    expect(rules[0].digest).toMatch(/^[0-9a-f]{40}$/);
    expect(await api.data("/nodes/pve2/qemu/102/firewall/rules")).toEqual([]);
    setFirewallRules(sim.cluster.guest(101)!, [{ type: "in", action: "DROP", source: "10.0.0.0/8", enable: 1 }]);
    expect(await api.data("/nodes/pve1/lxc/101/firewall/rules")).toEqual([expect.objectContaining({ pos: 0, action: "DROP", source: "10.0.0.0/8" })]);
  });
});

describe("guest agent exec", () => {
  test("exec returns a pid; exec-status the output (command as a JSON array)", async () => {
    const r = await api.call("POST", "/nodes/pve1/qemu/100/agent/exec", { command: ["uname", "-a"] } as unknown as Record<string, string>, true);
    expect(r.status).toBe(200);
    const pid = (r.body!.data as { pid: number }).pid;
    expect(typeof pid).toBe("number");
    const status = await api.data("/nodes/pve1/qemu/100/agent/exec-status", { pid });
    expect(status).toMatchObject({ exited: 1, exitcode: 0 });
    expect(status["out-data"]).toMatch(/^Linux web-01 /);
    const one = await api.post("/nodes/pve1/qemu/100/agent/exec", { command: "hostname" });
    expect((await api.data("/nodes/pve1/qemu/100/agent/exec-status", { pid: (one.body!.data as { pid: number }).pid }))["out-data"]).toBe("web-01\n");
    expect(validateParameters("POST", "/nodes/pve1/qemu/100/agent/exec", {})).toEqual({ command: "property is missing and it is not optional" });
  });

  test("PVE's errors: no agent configured, VM not running, agent not running (paused or stopped agent), unknown program", async () => {
    expect((await api.post("/nodes/pve2/qemu/102/agent/exec", { command: "hostname" })).reason).toBe("No QEMU guest agent configured");
    sim.cluster.guest(102)!.config = { ...sim.cluster.guest(102)!.config, agent: "1" };
    expect((await api.post("/nodes/pve2/qemu/102/agent/exec", { command: "hostname" })).reason).toBe("VM 102 is not running");
    stopGuestAgent(sim.cluster.guest(100)!);
    expect((await api.post("/nodes/pve1/qemu/100/agent/exec", { command: "hostname" })).reason).toBe("QEMU guest agent is not running");
    stopGuestAgent(sim.cluster.guest(100)!, false);
    await api.waitTask((await api.post("/nodes/pve1/qemu/100/status/suspend")).body!.data);
    expect((await api.post("/nodes/pve1/qemu/100/agent/exec", { command: "hostname" })).reason).toBe("QEMU guest agent is not running");
    await api.waitTask((await api.post("/nodes/pve1/qemu/100/status/resume")).body!.data);
    const missing = await api.post("/nodes/pve1/qemu/100/agent/exec", { command: "frobnicate" });
    expect([missing.status, missing.reason]).toEqual([500, expect.stringContaining("Failed to execute child process")]);
    expect((await api.get("/nodes/pve1/qemu/100/agent/exec-status", { pid: 1 })).reason).toBe("Agent error: Invalid parameter 'pid'");
  });
});

describe("clone: linked or full", () => {
  test("a template on LVM-thin clones linked; on thick LVM a linked clone is refused like PVE, a full one works", async () => {
    const linked = await api.waitTask((await api.post("/nodes/pve1/qemu/9000/clone", { newid: 9100, name: "l-01" })).body!.data);
    expect(linked.exitstatus).toBe("OK");
    expect(String(sim.cluster.guest(9100)!.config.scsi0)).toMatch(/^local-lvm:base-9000-disk-0\/vm-9100-disk-0/);
    sim.cluster.storages.get("local-lvm")!.type = "lvm";
    const refused = await api.post("/nodes/pve1/qemu/9000/clone", { newid: 9101, name: "l-02" });
    expect([refused.status, refused.reason]).toEqual([500, "Linked clone feature is not supported for drive 'scsi0'"]);
    const full = await api.waitTask((await api.post("/nodes/pve1/qemu/9000/clone", { newid: 9102, name: "f-01", full: 1 })).body!.data);
    expect(full.exitstatus).toBe("OK");
    expect(String(sim.cluster.guest(9102)!.config.scsi0)).toMatch(/^local-lvm:vm-9102-disk-0,.*size=3G/);
  });
});
