/** Create, clone, resize, reconfigure, snapshot, template and destroy: effects on the model and the API. */
import { resolve } from "node:path";
import { startSimulator, type RunningSimulator } from "../../src/sim/index.js";
import { Api, seedsDir } from "./helpers.js";

let sim: RunningSimulator;
let api: Api;
beforeEach(async () => {
  sim = await startSimulator({ seed: resolve(seedsDir, "small.yaml"), taskDelayMs: 5 });
  api = new Api(sim);
});
afterEach(() => sim.close());

const run = async (p: Promise<{ status: number; reason: string; body: { data: unknown } | null }>) => {
  const r = await p;
  if (r.status !== 200) throw new Error(`${r.status} ${r.reason}`);
  return api.waitTask(r.body!.data);
};

test("create a VM: disks allocated, MAC generated, cloud-init drive, tags sorted, lock while creating", async () => {
  sim.cluster.hangTasks(true);
  const r = await api.post("/nodes/pve1/qemu", {
    vmid: 103, name: "web-02", cores: 2, sockets: 1, memory: 2048, cpu: "x86-64-v2-AES", scsihw: "virtio-scsi-single",
    scsi0: "local-lvm:32,iothread=1", scsi1: "local-lvm:10", net0: "virtio,bridge=vmbr0,firewall=1", ide2: "local-lvm:cloudinit",
    ipconfig0: "ip=10.0.10.22/24,gw=10.0.10.1", ciuser: "debian", sshkeys: encodeURIComponent("ssh-ed25519 AAAA admin@mgmt"),
    tags: "web;prod", onboot: 1, agent: "1", start: 1,
  });
  expect(String(r.body!.data)).toMatch(/:qmcreate:103:/);
  expect(sim.cluster.guest(103)!.config.lock).toBe("create");
  expect((await api.get("/cluster/nextid")).body!.data).toBe("104");
  sim.cluster.hangTasks(false);
  expect((await api.waitTask(r.body!.data)).exitstatus).toBe("OK");
  const log = await api.data<{ n: number; t: string }[]>(`/nodes/pve1/tasks/${encodeURIComponent(String(r.body!.data))}/log`);
  expect(log.map((l) => l.t)).toEqual(['  Logical volume "vm-103-disk-0" created.', '  Logical volume "vm-103-disk-1" created.', "generating cloud-init ISO", "TASK OK"]);
  expect(log.map((l) => l.n)).toEqual([1, 2, 3, 4]);
  const c = await api.data("/nodes/pve1/qemu/103/config");
  expect(c).toMatchObject({
    name: "web-02", cores: 2, memory: "2048", onboot: 1, agent: "1", tags: "prod;web",
    scsi0: "local-lvm:vm-103-disk-0,iothread=1,size=32G", scsi1: "local-lvm:vm-103-disk-1,size=10G",
    ide2: "local-lvm:vm-103-cloudinit,media=cdrom", boot: "order=scsi0;scsi1;net0",
    sshkeys: "ssh-ed25519%20AAAA%20admin%40mgmt",
  });
  expect(c.net0).toMatch(/^virtio=BC:24:11:[0-9A-F]{2}:[0-9A-F]{2}:[0-9A-F]{2},bridge=vmbr0,firewall=1$/);
  expect(c.lock).toBeUndefined();
  expect(c.smbios1).toMatch(/^uuid=[0-9a-f-]{36}$/);
  expect(sim.cluster.guest(103)!.status).toBe("running");
  const vols = await api.data<{ volid: string; vmid?: number; size: number }[]>("/nodes/pve1/storage/local-lvm/content", { vmid: 103 });
  expect(vols.map((v) => [v.volid, v.size])).toEqual(expect.arrayContaining([["local-lvm:vm-103-disk-0", 32 * 1024 ** 3], ["local-lvm:vm-103-disk-1", 10 * 1024 ** 3]]));
});

