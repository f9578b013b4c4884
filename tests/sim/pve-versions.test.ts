/**
 * One PVE version per run (`pveVersion` / `--pve-version`): /version and the
 * fields that differ between 8.4 and 9.1 (node memory `available`, container
 * interfaces in the guest-agent shape, pressure-stall counters, `memhost`).
 */
import { resolve } from "node:path";
import { DEFAULT_PVE_VERSION, startSimulator, type PveVersion, type RunningSimulator } from "../../src/sim/index.js";
import { Api, fixture, seedsDir, shapeMismatches } from "./helpers.js";

type Obj = Record<string, unknown>;
const PRESSURE = ["pressurecpusome", "pressurecpufull", "pressureiosome", "pressureiofull", "pressurememorysome", "pressurememoryfull"];

const sims: Partial<Record<PveVersion, RunningSimulator>> = {};
const api = (v: PveVersion): Api => new Api(sims[v]!);
beforeAll(async () => {
  for (const v of ["8.4", "9.1"] as const) sims[v] = await startSimulator({ seed: resolve(seedsDir, "small.yaml"), taskDelayMs: 1, pveVersion: v });
});
afterAll(async () => {
  for (const s of Object.values(sims)) await s.close();
});

test("the default is the newest, 9.1; each run says which version it answers as", async () => {
  expect(DEFAULT_PVE_VERSION).toBe("9.1");
  expect([sims["8.4"]!.pveVersion, sims["9.1"]!.pveVersion]).toEqual(["8.4", "9.1"]);
  expect(await api("8.4").data("/version")).toEqual(fixture<{ data: Obj }>("version.datadog.json").data);
  const v9 = await api("9.1").data("/version");
  expect(v9).toEqual({ version: "9.1.2", release: "9.1", repoid: "9d436f37a0ac4172" });
  await expect(startSimulator({ pveVersion: "7.4" as PveVersion })).rejects.toThrow("simulator option pveVersion must be 8.4 or 9.1, got 7.4");
});

test("a seed's version: keys still override what /version says", async () => {
  const sim = await startSimulator({ seed: { nodes: [{ name: "pve1" }], version: { version: "8.4.0" } }, pveVersion: "8.4" });
  try {
    expect(await new Api(sim).data("/version")).toEqual({ version: "8.4.0", release: "8.4", repoid: "2a2fa54b8503f96c" });
  } finally {
    await sim.close();
  }
});

test("node status: 9.x adds memory.available; the kernel and pveversion follow the version", async () => {
  const s8 = await api("8.4").data("/nodes/pve1/status");
  const s9 = await api("9.1").data("/nodes/pve1/status");
  expect(Object.keys(s8.memory as Obj).sort()).toEqual(["free", "total", "used"]);
  const m9 = s9.memory as Record<string, number>;
  expect(Object.keys(m9).sort()).toEqual(["available", "free", "total", "used"]);
  expect(m9.available).toBeGreaterThanOrEqual(m9.free);
  expect(m9.available).toBeLessThanOrEqual(m9.total);
  expect(s8.pveversion).toBe("pve-manager/8.4.1/2a2fa54b8503f96c");
  expect(s9.pveversion).toBe("pve-manager/9.1.2/9d436f37a0ac4172");
  expect(s8.kversion).toMatch(/^Linux 6\.8\.\d+-\d+-pve #1 SMP/);
  expect(s9.kversion).toMatch(/^Linux 6\.17\.\d+-\d+-pve #1 SMP/);
  const fx = fixture<{ data: Obj }>("node_status.goproxmox.json").data;
  for (const s of [s8, s9]) expect(shapeMismatches(fx.memory as Obj, s.memory as Obj)).toEqual([]);
});

test("container interfaces: 9.x adds hardware-address and ip-addresses (the guest agent's shape)", async () => {
  const i8 = await api("8.4").data<Obj[]>("/nodes/pve1/lxc/101/interfaces");
  const i9 = await api("9.1").data<Obj[]>("/nodes/pve1/lxc/101/interfaces");
  const eth8 = i8.find((i) => i.name === "eth0")!;
  expect(eth8).toEqual({ name: "eth0", hwaddr: "bc:24:11:10:00:02", inet: "10.0.10.53/24" });
  const eth9 = i9.find((i) => i.name === "eth0")!;
  expect(eth9).toEqual({ ...eth8, "hardware-address": "bc:24:11:10:00:02", "ip-addresses": [{ "ip-address": "10.0.10.53", "ip-address-type": "inet", prefix: 24 }] });
  expect(i9.find((i) => i.name === "lo")!["ip-addresses"]).toEqual([
    { "ip-address": "127.0.0.1", "ip-address-type": "inet", prefix: 8 },
    { "ip-address": "::1", "ip-address-type": "inet6", prefix: 128 },
  ]);
});

test("guest status and lists: 9.x adds pressure-stall counters and, for VMs, memhost", async () => {
  const q8 = await api("8.4").data("/nodes/pve1/qemu/100/status/current");
  const q9 = await api("9.1").data("/nodes/pve1/qemu/100/status/current");
  for (const k of [...PRESSURE, "memhost"]) expect([k, q8[k]]).toEqual([k, undefined]);
  for (const k of PRESSURE) expect([k, typeof q9[k]]).toEqual([k, "number"]);
  expect(q9.memhost).toBe(q9.mem);
  expect(q8["running-qemu"]).toBe("9.2.0");
  expect(q9["running-qemu"]).toBe("10.1.2");
  const ct9 = await api("9.1").data("/nodes/pve1/lxc/101/status/current");
  expect(Object.keys(ct9).filter((k) => k.startsWith("pressure")).sort()).toEqual(PRESSURE.filter((k) => k !== "pressurecpufull").sort());
  const list9 = await api("9.1").data<Obj[]>("/nodes/pve1/qemu");
  expect(list9.find((v) => v.vmid === 100)!.memhost).toBe(list9.find((v) => v.vmid === 100)!.mem);
  expect((await api("8.4").data<Obj[]>("/nodes/pve1/qemu")).find((v) => v.vmid === 100)!.memhost).toBeUndefined();
  const r9 = await api("9.1").data<Obj[]>("/cluster/resources", { type: "vm" });
  expect(r9.find((e) => e.id === "qemu/100")!.memhost).toBe(r9.find((e) => e.id === "qemu/100")!.mem);
  expect(r9.find((e) => e.id === "lxc/101")!.memhost).toBeUndefined();
  expect((await api("8.4").data<Obj[]>("/cluster/resources", { type: "vm" })).find((e) => e.id === "qemu/100")!.memhost).toBeUndefined();
});

test("both versions validate requests against the one vendored (9.1) schema", async () => {
  for (const v of ["8.4", "9.1"] as const) {
    const r = await api(v).put("/nodes/pve1/qemu/100/config", { cores: "many" });
    expect([r.status, r.body!.errors]).toEqual([400, { cores: "type check ('integer') failed - got 'many'" }]);
  }
});
