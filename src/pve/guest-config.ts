/**
 * A guest as PVE describes it: its /cluster/resources entry and its config
 * (GET /nodes/{node}/{qemu|lxc}/{vmid}/config) read into name, vCPUs,
 * memory, disks (storage, volume, size, format), network interfaces (model,
 * MAC, bridge, VLAN, configured address), tags and addresses. The sync stores
 * this reading; the IaC code reads a desired guest's config the same way.
 */
import { parseProps } from "./property-string.js";
import { parseBool, toNumber } from "./scalars.js";
import { GIB, parseSize } from "./size.js";
import { parseTags } from "./tags.js";

/** The two kinds of guest. */
export type GuestType = "qemu" | "lxc";

/** A guest config as GET config returns it (values as text or numbers). */
export type ConfigValues = Record<string, string | number>;

const DISK_KEY: Record<GuestType, RegExp> = {
  qemu: /^(ide|sata|scsi|virtio)\d+$|^(efidisk0|tpmstate0)$/,
  lxc: /^rootfs$|^mp\d+$/,
};
const QEMU_NIC_MODELS = ["virtio", "e1000", "e1000e", "rtl8139", "vmxnet3", "i82551", "i82557b", "i82559er", "ne2k_isa", "ne2k_pci", "pcnet", "e1000-82540em", "e1000-82544gc", "e1000-82545em"];

/** Whether `key` holds a disk of this guest type (qemu drives, EFI/TPM; lxc rootfs and mount points; not unusedN). */
export function isDiskKey(type: GuestType, key: string): boolean {
  return DISK_KEY[type].test(key);
}

/** A disk of a guest, parsed from its config line (`scsi0: local-lvm:vm-100-disk-0,size=32G`). */
export interface ConfigDisk {
  /** Config key: scsi0, virtio1, sata0, ide2, efidisk0, rootfs, mp0 … */
  key: string;
  storage?: string | null;
  volume?: string | null;
  sizeGiB: number;
  format?: string | null;
  /** The config value as PVE returned it. */
  raw: string;
}

/** A network interface of a guest (`net0: virtio=BC:24:11:…,bridge=vmbr0,tag=20`). */
export interface ConfigNet {
  key: string;
  model?: string | null;
  mac?: string | null;
  bridge?: string | null;
  vlanTag?: number | null;
  /** Configured address (lxc `ip=`, qemu `ipconfigN`), CIDR or "dhcp". */
  ip?: string | null;
  firewall: boolean;
  raw: string;
}

/** The disks of a config: attached volumes only (no CD-ROMs, cloud-init drives or unused volumes), in key order. */
export function configDisks(type: GuestType, config: ConfigValues): ConfigDisk[] {
  const disks: ConfigDisk[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (!isDiskKey(type, key) || typeof value !== "string") continue;
    const props = parseProps(value, "volume");
    const volume = props.volume ?? "";
    if (props.media === "cdrom" || /cloudinit/.test(volume) || volume === "none") continue;
    const colon = volume.indexOf(":");
    const storage = colon > 0 && !volume.startsWith("/") ? volume.slice(0, colon) : null;
    const ext = /\.(qcow2|raw|vmdk)$/.exec(volume)?.[1];
    disks.push({
      key,
      storage,
      volume,
      sizeGiB: round((parseSize(props.size) ?? 0) / GIB),
      format: props.format ?? ext ?? null,
      raw: value,
    });
  }
  return disks.sort((a, b) => naturalKey(a.key).localeCompare(naturalKey(b.key)));
}

/** The network interfaces of a config, with the address from ipconfigN (qemu) or ip= (lxc), in key order. */
export function configNets(type: GuestType, config: ConfigValues): ConfigNet[] {
  const nets: ConfigNet[] = [];
  for (const [key, value] of Object.entries(config)) {
    const m = /^net(\d+)$/.exec(key);
    if (!m || typeof value !== "string") continue;
    const props = parseProps(value);
    let model: string | null = null;
    let mac: string | null = null;
    if (type === "qemu") {
      model = QEMU_NIC_MODELS.find((name) => name in props) ?? props.model ?? null;
      mac = (model && props[model] !== "1" ? props[model] : props.macaddr) ?? null;
    } else {
      model = props.type ?? "veth";
      mac = props.hwaddr ?? null;
    }
    const ipconfig = config[`ipconfig${m[1]}`];
    const address = type === "qemu" && typeof ipconfig === "string" ? parseProps(ipconfig) : props;
    nets.push({
      key,
      model,
      mac,
      bridge: props.bridge ?? null,
      vlanTag: toNumber(props.tag) ?? null,
      ip: address.ip ?? null,
      firewall: parseBool(props.firewall) === true,
      raw: value,
    });
  }
  return nets.sort((a, b) => naturalKey(a.key).localeCompare(naturalKey(b.key)));
}

