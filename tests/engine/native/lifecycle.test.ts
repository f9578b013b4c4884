/**
 * The native engine against the simulator through a guest's life: adoption
 * without changes, create, clone, edits of cores and disk size, removal from
 * the files, destroy with targets. Each test starts from its own freshly
 * adopted workspace and creates what it needs; each step checks the plan
 * (JSON and text), the apply result, the cluster, and that a second plan
 * shows no changes.
 */
import { unlink } from "node:fs/promises";
import { join } from "node:path";
import { nativeEngine, readManaged } from "../../../src/engine/native/index.js";
import type { NativeChange, NativePlan } from "../../../src/engine/native/types.js";
import { newGuestSpec, type GuestSpec } from "../../../src/iac/model.js";
import { nativeWorkspace, newVm, type NativeWorkspace } from "./helpers.js";
import { DEBIAN_CT, DNS, FOREIGN, seed, TEMPLATE, VAULT, WEB } from "./seed.js";

let ws: NativeWorkspace;
let specs: GuestSpec[];
const plan = (options = {}): Promise<NativePlan> => nativeEngine.plan(ws.ctx(), options) as Promise<NativePlan>;
const NO_CHANGES = "No changes. Your infrastructure matches the configuration.";
const app01 = (): GuestSpec => newVm({ name: "app-01", vmid: 300, node: "pve2", cores: 2, memory: 1536, diskGiB: 20, ip: "10.0.5.10/24", gateway: "10.0.5.1" });

beforeEach(async () => {
  ws = await nativeWorkspace({ seed: seed() });
  specs = await ws.adopt([WEB, DNS, VAULT, TEMPLATE]);
});
afterEach(() => ws.close());

/** Add guests to the files and apply them (the starting point of a test). */
async function created(...guests: GuestSpec[]): Promise<void> {
  specs.push(...guests);
  await ws.write(specs);
  await applyOk(await plan());
}

async function applyOk(p: NativePlan): Promise<void> {
  const result = await nativeEngine.apply(ws.ctx(), p);
  expect(result.steps.map((s) => [s.change.name, s.status, s.message])).toEqual(p.changes.map((c) => [c.name, "done", undefined]));
  expect(result.ok).toBe(true);
  expect(result.text).toMatch(/^Apply complete! Resources: /m);
}

it("adopted guests plan no changes, and a guest the workspace does not own is left out", async () => {
  const p = await plan();
  expect(p.engine).toBe("native");
  expect(p.changes).toEqual([]);
  expect(p.summary).toEqual({ create: 0, update: 0, delete: 0, replace: 0 });
  expect(p.text).toBe(NO_CHANGES);
  expect([...(await readManaged(ws.dir)).keys()].sort()).toEqual([WEB, DNS, VAULT, TEMPLATE].sort());
});

it("creates a VM: plan shows one create, apply builds it, the next plan is empty", async () => {
  specs.push(app01());
  await ws.write(specs);
  const p = await plan();
  expect(p.summary).toEqual({ create: 1, update: 0, delete: 0, replace: 0 });
  const change = p.changes[0];
  expect(change).toMatchObject({ action: "create", type: "qemu", name: "app-01", vmid: 300, node: "pve2", address: "proxmox_virtual_environment_vm.app_01" });
  expect(change.diff.cores).toEqual([null, 2]);
  expect(change.diff.memory).toEqual([null, 1536]);
  expect(p.text).toContain("  + create  app-01 (qemu 300 on pve2)");
  expect(p.text).toContain("      + cores = 2");
  expect(p.text.split("\n").pop()).toBe("Plan: 1 to add, 0 to change, 0 to destroy, 0 to replace.");

  await applyOk(p);
  const g = ws.sim.cluster.guest(300)!;
  expect(g).toMatchObject({ node: "pve2", type: "qemu", status: "running" });
  expect(g.config).toMatchObject({ name: "app-01", cores: 2, memory: "1536", ipconfig0: "ip=10.0.5.10/24,gw=10.0.5.1" });
  expect(g.config.scsi0).toMatch(/^local-lvm:vm-300-disk-0,.*size=20G/);
  expect(g.config.net0).toMatch(/^virtio=BC:24:11:[0-9A-F:]{8},bridge=vmbr0,firewall=1$/);
  expect((await readManaged(ws.dir)).get(300)).toEqual({ vmid: 300, name: "app-01", node: "pve2", type: "qemu", address: "proxmox_virtual_environment_vm.app_01" });
  expect((await plan()).text).toBe(NO_CHANGES);
});

