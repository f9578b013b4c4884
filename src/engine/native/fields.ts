/**
 * Friendly names and values for plan diffs: PVE config keys shown as the
 * Terraform arguments users edit (`cores`, `memory.floating`,
 * `disk.scsi0.size`), values as numbers and booleans where PVE sends text.
 */
import type { GuestKind } from "../../iac/model.js";
import { PVE_DEFAULTS } from "../../iac/model.js";

const COMMON: Record<string, string> = {
  description: "description",
  tags: "tags",
  onboot: "on_boot",
  protection: "protection",
  template: "template",
  startup: "startup",
  hookscript: "hook_script_file_id",
  cores: "cores",
  cpulimit: "cpu.limit",
  cpuunits: "cpu.units",
  memory: "memory",
  ostype: "operating_system.type",
  nameserver: "initialization.dns.servers",
  searchdomain: "initialization.dns.domain",
};

const QEMU: Record<string, string> = {
  ...COMMON,
  name: "name",
  sockets: "cpu.sockets",
  vcpus: "cpu.hotplugged",
  affinity: "cpu.affinity",
  numa: "cpu.numa",
  cpu: "cpu.type",
  balloon: "memory.floating",
  hugepages: "memory.hugepages",
  keephugepages: "memory.keep_hugepages",
  bios: "bios",
  machine: "machine",
  scsihw: "scsi_hardware",
  keyboard: "keyboard_layout",
  args: "kvm_arguments",
  hotplug: "hotplug",
  acpi: "acpi",
  tablet: "tablet_device",
  boot: "boot_order",
  agent: "agent",
  vga: "vga",
  efidisk0: "efi_disk",
  tpmstate0: "tpm_state",
  ciuser: "initialization.user_account.username",
  sshkeys: "initialization.user_account.keys",
  cicustom: "initialization.custom_files",
  ciupgrade: "initialization.upgrade",
};

const LXC: Record<string, string> = {
  ...COMMON,
  hostname: "name",
  swap: "memory.swap",
  arch: "cpu.architecture",
  unprivileged: "unprivileged",
  features: "features",
  console: "console.enabled",
  cmode: "console.type",
  tty: "console.tty_count",
  rootfs: "disk.rootfs",
};

const NUMBERED: [RegExp, string][] = [
  [/^(scsi|sata|virtio|ide)\d+$/, "disk.$&"],
  [/^ipconfig(\d+)$/, "initialization.ip_config.$1"],
  [/^serial(\d+)$/, "serial_device.$1"],
  [/^hostpci(\d+)$/, "hostpci.$1"],
  [/^usb(\d+)$/, "usb.$1"],
  [/^numa(\d+)$/, "numa.$1"],
  [/^mp(\d+)$/, "mount_point.$1"],
];

const BOOLEAN = /^(onboot|protection|template|acpi|tablet|numa|keephugepages|unprivileged|console|ciupgrade)$/;

/** The friendly name of a PVE key for a guest kind. */
export function fieldName(kind: GuestKind, key: string): string {
  const table = kind === "lxc" ? LXC : QEMU;
  if (table[key]) return table[key];
  if (/^net\d+$/.test(key)) return `${kind === "lxc" ? "network_interface" : "network_device"}.${key.slice(3)}`;
  for (const [pattern, name] of NUMBERED) if (pattern.test(key)) return key.replace(pattern, name);
  return key;
}

/** The Terraform argument (block) a PVE key belongs to, for `unsupported` lists. */
export function argumentName(kind: GuestKind, key: string): string {
  return fieldName(kind, key).replace(/\.\d+$/, "").replace(/^disk\..*/, "disk");
}

/** A PVE value as shown in a diff: numbers and booleans typed; absent → the PVE default or null. */
export function displayValue(kind: GuestKind, key: string, value: unknown): unknown {
  if (value === undefined || value === null) {
    const fallback = PVE_DEFAULTS[kind][key];
    if (fallback === undefined) return null;
    value = fallback;
  }
  const text = String(value);
  if (BOOLEAN.test(key)) return text === "1" || text === "on" || text === "true";
  if (/^-?\d+(\.\d+)?$/.test(text) && !/^0\d/.test(text)) return Number(text);
  return text;
}

/** A value in plan text: strings quoted, null as (none). */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return "(none)";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(showValue).join(", ")}]`;
  return String(value);
}
