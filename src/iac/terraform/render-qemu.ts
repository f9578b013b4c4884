/**
 * The body of a proxmox_virtual_environment_vm resource for a VM spec.
 */
import type { CloudInitSpec, DiskSpec, IpConfigSpec, NetworkDeviceSpec, QemuGuestSpec } from "../model.js";
import { AGENT, CPU_TYPE, DISK, DISK_SPEED, EFI_DISK, HOSTPCI, NET, NUMA, QEMU_CPU, QEMU_MEMORY, QEMU_TOP, STARTUP, TPM_STATE, USB, VGA } from "./spec/codecs.js";
import { fields, type FieldCodec } from "./spec/props.js";
import { attr, block, BLANK, type HclItem } from "./hcl/writer.js";
import { codecAttrs, extraComment, items, lifecycleBlock, unmappedComments, volumeComment } from "./render-common.js";

/** cpu {} arguments in the order they are written. */
export const VM_CPU_FIELDS: FieldCodec[] = [QEMU_CPU[0], QEMU_CPU[1], ...CPU_TYPE.fields, ...QEMU_CPU.slice(2)];
/** memory {} arguments in the order they are written. */
export const VM_MEMORY_FIELDS: FieldCodec[] = [...fields([["memory", "dedicated", "dedicated", "int"]]), ...QEMU_MEMORY];
/** network_device {} arguments in the order they are written. */
export const VM_NET_FIELDS: FieldCodec[] = [
  NET.fields[0], // bridge
  ...fields([
    ["model", "model", "model", "string"],
    ["macaddr", "macAddress", "mac_address", "string"],
  ]),
  ...NET.fields.slice(1),
];
/** disk {} arguments after interface, datastore_id and size. */
export const VM_DISK_FIELDS = DISK.fields;
/** Fields of the cloud-init file ids. */
export const CI_FILE_FIELDS: FieldCodec[] = fields([
  ["user", "userDataFileId", "user_data_file_id", "string"],
  ["network", "networkDataFileId", "network_data_file_id", "string"],
  ["meta", "metaDataFileId", "meta_data_file_id", "string"],
  ["vendor", "vendorDataFileId", "vendor_data_file_id", "string"],
  ["ciupgrade", "upgrade", "upgrade", "bool"],
]);

/** Body items of a VM resource. */
export function qemuItems(spec: QemuGuestSpec): HclItem[] {
  const blocks: HclItem[] = [];
  const add = (item: HclItem | undefined): void => {
    if (item) blocks.push(BLANK, item);
  };
  if (spec.clone) add(cloneBlock(spec.clone));
  if (spec.agent) add(block("agent", [extraComment("agent", spec.agent.extra), ...codecAttrs(AGENT.fields, spec.agent)]));
  add(block("cpu", [extraComment("cpu", spec.cpu.extra), ...codecAttrs(VM_CPU_FIELDS, spec.cpu)]));
  add(block("memory", codecAttrs(VM_MEMORY_FIELDS, spec.memory)));
  if (spec.operatingSystem) add(block("operating_system", [attr("type", spec.operatingSystem.type)]));
  if (spec.startup) add(block("startup", codecAttrs(STARTUP.fields, spec.startup)));
  for (const disk of spec.disks) add(diskBlock(disk));
  if (spec.efiDisk) {
    const efi = spec.efiDisk;
    add(block("efi_disk", [volumeComment("efidisk0", efi.volume, efi.exactSize), extraComment("efidisk0", efi.extra), attr("datastore_id", efi.datastoreId), ...codecAttrs(EFI_DISK.fields, efi)]));
  }
  if (spec.tpmState) {
    const tpm = spec.tpmState;
    add(block("tpm_state", [volumeComment("tpmstate0", tpm.volume, tpm.exactSize), extraComment("tpmstate0", tpm.extra), attr("datastore_id", tpm.datastoreId), ...codecAttrs(TPM_STATE.fields, tpm)]));
  }
  if (spec.cdrom) {
    const cd = spec.cdrom;
    add(block("cdrom", [extraComment(cd.interface, cd.extra), attr("interface", cd.interface), attr("file_id", cd.fileId)]));
  }
  spec.networkDevices.forEach((net, i) => add(netBlock(net, i)));
  if (spec.initialization) add(cloudInitBlock(spec.initialization));
  for (const device of spec.serialDevices) add(block("serial_device", [attr("device", device)]));
  if (spec.vga) add(block("vga", [extraComment("vga", spec.vga.extra), ...codecAttrs(VGA.fields, spec.vga)]));
  for (const pci of spec.hostPci) add(block("hostpci", [extraComment(pci.device, pci.extra), attr("device", pci.device), ...codecAttrs(HOSTPCI.fields, pci)]));
  spec.usb.forEach((usb, i) => add(block("usb", [extraComment(`usb${i}`, usb.extra), ...codecAttrs(USB.fields, usb)])));
  for (const numa of spec.numa) add(block("numa", [attr("device", numa.device), ...codecAttrs(NUMA.fields, numa)]));
  add(lifecycleBlock(spec));
  return items(
    unmappedComments(spec.unmapped),
    attr("node_name", spec.node),
    attr("vm_id", spec.vmid),
    spec.name ? attr("name", spec.name) : undefined,
    attr("description", spec.description),
    spec.tags.length ? attr("tags", spec.tags) : undefined,
    attr("on_boot", spec.onBoot),
    attr("started", spec.started),
    spec.template ? attr("template", true) : undefined,
    spec.protection ? attr("protection", true) : undefined,
    codecAttrs(QEMU_TOP, spec),
    spec.bootOrder ? attr("boot_order", spec.bootOrder) : undefined,
    blocks,
  );
}