test("create with an existing vmid → 500 unable to create VM … already exists on node", async () => {
  const r = await api.post("/nodes/pve2/qemu", { vmid: 101 });
  expect([r.status, r.reason]).toEqual([500, "unable to create VM 101 - CT 101 already exists on node 'pve1'"]);
});

test("storage checks at create: content type and existence", async () => {
  const r = await api.post("/nodes/pve1/qemu", { vmid: 110, scsi0: "local:8" });
  expect([r.status, r.reason]).toEqual([500, "storage 'local' does not support vm images"]);
  expect(sim.cluster.guest(110)).toBeUndefined();
  const iso = await api.post("/nodes/pve1/qemu", { vmid: 111, ide2: "local:iso/missing.iso,media=cdrom" });
  expect(iso.reason).toBe("volume 'local:iso/missing.iso' does not exist");
});

test("create a container: template must exist; hwaddr and type=veth added; PVE's default keys", async () => {
  await run(api.post("/nodes/pve1/lxc", {
    vmid: 120, hostname: "cache-01", ostemplate: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
    rootfs: "local-lvm:8", net0: "name=eth0,bridge=vmbr0,ip=dhcp", unprivileged: 1, features: "nesting=1", cores: 2, password: "secret123",
  }));
  const c = await api.data("/nodes/pve1/lxc/120/config");
  expect(c).toMatchObject({ hostname: "cache-01", arch: "amd64", ostype: "debian", memory: 512, swap: 512, unprivileged: 1, cores: 2, rootfs: "local-lvm:vm-120-disk-0,size=8G" });
  expect(c.net0).toMatch(/^name=eth0,bridge=vmbr0,hwaddr=BC:24:11:[0-9A-F:]{8},ip=dhcp,type=veth$/);
  expect(c.password).toBeUndefined();
  const failed = await run(api.post("/nodes/pve1/lxc", { vmid: 121, ostemplate: "local:vztmpl/alpine-3.10-default_20190626_amd64.tar.xz", rootfs: "local-lvm:4" }));
  expect(failed.exitstatus).toBe("unable to create CT 121 - volume 'local:vztmpl/alpine-3.10-default_20190626_amd64.tar.xz' does not exist");
  expect(sim.cluster.guest(121)).toBeUndefined();
});

test("linked clone of a template, full clone to another storage, and their rules", async () => {
  const upid = (await api.post("/nodes/pve1/qemu/9000/clone", { newid: 130, name: "app-01" })).body!.data;
  expect(String(upid)).toMatch(/:qmclone:9000:/);
  await api.waitTask(upid);
  const linked = sim.cluster.guest(130)!.config;
  expect(linked).toMatchObject({ name: "app-01", scsi0: "local-lvm:base-9000-disk-0/vm-130-disk-0,size=3G", ide2: "local-lvm:vm-130-cloudinit,media=cdrom", ciuser: "debian" });
  expect(linked.template).toBeUndefined();
  expect(linked.net0).not.toBe(sim.cluster.guest(9000)!.config.net0);
  await run(api.post("/nodes/pve1/qemu/9000/clone", { newid: 131, full: 1, storage: "nas01" }));
  expect(sim.cluster.guest(131)!.config).toMatchObject({ name: "Copy-of-VM-debian-12-cloudinit", scsi0: "nas01:131/vm-131-disk-0.qcow2,size=3G" });
  const notTemplate = await api.post("/nodes/pve1/qemu/100/clone", { newid: 132, full: 0 });
  expect([notTemplate.status, notTemplate.reason]).toEqual([500, "linked clone feature is only available for templates"]);
  const taken = await api.post("/nodes/pve1/qemu/9000/clone", { newid: 100 });
  expect(taken.status).toBe(500);
  const destroy = await run(api.del("/nodes/pve1/qemu/9000"));
  expect(destroy.exitstatus).toBe("base volume 'local-lvm:base-9000-disk-0' is still in use by linked clone 130");
  expect(sim.cluster.guest(9000)!.config.lock).toBeUndefined();
});

