/**
 * The mapping tables: PVE option ↔ model field ↔ bpg/proxmox argument, one
 * row each. Adoption, pveConfigFromSpec, the renderer and the HCL reader all
 * read these tables, so a mapping is written down exactly once.
 */
import { fields, type FieldCodec, type PropCodec } from "./props.js";

/** Top-level keys of a VM that are plain arguments of the resource. */
export const QEMU_TOP: FieldCodec[] = fields([
  ["bios", "bios", "bios", "string"],
  ["machine", "machine", "machine", "string"],
  ["scsihw", "scsiHardware", "scsi_hardware", "string"],
  ["keyboard", "keyboardLayout", "keyboard_layout", "string"],
  ["args", "kvmArguments", "kvm_arguments", "string"],
  ["hotplug", "hotplug", "hotplug", "string"],
  ["acpi", "acpi", "acpi", "bool"],
  ["tablet", "tabletDevice", "tablet_device", "bool"],
  ["hookscript", "hookScriptFileId", "hook_script_file_id", "string"],
]);

/** Top-level keys of a container that are plain arguments of the resource. */
export const LXC_TOP: FieldCodec[] = fields([["hookscript", "hookScriptFileId", "hook_script_file_id", "string"]]);

/** cpu {} of a VM, from top-level keys (the `cpu` key itself is CPU_TYPE). */
export const QEMU_CPU: FieldCodec[] = fields([
  ["cores", "cores", "cores", "int"],
  ["sockets", "sockets", "sockets", "int"],
  ["vcpus", "hotplugged", "hotplugged", "int"],
  ["cpulimit", "limit", "limit", "float"],
  ["cpuunits", "units", "units", "int"],
  ["affinity", "affinity", "affinity", "string"],
  ["numa", "numa", "numa", "bool"],
]);

/** The qemu `cpu` key: `host,flags=+aes;-pcid`. */
export const CPU_TYPE: PropCodec = {
  lead: "cputype",
  fields: fields([
    ["cputype", "type", "type", "string"],
    ["flags", "flags", "flags", "strings", ";"],
  ]),
};

/** cpu {} of a container. */
export const LXC_CPU: FieldCodec[] = fields([
  ["cores", "cores", "cores", "int"],
  ["cpulimit", "limit", "limit", "float"],
  ["cpuunits", "units", "units", "int"],
  ["arch", "architecture", "architecture", "string"],
]);

/** memory {} of a VM (the `memory` key is handled apart: it may be `current=N`). */
export const QEMU_MEMORY: FieldCodec[] = fields([
  ["balloon", "floating", "floating", "int"],
  ["hugepages", "hugepages", "hugepages", "string"],
  ["keephugepages", "keepHugepages", "keep_hugepages", "bool"],
]);

/** memory {} of a container. */
export const LXC_MEMORY: FieldCodec[] = fields([
  ["memory", "dedicated", "dedicated", "int"],
  ["swap", "swap", "swap", "int"],
]);

/** console {} of a container, from top-level keys. */
export const LXC_CONSOLE: FieldCodec[] = fields([
  ["console", "enabled", "enabled", "bool"],
  ["cmode", "type", "type", "string"],
  ["tty", "ttyCount", "tty_count", "int"],
]);

/** `agent: 1,fstrim_cloned_disks=1,type=virtio`. */
export const AGENT: PropCodec = {
  lead: "enabled",
  fields: fields([
    ["enabled", "enabled", "enabled", "bool"],
    ["fstrim_cloned_disks", "trim", "trim", "bool"],
    ["type", "type", "type", "string"],
  ]),
};

/** Options of a VM disk (besides the volume, size and media). */
export const DISK: PropCodec = {
  lead: "file",
  fields: fields([
    ["format", "fileFormat", "file_format", "string"],
    ["iothread", "iothread", "iothread", "bool"],
    ["discard", "discard", "discard", "string"],
    ["ssd", "ssd", "ssd", "bool"],
    ["cache", "cache", "cache", "string"],
    ["aio", "aio", "aio", "string"],
    ["backup", "backup", "backup", "bool"],
    ["replicate", "replicate", "replicate", "bool"],
    ["serial", "serial", "serial", "string"],
  ]),
};

/** speed {} of a VM disk. */
export const DISK_SPEED: PropCodec = {
  fields: fields([
    ["iops_rd", "iopsRead", "iops_read", "int"],
    ["iops_rd_max", "iopsReadBurstable", "iops_read_burstable", "int"],
    ["iops_wr", "iopsWrite", "iops_write", "int"],
    ["iops_wr_max", "iopsWriteBurstable", "iops_write_burstable", "int"],
    ["mbps_rd", "read", "read", "float"],
    ["mbps_rd_max", "readBurstable", "read_burstable", "float"],
    ["mbps_wr", "write", "write", "float"],
    ["mbps_wr_max", "writeBurstable", "write_burstable", "float"],
  ]),
};

/** `efidisk0: local-lvm:vm-100-disk-1,efitype=4m,pre-enrolled-keys=1,size=4M`. */
export const EFI_DISK: PropCodec = {
  lead: "file",
  fields: fields([
    ["format", "fileFormat", "file_format", "string"],
    ["efitype", "type", "type", "string"],
    ["pre-enrolled-keys", "preEnrolledKeys", "pre_enrolled_keys", "bool"],
  ]),
};

