/**
 * Creating guests: POST /nodes/{node}/qemu and /lxc (qmcreate/vzcreate
 * tasks; the guest exists at once with `lock: create`), and clones
 * (qmclone/vzclone; full copies or linked clones of templates).
 */
import { simGuest } from "../cluster.js";
import { applyConfig, defaultBootOrder } from "../config-change.js";
import { newVolumeId, usableStorage } from "../disks.js";
import { isDiskKey } from "../../pve/guest-config.js";
import { printProps } from "../../pve/property-string.js";
import { printSize } from "../../pve/size.js";
import { guestDisks, parseDisk } from "../guest-config.js";
import { flag, guestAt, kindWord, startTask, str, taskType, type HandlerContext, type RouteTable } from "../handler.js";
import { paramError, serverError } from "../pve-error.js";
import { cloneLines, createLines, startLines } from "../task-logs.js";
import { Random, hash32 } from "../random.js";
import type { GuestConfig, GuestType, SimGuest } from "../types.js";

function assertFree(ctx: HandlerContext, vmid: number, type: GuestType, verb = "create"): void {
  const existing = ctx.cluster.guest(vmid);
  if (existing) {
    throw serverError(`unable to ${verb} ${kindWord(type)} ${vmid} - ${kindWord(existing.type)} ${vmid} already exists on node '${existing.node}'`);
  }
}

function identity(vmid: number, now: number): { smbios1: string; vmgenid: string; meta: string } {
  const r = new Random(hash32(`${vmid}:${now}`));
  return { smbios1: `uuid=${r.uuid()}`, vmgenid: r.uuid(), meta: `creation-qemu=8.1.5,ctime=${Math.floor(now / 1000)}` };
}

function newGuest(ctx: HandlerContext, type: GuestType, vmid: number, node: string, config: GuestConfig): SimGuest {
  const r = new Random(hash32(`load:${vmid}`));
  return simGuest({
    vmid, type, node, status: "stopped", config, snapshots: [], ctime: Math.floor(ctx.now / 1000),
    pool: str(ctx, "pool"),
    load: { cpu: r.int(1, 300) / 1000, mem: r.int(300, 800) / 1000, disk: r.int(50, 400) / 1000 },
  });
}

/** The task effect shared by create and clone: clear the lock, start if asked. */
function finishCreate(ctx: HandlerContext, g: SimGuest, start: boolean): void {
  const { lock: _lock, ...rest } = g.config;
  g.config = rest;
  if (start) {
    g.status = "running";
    g.startedAt = Date.now();
  }
  ctx.cluster.touch();
}

/**
 * A container's volumes as PVE's create takes them: rootfs defaults to
 * `STORAGE:4`, a bare size (`rootfs=4`, `mp0=2,mp=/data`) is allocated on the
 * `storage` parameter (default `local`), and every volume's storage must hold
 * container directories (else 400 on `storage`).
 */
function ctVolumes(ctx: HandlerContext, node: string, params: Record<string, string | boolean>): void {
  const storage = str(ctx, "storage") ?? "local";
  params.rootfs ??= `${storage}:4`;
  for (const key of Object.keys(params).filter((k) => k === "rootfs" || /^mp\d+$/.test(k))) {
    const value = String(params[key]);
    const head = value.split(",")[0];
    if (/^\d+(\.\d+)?$/.test(head)) params[key] = `${storage}:${value}`;
    const disk = parseDisk(String(params[key]));
    if (!disk.storage) continue;
    const s = ctx.cluster.storages.get(disk.storage);
    if (!s) throw serverError(`storage '${disk.storage}' does not exist`);
    if (s.nodes && !s.nodes.includes(node)) throw serverError(`storage '${disk.storage}' is not available on node '${node}'`);
    if (!s.content.includes("rootdir")) throw paramError({ storage: `storage '${disk.storage}' does not support container directories` });
  }
}

/** PVE's check for a new guest: VM.Allocate on /vms/{vmid}, or on the pool it goes into. */
export function requireAllocate(ctx: HandlerContext, vmid: number, pool: string | undefined): void {
  if (!ctx.principal.has(`/vms/${vmid}`, "VM.Allocate") && !(pool && ctx.principal.has(`/pool/${pool}`, "VM.Allocate"))) {
    ctx.principal.require(`/vms/${vmid}`, ["VM.Allocate"]);
  }
}

function create(type: GuestType) {
  return (ctx: HandlerContext): string => {
    const { cluster } = ctx;
    const node = String(ctx.params.node);
    const vmid = Number(ctx.params.vmid);
    const pool = str(ctx, "pool");
    requireAllocate(ctx, vmid, pool);
    assertFree(ctx, vmid, type);
    const g = newGuest(ctx, type, vmid, node, {});
    const params = { ...ctx.params };
    if (type === "lxc") {
      const template = String(params.ostemplate);
      ctVolumes(ctx, node, params);
      params.arch ??= "amd64";
      params.ostype ??= /(debian|ubuntu|alpine|centos|fedora|archlinux|rocky|alma)/.exec(template)?.[1]?.replace("rocky", "centos").replace("alma", "centos") ?? "unmanaged";
      params.memory ??= "512";
      params.swap ??= "512";
      params.hostname ??= `CT${vmid}`;
    }
    applyConfig(cluster, g, params);
    if (type === "qemu") {
      g.config = { ...identity(vmid, ctx.now), ...g.config };
      const boot = defaultBootOrder(g.config);
      if (g.config.boot === undefined && boot) g.config.boot = boot;
    }
    g.config.lock = "create";
    cluster.addGuest(g);
    return startTask(ctx, {
      type: taskType(type, "create"),
      id: String(vmid),
      lock: { type, vmid },
      work: (log) => {
        const template = type === "lxc" ? String(ctx.params.ostemplate) : undefined;
        if (template) {
          const s = cluster.storages.get(template.split(":")[0]);
          if (!s || !cluster.staticVolumes(node, s).some((v) => v.volid === template)) {
            throw new Error(`unable to create CT ${vmid} - volume '${template}' does not exist`);
          }
        }
        createLines(cluster, g, template).forEach(log);
        if (flag(ctx, "start")) startLines(g).forEach(log);
        finishCreate(ctx, g, flag(ctx, "start"));
      },
      onFail: () => cluster.removeGuest(vmid),
    });
  };
}

