/** Backups in the simulator: vzdump tasks and their logs, backup volumes in storage content, extractconfig, restores, DELETE of a volume, locks. */
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

const enc = encodeURIComponent;
const upidOf = (r: { body: { data: unknown } | null }): string => String(r.body!.data);
async function logOf(upid: string): Promise<string[]> {
  const node = upid.split(":")[1];
  const r = await api.get(`/nodes/${node}/tasks/${enc(upid)}/log`, { limit: 500 });
  return (r.body!.data as { t: string }[]).map((l) => l.t);
}
async function backups(node = "pve1", storage = "local"): Promise<Record<string, unknown>[]> {
  return api.data<Record<string, unknown>[]>(`/nodes/${node}/storage/${storage}/content`, { content: "backup" });
}

describe("vzdump", () => {
  test("backs a VM up: a vzdump task with PVE's log, lock: backup while it runs, a volume in the storage's content", async () => {
    const before = Date.now();
    const r = await api.post("/nodes/pve1/vzdump", { vmid: "100", storage: "local", mode: "snapshot", compress: "zstd", "notes-template": "{{guestname}}" });
    expect(r.status).toBe(200);
    const upid = upidOf(r);
    expect(upid).toMatch(/^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:vzdump:100:/);
    expect(await api.waitTask(upid)).toMatchObject({ exitstatus: "OK" });
    const log = await logOf(upid);
    expect(log[0]).toBe("INFO: starting new backup job: vzdump 100 --storage local --mode snapshot --compress zstd --node pve1 --notes-template '{{guestname}}'");
    expect(log).toEqual(expect.arrayContaining(["INFO: Starting Backup of VM 100 (qemu)", "INFO: VM Name: web-01", "INFO: backup mode: snapshot", "INFO: Backup job finished successfully", "TASK OK"]));
    expect(log.some((l) => /^INFO: Finished Backup of VM 100 \(\d\d:\d\d:\d\d\)$/.test(l))).toBe(true);
    expect(log.some((l) => /^INFO: 100% \(32\.0 GiB of 32\.0 GiB\)/.test(l))).toBe(true);
    const [vol] = await backups();
    expect(vol).toMatchObject({ content: "backup", format: "vma.zst", vmid: 100, subtype: "qemu", notes: "web-01" });
    expect(String(vol.volid)).toMatch(/^local:backup\/vzdump-qemu-100-\d{4}_\d\d_\d\d-\d\d_\d\d_\d\d\.vma\.zst$/);
    expect(Number(vol.ctime)).toBeGreaterThanOrEqual(Math.floor(before / 1000));
    expect(Number(vol.size)).toBeGreaterThan(0);
    expect(sim.cluster.guest(100)!.config.lock).toBeUndefined();
  });

  test("a batch on one node: guests elsewhere are skipped, a locked guest fails with PVE's reason and the job ends with 'job errors'", async () => {
    sim.cluster.setLock(101, "snapshot");
    const upid = upidOf(await api.post("/nodes/pve1/vzdump", { vmid: "100,101,102", storage: "nas01" }));
    expect(upid).toMatch(/:vzdump::/);
    expect(await api.waitTask(upid)).toMatchObject({ exitstatus: "job errors" });
    const log = await logOf(upid);
    expect(log).toEqual(expect.arrayContaining(["INFO: skip external VMs: 102", "ERROR: Backup of VM 101 failed - CT is locked (snapshot)", "INFO: Backup job finished with errors", "TASK ERROR: job errors"]));
    const vols = await backups("pve2", "nas01");
    expect(vols.map((v) => [v.vmid, v.format])).toEqual([[100, "vma"]]);
  });

  test("bad requests: no guest named, an unknown guest, a storage without backups", async () => {
    expect((await api.post("/nodes/pve1/vzdump", {})).body!.errors).toEqual({ vmid: "property is missing and it is not optional" });
    expect((await api.post("/nodes/pve1/vzdump", { vmid: "999" })).status).toBe(500);
    expect((await api.post("/nodes/pve1/vzdump", { vmid: "100", storage: "local-lvm" })).reason).toBe("storage 'local-lvm' does not support backups");
    expect((await api.post("/nodes/pve1/vzdump", { vmid: "100", mode: "fast" })).status).toBe(400);
  });

  test("the lock is held for the task's life: a snapshot meanwhile gets 'VM is locked (backup)'", async () => {
    sim.cluster.hangTasks(true);
    const upid = upidOf(await api.post("/nodes/pve1/vzdump", { vmid: "100" }));
    sim.cluster.hangTasks(false);
    for (let i = 0; i < 200 && sim.cluster.guest(100)!.config.lock !== "backup"; i++) await new Promise((r) => setTimeout(r, 2));
    const snap = await api.post("/nodes/pve1/qemu/100/snapshot", { snapname: "during" });
    expect([snap.status, snap.reason]).toEqual([500, "VM is locked (backup)"]);
    await api.waitTask(upid);
  });
});