/** What /cluster/resources says of a guest (the fields read here). */
export interface GuestEntry {
  type: string;
  vmid?: number | string;
  node?: string;
  name?: string;
  status?: string;
  template?: unknown;
  maxcpu?: unknown;
  maxmem?: unknown;
  maxdisk?: unknown;
  tags?: unknown;
}

/** A guest read from PVE's answers: what sync hands to the store (state's ObservedGuest). */
export interface GuestReading {
  vmid: number;
  type: GuestType;
  node: string;
  name: string;
  status: string;
  template: boolean;
  /** vCPUs: cores × sockets */
  cores: number;
  /** MiB */
  memory: number;
  /** GiB, all disks together */
  disk: number;
  tags: string[];
  ipAddresses: string[];
  /** The full config as PVE returns it (GET …/config), without its digest. */
  config: ConfigValues;
  digest?: string | null;
  disks: ConfigDisk[];
  nets: ConfigNet[];
}

/** A guest from its cluster-resources entry and its config. */
export function guestFromConfig(entry: GuestEntry, config: ConfigValues): GuestReading {
  const type = entry.type as GuestType;
  const vmid = Number(entry.vmid);
  const name = String((type === "qemu" ? config.name : config.hostname) ?? entry.name ?? defaultName(type, vmid));
  const disks = configDisks(type, config);
  const nets = configNets(type, config);
  const sockets = type === "qemu" ? (toNumber(config.sockets) ?? 1) : 1;
  const cores = (toNumber(config.cores) ?? (type === "lxc" ? toNumber(entry.maxcpu) : undefined) ?? 1) * sockets;
  const memory = toNumber(parseProps(String(config.memory ?? ""), "current").current) ?? 512;
  const { digest, ...rest } = config;
  return {
    vmid,
    type,
    node: String(entry.node),
    name,
    status: String(entry.status ?? "unknown"),
    template: parseBool(entry.template) === true || parseBool(config.template) === true,
    cores,
    memory,
    disk: round(disks.reduce((sum, d) => sum + d.sizeGiB, 0)),
    tags: parseTags(config.tags ?? entry.tags),
    ipAddresses: nets.map((n) => n.ip).filter((ip): ip is string => !!ip && ip !== "dhcp" && ip !== "manual" && !ip.startsWith("auto")).map((ip) => ip.split("/")[0]),
    config: rest,
    digest: typeof digest === "string" ? digest : null,
    disks,
    nets,
  };
}

/**
 * What /cluster/resources alone says of a guest whose config could not be
 * read: name, node, status, vCPUs, memory and disk size; no config, disks or
 * network interfaces.
 */
export function guestFromResource(entry: GuestEntry): GuestReading {
  const type = entry.type as GuestType;
  const vmid = Number(entry.vmid);
  return {
    vmid,
    type,
    node: String(entry.node),
    name: String(entry.name ?? defaultName(type, vmid)),
    status: String(entry.status ?? "unknown"),
    template: parseBool(entry.template) === true,
    cores: toNumber(entry.maxcpu) ?? 1,
    memory: Math.round((toNumber(entry.maxmem) ?? 0) / 1024 ** 2),
    disk: round((toNumber(entry.maxdisk) ?? 0) / GIB),
    tags: parseTags(entry.tags),
    ipAddresses: [],
    config: {},
    digest: null,
    disks: [],
    nets: [],
  };
}

/** PVE's name for a guest without one: vm-100, ct-101. */
function defaultName(type: GuestType, vmid: number): string {
  return `${type === "qemu" ? "vm" : "ct"}-${vmid}`;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** scsi10 after scsi9. */
function naturalKey(key: string): string {
  return key.replace(/\d+/g, (d) => d.padStart(4, "0"));
}
