/**
 * Write behaviours real clients (proxmoxer, the Ansible modules) found
 * different from PVE: container volumes given as bare sizes, the masked
 * cloud-init password, and PUT .../qemu/{vmid}/unlink.
 */
import { resolve } from "node:path";
import { startSimulator, type RunningSimulator } from "../../src/sim/index.js";
import { Api, seedsDir } from "./helpers.js";

const TEMPLATE = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";
let sim: RunningSimulator;
let api: Api;
beforeEach(async () => {
  sim = await startSimulator({ seed: resolve(seedsDir, "small.yaml"), taskDelayMs: 1 });
  api = new Api(sim);
});
afterEach(() => sim.close());

describe("POST /nodes/{node}/lxc: [STORAGE:]SIZE volumes", () => {
  test("storage=local-lvm rootfs=4 and mp0=2,mp=/data allocate volumes on local-lvm", async () => {
    const r = await api.post("/nodes/pve1/lxc", { vmid: 700, ostemplate: TEMPLATE, storage: "local-lvm", rootfs: "4", mp0: "2,mp=/data" });
    expect(r.status).toBe(200);
    expect((await api.waitTask(r.body!.data)).exitstatus).toBe("OK");
    const c = await api.data("/nodes/pve1/lxc/700/config");
    expect(c.rootfs).toBe("local-lvm:vm-700-disk-0,size=4G");
    expect(c.mp0).toBe("local-lvm:vm-700-disk-1,mp=/data,size=2G");
    const vols = await api.data<{ volid: string; size: number }[]>("/nodes/pve1/storage/local-lvm/content", { vmid: 700 });
    expect(vols.map((v) => [v.volid, v.size]).sort()).toEqual([["local-lvm:vm-700-disk-0", 4 * 1024 ** 3], ["local-lvm:vm-700-disk-1", 2 * 1024 ** 3]]);
  });

  test("without rootfs: 4 GiB on the storage parameter", async () => {
    const r = await api.post("/nodes/pve1/lxc", { vmid: 701, ostemplate: TEMPLATE, storage: "local-lvm" });
    await api.waitTask(r.body!.data);
    expect(sim.cluster.guest(701)!.config.rootfs).toBe("local-lvm:vm-701-disk-0,size=4G");
  });

  test("without storage the default 'local' (a dir without rootdir content) is refused before anything is created", async () => {
    for (const params of [{ rootfs: "4" }, {}, { rootfs: "local-lvm:4", mp0: "2,mp=/data" }] as Record<string, string>[]) {
      const r = await api.post("/nodes/pve1/lxc", { vmid: 702, ostemplate: TEMPLATE, ...params });
      expect([r.status, r.reason, r.body!.errors]).toEqual([400, "Parameter verification failed.", { storage: "storage 'local' does not support container directories" }]);
      expect(sim.cluster.guest(702)).toBeUndefined();
    }
    const missing = await api.post("/nodes/pve1/lxc", { vmid: 702, ostemplate: TEMPLATE, storage: "nope", rootfs: "4" });
    expect([missing.status, missing.reason]).toEqual([500, "storage 'nope' does not exist"]);
  });
});

describe("cipassword", () => {
  test("is stored hashed and shown as ********** in config and pending", async () => {
    expect((await api.put("/nodes/pve1/qemu/100/config", { cipassword: "s3cret-pw" })).status).toBe(200);
    const stored = String(sim.cluster.guest(100)!.config.cipassword);
    expect(stored).toMatch(/^\$5\$[^$]+\$[^$]+$/);
    expect(stored).not.toContain("s3cret-pw");
    const c = await api.data("/nodes/pve1/qemu/100/config");
    expect(c.cipassword).toBe("**********");
    const pending = await api.data<{ key: string; value: unknown }[]>("/nodes/pve1/qemu/100/pending");
    expect(pending.find((p) => p.key === "cipassword")).toEqual({ key: "cipassword", value: "**********" });
    expect(JSON.stringify(await api.get("/nodes/pve1/qemu/100/config"))).not.toContain("s3cret-pw");
  });

  test("a value that already is a crypt hash is kept as it is; without cipassword nothing is added", async () => {
    const hash = "$5$abcdefgh$0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
    await api.put("/nodes/pve1/qemu/100/config", { cipassword: hash });
    expect(sim.cluster.guest(100)!.config.cipassword).toBe(hash);
    expect((await api.data("/nodes/pve2/qemu/102/config")).cipassword).toBeUndefined();
  });
});

describe("PUT /nodes/{node}/qemu/{vmid}/unlink", () => {
  test("without force a disk becomes unusedN; with force it is gone; unusedN always goes", async () => {
    await api.put("/nodes/pve1/qemu/100/config", { scsi1: "local-lvm:4", scsi2: "local-lvm:2" });
    const detach = await api.put("/nodes/pve1/qemu/100/unlink", { idlist: "scsi1" });
    expect([detach.status, detach.body!.data]).toEqual([200, null]);
    let c = sim.cluster.guest(100)!.config;
    expect(c.scsi1).toBeUndefined();
    expect(c.unused0).toBe("local-lvm:vm-100-disk-1");
    await api.put("/nodes/pve1/qemu/100/unlink", { idlist: "scsi2", force: 1 });
    c = sim.cluster.guest(100)!.config;
    expect(c.scsi2).toBeUndefined();
    expect(Object.values(c).join(" ")).not.toContain("vm-100-disk-2");
    await api.put("/nodes/pve1/qemu/100/unlink", { idlist: "unused0" });
    expect(sim.cluster.guest(100)!.config.unused0).toBeUndefined();
    const vols = await api.data<{ volid: string }[]>("/nodes/pve1/storage/local-lvm/content", { vmid: 100 });
    expect(vols.map((v) => v.volid).sort()).toEqual(["local-lvm:vm-100-cloudinit", "local-lvm:vm-100-disk-0"]);
  });

  test("checks like PVE: idlist required, a locked VM refused, a missing VM 500", async () => {
    const missing = await api.put("/nodes/pve1/qemu/100/unlink", {});
    expect([missing.status, missing.body!.errors]).toEqual([400, { idlist: "property is missing and it is not optional" }]);
    sim.cluster.setLock(100, "backup");
    expect((await api.put("/nodes/pve1/qemu/100/unlink", { idlist: "scsi0" })).reason).toBe("VM is locked (backup)");
    expect(sim.cluster.guest(100)!.config.scsi0).toBeDefined();
    expect((await api.put("/nodes/pve1/qemu/999/unlink", { idlist: "scsi0" })).reason).toBe("Configuration file 'nodes/pve1/qemu-server/999.conf' does not exist");
  });
});
