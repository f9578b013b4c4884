/**
 * The block-level parts of a GuestSpec (disks, network devices, cloud-init,
 * passthrough devices, container disks and interfaces). Import them from
 * src/iac/model.ts, which re-exports them.
 */
import type { ExtraOptions } from "../../model.js";

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