test("resize: a task since qemu-server 8.0.2 (grow with +size or to a size; shrinking fails the task)", async () => {
  const grow = await api.put("/nodes/pve1/qemu/100/resize", { disk: "scsi0", size: "+8G" });
  expect(String(grow.body!.data)).toMatch(/^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:resize:100:root@pam!mpc:$/);
  expect((await api.waitTask(grow.body!.data)).exitstatus).toBe("OK");
  expect(sim.cluster.guest(100)!.config.scsi0).toBe("local-lvm:vm-100-disk-0,iothread=1,size=40G");
  await api.waitTask((await api.put("/nodes/pve1/qemu/100/resize", { disk: "scsi0", size: "50G" })).body!.data);
  expect(sim.cluster.guest(100)!.config.scsi0).toBe("local-lvm:vm-100-disk-0,iothread=1,size=50G");
  const shrink = await api.waitTask((await api.put("/nodes/pve1/qemu/100/resize", { disk: "scsi0", size: "10G" })).body!.data);
  expect(shrink.exitstatus).toBe("shrinking disks is not supported");
  expect((await api.waitTask((await api.put("/nodes/pve1/qemu/100/resize", { disk: "scsi5", size: "+1G" })).body!.data)).exitstatus).toBe("disk 'scsi5' does not exist");
  const ct = await api.put("/nodes/pve1/lxc/101/resize", { disk: "rootfs", size: "+2G" });
  await api.waitTask(ct.body!.data);
  expect(sim.cluster.guest(101)!.config.rootfs).toBe("local-lvm:vm-101-disk-0,size=10G");
});

test("resize with resizeReturnsTask: false answers null and refuses at once, as PVE 6.2–8.0 (the recorded fixtures)", async () => {
  const old = await startSimulator({ seed: resolve(seedsDir, "small.yaml"), taskDelayMs: 1, resizeReturnsTask: false });
  try {
    const oldApi = new Api(old);
    const grow = await oldApi.put("/nodes/pve1/qemu/100/resize", { disk: "scsi0", size: "+8G" });
    expect([grow.status, grow.body!.data]).toEqual([200, null]);
    expect(old.cluster.guest(100)!.config.scsi0).toBe("local-lvm:vm-100-disk-0,iothread=1,size=40G");
    const shrink = await oldApi.put("/nodes/pve1/qemu/100/resize", { disk: "scsi0", size: "10G" });
    expect([shrink.status, shrink.reason]).toEqual([500, "shrinking disks is not supported"]);
  } finally {
    await old.close();
  }
});

test("config changes: delete moves disks to unusedN, set-and-delete is refused, NIC keeps its MAC", async () => {
  expect((await api.put("/nodes/pve1/qemu/100/config", { scsi1: "local-lvm:4" })).status).toBe(200);
  await api.put("/nodes/pve1/qemu/100/config", { delete: "scsi1,ciuser" });
  const c = sim.cluster.guest(100)!.config;
  expect(c).toMatchObject({ unused0: "local-lvm:vm-100-disk-1" });
  expect(c.scsi1).toBeUndefined();
  expect(c.ciuser).toBeUndefined();
  await api.put("/nodes/pve1/qemu/100/config", { net0: "virtio,bridge=vmbr1,tag=30" });
  expect(sim.cluster.guest(100)!.config.net0).toBe("virtio=BC:24:11:10:00:01,bridge=vmbr1,tag=30");
  const both = await api.put("/nodes/pve1/qemu/100/config", { cores: 2, delete: "cores" });
  expect([both.status, both.body!.errors]).toEqual([400, { delete: "you can't use '-cores' and -delete cores' at the same time" }]);
});