describe("extractconfig, restore and DELETE", () => {
  async function backupOf(vmid: number, node = "pve1", storage = "local"): Promise<string> {
    const upid = upidOf(await api.post(`/nodes/${node}/vzdump`, { vmid: String(vmid), storage, compress: "zstd" }));
    expect(await api.waitTask(upid)).toMatchObject({ exitstatus: "OK" });
    const vols = await backups(node, storage);
    return String(vols.find((v) => v.vmid === vmid)!.volid);
  }

  test("extractconfig gives the config the guest had", async () => {
    const volid = await backupOf(100);
    const text = String((await api.get("/nodes/pve1/vzdump/extractconfig", { volume: volid })).body!.data);
    expect(text).toMatch(/^name: web-01$/m);
    expect(text).toMatch(/^scsi0: local-lvm:vm-100-disk-0,iothread=1,size=32G$/m);
    expect(text).toMatch(/^#qmdump#map:scsi0:drive-scsi0:local-lvm:raw:$/m);
  });

  test("restore to a new vmid: qmrestore, the archive's config on new volumes, unique MACs", async () => {
    const volid = await backupOf(100);
    sim.cluster.guest(100)!.config = { ...sim.cluster.guest(100)!.config, cores: 8 };
    const r = await api.post("/nodes/pve1/qemu", { vmid: 120, archive: volid, storage: "local-lvm", unique: 1 });
    const upid = upidOf(r);
    expect(upid).toMatch(/:qmrestore:120:/);
    expect(sim.cluster.guest(120)!.config.lock).toBe("create");
    expect(await api.waitTask(upid)).toMatchObject({ exitstatus: "OK" });
    const g = sim.cluster.guest(120)!;
    expect(g.config).toMatchObject({ name: "web-01", cores: 2, scsi0: "local-lvm:vm-120-disk-0,iothread=1,size=32G" });
    expect(g.config.lock).toBeUndefined();
    expect(String(g.config.net0)).not.toContain("BC:24:11:10:00:01");
    const log = await logOf(upid);
    expect(log[0]).toMatch(/^restore vma archive: zstd -q -d -c \/var\/lib\/vz\/dump\/vzdump-qemu-100-.*\.vma\.zst \| vma extract/);
    expect(log).toEqual(expect.arrayContaining(["DEV: dev_id=1 size: 34359738368 devname: drive-scsi0", '  Logical volume "vm-120-disk-0" created.', "rescan volumes...", "TASK OK"]));
  });

  test("a container restores with ostemplate + restore=1 (vzrestore)", async () => {
    const volid = await backupOf(101);
    expect(volid).toMatch(/vzdump-lxc-101-.*\.tar\.zst$/);
    const upid = upidOf(await api.post("/nodes/pve1/lxc", { vmid: 121, ostemplate: volid, restore: 1, storage: "local-lvm" }));
    expect(upid).toMatch(/:vzrestore:121:/);
    expect(await api.waitTask(upid)).toMatchObject({ exitstatus: "OK" });
    expect(sim.cluster.guest(121)!.config).toMatchObject({ hostname: "dns-01", rootfs: "local-lvm:vm-121-disk-0,size=8G" });
    expect(await logOf(upid)).toEqual(expect.arrayContaining([`recovering backed-up configuration from '${volid}'`, "merging backed-up and given configuration..", "TASK OK"]));
  });

  test("over an existing guest: refused without force; with force refused while it runs or is protected; else replaced", async () => {
    const volid = await backupOf(100);
    const exists = await api.post("/nodes/pve1/qemu", { vmid: 100, archive: volid });
    expect([exists.status, exists.reason]).toEqual([500, "unable to restore VM 100 - VM 100 already exists on node 'pve1'"]);
    const running = await api.waitTask(upidOf(await api.post("/nodes/pve1/qemu", { vmid: 100, archive: volid, force: 1 })));
    expect(running.exitstatus).toBe("unable to restore VM 100 - vm is running");
    expect(sim.cluster.guest(100)!.config.lock).toBeUndefined();
    sim.cluster.guest(100)!.status = "stopped";
    sim.cluster.guest(100)!.config = { ...sim.cluster.guest(100)!.config, protection: 1, cores: 6 };
    const prot = await api.waitTask(upidOf(await api.post("/nodes/pve1/qemu", { vmid: 100, archive: volid, force: 1 })));
    expect(prot.exitstatus).toBe("unable to restore VM 100 - protection mode enabled");
    expect(sim.cluster.guest(100)!.config).toMatchObject({ cores: 6, protection: 1 });
    const c = { ...sim.cluster.guest(100)!.config };
    delete c.protection;
    sim.cluster.guest(100)!.config = c;
    expect(await api.waitTask(upidOf(await api.post("/nodes/pve1/qemu", { vmid: 100, archive: volid, force: 1 })))).toMatchObject({ exitstatus: "OK" });
    expect(sim.cluster.guest(100)!.config.cores).toBe(2);
    const conflict = await api.post("/nodes/pve1/qemu", { vmid: 130, archive: volid, cores: 2 });
    expect(conflict.body!.errors).toEqual({ archive: "option conflicts with other options (cores)" });
  });

  test("DELETE of a backup volume: an imgdel task; a protected one fails; an unknown one is a 500", async () => {
    const volid = await backupOf(100);
    const upid = upidOf(await api.del(`/nodes/pve1/storage/local/content/${enc(volid)}`));
    expect(upid).toMatch(/:imgdel::/);
    expect(await api.waitTask(upid)).toMatchObject({ exitstatus: "OK" });
    expect(await backups()).toEqual([]);
    expect((await api.del(`/nodes/pve1/storage/local/content/${enc(volid)}`)).reason).toBe(`volume '${volid}' does not exist`);
    const p = upidOf(await api.post("/nodes/pve1/vzdump", { vmid: "100", protected: 1 }));
    await api.waitTask(p);
    const [kept] = await backups();
    expect(kept.protected).toBe(1);
    const del = await api.waitTask(upidOf(await api.del(`/nodes/pve1/storage/local/content/${enc(String(kept.volid))}`)));
    expect(del.exitstatus).toBe(`cannot remove protected volume '${String(kept.volid)}' on storage 'local'`);
    const iso = await api.del(`/nodes/pve1/storage/local/content/${enc("local:iso/debian-12.8.0-amd64-netinst.iso")}`, { delay: 5 });
    expect([iso.status, iso.body!.data]).toEqual([200, null]);
  });
});
