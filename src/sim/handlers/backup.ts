/**
 * Backups: POST /nodes/{node}/vzdump (a `vzdump` task that backs the guests
 * of that node up one after the other, holding each one's `lock: backup`
 * while it is copied, logging like PVE's vzdump and writing a backup volume
 * into the storage's content), GET /nodes/{node}/vzdump/extractconfig and
 * DELETE /nodes/{node}/storage/{storage}/content/{volume} (an `imgdel` task).
 * Restores are in backup-restore.ts. Tasks take longer the larger the disks.
 */
import { isDiskKey } from "../../pve/guest-config.js";
import { guestDisks, parseDisk } from "../guest-config.js";
import { int, kindWord, startTask, str, flag, type HandlerContext, type RouteTable } from "../handler.js";
import { paramError, serverError } from "../pve-error.js";
import type { SimCluster } from "../cluster.js";
import type { GuestConfig, GuestType, SimGuest, SimStorage, SimVolume } from "../types.js";

const GiB = 1024 ** 3;
/** The read rate that the times in vzdump's progress lines assume (bytes/s). */
const READ_RATE = 1.1 * GiB;

/** What an archive holds, kept beside its volume (the config the guest had when it was backed up). */
export interface ArchiveInfo {
  type: GuestType;
  vmid: number;
  config: GuestConfig;
}

const archives = new WeakMap<SimVolume, ArchiveInfo>();

/** The guest config stored in a backup volume (undefined for a seeded archive that has none). */
export function archiveInfo(volume: SimVolume): ArchiveInfo | undefined {
  return archives.get(volume);
}

/** A backup volume's parts: `local:backup/vzdump-qemu-101-2026_11_28-12_00_00.vma.zst`. */
export function parseBackupName(volid: string): { storage: string; type: GuestType; vmid: number; time: string; ext: string } | undefined {
  const m = /^([^:]+):backup\/vzdump-(qemu|lxc|openvz)-(\d+)-(\d{4}_\d{2}_\d{2}-\d{2}_\d{2}_\d{2})\.(.+)$/.exec(volid);
  if (!m) return undefined;
  return { storage: m[1], type: m[2] === "qemu" ? "qemu" : "lxc", vmid: Number(m[3]), time: m[4], ext: m[5] };
}

/** The volume `volid` (`storage:backup/…`, or relative to `storage`) on a node, with its storage. */
export function findVolume(cluster: SimCluster, node: string, volid: string, storage?: string): { storage: SimStorage; volume: SimVolume; volid: string } | undefined {
  const full = volid.includes(":") ? volid : `${storage}:${volid}`;
  const s = cluster.storages.get(full.split(":")[0]);
  if (!s || (s.nodes && !s.nodes.includes(node))) return undefined;
  const volume = cluster.staticVolumes(node, s).find((v) => v.volid === full);
  return volume && { storage: s, volume, volid: full };
}

/** Wait ms (unref'd: a server that closes is not held open by a task that copies). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());
}

/** Throw when the task was stopped (DELETE …/tasks/{upid}) while its work ran. */
export function checkRunning(cluster: SimCluster, upid: () => string | undefined): void {
  const id = upid();
  if (id && cluster.tasks.get(id)?.status !== "running") throw new Error("received interrupt");
}

/** The time of a step that copies `bytes`: the simulator's task time per 32 GiB, over ten steps. */
export function stepMs(cluster: SimCluster, bytes: number): number {
  return Math.max(1, Math.round((cluster.taskDelayMs * bytes) / (32 * GiB) / 10));
}

const pad = (n: number): string => String(n).padStart(2, "0");
const stamp = (d: Date, sep: [string, string, string]): string =>
  `${d.getUTCFullYear()}${sep[0]}${pad(d.getUTCMonth() + 1)}${sep[0]}${pad(d.getUTCDate())}${sep[1]}${pad(d.getUTCHours())}${sep[2]}${pad(d.getUTCMinutes())}${sep[2]}${pad(d.getUTCSeconds())}`;