test("snapshots: create, list with current, rollback, delete", async () => {
  await run(api.post("/nodes/pve1/qemu/100/snapshot", { snapname: "before-upgrade", description: "pre" }));
  await api.put("/nodes/pve1/qemu/100/config", { cores: 8 });
  const list = await api.data<Record<string, unknown>[]>("/nodes/pve1/qemu/100/snapshot");
  expect(list.map((s) => s.name)).toEqual(["before-upgrade", "current"]);
  expect(list[1]).toMatchObject({ description: "You are here!", parent: "before-upgrade", running: 1 });
  expect(await api.data("/nodes/pve1/qemu/100/snapshot/before-upgrade/config")).toMatchObject({ cores: 2, description: "pre" });
  const dup = await api.post("/nodes/pve1/qemu/100/snapshot", { snapname: "before-upgrade" });
  expect(dup.reason).toBe("snapshot name 'before-upgrade' already used");
  await run(api.post("/nodes/pve1/qemu/100/snapshot/before-upgrade/rollback"));
  expect(sim.cluster.guest(100)!.config).toMatchObject({ cores: 2, parent: "before-upgrade" });
  expect(sim.cluster.guest(100)!.status).toBe("stopped");
  await run(api.del("/nodes/pve1/qemu/100/snapshot/before-upgrade"));
  expect(await api.data<unknown[]>("/nodes/pve1/qemu/100/snapshot")).toHaveLength(1);
  expect(sim.cluster.guest(100)!.config.parent).toBeUndefined();
  expect((await api.del("/nodes/pve1/qemu/100/snapshot/nope")).reason).toBe("snapshot 'nope' does not exist");
});

test("convert to template: disks become base volumes", async () => {
  const running = await api.post("/nodes/pve1/qemu/100/template");
  expect(running.reason).toBe("you can't convert a VM to template if VM is running");
  await run(api.post("/nodes/pve1/qemu/100/status/stop"));
  await run(api.post("/nodes/pve1/qemu/100/template"));
  expect(sim.cluster.guest(100)!.config).toMatchObject({ template: 1, scsi0: "local-lvm:base-100-disk-0,iothread=1,size=32G", ide2: "local-lvm:vm-100-cloudinit,media=cdrom" });
  const start = await run(api.post("/nodes/pve1/qemu/100/status/start"));
  expect(start.exitstatus).toBe("you can't start a vm if it's a template");
});

test("destroy: refused while running or protected, else the guest is gone", async () => {
  const running = await api.del("/nodes/pve1/qemu/100");
  expect([running.status, running.reason]).toEqual([500, "VM 100 is running - destroy failed"]);
  const ct = await api.del("/nodes/pve1/lxc/101");
  expect(ct.reason).toBe("unable to destroy CT 101 - container is running");
  const prot = await api.del("/nodes/pve2/qemu/102");
  expect([prot.status, prot.reason]).toEqual([500, "can't remove VM 102 - protection mode enabled"]);
  await api.put("/nodes/pve2/qemu/102/config", { delete: "protection" });
  const upid = (await api.del("/nodes/pve2/qemu/102")).body!.data;
  expect(String(upid)).toMatch(/:qmdestroy:102:/);
  await api.waitTask(upid);
  expect(sim.cluster.guest(102)).toBeUndefined();
  expect((await api.get("/nodes/pve2/qemu/102/config")).reason).toBe("Configuration file 'nodes/pve2/qemu-server/102.conf' does not exist");
});

test("guest agent and container interfaces report the configured addresses", async () => {
  const agent = await api.data<{ result: { name: string; "ip-addresses": { "ip-address": string }[] }[] }>("/nodes/pve1/qemu/100/agent/network-get-interfaces");
  expect(agent.result.map((i) => i["ip-addresses"][0]["ip-address"])).toEqual(["127.0.0.1", "10.0.10.21"]);
  const ifaces = await api.data<{ name: string; inet: string }[]>("/nodes/pve1/lxc/101/interfaces");
  expect(ifaces.find((i) => i.name === "eth0")!.inet).toBe("10.0.10.53/24");
  expect((await api.get("/nodes/pve2/qemu/102/agent/network-get-interfaces")).reason).toBe("No QEMU guest agent configured");
});