/** The disks of a clone: full copies on `storage` (or the same storage), or linked clones of base volumes. */
function cloneDisks(ctx: HandlerContext, src: SimGuest, target: SimGuest, full: boolean): void {
  const storage = str(ctx, "storage");
  for (const { key, disk } of guestDisks(src)) {
    if (/^unused\d+$/.test(key)) continue;
    const opts = { ...disk.options };
    if (disk.volid.includes("cloudinit")) {
      const s = usableStorage(ctx.cluster, target.node, storage ?? disk.storage!, target.type);
      target.config[key] = printProps({ ...opts, file: `${s.storage}:vm-${target.vmid}-cloudinit`, media: "cdrom" }, "file");
      continue;
    }
    if (!full) {
      const linked = `${disk.storage}:${disk.volid.slice(disk.storage!.length + 1)}/${newVolumeId(ctx.cluster.storages.get(disk.storage!)!, target).split(":")[1]}`;
      target.config[key] = printProps({ ...opts, file: linked }, "file");
      continue;
    }
    const s = usableStorage(ctx.cluster, target.node, storage ?? disk.storage!, target.type);
    target.config[key] = printProps({ ...opts, file: newVolumeId(s, target, str(ctx, "format")), size: printSize(disk.size) }, "file");
  }
}

function clone(type: GuestType) {
  return (ctx: HandlerContext): string => {
    const { cluster } = ctx;
    const src = guestAt(ctx, type);
    const newid = Number(ctx.params.newid);
    const targetNode = str(ctx, "target") ?? src.node;
    const isTemplate = src.config.template === 1;
    const full = ctx.params.full === undefined ? !isTemplate : flag(ctx, "full");
    if (!cluster.node(targetNode)) throw serverError(`no such node '${targetNode}'`);
    assertFree(ctx, newid, type, "clone");
    if (!full && !isTemplate) throw serverError(`linked clone feature is only available for templates`);
    if (!full && str(ctx, "storage")) throw serverError("parameter 'storage' not allowed for linked clones");
    if (!full) {
      // PVE's volume_has_feature('clone'): thick LVM and iSCSI volumes cannot be linked.
      const unlinkable = guestDisks(src).find(({ disk }) => ["lvm", "iscsi", "iscsidirect"].includes(cluster.storages.get(disk.storage ?? "")?.type ?? ""));
      if (unlinkable) throw serverError(`Linked clone feature is not supported for drive '${unlinkable.key}'`);
    }
    if (type === "lxc" && full && src.status === "running") throw serverError("Cannot do full clones on a running container without snapshots");
    if (targetNode !== src.node && guestDisks(src).some(({ disk }) => !cluster.storages.get(disk.storage ?? "")?.shared) && !str(ctx, "storage")) {
      throw serverError(`can't clone ${kindWord(type)} to node '${targetNode}' (${kindWord(type)} uses local storage)`);
    }
    const config: GuestConfig = {};
    for (const [k, v] of Object.entries(src.config)) {
      if (["template", "lock", "parent", "digest"].includes(k) || /^unused\d+$/.test(k) || isDiskKey(type, k)) continue;
      config[k] = v;
    }
    const g = newGuest(ctx, type, newid, targetNode, config);
    if (type === "qemu") {
      Object.assign(g.config, identity(newid, ctx.now));
      g.config.name = str(ctx, "name") ?? `Copy-of-VM-${src.config.name ?? src.vmid}`;
    } else g.config.hostname = str(ctx, "hostname") ?? `Copy-of-CT-${src.config.hostname ?? src.vmid}`;
    if (str(ctx, "description") !== undefined) g.config.description = str(ctx, "description")!;
    for (const [k, v] of Object.entries(src.config)) {
      if (isDiskKey(type, k) && parseDisk(v).media === "cdrom" && !String(v).includes("cloudinit")) g.config[k] = v;
    }
    cloneDisks(ctx, src, g, full);
    for (const k of Object.keys(g.config)) {
      if (!/^net\d+$/.test(k)) continue;
      const mac = cluster.newMac();
      g.config[k] = String(g.config[k]).replace(/([0-9A-F]{2}(?::[0-9A-F]{2}){5})/i, mac);
    }
    g.config.lock = "clone";
    cluster.addGuest(g);
    return startTask(ctx, {
      type: taskType(type, "clone"),
      id: String(src.vmid),
      lock: { type, vmid: newid },
      work: (log) => {
        cloneLines(cluster, src, g, full).forEach(log);
        finishCreate(ctx, g, false);
      },
      onFail: () => cluster.removeGuest(newid),
    });
  };
}

/** Routes of this module. */
export const guestCreateRoutes: RouteTable = {
  "POST /nodes/{node}/qemu": create("qemu"),
  "POST /nodes/{node}/lxc": create("lxc"),
  "POST /nodes/{node}/qemu/{vmid}/clone": clone("qemu"),
  "POST /nodes/{node}/lxc/{vmid}/clone": clone("lxc"),
};