const human = (bytes: number): string => (bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`);
const duration = (ms: number): string => {
  const s = Math.max(1, Math.round(ms / 1000));
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
};

const COMPRESSION: Record<string, { ext: string; ratio: number; tool?: string }> = {
  "0": { ext: "", ratio: 1 },
  "1": { ext: ".lzo", ratio: 0.6 },
  lzo: { ext: ".lzo", ratio: 0.6 },
  gzip: { ext: ".gz", ratio: 0.5 },
  zstd: { ext: ".zst", ratio: 0.45 },
};

/** The guests a vzdump call names (vmid list, --all or --pool), each checked for VM.Backup. */
function chosenGuests(ctx: HandlerContext, node: string): { local: SimGuest[]; external: number[] } {
  const { cluster } = ctx;
  const list = str(ctx, "vmid");
  const pool = str(ctx, "pool");
  const exclude = new Set((str(ctx, "exclude") ?? "").split(/[,;\s]+/).filter(Boolean).map(Number));
  let guests: SimGuest[];
  if (list) {
    const ids = [...new Set(list.split(/[,;\s]+/).filter(Boolean).map(Number))];
    const missing = ids.filter((id) => !cluster.guest(id));
    if (missing.length) throw serverError(`Unable to find VM(s) ${missing.join(", ")}`);
    guests = ids.map((id) => cluster.guest(id)!);
  } else if (flag(ctx, "all")) guests = cluster.guests().filter((g) => !exclude.has(g.vmid));
  else if (pool) guests = cluster.guests().filter((g) => g.pool === pool);
  else throw paramError({ vmid: "property is missing and it is not optional" });
  for (const g of guests) ctx.principal.require(`/vms/${g.vmid}`, ["VM.Backup"]);
  return { local: guests.filter((g) => g.node === node), external: guests.filter((g) => g.node !== node).map((g) => g.vmid) };
}

/** The backup storage: the one named (it must hold backups) or the node's first that does (`local` first). */
function backupStorage(ctx: HandlerContext, node: string): SimStorage {
  const named = str(ctx, "storage");
  if (named) {
    const s = ctx.cluster.storages.get(named);
    if (!s) throw serverError(`storage '${named}' does not exist`);
    if (s.nodes && !s.nodes.includes(node)) throw serverError(`storage '${named}' is not available on node '${node}'`);
    if (!s.content.includes("backup")) throw serverError(`storage '${named}' does not support backups`);
    ctx.principal.require(`/storage/${named}`, ["Datastore.AllocateSpace"]);
    return s;
  }
  const candidates = ctx.cluster.storagesOn(node).filter((s) => s.content.includes("backup") && s.enabled !== false);
  const s = candidates.find((c) => c.storage === "local") ?? candidates[0];
  if (!s) throw serverError("no backup storage on this node (set the 'storage' parameter)");
  ctx.principal.require(`/storage/${s.storage}`, ["Datastore.AllocateSpace"]);
  return s;
}

/** A backup's file name and time: vzdump-qemu-101-2026_11_28-12_00_00.vma.zst (a second later if the guest has one of that second). */
function archiveName(cluster: SimCluster, node: string, s: SimStorage, g: SimGuest, compressExt: string): { name: string; time: number } {
  const base = g.type === "qemu" ? ".vma" : ".tar";
  let t = Math.floor(Date.now() / 1000) * 1000;
  for (;;) {
    const prefix = `vzdump-${g.type}-${g.vmid}-${stamp(new Date(t), ["_", "-", "_"])}`;
    if (!cluster.staticVolumes(node, s).some((v) => v.volid.startsWith(`${s.storage}:backup/${prefix}.`))) return { name: `${prefix}${base}${compressExt}`, time: t };
    t += 1000;
  }
}

function withoutRuntimeKeys(config: GuestConfig): GuestConfig {
  const copy = { ...config };
  delete copy.lock;
  delete copy.parent;
  return copy;
}

/** Back one guest up (its part of the task log), adding the volume; throws with PVE's reason on failure. */
async function backupOne(ctx: HandlerContext, g: SimGuest, s: SimStorage, opts: { mode: string; compress: string; notes?: string; protect: boolean }, log: (line: string) => void, upid: () => string | undefined): Promise<void> {
  const { cluster } = ctx;
  const node = String(ctx.params.node);
  const started = Date.now();
  const kind = g.type === "qemu" ? "qemu" : "lxc";
  log(`INFO: Starting Backup of VM ${g.vmid} (${kind})`);
  log(`INFO: Backup started at ${stamp(new Date(started), ["-", " ", ":"])}`);
  log(`INFO: status = ${g.status}`);
  if (g.config.lock !== undefined) throw new Error(`${kindWord(g.type)} is locked (${g.config.lock})`);
  if (g.template && g.type === "qemu") log("INFO: VM is a template - backup of the base image only");
  const disks = guestDisks(g).filter(({ key, disk }) => !/^unused\d+$/.test(key) && !disk.volid.includes("cloudinit"));
  const total = disks.reduce((sum, { disk }) => sum + disk.size, 0);
  if (g.type === "qemu") {
    log(`INFO: VM Name: ${g.config.name ?? `VM ${g.vmid}`}`);
    for (const { key, disk } of disks) log(`INFO: include disk '${key}' '${disk.volid}' ${disk.size % GiB === 0 ? `${disk.size / GiB}G` : `${Math.round(disk.size / 1024 ** 2)}M`}`);
  } else {
    log(`INFO: CT Name: ${g.config.hostname ?? `CT${g.vmid}`}`);
    for (const { key } of disks) log(`INFO: including mount point ${key} ('${key === "rootfs" ? "/" : String(g.config[key]).split("mp=")[1]?.split(",")[0] ?? "/mnt"}') in backup`);
  }
  const mode = opts.mode;
  log(`INFO: backup mode: ${mode}`);
  log("INFO: ionice priority: 7");
  const compression = COMPRESSION[opts.compress] ?? COMPRESSION["0"];
  const { name, time } = archiveName(cluster, node, s, g, compression.ext);
  const dumpdir = s.path ? `${s.path}/dump` : `/mnt/pve/${s.storage}/dump`;
  // The guest is locked (PVE's `lock: backup`) while it is copied; other tasks on it fail with "VM is locked (backup)".
  g.config = { ...g.config, lock: "backup" };
  cluster.touch();
  const running = g.status === "running";
  try {
    if (running && mode === "stop") log("INFO: stopping virtual guest");
    if (running && mode === "suspend") log("INFO: suspending guest");
    if (g.type === "lxc" && mode === "snapshot") log("INFO: create storage snapshot 'vzdump'");
    log(`INFO: creating vzdump archive '${dumpdir}/${name}'`);
    if (g.type === "qemu") {
      log(`INFO: started backup task '${cryptoish(g.vmid, started)}'`);
      if (running && mode !== "stop") log("INFO: resuming VM again");
      // Progress lines show the time a real node would take (reading ~1 GiB/s), not the simulator's short one.
      const step = stepMs(cluster, total);
      for (let pct = 10; pct <= 100; pct += 10) {
        await pause(step);
        checkRunning(cluster, upid);
        const done = (total * pct) / 100;
        const secs = Math.max(1, Math.round(done / READ_RATE));
        log(`INFO: ${String(pct).padStart(3)}% (${human(done)} of ${human(total)}) in ${secs}s, read: ${human(done / secs)}/s, write: ${human((done * g.load.disk) / secs)}/s`);
      }
    } else {
      for (let i = 0; i < 10; i++) {
        await pause(stepMs(cluster, total));
        checkRunning(cluster, upid);
      }
    }
    const used = Math.max(1024 ** 2, Math.round(total * g.load.disk));
    const size = Math.max(1024 ** 2, Math.round(used * compression.ratio));
    if (g.type === "qemu") {
      log(`INFO: backup is sparse: ${human(total - used)} (${Math.round(((total - used) / Math.max(total, 1)) * 100)}%) total zero data`);
      log(`INFO: transferred ${human(total)} in ${Math.max(1, Math.round(total / READ_RATE))} seconds`);
    } else log(`INFO: Total bytes written: ${used} (${human(used)}, ${human(used)}/s)`);
    log(`INFO: archive file size: ${human(size)}`);
    if (opts.notes !== undefined) log("INFO: adding notes to backup");
    if (opts.protect) log("INFO: marking backup as protected");
    if (g.type === "lxc" && mode === "snapshot") log("INFO: cleanup temporary 'vzdump' snapshot");
    if (running && mode === "stop") log(g.type === "qemu" ? "INFO: restarting vm" : "INFO: restarting container");
    if (running && mode === "suspend" && g.type === "lxc") log("INFO: resume vm");
    const volid = `${s.storage}:backup/${name}`;
    const volume: SimVolume = {
      volid,
      content: "backup",
      format: `${g.type === "qemu" ? "vma" : "tar"}${compression.ext ? `.${compression.ext.slice(1)}` : ""}`,
      size,
      ctime: Math.floor(time / 1000),
      vmid: g.vmid,
      subtype: g.type,
      ...(opts.notes !== undefined ? { notes: opts.notes } : {}),
      ...(opts.protect ? { protected: true } : {}),
    };
    archives.set(volume, { type: g.type, vmid: g.vmid, config: withoutRuntimeKeys(g.config) });
    cluster.staticVolumes(node, s).push(volume);
    log(`INFO: Finished Backup of VM ${g.vmid} (${duration(Math.max(Date.now() - started, (total / READ_RATE) * 1000))})`);
  } finally {
    const c = { ...g.config };
    delete c.lock;
    g.config = c;
    cluster.touch();
  }
}

/** A stable task id for a backup's `started backup task` line. */
function cryptoish(vmid: number, t: number): string {
  const h = ((vmid * 2654435761) ^ t) >>> 0;
  return `${h.toString(16).padStart(8, "0")}-${(h >>> 16).toString(16).padStart(4, "0")}-4${(h & 0xfff).toString(16).padStart(3, "0")}-8${((h >>> 4) & 0xfff).toString(16).padStart(3, "0")}-${(h * 7).toString(16).slice(-12).padStart(12, "0")}`;
}

/** `{{guestname}}`, `{{vmid}}`, `{{node}}`, `{{cluster}}` of a notes template. */
function notesFor(template: string | undefined, g: SimGuest, node: string, cluster: SimCluster): string | undefined {
  if (template === undefined) return undefined;
  const name = String(g.type === "qemu" ? g.config.name ?? `VM ${g.vmid}` : g.config.hostname ?? `CT${g.vmid}`);
  return template.replace(/\{\{(guestname|vmid|node|cluster)\}\}/g, (_, k: string) => (k === "guestname" ? name : k === "vmid" ? String(g.vmid) : k === "node" ? node : cluster.name));
}

function vzdump(ctx: HandlerContext): string {
  const { cluster } = ctx;
  const node = String(ctx.params.node);
  const { local, external } = chosenGuests(ctx, node);
  const s = backupStorage(ctx, node);
  const mode = str(ctx, "mode") ?? "snapshot";
  const compress = str(ctx, "compress") ?? "0";
  const template = str(ctx, "notes-template");
  const protect = flag(ctx, "protected");
  const single = local.length === 1 && external.length === 0 ? String(local[0].vmid) : "";
  const args = [str(ctx, "vmid") ?? (flag(ctx, "all") ? "--all 1" : `--pool ${str(ctx, "pool")}`), `--storage ${s.storage}`, `--mode ${mode}`, ...(compress !== "0" ? [`--compress ${compress}`] : []), `--node ${node}`, ...(template !== undefined ? [`--notes-template '${template}'`] : [])];
  const upid: string = startTask(ctx, {
    type: "vzdump",
    id: single,
    work: async (log) => {
      log(`INFO: starting new backup job: vzdump ${args.join(" ")}`);
      if (external.length) log(`INFO: skip external VMs: ${external.join(", ")}`);
      const failed: number[] = [];
      for (const g of local) {
        try {
          await backupOne(ctx, g, s, { mode, compress, notes: notesFor(template, g, node, cluster), protect }, log, () => upid);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          if (message === "received interrupt") throw err;
          log(`ERROR: Backup of VM ${g.vmid} failed - ${message}`);
          failed.push(g.vmid);
        }
      }
      log(`INFO: Backup job finished ${failed.length ? "with errors" : "successfully"}`);
      if (failed.length) throw new Error("job errors");
    },
  });
  return upid;
}

function extractConfig(ctx: HandlerContext): string {
  const node = String(ctx.params.node);
  const volid = String(ctx.params.volume);
  const found = findVolume(ctx.cluster, node, volid);
  const parsed = parseBackupName(found?.volid ?? volid);
  if (!found || found.volume.content !== "backup" || !parsed) throw serverError(`volume '${volid}' does not exist`);
  ctx.principal.require(`/vms/${parsed.vmid}`, ["VM.Backup"]);
  const config = archiveInfo(found.volume)?.config ?? fallbackConfig(ctx.cluster, parsed.type, parsed.vmid);
  let text = "";
  if (config.description !== undefined) for (const line of String(config.description).split("\n")) text += `#${line}\n`;
  for (const key of Object.keys(config).sort()) {
    if (key === "description") continue;
    text += `${key}: ${config[key]}\n`;
  }
  if (parsed.type === "qemu") {
    for (const [key, value] of Object.entries(config)) {
      const disk = isDiskKey("qemu", key) ? parseDisk(value) : undefined;
      if (disk?.storage && disk.media !== "cdrom" && !disk.volid.includes("cloudinit")) text += `#qmdump#map:${key}:drive-${key}:${disk.storage}:raw:\n`;
    }
  }
  return text;
}

