/**
 * A VM spec from a proxmox_virtual_environment_vm block: the inverse of
 * render-qemu (and lenient with hand-written files: any order, missing
 * optional blocks, provider defaults where the provider has one).
 */
import type { CloudInitSpec, DiskSpec, IpConfigSpec, NetworkDeviceSpec, QemuGuestSpec } from "../../model.js";
import { AGENT, DISK_SPEED, EFI_DISK, HOSTPCI, NUMA, QEMU_TOP, STARTUP, TPM_STATE, USB, VGA } from "../spec/codecs.js";
import { compact } from "../spec/props.js";
import { CI_FILE_FIELDS, VM_CPU_FIELDS, VM_DISK_FIELDS, VM_MEMORY_FIELDS, VM_NET_FIELDS } from "../render-qemu.js";
import type { BodyReader } from "./body.js";
import type { PveComments } from "./comments.js";
import { readBase, readCloneBlock, volumeOf } from "./common.js";

/** The VM spec of a resource body. */
export function qemuFromHcl(name: string, r: BodyReader, c: PveComments): QemuGuestSpec {
  const base = readBase("qemu", name, r, c, r.str("name") ?? "");
  const spec: QemuGuestSpec = { ...base, kind: "qemu", disks: [], networkDevices: [], serialDevices: [], hostPci: [], usb: [], numa: [] };
  r.fields(QEMU_TOP, spec as unknown as Record<string, unknown>);
  spec.bootOrder = r.strList("boot_order");
  spec.clone = readCloneBlock(r, true);
  const agent = r.block("agent");
  if (agent) {
    const a: Record<string, unknown> = {};
    agent.fields(AGENT.fields, a);
    spec.agent = compact({ enabled: (a.enabled as boolean | undefined) ?? false, trim: a.trim as boolean | undefined, type: a.type as string | undefined, extra: c.extras.agent });
    agent.finish();
  }
  const cpu = r.block("cpu");
  cpu?.fields(VM_CPU_FIELDS, spec.cpu as Record<string, unknown>);
  cpu?.finish();
  if (c.extras.cpu) spec.cpu.extra = c.extras.cpu;
  const memory = r.block("memory");
  memory?.fields(VM_MEMORY_FIELDS, spec.memory as Record<string, unknown>);
  memory?.finish();
  const os = r.block("operating_system");
  const ostype = os?.str("type");
  if (ostype !== undefined) spec.operatingSystem = { type: ostype };
  os?.finish();
  const startup = r.block("startup");
  if (startup) {
    spec.startup = {};
    startup.fields(STARTUP.fields, spec.startup as Record<string, unknown>);
    startup.finish();
  }
  spec.disks = r.blocks("disk").map((d) => readDisk(d, c));
  readSmallDisks(r, spec, c);
  spec.networkDevices = r.blocks("network_device").map((n, i) => readNet(n, c.extras[`net${i}`]));
  const init = r.block("initialization");
  if (init) spec.initialization = readCloudInit(init, c);
  spec.serialDevices = r.blocks("serial_device").map((s) => {
    const device = s.str("device") ?? "socket";
    s.finish();
    return device;
  });
  const vga = r.block("vga");
  if (vga) {
    spec.vga = {};
    vga.fields(VGA.fields, spec.vga as Record<string, unknown>);
    if (c.extras.vga) spec.vga.extra = c.extras.vga;
    vga.finish();
  }
  spec.hostPci = r.blocks("hostpci").map((b) => {
    const pci: Record<string, unknown> = { device: b.str("device") ?? "" };
    b.fields(HOSTPCI.fields, pci);
    b.finish();
    return compact({ ...(pci as unknown as QemuGuestSpec["hostPci"][number]), extra: c.extras[pci.device as string] });
  });
  spec.usb = r.blocks("usb").map((b, i) => {
    const usb: Record<string, unknown> = {};
    b.fields(USB.fields, usb);
    b.finish();
    return compact({ ...usb, extra: c.extras[`usb${i}`] });
  });
  spec.numa = r.blocks("numa").map((b) => {
    const numa: Record<string, unknown> = { device: b.str("device") ?? "" };
    b.fields(NUMA.fields, numa);
    b.finish();
    return numa as unknown as QemuGuestSpec["numa"][number];
  });
  return compact(spec);
}