/** `tpmstate0: local-lvm:vm-100-disk-2,size=4M,version=v2.0`. */
export const TPM_STATE: PropCodec = { lead: "file", fields: fields([["version", "version", "version", "string"]]) };

/** Options of a VM network device (the `model=MAC` lead is handled apart). */
export const NET: PropCodec = {
  fields: fields([
    ["bridge", "bridge", "bridge", "string"],
    ["tag", "vlanId", "vlan_id", "int"],
    ["firewall", "firewall", "firewall", "bool"],
    ["mtu", "mtu", "mtu", "int"],
    ["rate", "rateLimit", "rate_limit", "float"],
    ["queues", "queues", "queues", "int"],
    ["trunks", "trunks", "trunks", "string"],
    ["link_down", "disconnected", "disconnected", "bool"],
  ]),
};

/** `ipconfig0: ip=10.0.1.5/24,gw=10.0.1.1` (PVE keeps the text as written: ip, gw, ip6, gw6). */
export const IPCONFIG_ORDER = ["ip", "gw", "ip6", "gw6"];

/** `vga: std,memory=32,clipboard=vnc`. */
export const VGA: PropCodec = {
  lead: "type",
  fields: fields([
    ["type", "type", "type", "string"],
    ["memory", "memory", "memory", "int"],
    ["clipboard", "clipboard", "clipboard", "string"],
  ]),
};

/** `hostpci0: 0000:01:00.0,pcie=1` or `mapping=gpu`. */
export const HOSTPCI: PropCodec = {
  lead: "host",
  fields: fields([
    ["host", "id", "id", "string"],
    ["mapping", "mapping", "mapping", "string"],
    ["mdev", "mdev", "mdev", "string"],
    ["pcie", "pcie", "pcie", "bool"],
    ["rombar", "rombar", "rombar", "bool"],
    ["romfile", "romFile", "rom_file", "string"],
    ["x-vga", "xvga", "xvga", "bool"],
  ]),
};

/** `usb0: host=1234:5678,usb3=1`. */
export const USB: PropCodec = {
  fields: fields([
    ["host", "host", "host", "string"],
    ["mapping", "mapping", "mapping", "string"],
    ["usb3", "usb3", "usb3", "bool"],
  ]),
};

/** `numa0: cpus=0-1,memory=2048`. */
export const NUMA: PropCodec = {
  required: ["cpus"],
  fields: fields([
    ["cpus", "cpus", "cpus", "string"],
    ["memory", "memory", "memory", "int"],
    ["hostnodes", "hostnodes", "hostnodes", "string"],
    ["policy", "policy", "policy", "string"],
  ]),
};

/** `startup: order=1,up=30,down=60` (kept in that order, as PVE stores the text). */
export const STARTUP: PropCodec = {
  fields: fields([
    ["order", "order", "order", "int"],
    ["up", "upDelay", "up_delay", "int"],
    ["down", "downDelay", "down_delay", "int"],
  ]),
};

/** `features: fuse=1,keyctl=1,mount=nfs;cifs,nesting=1`. */
export const FEATURES: PropCodec = {
  fields: fields([
    ["nesting", "nesting", "nesting", "bool"],
    ["keyctl", "keyctl", "keyctl", "bool"],
    ["fuse", "fuse", "fuse", "bool"],
    ["mknod", "mknod", "mknod", "bool"],
    ["mount", "mount", "mount", "strings", ";"],
  ]),
};

/** `rootfs: local-lvm:vm-101-disk-0,size=8G` (volume and size handled apart). */
export const ROOTFS: PropCodec = {
  lead: "volume",
  fields: fields([
    ["acl", "acl", "acl", "bool"],
    ["quota", "quota", "quota", "bool"],
    ["replicate", "replicate", "replicate", "bool"],
    ["mountoptions", "mountOptions", "mount_options", "strings", ";"],
  ]),
};

/** `mp0: local-lvm:vm-101-disk-1,mp=/data,backup=1,size=8G`. */
export const MOUNT_POINT: PropCodec = {
  lead: "volume",
  required: ["mp"],
  fields: fields([
    ["volume", "volume", "volume", "string"],
    ["mp", "path", "path", "string"],
    ["size", "size", "size", "string"],
    ["backup", "backup", "backup", "bool"],
    ["ro", "readOnly", "read_only", "bool"],
    ["acl", "acl", "acl", "bool"],
    ["quota", "quota", "quota", "bool"],
    ["replicate", "replicate", "replicate", "bool"],
    ["shared", "shared", "shared", "bool"],
    ["mountoptions", "mountOptions", "mount_options", "strings", ";"],
  ]),
};

/** Options of a container network interface (ip/gw/ip6/gw6 and type handled apart). */
export const LXC_NET: PropCodec = {
  required: ["name"],
  fields: fields([
    ["name", "name", "name", "string"],
    ["bridge", "bridge", "bridge", "string"],
    ["hwaddr", "macAddress", "mac_address", "string"],
    ["tag", "vlanId", "vlan_id", "int"],
    ["firewall", "firewall", "firewall", "bool"],
    ["mtu", "mtu", "mtu", "int"],
    ["rate", "rateLimit", "rate_limit", "float"],
  ]),
};

/** NIC models PVE writes as `model=MAC`. */
export const NIC_MODELS = ["virtio", "e1000", "e1000e", "rtl8139", "vmxnet3", "ne2k_pci", "ne2k_isa", "i82551", "i82557b", "i82559er", "pcnet"];
