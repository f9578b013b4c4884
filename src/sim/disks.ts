/**
 * Disk and NIC values as PVE writes them into a config: `STORAGE:SIZE`
 * allocates a new volume (`local-lvm:vm-105-disk-0,size=32G`),
 * `STORAGE:cloudinit` a cloud-init drive, NICs get a generated MAC
 * (BC:24:11:…) and PVE's key order.
 */
import { findEndpoint, type PropertySchema } from "../pve/api-schema/index.js";
import { parseSchemaProps, printProps } from "../pve/property-string.js";
import { GIB, printSize } from "../pve/size.js";
import type { SimCluster } from "./cluster.js";
import { parseDisk } from "./guest-config.js";
import { serverError } from "./pve-error.js";
import type { GuestType, SimGuest, SimStorage } from "./types.js";

const params = (type: GuestType): Record<string, PropertySchema> =>
  findEndpoint("PUT", `/nodes/n/${type}/100/config`)?.info.parameters?.properties ?? {};
const NET_FORMAT: Record<GuestType, Record<string, PropertySchema>> = {
  qemu: params("qemu")["net[n]"].format as Record<string, PropertySchema>,
  lxc: params("lxc")["net[n]"].format as Record<string, PropertySchema>,
};

const FILE_STORAGES = new Set(["dir", "nfs", "cifs", "glusterfs", "cephfs", "btrfs"]);

/** The storage of a volume spec, checked like PVE: exists, on this node, allows the content. */
export function usableStorage(cluster: SimCluster, node: string, storeid: string, type: GuestType): SimStorage {
  const s = cluster.storages.get(storeid);
  if (!s) throw serverError(`storage '${storeid}' does not exist`);
  if (s.nodes && !s.nodes.includes(node)) throw serverError(`storage '${storeid}' is not available on node '${node}'`);
  const content = type === "qemu" ? "images" : "rootdir";
  if (!s.content.includes(content)) {
    throw serverError(`storage '${storeid}' does not support ${type === "qemu" ? "vm images" : "container directories"}`);
  }
  return s;
}

/** The names of a guest's volumes on all storages (to find a free disk number). */
function usedDiskNumbers(guest: SimGuest): Set<number> {
  const used = new Set<number>();
  for (const v of Object.values(guest.config)) {
    for (const m of String(v).matchAll(/(?:vm|base|subvol)-\d+-disk-(\d+)/g)) used.add(Number(m[1]));
  }
  return used;
}

/** A new volume name on a storage, e.g. local-lvm:vm-105-disk-1 or local:105/vm-105-disk-0.qcow2. */
export function newVolumeId(s: SimStorage, guest: SimGuest, format?: string, prefix = "vm"): string {
  const used = usedDiskNumbers(guest);
  let n = 0;
  while (used.has(n)) n++;
  const vmid = guest.vmid;
  if (FILE_STORAGES.has(s.type)) {
    const fmt = guest.type === "lxc" ? "raw" : format ?? "qcow2";
    return `${s.storage}:${vmid}/${prefix}-${vmid}-disk-${n}.${fmt}`;
  }
  if (s.type === "zfspool" && guest.type === "lxc") return `${s.storage}:subvol-${vmid}-disk-${n}`;
  return `${s.storage}:${prefix}-${vmid}-disk-${n}`;
}

/**
 * Normalise a disk value being written under `key`: allocate `STORAGE:SIZE`
 * and `STORAGE:cloudinit`, keep the size of an existing volume, check ISOs.
 */
export function writeDisk(cluster: SimCluster, guest: SimGuest, key: string, value: string): string {
  const disk = parseDisk(value);
  const opts: Record<string, string> = { ...disk.options };
  const alloc = /^([^:]+):(\d+(?:\.\d+)?)$/.exec(disk.volid);
  if (alloc) {
    const s = usableStorage(cluster, guest.node, alloc[1], guest.type);
    const format = opts.format;
    delete opts.format;
    delete opts["import-from"];
    opts.size = printSize(Number(alloc[2]) * GIB);
    return printProps({ ...opts, file: newVolumeId(s, guest, format) }, "file");
  }
  const cloudinit = /^([^:]+):cloudinit$/.exec(disk.volid);
  if (cloudinit && guest.type === "qemu") {
    const s = usableStorage(cluster, guest.node, cloudinit[1], "qemu");
    const volid = FILE_STORAGES.has(s.type) ? `${s.storage}:${guest.vmid}/vm-${guest.vmid}-cloudinit.qcow2` : `${s.storage}:vm-${guest.vmid}-cloudinit`;
    return printProps({ ...opts, file: volid, media: "cdrom" }, "file");
  }
  if (/:iso\//.test(disk.volid)) {
    const s = cluster.storages.get(disk.storage ?? "");
    if (!s || !cluster.staticVolumes(guest.node, s).some((v) => v.volid === disk.volid)) {
      throw serverError(`volume '${disk.volid}' does not exist`);
    }
  }
  if (!opts.size && disk.storage) {
    const previous = Object.values(guest.config).map((v) => parseDisk(v)).find((d) => d.volid === disk.volid && d.size > 0);
    if (previous) opts.size = printSize(previous.size);
  }
  return printProps({ ...opts, file: disk.volid }, "file");
}

/** Normalise a NIC value: parse it, keep or generate the MAC, print in PVE's order (`virtio=MAC` or `name=eth0` first). */
export function writeNet(cluster: SimCluster, guest: SimGuest, key: string, value: string): string {
  const parsed = parseSchemaProps(NET_FORMAT[guest.type], value);
  const v = { ...parsed.values };
  const old = guest.config[key] === undefined ? {} : parseSchemaProps(NET_FORMAT[guest.type], String(guest.config[key])).values;
  if (guest.type === "qemu") {
    const model = v.model ?? "virtio";
    const mac = v.macaddr ?? old.macaddr ?? cluster.newMac();
    delete v.model;
    delete v.macaddr;
    return printProps({ ...v, [model]: mac.toUpperCase() }, undefined, [model]);
  }
  v.name ??= `eth${key.slice(3)}`;
  v.hwaddr = (v.hwaddr ?? old.hwaddr ?? cluster.newMac()).toUpperCase();
  v.type ??= "veth";
  return printProps(v, undefined, ["name"]);
}

/** Rename a guest's disks to base-… volumes (template conversion). */
export function toBaseVolume(value: string): string {
  return value.replace(/\b(vm|subvol)-(\d+)-disk-(\d+)/, (_m, _p, id: string, n: string) => `base-${id}-disk-${n}`);
}