function readDisk(d: BodyReader, c: PveComments): DiskSpec {
  const iface = d.str("interface") ?? "scsi0";
  const sizeGiB = d.num("size") ?? 8;
  const disk: Record<string, unknown> = {
    interface: iface,
    datastoreId: d.str("datastore_id") ?? "local-lvm",
    sizeGiB,
    ...volumeOf(c, iface, sizeGiB),
  };
  d.fields(VM_DISK_FIELDS, disk);
  const speed = d.block("speed");
  if (speed) {
    const s: Record<string, unknown> = {};
    speed.fields(DISK_SPEED.fields, s);
    speed.finish();
    if (Object.keys(s).length) disk.speed = s;
  }
  if (c.extras[iface]) disk.extra = c.extras[iface];
  d.finish();
  return compact(disk as unknown as DiskSpec);
}

function readSmallDisks(r: BodyReader, spec: QemuGuestSpec, c: PveComments): void {
  const efi = r.block("efi_disk");
  if (efi) {
    const e: Record<string, unknown> = { datastoreId: efi.str("datastore_id") ?? "local-lvm", ...volumeOf(c, "efidisk0") };
    efi.fields(EFI_DISK.fields, e);
    efi.finish();
    spec.efiDisk = compact({ ...(e as unknown as NonNullable<QemuGuestSpec["efiDisk"]>), extra: c.extras.efidisk0 });
  }
  const tpm = r.block("tpm_state");
  if (tpm) {
    const t: Record<string, unknown> = { datastoreId: tpm.str("datastore_id") ?? "local-lvm", ...volumeOf(c, "tpmstate0") };
    tpm.fields(TPM_STATE.fields, t);
    tpm.finish();
    spec.tpmState = compact({ ...(t as unknown as NonNullable<QemuGuestSpec["tpmState"]>), extra: c.extras.tpmstate0 });
  }
  const cd = r.block("cdrom");
  if (cd) {
    const iface = cd.str("interface") ?? "ide3";
    spec.cdrom = compact({ interface: iface, fileId: cd.str("file_id") ?? "cdrom", extra: c.extras[iface] });
    cd.ignore("enabled");
    cd.finish();
  }
}

function readNet(n: BodyReader, extra: Record<string, string> | undefined): NetworkDeviceSpec {
  const net: Record<string, unknown> = {};
  n.fields(VM_NET_FIELDS, net);
  const enabled = n.bool("enabled") ?? true;
  n.finish();
  if (!enabled) return { enabled: false, model: (net.model as string | undefined) ?? "virtio" };
  return compact({ enabled, ...net, model: (net.model as string | undefined) ?? "virtio", bridge: (net.bridge as string | undefined) ?? "vmbr0", extra } as NetworkDeviceSpec);
}

/** ip_config {} → addresses (shared with containers). */
export function readIpConfig(b: BodyReader): IpConfigSpec {
  const out: IpConfigSpec = {};
  for (const family of ["ipv4", "ipv6"] as const) {
    const a = b.block(family);
    if (!a) continue;
    out[family] = compact({ address: a.str("address"), gateway: a.str("gateway") });
    a.finish();
  }
  b.finish();
  return out;
}

/** dns {} → servers/domain (the deprecated single `server` is read too). */
export function readDns(b: BodyReader | undefined): { servers?: string[]; domain?: string } | undefined {
  if (!b) return undefined;
  const single = b.str("server");
  const servers = b.strList("servers") ?? (single ? single.split(/\s+/) : undefined);
  const dns = compact({ servers, domain: b.str("domain") });
  b.finish();
  return dns;
}

function readCloudInit(b: BodyReader, c: PveComments): CloudInitSpec {
  const ci: Record<string, unknown> = { datastoreId: b.str("datastore_id"), interface: b.str("interface"), fileFormat: b.str("file_format") };
  b.fields(CI_FILE_FIELDS, ci);
  const key = (ci.interface as string | undefined) ?? "ide2";
  const volume = c.volumes[key]?.volume;
  if (volume) ci.volume = volume;
  if (c.extras[key]) ci.extra = c.extras[key];
  ci.dns = readDns(b.block("dns"));
  ci.ipConfigs = b.blocks("ip_config").map(readIpConfig);
  const account = b.block("user_account");
  if (account) {
    ci.userAccount = compact({ username: account.str("username"), keys: account.strList("keys") });
    account.ignore("password");
    account.finish();
  }
  b.finish();
  return compact(ci as unknown as CloudInitSpec);
}
