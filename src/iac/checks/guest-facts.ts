/**
 * The facts of a guest's desired state that checks and user specs look at,
 * derived once from its spec: total vCPUs, memory, disk, addresses, bridges,
 * datastores. Units follow `get vms -o json`: memory in MiB, disk in GiB,
 * cores = cores × sockets.
 */
import { GIB, parseSize } from "../../pve/size.js";
import type { GuestSpec } from "../model.js";

/** Provider defaults when a file leaves the value out. */
export const DEFAULT_MEMORY_MIB = 512;

/** A static address of a guest with where it is written. */
export interface GuestAddress {
  /** As written: CIDR "10.0.1.5/24". */
  cidr: string;
  /** Argument path for line lookup. */
  path: string;
}

/** What specs and capacity checks compare. */
export interface GuestFacts {
  name: string;
  vmid: number;
  node: string;
  type: "qemu" | "lxc";
  cores: number;
  /** MiB */
  memory: number;
  /** GiB, all disks together */
  disk: number;
  tags: string[];
  started: boolean;
  onBoot: boolean;
  template: boolean;
  protection: boolean;
  /** Static addresses (not dhcp/auto/manual). */
  addresses: GuestAddress[];
  /** Whether some interface takes its address from DHCP (or SLAAC). */
  dhcp: boolean;
  bridges: string[];
  datastores: string[];
  /** VM: the QEMU guest agent is enabled in the config. Containers: false. */
  agent: boolean;
}

const DYNAMIC = new Set(["dhcp", "auto", "manual", ""]);

/** The facts of one spec. */
export function guestFacts(spec: GuestSpec): GuestFacts {
  const addresses: GuestAddress[] = [];
  let dhcp = false;
  const ipConfigs = spec.kind === "qemu" ? (spec.initialization?.ipConfigs ?? []) : spec.networkInterfaces.map((n) => ({ ipv4: n.ipv4, ipv6: n.ipv6 }));
  ipConfigs.forEach((c, i) => {
    for (const family of ["ipv4", "ipv6"] as const) {
      const address = c[family]?.address?.trim();
      if (address === undefined) continue;
      if (DYNAMIC.has(address.toLowerCase())) dhcp ||= address !== "manual" && address !== "";
      else addresses.push({ cidr: address, path: `initialization.ip_config[${i}].${family}.address` });
    }
  });
  const bridges = spec.kind === "qemu" ? spec.networkDevices.filter((n) => n.enabled).map((n) => n.bridge ?? "vmbr0") : spec.networkInterfaces.filter((n) => n.enabled).map((n) => n.bridge ?? "vmbr0");
  const datastores = spec.kind === "qemu" ? spec.disks.map((d) => d.datastoreId) : [spec.rootDisk?.datastoreId ?? "local", ...spec.mountPoints.map((m) => m.volume.split(":")[0]).filter((s) => s && !s.startsWith("/"))];
  return {
    name: spec.name,
    vmid: spec.vmid,
    node: spec.node,
    type: spec.kind,
    cores: vcpus(spec),
    memory: spec.memory.dedicated ?? DEFAULT_MEMORY_MIB,
    disk: diskGiB(spec),
    tags: spec.tags,
    started: spec.started,
    onBoot: spec.onBoot,
    template: spec.template,
    protection: spec.protection,
    addresses,
    dhcp,
    bridges: [...new Set(bridges)],
    datastores: [...new Set(datastores)],
    agent: spec.kind === "qemu" && spec.agent?.enabled === true,
  };
}

/** vCPUs: cores × sockets for a VM (what PVE checks against the node), cores for a container. */
export function vcpus(spec: GuestSpec): number {
  const cores = spec.cpu.cores ?? 1;
  return spec.kind === "qemu" ? cores * (spec.cpu.sockets ?? 1) : cores;
}

/** GiB of all disks (VM disks; container root disk and allocated mount points). */
export function diskGiB(spec: GuestSpec): number {
  if (spec.kind === "qemu") return spec.disks.reduce((sum, d) => sum + d.sizeGiB, 0);
  return (spec.rootDisk?.sizeGiB ?? 4) + spec.mountPoints.reduce((sum, m) => sum + mountPointGiB(m.volume, m.size), 0);
}

/** Size of a container mount point in GiB: `size = "8G"`, or `local-lvm:8` (allocate 8 GiB); 0 for a bind mount. */
export function mountPointGiB(volume: string, size?: string): number {
  // Unlike in PVE (where it is bytes), a bare number counts as GiB here.
  if (size !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(size)) return Number(size);
  const bytes = parseSize(size);
  if (bytes !== undefined) return bytes / GIB;
  const alloc = /^[^/:]+:(\d+(?:\.\d+)?)$/.exec(volume);
  return alloc ? Number(alloc[1]) : 0;
}