/** The config of an archive that has none stored (seeded volumes): the guest's own if it still exists, else a small default. */
export function fallbackConfig(cluster: SimCluster, type: GuestType, vmid: number): GuestConfig {
  const g = cluster.guest(vmid);
  if (g && g.type === type) return withoutRuntimeKeys(g.config);
  return type === "qemu"
    ? { name: `restored-${vmid}`, cores: 1, memory: "2048", ostype: "l26", scsihw: "virtio-scsi-single", scsi0: "local-lvm:vm-0-disk-0,size=8G", net0: "virtio=BC:24:11:00:00:00,bridge=vmbr0", boot: "order=scsi0;net0" }
    : { hostname: `restored-${vmid}`, cores: 1, memory: 512, swap: 512, ostype: "debian", arch: "amd64", rootfs: "local-lvm:vm-0-disk-0,size=4G", net0: "name=eth0,bridge=vmbr0,ip=dhcp" };
}

async function deleteVolume(ctx: HandlerContext): Promise<string | null> {
  const { cluster } = ctx;
  const node = String(ctx.params.node);
  const storage = String(ctx.params.storage);
  const volid = String(ctx.params.volume);
  const s = cluster.storages.get(storage);
  if (!s) throw serverError(`storage '${storage}' does not exist`);
  const found = findVolume(cluster, node, volid, storage);
  if (!found) {
    const full = volid.includes(":") ? volid : `${storage}:${volid}`;
    const owner = cluster.guests().find((g) => guestDisks(g).some(({ disk }) => disk.volid === full) && (s.shared || g.node === node));
    if (owner) throw serverError(`unable to delete '${full}' - volume is used by ${kindWord(owner.type)} ${owner.vmid}`);
    throw serverError(`volume '${full}' does not exist`);
  }
  const { volume } = found;
  const backupOwner = volume.content === "backup" && volume.vmid !== undefined && ctx.principal.has(`/vms/${volume.vmid}`, "VM.Backup");
  if (!(backupOwner && ctx.principal.has(`/storage/${storage}`, "Datastore.AllocateSpace"))) ctx.principal.require(`/storage/${storage}`, ["Datastore.Allocate"]);
  const upid = startTask(ctx, {
    type: "imgdel",
    id: "", // PVE forks imgdel without an id (a volid's ':' would not fit a UPID)
    work: (log) => {
      if (volume.protected) throw new Error(`cannot remove protected volume '${found.volid}' on storage '${storage}'`);
      const list = cluster.staticVolumes(node, found.storage);
      const i = list.indexOf(volume);
      if (i < 0) throw new Error(`volume '${found.volid}' does not exist`);
      list.splice(i, 1);
      cluster.touch();
      if (volume.content === "backup") log(`Removed volume '${found.volid}'`);
    },
  });
  const delay = int(ctx, "delay");
  if (!delay) return upid;
  const until = Date.now() + delay * 1000;
  while (Date.now() < until) {
    const t = cluster.tasks.get(upid);
    if (t?.status === "stopped") {
      if (t.exitstatus === "OK") return null;
      throw serverError(t.exitstatus ?? "unknown error");
    }
    await pause(5);
  }
  return upid;
}

/** Routes of this module (restores are in backup-restore.ts). */
export const backupRoutes: RouteTable = {
  "POST /nodes/{node}/vzdump": vzdump,
  "GET /nodes/{node}/vzdump/extractconfig": extractConfig,
  "DELETE /nodes/{node}/storage/{storage}/content/{volume}": deleteVolume,
};
