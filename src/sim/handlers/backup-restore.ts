/**
 * Restores: POST /nodes/{node}/qemu with `archive=…` and POST
 * /nodes/{node}/lxc with `ostemplate=… restore=1` (qmrestore/vzrestore
 * tasks). The guest gets the config stored in the archive, with new volumes
 * on `storage` (or where its disks were) and, with `unique`, new MACs. Over an
 * existing guest only with `force`, and like PVE the task refuses a guest that
 * runs or has `protection` set. The guest holds `lock: create` and its config
 * file lock for the task's life. Other creates go on to guest-create.ts.
 */
import { simGuest } from "../cluster.js";
import { usableStorage, writeDisk } from "../disks.js";
import { isDiskKey } from "../../pve/guest-config.js";
import { printProps } from "../../pve/property-string.js";
import { GIB } from "../../pve/size.js";
import { parseDisk } from "../guest-config.js";
import { assertNotLocked, flag, kindWord, startTask, str, taskType, type Handler, type HandlerContext, type RouteTable } from "../handler.js";
import { paramError, serverError } from "../pve-error.js";
import { hash32, Random } from "../random.js";
import { createLines } from "../task-logs.js";
import type { GuestConfig, GuestType, SimGuest } from "../types.js";
import { guestCreateRoutes, requireAllocate } from "./guest-create.js";
import { archiveInfo, checkRunning, fallbackConfig, findVolume, parseBackupName, pause, stepMs } from "./backup.js";

/** Parameters a qemu restore takes beside `archive`; anything else conflicts (PVE's check). */
const QEMU_RESTORE_PARAMS = new Set(["node", "vmid", "archive", "storage", "force", "unique", "pool", "bwlimit", "live-restore", "start"]);

/** POST /nodes/{node}/{type}: a restore when the request names an archive, else `create`. */
export function withRestore(type: GuestType, create: Handler): Handler {
  return (ctx) => {
    const archive = type === "qemu" ? str(ctx, "archive") : flag(ctx, "restore") ? str(ctx, "ostemplate") : undefined;
    return archive === undefined ? create(ctx) : restore(ctx, type, archive);
  };
}

