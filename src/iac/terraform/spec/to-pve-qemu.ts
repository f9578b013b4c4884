/**
 * The VM part of pveConfigFromSpec: CPU type, boot, agent, drives, network,
 * cloud-init, serial/VGA/PCI/USB/NUMA devices.
 */
import type { CloudInitSpec, DiskSpec, NetworkDeviceSpec, PveConfigValues, QemuGuestSpec } from "../../model.js";
import { encodeSshKeys, CICUSTOM } from "./adopt-qemu-devices.js";
import { AGENT, CPU_TYPE, DISK, DISK_SPEED, EFI_DISK, HOSTPCI, IPCONFIG_ORDER, NET, NUMA, TPM_STATE, USB, VGA } from "./codecs.js";
import { printProps } from "../../../pve/property-string.js";
import { encodeOptions, printCodec, specToSize, volumeFormat } from "./props.js";

/** Add the VM-specific keys to `out`. */
export function qemuValues(spec: QemuGuestSpec, out: PveConfigValues, create: boolean): void {
  const { cpu } = spec;
  if (cpu.type !== undefined || cpu.flags !== undefined || cpu.extra) out.cpu = printCodec(CPU_TYPE, cpu, cpu.extra);
  if (spec.operatingSystem) out.ostype = spec.operatingSystem.type;
  if (spec.bootOrder) out.boot = `order=${spec.bootOrder.join(";")}`;
  if (spec.agent) out.agent = printCodec(AGENT, spec.agent, spec.agent.extra);
  const allocate = create && !spec.clone;
  const keepDrives = !create || allocate;
  if (keepDrives) {
    for (const disk of spec.disks) out[disk.interface] = diskValue(disk, allocate);
    if (spec.efiDisk) {
      const efi = spec.efiDisk;
      out.efidisk0 = smallDiskValue(efi.datastoreId, efi.volume, efi.exactSize, encodeOptions(EFI_DISK, efi, efi.extra), allocate);
    }
    if (spec.tpmState) {
      const tpm = spec.tpmState;
      out.tpmstate0 = smallDiskValue(tpm.datastoreId, tpm.volume, tpm.exactSize, encodeOptions(TPM_STATE, tpm, tpm.extra), allocate);
    }
  }
  if (spec.cdrom) out[spec.cdrom.interface] = printProps({ file: spec.cdrom.fileId, media: "cdrom", ...spec.cdrom.extra }, "file");
  spec.networkDevices.forEach((net, i) => {
    if (net.enabled) out[`net${i}`] = netValue(net);
  });
  if (spec.initialization) cloudInitValues(spec, spec.initialization, out, keepDrives, allocate);
  spec.serialDevices.forEach((device, i) => (out[`serial${i}`] = device));
  if (spec.vga) out.vga = printCodec(VGA, spec.vga, spec.vga.extra);
  for (const pci of spec.hostPci) out[pci.device] = printCodec(HOSTPCI, pci, pci.extra);
  spec.usb.forEach((usb, i) => (out[`usb${i}`] = printCodec(USB, usb, usb.extra)));
  for (const numa of spec.numa) out[numa.device] = printCodec(NUMA, numa);
}

/** A network device: `virtio=BC:24:11:AB:CD:EF,bridge=vmbr0,firewall=1,tag=20`. */
export function netValue(net: NetworkDeviceSpec): string {
  const lead = net.macAddress ? `${net.model}=${net.macAddress}` : net.model;
  return printProps({ lead, ...encodeOptions(NET, net, net.extra) }, "lead");
}

/** A disk: `local-lvm:vm-100-disk-0,iothread=1,size=32G`, or `local-lvm:32,iothread=1` to allocate. */
export function diskValue(disk: DiskSpec, allocate: boolean): string {
  const options: Record<string, string> = { ...encodeOptions(DISK, disk), ...encodeOptions(DISK_SPEED, disk.speed ?? {}), ...disk.extra };
  impliedFormat(options, disk.volume);
  if (allocate && disk.volume === undefined) {
    return printProps({ file: `${disk.datastoreId}:${disk.sizeGiB}`, ...options }, "file");
  }
  return printProps({ file: `${disk.datastoreId}:${disk.volume ?? ""}`, ...options, size: specToSize(disk.sizeGiB, disk.exactSize) }, "file");
}

function smallDiskValue(
  datastoreId: string,
  volume: string | undefined,
  exactSize: string | undefined,
  options: Record<string, string>,
  allocate: boolean,
): string {
  impliedFormat(options, volume);
  // PVE sizes EFI vars and TPM state itself; the "1" of the allocation syntax is ignored.
  if (allocate && volume === undefined) return printProps({ file: `${datastoreId}:1`, ...options }, "file");
  return printProps({ file: `${datastoreId}:${volume ?? ""}`, ...options, size: exactSize }, "file");
}

/** PVE does not repeat `format=` when the volume's file name already says it. */
function impliedFormat(options: Record<string, string>, volume: string | undefined): void {
  if (options.format !== undefined && options.format === volumeFormat(volume)) delete options.format;
}

function cloudInitValues(spec: QemuGuestSpec, ci: CloudInitSpec, out: PveConfigValues, keepDrive: boolean, allocate: boolean): void {
  if (keepDrive && ci.datastoreId !== undefined) {
    const fmt = ci.fileFormat;
    let file: string;
    if (allocate) file = `${ci.datastoreId}:cloudinit`;
    else {
      const volume = ci.volume ?? (fmt ? `${spec.vmid}/vm-${spec.vmid}-cloudinit.${fmt}` : `vm-${spec.vmid}-cloudinit`);
      file = `${ci.datastoreId}:${volume}`;
    }
    const format = allocate && fmt ? { format: fmt } : {};
    out[ci.interface ?? "ide2"] = printProps({ file, media: "cdrom", ...format, ...ci.extra }, "file");
  }
  ci.ipConfigs.forEach((ip, i) => {
    const options: Record<string, string | undefined> = {
      ip: ip.ipv4?.address,
      gw: ip.ipv4?.gateway,
      ip6: ip.ipv6?.address,
      gw6: ip.ipv6?.gateway,
    };
    const text = IPCONFIG_ORDER.filter((k) => options[k] !== undefined)
      .map((k) => `${k}=${options[k]}`)
      .join(",");
    if (text) out[`ipconfig${i}`] = text;
  });
  if (ci.userAccount?.username !== undefined) out.ciuser = ci.userAccount.username;
  if (ci.userAccount?.keys !== undefined) out.sshkeys = encodeSshKeys(ci.userAccount.keys);
  if (ci.dns?.servers !== undefined) out.nameserver = ci.dns.servers.join(" ");
  if (ci.dns?.domain !== undefined) out.searchdomain = ci.dns.domain;
  const custom: Record<string, string | undefined> = {};
  for (const [option, field] of Object.entries(CICUSTOM)) custom[option] = ci[field] as string | undefined;
  if (Object.values(custom).some((v) => v !== undefined)) out.cicustom = printProps(custom);
  if (ci.upgrade !== undefined) out.ciupgrade = ci.upgrade ? 1 : 0;
}
