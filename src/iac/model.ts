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

/** disk { speed {} } (iops_rd, mbps_rd …). */
export interface DiskSpeedSpec {
  iopsRead?: number;
  iopsReadBurstable?: number;
  iopsWrite?: number;
  iopsWriteBurstable?: number;
  read?: number;
  readBurstable?: number;
  write?: number;
  writeBurstable?: number;
}

/** One VM disk (scsiN, sataN, virtioN). */
export interface DiskSpec {
  /** PVE key: scsi0, virtio1 … */
  interface: string;
  datastoreId: string;
  /** Whole GiB (what the provider reads: floor of the real size, at least 1). */
  sizeGiB: number;
  /** Existing volume in the datastore ("vm-100-disk-0"); unset for a disk still to allocate. */
  volume?: string;
  /** PVE size when it is not a whole number of GiB ("1032M"). */
  exactSize?: string;
  fileFormat?: string;
  iothread?: boolean;
  /** "on" | "ignore" */
  discard?: string;
  ssd?: boolean;
  cache?: string;
  aio?: string;
  backup?: boolean;
  replicate?: boolean;
  serial?: string;
  speed?: DiskSpeedSpec;
  extra?: ExtraOptions;
}

/** efi_disk {} (`efidisk0`). */
export interface EfiDiskSpec {
  datastoreId: string;
  fileFormat?: string;
  /** "2m" | "4m" */
  type?: string;
  preEnrolledKeys?: boolean;
  volume?: string;
  exactSize?: string;
  extra?: ExtraOptions;
}

/** tpm_state {} (`tpmstate0`). */
export interface TpmStateSpec {
  datastoreId: string;
  version?: string;
  volume?: string;
  exactSize?: string;
  extra?: ExtraOptions;
}

/** cdrom {} (the first `media=cdrom` drive that is not the cloud-init drive). */
export interface CdromSpec {
  /** ide2, sata0 … */
  interface: string;
  /** "none" (empty), "cdrom" (host drive) or an ISO volume "local:iso/x.iso". */
  fileId: string;
  extra?: ExtraOptions;
}

/** One VM network device (netN); `enabled: false` stands for a gap in the numbering. */
export interface NetworkDeviceSpec {
  enabled: boolean;
  model: string;
  macAddress?: string;
  bridge?: string;
  vlanId?: number;
  firewall?: boolean;
  mtu?: number;
  /** MB/s (`rate`). */
  rateLimit?: number;
  queues?: number;
  /** "10;20;30" */
  trunks?: string;
  /** `link_down`. */
  disconnected?: boolean;
  extra?: ExtraOptions;
}

/** An address and gateway; address is CIDR ("10.0.1.5/24"), "dhcp" (or "auto" for ipv6). */
export interface IpAddressSpec {
  address?: string;
  gateway?: string;
}

/** ip_config {} for one interface. */
export interface IpConfigSpec {
  ipv4?: IpAddressSpec;
  ipv6?: IpAddressSpec;
}

/** dns {} (`nameserver`, `searchdomain`). */
export interface DnsSpec {
  servers?: string[];
  domain?: string;
}

/** user_account {} (qemu: ciuser + sshkeys; lxc: keys at creation only). */
export interface UserAccountSpec {
  username?: string;
  keys?: string[];
}

/** initialization {} of a VM: the cloud-init drive and its settings. */
export interface CloudInitSpec {
  datastoreId?: string;
  /** ide2, ide0, sata1, scsi5 … */
  interface?: string;
  fileFormat?: string;
  /** Volume of the cloud-init drive when it is not the usual vm-<vmid>-cloudinit. */
  volume?: string;
  /** Options of the cloud-init drive other than media=cdrom. */
  extra?: ExtraOptions;
  ipConfigs: IpConfigSpec[];
  userAccount?: UserAccountSpec;
  dns?: DnsSpec;
  userDataFileId?: string;
  vendorDataFileId?: string;
  networkDataFileId?: string;
  metaDataFileId?: string;
  upgrade?: boolean;
}

/** vga {} (`vga: std,memory=32`). */
export interface VgaSpec {
  type?: string;
  memory?: number;
  clipboard?: string;
  extra?: ExtraOptions;
}

/** hostpci {} (`hostpci0: 0000:01:00.0,pcie=1`). */
export interface HostPciSpec {
  device: string;
  id?: string;
  mapping?: string;
  mdev?: string;
  pcie?: boolean;
  rombar?: boolean;
  romFile?: string;
  xvga?: boolean;
  extra?: ExtraOptions;
}

/** usb {} (`usb0: host=1234:5678,usb3=1`). */
export interface UsbSpec {
  host?: string;
  mapping?: string;
  usb3?: boolean;
  extra?: ExtraOptions;
}

/** numa {} (`numa0: cpus=0-1,memory=2048`). */
export interface NumaSpec {
  device: string;
  cpus: string;
  memory: number;
  hostnodes?: string;
  policy?: string;
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

/** features {} of a container (`features: fuse=1,nesting=1`). */
export interface LxcFeaturesSpec {
  nesting?: boolean;
  keyctl?: boolean;
  fuse?: boolean;
  mknod?: boolean;
  /** Allowed mount types ("nfs", "cifs"). */
  mount?: string[];
  extra?: ExtraOptions;
}

/** disk {} of a container (`rootfs`). */
export interface LxcRootDiskSpec {
  datastoreId: string;
  sizeGiB: number;
  volume?: string;
  exactSize?: string;
  acl?: boolean;
  quota?: boolean;
  replicate?: boolean;
  mountOptions?: string[];
  extra?: ExtraOptions;
}

/** mount_point {} (`mp0: local-lvm:vm-101-disk-1,mp=/data,backup=1,size=8G` or a bind mount). */
export interface MountPointSpec {
  /** Storage volume ("local-lvm:vm-101-disk-1"), "local-lvm:8" to allocate, or a host path. */
  volume: string;
  path: string;
  /** PVE size ("8G"). */
  size?: string;
  backup?: boolean;
  readOnly?: boolean;
  acl?: boolean;
  quota?: boolean;
  replicate?: boolean;
  shared?: boolean;
  mountOptions?: string[];
  extra?: ExtraOptions;
}

/** One container network interface (netN) with its addresses. */
export interface LxcNetworkInterfaceSpec {
  enabled: boolean;
  name: string;
  bridge?: string;
  macAddress?: string;
  vlanId?: number;
  firewall?: boolean;
  mtu?: number;
  rateLimit?: number;
  ipv4?: IpAddressSpec;
  ipv6?: IpAddressSpec;
  extra?: ExtraOptions;
}

/** console {} (`console`, `cmode`, `tty`). */
export interface LxcConsoleSpec {
  enabled?: boolean;
  type?: string;
  ttyCount?: number;
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

export {
  specFromPve,
  IGNORED_PVE_KEYS,
} from "./terraform/spec/adopt.js";
export { pveConfigFromSpec } from "./terraform/spec/to-pve.js";
export { canonicalPveValue, samePveValue, diffPveConfig, isManagedPveKey, PVE_DEFAULTS } from "./terraform/spec/compare.js";
export { newGuestSpec } from "./terraform/spec/new-guest.js";
export { safeResourceName, assignResourceNames } from "./terraform/spec/names.js";