it("creates a VM by cloning a template, then a container from an OS template", async () => {
  specs.push(newVm({ name: "app-02", vmid: 301, node: "pve1", clone: { vmId: TEMPLATE }, diskGiB: 10 }));
  specs.push(newGuestSpec({ kind: "lxc", name: "cache-01", vmid: 302, node: "pve2", ostemplate: DEBIAN_CT, cores: 1, memory: 256, diskGiB: 4 }));
  await ws.write(specs);
  const p = await plan();
  expect(p.changes.map((c: NativeChange) => [c.action, c.name, c.cloneOf])).toEqual([
    ["create", "app-02", TEMPLATE],
    ["create", "cache-01", undefined],
  ]);
  expect(p.text).toContain("  + create  app-02 (qemu 301 on pve1, clone of 9000)");

  await applyOk(p);
  const clone = ws.sim.cluster.guest(301)!;
  expect(clone.status).toBe("running");
  expect(clone.config).toMatchObject({ name: "app-02", cores: 2, memory: "1024" });
  // A full clone of the template's 3G disk, grown to the 10G of the file; the template's serial console is gone.
  expect(clone.config.scsi0).toMatch(/^local-lvm:vm-301-disk-0,.*size=10G/);
  expect(clone.config.serial0).toBeUndefined();
  const ct = ws.sim.cluster.guest(302)!;
  expect(ct).toMatchObject({ type: "lxc", node: "pve2", status: "running" });
  expect(ct.config).toMatchObject({ hostname: "cache-01", memory: 256, unprivileged: 1 });
  expect(ct.config.rootfs).toMatch(/size=4G/);
  expect((await plan()).text).toBe(NO_CHANGES);
});

it("a new template is made before the guests cloned from it", async () => {
  const template = { ...newVm({ name: "tpl-01", vmid: 9100, node: "pve1", diskGiB: 12 }), template: true, started: false };
  // Listed first in the files, the clone still has to wait for its template.
  specs.push(newVm({ name: "linked-01", vmid: 303, node: "pve1", clone: { vmId: 9100, full: false }, diskGiB: 12 }), template);
  await ws.write(specs);
  const p = await plan();
  expect(p.changes.map((c) => [c.action, c.name])).toEqual([
    ["create", "tpl-01"],
    ["create", "linked-01"],
  ]);
  await applyOk(p);
  const tpl = ws.sim.cluster.guest(9100)!;
  expect(tpl.config.template).toBe(1);
  expect(tpl.config.scsi0).toMatch(/^local-lvm:base-9100-disk-0,/);
  const linked = ws.sim.cluster.guest(303)!;
  expect(linked.config.scsi0).toMatch(/^local-lvm:base-9100-disk-0\/vm-303-disk-0,.*size=12G/);
  expect(linked.status).toBe("running");
  expect((await plan()).text).toBe(NO_CHANGES);
});

it("an edited core count is an in-place update", async () => {
  await created(app01());
  await ws.edit("app_01.tf", (t) => t.replace(/(\bcores\s*=\s*)2\b/, "$14"));
  const p = await plan();
  expect(p.changes).toHaveLength(1);
  expect(p.changes[0]).toMatchObject({ action: "update", name: "app-01", vmid: 300, diff: { cores: [2, 4] } });
  expect(p.text).toContain("  ~ update in-place  app-01 (qemu 300 on pve2)");
  expect(p.text).toContain("      ~ cores: 2 → 4");
  expect(p.text.split("\n").pop()).toBe("Plan: 0 to add, 1 to change, 0 to destroy, 0 to replace.");
  await applyOk(p);
  expect(ws.sim.cluster.guest(300)!.config.cores).toBe(4);
  expect((await plan()).text).toBe(NO_CHANGES);
});

it("a bigger disk is grown in place, keeping its volume", async () => {
  await created(app01());
  await ws.edit("app_01.tf", (t) => t.replace(/(\bsize\s*=\s*)20\b/, "$140"));
  const p = await plan();
  expect(p.changes).toHaveLength(1);
  expect(p.changes[0]).toMatchObject({ action: "update", diff: { "disk.scsi0.size": ["20G", "40G"] } });
  await applyOk(p);
  expect(ws.sim.cluster.guest(300)!.config.scsi0).toMatch(/^local-lvm:vm-300-disk-0,.*size=40G/);
  expect((await plan()).text).toBe(NO_CHANGES);
});

