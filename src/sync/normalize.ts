/**
 * From what PVE returns to the store's normalized records: a guest's disks,
 * network interfaces, addresses, cores, memory and disk total, computed from
 * its raw config (kept whole alongside).
 */
import { parsePropertyString, sizeToGiB, splitTags, toFlag, toNumber } from "../proxmox/normalize.js";
import type { GuestType, PveClusterResource, PveGuestConfig, PveNodeListEntry, PveStorage } from "../proxmox/types.js";
import type { ObservedDisk, ObservedGuest, ObservedNet, ObservedNode, ObservedStorage } from "../state/types.js";

const QEMU_DISK = /^(scsi|virtio|sata|ide)\d+$|^(efidisk|tpmstate)0$/;
const LXC_DISK = /^(rootfs|mp\d+)$/;
const QEMU_NIC_MODELS = ["virtio", "e1000", "e1000e", "rtl8139", "vmxnet3", "i82551", "i82557b", "i82559er", "ne2k_isa", "ne2k_pci", "pcnet", "e1000-82540em", "e1000-82544gc", "e1000-82545em"];

/** The disks of a config: attached volumes only (no CD-ROMs, cloud-init drives or unused volumes). */
export function disksOf(type: GuestType, config: PveGuestConfig): ObservedDisk[] {
  const pattern = type === "qemu" ? QEMU_DISK : LXC_DISK;
  const disks: ObservedDisk[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (!pattern.test(key) || typeof value !== "string") continue;
    const props = parsePropertyString(value, "volume");
    const volume = props.volume ?? "";
    if (props.media === "cdrom" || /cloudinit/.test(volume) || volume === "none") continue;
    const colon = volume.indexOf(":");
    const storage = colon > 0 && !volume.startsWith("/") ? volume.slice(0, colon) : null;
    const ext = /\.(qcow2|raw|vmdk)$/.exec(volume)?.[1];
    disks.push({
      key,
      storage,
      volume,
      sizeGiB: round(sizeToGiB(props.size) ?? 0),
      format: props.format ?? ext ?? null,
      raw: value,
    });
  }
  return disks.sort((a, b) => naturalKey(a.key).localeCompare(naturalKey(b.key)));
}

/** The network interfaces of a config, with the address from ipconfigN (qemu) or ip= (lxc). */
export function netsOf(type: GuestType, config: PveGuestConfig): ObservedNet[] {
  const nets: ObservedNet[] = [];
  for (const [key, value] of Object.entries(config)) {
    const m = /^net(\d+)$/.exec(key);
    if (!m || typeof value !== "string") continue;
    const props = parsePropertyString(value);
    let model: string | null = null;
    let mac: string | null = null;
    if (type === "qemu") {
      model = QEMU_NIC_MODELS.find((name) => name in props) ?? props.model ?? null;
      mac = (model && props[model] !== "1" ? props[model] : props.macaddr) ?? null;
    } else {
      model = props.type ?? "veth";
      mac = props.hwaddr ?? null;
    }
    const ipconfig = type === "qemu" && typeof config[`ipconfig${m[1]}`] === "string" ? parsePropertyString(String(config[`ipconfig${m[1]}`])) : props;
    nets.push({
      key,
      model,
      mac,
      bridge: props.bridge ?? null,
      vlanTag: toNumber(props.tag) ?? null,
      ip: ipconfig.ip ?? null,
      firewall: toFlag(props.firewall),
      raw: value,
    });
  }
  return nets.sort((a, b) => naturalKey(a.key).localeCompare(naturalKey(b.key)));
}

/** Normalize one guest from its cluster-resources entry and its config. */
export function normalizeGuest(resource: PveClusterResource, config: PveGuestConfig): ObservedGuest {
  const type = resource.type as GuestType;
  const vmid = Number(resource.vmid);
  const name = String((type === "qemu" ? config.name : config.hostname) ?? resource.name ?? `${type === "qemu" ? "vm" : "ct"}-${vmid}`);
  const disks = disksOf(type, config);
  const nets = netsOf(type, config);
  const sockets = type === "qemu" ? (toNumber(config.sockets) ?? 1) : 1;
  const cores = (toNumber(config.cores) ?? (type === "lxc" ? resource.maxcpu : undefined) ?? 1) * sockets;
  const memory = toNumber(parsePropertyString(String(config.memory ?? ""), "current").current) ?? 512;
  const { digest, ...rest } = config;
  return {
    vmid,
    type,
    node: String(resource.node),
    name,
    status: String(resource.status ?? "unknown"),
    template: toFlag(resource.template) || toFlag(config.template),
    cores,
    memory,
    disk: round(disks.reduce((sum, d) => sum + d.sizeGiB, 0)),
    tags: splitTags(config.tags ?? resource.tags),
    ipAddresses: nets.map((n) => n.ip).filter((ip): ip is string => !!ip && ip !== "dhcp" && ip !== "manual" && !ip.startsWith("auto")).map((ip) => ip.split("/")[0]),
    config: rest as Record<string, string | number>,
    digest: typeof digest === "string" ? digest : null,
    disks,
    nets,
  };
}

/**
 * What /cluster/resources alone says of a guest whose config could not be
 * read: name, node, status, vCPUs, memory and disk size; no config, disks or
 * network interfaces. Stored (marked stale) only for a guest the store never had.
 */
export function guestFromResource(resource: PveClusterResource): ObservedGuest {
  const type = resource.type as GuestType;
  const vmid = Number(resource.vmid);
  return {
    vmid,
    type,
    node: String(resource.node),
    name: String(resource.name ?? `${type === "qemu" ? "vm" : "ct"}-${vmid}`),
    status: String(resource.status ?? "unknown"),
    template: toFlag(resource.template),
    cores: toNumber(resource.maxcpu) ?? 1,
    memory: Math.round((toNumber(resource.maxmem) ?? 0) / 1024 ** 2),
    disk: round((toNumber(resource.maxdisk) ?? 0) / 1024 ** 3),
    tags: splitTags(resource.tags),
    ipAddresses: [],
    config: {},
    digest: null,
    disks: [],
    nets: [],
  };
}

/** Normalize a node entry of GET /nodes. */
export function normalizeNode(node: PveNodeListEntry): ObservedNode {
  return {
    name: node.node,
    status: node.status ?? "unknown",
    cpu: toNumber(node.cpu) ?? 0,
    maxcpu: toNumber(node.maxcpu) ?? 0,
    mem: toNumber(node.mem) ?? 0,
    maxmem: toNumber(node.maxmem) ?? 0,
    uptime: toNumber(node.uptime) ?? 0,
  };
}

/** Normalize a storage entry of GET /nodes/{node}/storage. */
export function normalizeStorage(node: string, s: PveStorage): ObservedStorage {
  return {
    node,
    storage: s.storage,
    type: s.type,
    content: s.content ?? "",
    shared: toFlag(s.shared),
    total: toNumber(s.total) ?? 0,
    used: toNumber(s.used) ?? 0,
    avail: toNumber(s.avail) ?? 0,
    enabled: s.enabled === undefined ? true : toFlag(s.enabled),
    active: s.active === undefined ? true : toFlag(s.active),
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** scsi10 after scsi9. */
function naturalKey(key: string): string {
  return key.replace(/\d+/g, (d) => d.padStart(4, "0"));
}
