/**
 * GuestSpec: the desired state of one guest in the terms of the bpg/proxmox
 * Terraform provider, and the functions that move it between the three
 * shapes proxmox-mpc deals with: a PVE config (adoption, native engine), a
 * `.tf` file (src/iac/terraform) and the `create vm|ct` inputs.
 *
 * Rule of the model: an optional field is set exactly when the PVE key or
 * option is present, and then the matching Terraform argument is written.
 * The few arguments whose provider default differs from what an absent PVE
 * key means (on_boot, start_on_boot, started) are plain booleans and always
 * written. Everything the model does not map stays in `unmapped` (written
 * as `# pve:` comments), except the runtime/identity noise listed in
 * IGNORED_PVE_KEYS.
 */
export type { GuestRecord } from "../state/types.js";
import type {
  DiskSpeedSpec,
  DiskSpec,
  EfiDiskSpec,
  TpmStateSpec,
  CdromSpec,
  NetworkDeviceSpec,
  IpAddressSpec,
  IpConfigSpec,
  DnsSpec,
  UserAccountSpec,
  CloudInitSpec,
  VgaSpec,
  HostPciSpec,
  UsbSpec,
  NumaSpec,
  LxcFeaturesSpec,
  LxcRootDiskSpec,
  MountPointSpec,
  LxcNetworkInterfaceSpec,
  LxcConsoleSpec,
} from "./terraform/spec/device-types.js";
export type {
  DiskSpeedSpec,
  DiskSpec,
  EfiDiskSpec,
  TpmStateSpec,
  CdromSpec,
  NetworkDeviceSpec,
  IpAddressSpec,
  IpConfigSpec,
  DnsSpec,
  UserAccountSpec,
  CloudInitSpec,
  VgaSpec,
  HostPciSpec,
  UsbSpec,
  NumaSpec,
  LxcFeaturesSpec,
  LxcRootDiskSpec,
  MountPointSpec,
  LxcNetworkInterfaceSpec,
  LxcConsoleSpec,
} from "./terraform/spec/device-types.js";

/** Guest kind: a VM (qemu) or a container (lxc). */
export type GuestKind = "qemu" | "lxc";

/** A config as GET /nodes/{node}/{qemu|lxc}/{vmid}/config returns it. */
export type PveConfigInput = Record<string, unknown>;

/** PVE config keys and values the model produces (to compare or to send). */
export type PveConfigValues = Record<string, string | number>;

/** Option values carried through unchanged (PVE options the model does not map). */
export type ExtraOptions = Record<string, string>;

/** cpu {} (qemu: cores, sockets, cpu, vcpus, cpulimit, cpuunits, affinity, numa; lxc: cores, cpulimit, cpuunits, arch). */
export interface CpuSpec {
  cores?: number;
  sockets?: number;
  /** qemu `cpu` type, e.g. "x86-64-v2-AES", "host". */
  type?: string;
  flags?: string[];
  units?: number;
  limit?: number;
  /** qemu `vcpus`. */
  hotplugged?: number;
  affinity?: string;
  numa?: boolean;
  /** lxc `arch` (amd64, arm64 …). */
  architecture?: string;
  /** Options of the qemu `cpu` key other than the type and flags. */
  extra?: ExtraOptions;
}

/** memory {} in MiB (qemu: memory, balloon, hugepages; lxc: memory, swap). */
export interface MemorySpec {
  dedicated?: number;
  /** qemu `balloon`. */
  floating?: number;
  hugepages?: string;
  keepHugepages?: boolean;
  /** lxc `swap`. */
  swap?: number;
}

/** startup {} (`startup: order=1,up=30,down=60`). */
export interface StartupSpec {
  order?: number;
  upDelay?: number;
  downDelay?: number;
}

/** clone {}: a new guest is created from this template or guest. */
export interface CloneSpec {
  vmId: number;
  full?: boolean;
  nodeName?: string;
  datastoreId?: string;
}

/** agent {} (`agent: 1,fstrim_cloned_disks=1,type=virtio`). */
export interface AgentSpec {
  enabled: boolean;
  trim?: boolean;
  type?: string;
  extra?: ExtraOptions;
}