function cloneBlock(clone: NonNullable<QemuGuestSpec["clone"]>): HclItem {
  return block("clone", [attr("vm_id", clone.vmId), attr("full", clone.full), attr("node_name", clone.nodeName), attr("datastore_id", clone.datastoreId)]);
}

function diskBlock(disk: DiskSpec): HclItem {
  const speed = codecAttrs(DISK_SPEED.fields, disk.speed);
  return block("disk", [
    volumeComment(disk.interface, disk.volume, disk.exactSize),
    extraComment(disk.interface, disk.extra),
    attr("interface", disk.interface),
    attr("datastore_id", disk.datastoreId),
    attr("size", disk.sizeGiB),
    ...codecAttrs(VM_DISK_FIELDS, disk),
    ...(speed.length ? [block("speed", speed)] : []),
  ]);
}

function netBlock(net: NetworkDeviceSpec, index: number): HclItem {
  return block("network_device", [
    extraComment(`net${index}`, net.extra),
    net.enabled ? undefined : attr("enabled", false),
    ...codecAttrs(VM_NET_FIELDS, net),
  ]);
}

/** ip_config {} blocks (also used for containers). */
export function ipConfigBlock(ip: IpConfigSpec): HclItem {
  const address = (type: "ipv4" | "ipv6"): HclItem | undefined => {
    const a = ip[type];
    return a ? block(type, [attr("address", a.address), attr("gateway", a.gateway)]) : undefined;
  };
  return block("ip_config", [address("ipv4"), address("ipv6")]);
}

/** dns {} block (also used for containers). */
export function dnsBlock(dns: { servers?: string[]; domain?: string } | undefined): HclItem | undefined {
  return dns ? block("dns", [attr("domain", dns.domain), dns.servers ? attr("servers", dns.servers) : undefined]) : undefined;
}

function cloudInitBlock(ci: CloudInitSpec): HclItem {
  const key = ci.interface ?? "ide2";
  const account = ci.userAccount;
  return block("initialization", [
    volumeComment(key, ci.volume),
    extraComment(key, ci.extra),
    attr("datastore_id", ci.datastoreId),
    attr("interface", ci.interface),
    attr("file_format", ci.fileFormat),
    ...codecAttrs(CI_FILE_FIELDS, ci),
    dnsBlock(ci.dns),
    ...ci.ipConfigs.map(ipConfigBlock),
    account ? block("user_account", [attr("username", account.username), account.keys ? attr("keys", account.keys) : undefined]) : undefined,
  ]);
}