function restore(ctx: HandlerContext, type: GuestType, archive: string): string {
  const { cluster } = ctx;
  const node = String(ctx.params.node);
  const vmid = Number(ctx.params.vmid);
  const pool = str(ctx, "pool");
  requireAllocate(ctx, vmid, pool);
  if (type === "qemu") {
    const extra = Object.keys(ctx.params).filter((k) => !QEMU_RESTORE_PARAMS.has(k));
    if (extra.length) throw paramError({ archive: `option conflicts with other options (${extra.join(" ")})` });
  }
  const emsg = `unable to restore ${kindWord(type)} ${vmid} -`;
  const found = findVolume(cluster, node, archive);
  const parsed = parseBackupName(found?.volid ?? archive);
  if (!found || !parsed || found.volume.content !== "backup") throw serverError(`${emsg} volume '${archive}' does not exist`);
  if (parsed.type !== type) throw serverError(`${emsg} '${archive}' is not a ${type === "qemu" ? "VM" : "container"} backup`);
  const existing = cluster.guest(vmid);
  if (existing && (!flag(ctx, "force") || existing.node !== node || existing.type !== type)) {
    throw serverError(`${emsg} ${kindWord(existing.type)} ${vmid} already exists on node '${existing.node}'`);
  }
  if (existing) assertNotLocked(existing);
  const source = archiveInfo(found.volume)?.config ?? fallbackConfig(cluster, type, parsed.vmid);
  const previous = existing?.config;
  let g: SimGuest;
  if (existing) {
    g = existing;
    g.config = { ...g.config, lock: "create" };
    cluster.touch();
  } else {
    const r = new Random(hash32(`load:${vmid}`));
    g = simGuest({
      vmid, type, node, status: "stopped", config: { lock: "create" }, snapshots: [], ctime: Math.floor(ctx.now / 1000), pool,
      load: { cpu: r.int(1, 300) / 1000, mem: r.int(300, 800) / 1000, disk: r.int(50, 400) / 1000 },
    });
    cluster.addGuest(g);
  }
  const target = str(ctx, "storage");
  const unique = flag(ctx, "unique");
  const start = flag(ctx, "start");
  const restoreFn = async (log: (line: string) => void): Promise<void> => {
    if (existing) {
      if (previous?.protection === 1 || previous?.protection === "1") throw new Error(`${emsg} protection mode enabled`);
      if (existing.status === "running") throw new Error(`${emsg} ${type === "qemu" ? "vm" : "CT"} is running`);
    }
    const disks: { key: string; value: string; size: number }[] = [];
    const config: GuestConfig = {};
    for (const [key, value] of Object.entries(source)) {
      if (key === "lock" || key === "parent" || /^unused\d+$/.test(key)) continue;
      const disk = isDiskKey(type, key) ? parseDisk(value) : undefined;
      if (disk?.storage && (disk.media !== "cdrom" || disk.volid.includes("cloudinit"))) disks.push({ key, value: String(value), size: disk.size });
      else config[key] = value;
    }
    if (unique) for (const key of Object.keys(config).filter((k) => /^net\d+$/.test(k))) config[key] = String(config[key]).replace(/([0-9A-F]{2}(?::[0-9A-F]{2}){5})/i, cluster.newMac());
    if (type === "lxc") log(`recovering backed-up configuration from '${found.volid}'`);
    else {
      const tool = /\.zst$/.test(found.volid) ? "zstd -q -d -c" : /\.gz$/.test(found.volid) ? "zcat" : /\.lzo$/.test(found.volid) ? "lzop -d -c" : "cat";
      const tmp = `/var/tmp/vzdumptmp${hash32(found.volid) % 100000}`;
      log(`restore vma archive: ${tool} ${dumpPath(cluster, found.volid)} | vma extract -v -r ${tmp}.fifo - ${tmp}`);
      log(`CFG: size: ${Object.keys(source).length * 24} name: qemu-server.conf`);
      disks.filter((d) => !d.value.includes("cloudinit")).forEach((d, i) => log(`DEV: dev_id=${i + 1} size: ${d.size} devname: drive-${d.key}`));
      log(`CTIME: ${new Date(found.volume.ctime * 1000).toUTCString()}`);
    }
    // New volumes are numbered from the restored guest's own (like PVE, which frees the old ones first).
    g.config = { ...config, lock: "create" };
    for (const d of disks) {
      const disk = parseDisk(d.value);
      const opts: Record<string, string> = { ...disk.options };
      delete opts.size;
      const storage = target ?? (cluster.storages.get(disk.storage!) && canHold(ctx, node, disk.storage!, type) ? disk.storage! : firstUsable(ctx, node, type));
      const file = disk.volid.includes("cloudinit") ? `${storage}:cloudinit` : `${storage}:${Math.max(disk.size, GIB / 8) / GIB}`;
      g.config = { ...g.config, [d.key]: writeDisk(cluster, g, d.key, printProps({ ...opts, file }, "file")) };
    }
    createLines(cluster, g).forEach(log);
    const total = disks.reduce((sum, d) => sum + d.size, 0);
    if (type === "lxc") {
      const blocks = Math.floor((disks[0]?.size ?? 4 * GIB) / 4096);
      log(`Creating filesystem with ${blocks} 4k blocks and ${Math.floor(blocks / 4)} inodes`);
      log(`restoring '${found.volid}' now..`);
      log(`extracting archive '${dumpPath(cluster, found.volid)}'`);
    }
    for (let pct = 10; pct <= 100; pct += 10) {
      await pause(stepMs(cluster, total));
      checkRunning(cluster, () => upid);
      if (type === "qemu") log(`progress ${pct}% (read ${Math.round((total * pct) / 100)} bytes, duration ${Math.round((total * pct) / 100 / (1.5 * GIB))} sec)`);
    }
    const used = Math.round(total * g.load.disk);
    if (type === "qemu") {
      log(`total bytes read ${total}, sparse bytes ${total - used} (${((100 * (total - used)) / Math.max(total, 1)).toFixed(1)}%)`);
      log("space reduction due to 4K zero blocks 0.41%");
      log("rescan volumes...");
    } else {
      log(`Total bytes read: ${used} (${(used / 1024 ** 2).toFixed(0)}MiB, 221MiB/s)`);
      log("merging backed-up and given configuration..");
    }
    const c = { ...g.config };
    delete c.lock;
    g.config = c;
    g.snapshots = [];
    if (pool) g.pool = pool;
    g.status = start ? "running" : "stopped";
    g.startedAt = start ? Date.now() : undefined;
    cluster.touch();
  };
  const upid: string = startTask(ctx, {
    type: taskType(type, "restore"),
    id: String(vmid),
    lock: { type, vmid },
    work: restoreFn,
    onFail: () => {
      if (existing && previous) {
        existing.config = previous;
        cluster.touch();
      } else cluster.removeGuest(vmid);
    },
  });
  return upid;
}

function canHold(ctx: HandlerContext, node: string, storage: string, type: GuestType): boolean {
  try {
    usableStorage(ctx.cluster, node, storage, type);
    return true;
  } catch {
    return false;
  }
}

function firstUsable(ctx: HandlerContext, node: string, type: GuestType): string {
  const content = type === "qemu" ? "images" : "rootdir";
  const s = ctx.cluster.storagesOn(node).find((x) => x.content.includes(content));
  if (!s) throw new Error(`no storage for ${type === "qemu" ? "vm images" : "container directories"} on node '${node}'`);
  return s.storage;
}

/** Where a backup file lies on the node: /var/lib/vz/dump/NAME for `local`. */
function dumpPath(cluster: HandlerContext["cluster"], volid: string): string {
  const [storage, rel] = volid.split(":");
  const s = cluster.storages.get(storage);
  const base = s?.path ?? `/mnt/pve/${storage}`;
  return `${base}/dump/${rel.replace(/^backup\//, "")}`;
}

/** Routes of this module: the creates of guest-create.ts, with restores in front (listed after them in the router). */
export const restoreRoutes: RouteTable = {
  "POST /nodes/{node}/qemu": withRestore("qemu", guestCreateRoutes["POST /nodes/{node}/qemu"]),
  "POST /nodes/{node}/lxc": withRestore("lxc", guestCreateRoutes["POST /nodes/{node}/lxc"]),
};