/** Fields common to VMs and containers. */
export interface BaseGuestSpec {
  kind: GuestKind;
  /** A safe, unique, stable Terraform identifier (also the file name). */
  resourceName: string;
  vmid: number;
  node: string;
  /** VM name, or container hostname. */
  name: string;
  description?: string;
  /** Sorted. */
  tags: string[];
  onBoot: boolean;
  started: boolean;
  template: boolean;
  protection: boolean;
  /** Adopted from the cluster: gets an `import` block in imports.tf. */
  adopted?: boolean;
  clone?: CloneSpec;
  cpu: CpuSpec;
  memory: MemorySpec;
  startup?: StartupSpec;
  hookScriptFileId?: string;
  /** PVE keys not mapped to the provider, written as `# pve: key = value` comments. */
  unmapped: Record<string, string>;
}

/** A VM (proxmox_virtual_environment_vm). */
export interface QemuGuestSpec extends BaseGuestSpec {
  kind: "qemu";
  bios?: string;
  machine?: string;
  scsiHardware?: string;
  bootOrder?: string[];
  agent?: AgentSpec;
  acpi?: boolean;
  tabletDevice?: boolean;
  keyboardLayout?: string;
  kvmArguments?: string;
  hotplug?: string;
  operatingSystem?: { type: string };
  disks: DiskSpec[];
  efiDisk?: EfiDiskSpec;
  tpmState?: TpmStateSpec;
  cdrom?: CdromSpec;
  networkDevices: NetworkDeviceSpec[];
  initialization?: CloudInitSpec;
  serialDevices: string[];
  vga?: VgaSpec;
  hostPci: HostPciSpec[];
  usb: UsbSpec[];
  numa: NumaSpec[];
}

/** A container (proxmox_virtual_environment_container). */
export interface LxcGuestSpec extends BaseGuestSpec {
  kind: "lxc";
  unprivileged: boolean;
  features?: LxcFeaturesSpec;
  rootDisk?: LxcRootDiskSpec;
  mountPoints: MountPointSpec[];
  networkInterfaces: LxcNetworkInterfaceSpec[];
  dns?: DnsSpec;
  /** SSH keys for root, set at creation (PVE does not return them). */
  sshKeys?: string[];
  /** type: `ostype`; templateFileId: the ostemplate (not recorded by PVE). */
  operatingSystem: { type?: string; templateFileId?: string };
  console?: LxcConsoleSpec;
}

/** The desired state of one guest. */
export type GuestSpec = QemuGuestSpec | LxcGuestSpec;

/** What `create vm|ct` asks for; everything else gets a sensible default. */
export interface NewGuestInput {
  kind: GuestKind;
  name: string;
  vmid: number;
  node: string;
  cores?: number;
  /** MiB */
  memory?: number;
  diskGiB?: number;
  storage?: string;
  clone?: { vmId: number; full?: boolean; nodeName?: string };
  ip?: "dhcp" | string;
  gateway?: string;
  sshKeys?: string[];
  tags?: string[];
  /** lxc: the OS template volume ("local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"). */
  ostemplate?: string;
  bridge?: string;
  /** VM cloud-init user. */
  username?: string;
}

/** pveConfigFromSpec mode: values to compare with a live config, or to send when creating. */
export interface PveConfigOptions {
  for: "compare" | "create";
}

/** One difference between the desired (spec) and the live PVE config. */
export interface PveConfigChange {
  key: string;
  /** "set": send `desired`; "delete": the key should be removed. */
  action: "set" | "delete";
  desired?: string;
  live?: string;
  /** Removing or replacing a disk or mount point (data can be lost). */
  destructive: boolean;
}

export { specFromPve, IGNORED_PVE_KEYS, type AdoptableGuest } from "./terraform/spec/adopt.js";
export { pveConfigFromSpec } from "./terraform/spec/to-pve.js";
export { canonicalPveValue, samePveValue, diffPveConfig, isManagedPveKey, PVE_DEFAULTS } from "./terraform/spec/compare.js";
export { newGuestSpec } from "./terraform/spec/new-guest.js";
export { safeResourceName, assignResourceNames } from "./terraform/spec/names.js";