it("a smaller disk or another node means a replacement, with the reason", async () => {
  await created(app01());
  await ws.edit("app_01.tf", (t) => t.replace(/(\bsize\s*=\s*)20\b/, "$110"));
  let p = await plan();
  expect(p.changes[0]).toMatchObject({ action: "replace", name: "app-01", diff: { "disk.scsi0.size": ["20G", "10G"] } });
  expect(p.changes[0].reason).toMatch(/disk\.scsi0 would shrink from 20G to 10G \(disks cannot shrink\)/);
  expect(p.text).toContain("-/+ replace  app-01 (qemu 300 on pve2): disk.scsi0 would shrink");
  expect(p.summary.replace).toBe(1);
  await ws.edit("app_01.tf", (t) => t.replace(/(\bsize\s*=\s*)10\b/, "$120").replace(/node_name\s*=\s*"pve2"/, 'node_name = "pve1"'));
  p = await plan();
  expect(p.changes[0]).toMatchObject({ action: "replace", diff: { node: ["pve2", "pve1"] } });
  expect(p.changes[0].reason).toMatch(/node pve2 → pve1: the native engine does not migrate guests/);
  await ws.edit("app_01.tf", (t) => t.replace(/node_name\s*=\s*"pve1"/, 'node_name = "pve2"'));
  expect((await plan()).text).toBe(NO_CHANGES);
});

it("a replacement is applied as destroy, then create", async () => {
  await created(app01());
  await ws.edit("app_01.tf", (t) => t.replace(/node_name\s*=\s*"pve2"/, 'node_name = "pve1"'));
  const p = await plan();
  expect(p.changes.map((c) => [c.action, c.name])).toEqual([["replace", "app-01"]]);
  await applyOk(p);
  const g = ws.sim.cluster.guest(300)!;
  expect(g).toMatchObject({ node: "pve1", status: "running" });
  expect(g.config).toMatchObject({ cores: 2, name: "app-01" });
  expect(g.config.scsi0).toMatch(/^local-lvm:vm-300-disk-0,.*size=20G/);
  expect(ws.sim.cluster.guestsOn("pve2").map((x) => x.vmid)).not.toContain(300);
  expect((await readManaged(ws.dir)).get(300)?.node).toBe("pve1");
  expect((await plan()).text).toBe(NO_CHANGES);
});

it("a managed guest removed from the files is destroyed; others' guests are never planned", async () => {
  await created(newVm({ name: "app-02", vmid: 301, node: "pve1", diskGiB: 10 }));
  await unlink(join(ws.tfDir, "app_02.tf"));
  const p = await plan();
  expect(p.changes.map((c) => [c.action, c.name, c.vmid])).toEqual([["delete", "app-02", 301]]);
  expect(p.text).toContain("  - destroy  app-02 (qemu 301 on pve1)");
  expect(p.text.split("\n").pop()).toBe("Plan: 0 to add, 0 to change, 1 to destroy, 0 to replace.");
  await applyOk(p);
  expect(ws.sim.cluster.guest(301)).toBeUndefined();
  expect((await readManaged(ws.dir)).has(301)).toBe(false);
  expect(ws.sim.cluster.guest(FOREIGN)!.status).toBe("running");
  expect((await plan()).text).toBe(NO_CHANGES);
});

it("destroy with targets destroys only those guests", async () => {
  await created(app01(), newGuestSpec({ kind: "lxc", name: "cache-01", vmid: 302, node: "pve2", ostemplate: DEBIAN_CT, cores: 1, memory: 256, diskGiB: 4 }));
  const p = await plan({ destroy: true, targets: ["cache-01"] });
  expect(p.changes.map((c) => [c.action, c.name])).toEqual([["delete", "cache-01"]]);
  await applyOk(p);
  expect(ws.sim.cluster.guest(302)).toBeUndefined();
  expect(ws.sim.cluster.guest(300)).toBeDefined();
  // Its file is still there: a normal plan wants it back, like terraform after a targeted destroy.
  expect((await plan()).changes.map((c) => [c.action, c.name])).toEqual([["create", "cache-01"]]);
  await expect(plan({ destroy: true, targets: ["nope"] })).rejects.toMatchObject({ exitCode: 2, message: "Not a guest of this workspace: nope." });
});

it("a full destroy plans every managed guest and nothing else", async () => {
  await expect(plan({ destroy: true })).rejects.toThrow("vault-01 has protection enabled in Proxmox; turn it off first.");
  const p = await plan({ destroy: true, targets: ["web-01", "dns-01", "debian-12-cloudinit"] });
  expect(p.changes.map((c) => c.vmid)).toEqual([WEB, DNS, TEMPLATE]);
  expect(p.changes.every((c) => c.action === "delete")).toBe(true);
});
