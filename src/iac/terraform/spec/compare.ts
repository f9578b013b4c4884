/**
 * Comparing a spec with a live PVE config, for the native plan/apply engine.
 *
 * PVE returns the same setting in several spellings (numbers as strings,
 * `on`/`1`, sizes in M or G, tags in any order, sshkeys URL-encoded, an
 * absent key meaning its default). canonicalPveValue brings one value to a
 * single spelling; diffPveConfig lists what has to change.
 */
import type { GuestKind, GuestSpec, PveConfigChange } from "../../model.js";
import { parseProps, printProps } from "../../../pve/property-string.js";
import { parseBool } from "../../../pve/scalars.js";
import { parseSize, printSize } from "../../../pve/size.js";
import { parseTags, printTags } from "../../../pve/tags.js";
import { adoptNet, decodeSshKeys } from "./adopt-qemu-devices.js";
import { netValue } from "./to-pve-qemu.js";
import { LXC_CONSOLE, LXC_CPU, LXC_MEMORY, QEMU_CPU, QEMU_MEMORY, QEMU_TOP } from "./codecs.js";
import { configText } from "./props.js";
import { IGNORED_PVE_KEYS, SMBIOS_UUID_ONLY } from "./reader.js";
import { pveConfigFromSpec } from "./to-pve.js";

/** What PVE assumes for an absent key (only keys the model maps). */
export const PVE_DEFAULTS: Record<GuestKind, Record<string, string>> = {
  qemu: {
    onboot: "0",
    template: "0",
    protection: "0",
    acpi: "1",
    tablet: "1",
    numa: "0",
    cores: "1",
    sockets: "1",
    memory: "512",
    bios: "seabios",
    ostype: "other",
    scsihw: "lsi",
    agent: "0",
  },
  lxc: {
    onboot: "0",
    template: "0",
    protection: "0",
    unprivileged: "0",
    memory: "512",
    swap: "512",
    arch: "amd64",
    console: "1",
    cmode: "tty",
    tty: "2",
  },
};

interface Format {
  pattern: RegExp;
  lead?: string;
  /** Bare part when parsing, if printed with its key (usb: `host=`). */
  parseLead?: string;
  required?: string[];
  bools?: string[];
  order?: string[];
  sized?: boolean;
}

const DRIVE_BOOLS = ["iothread", "ssd", "backup", "replicate", "pre-enrolled-keys", "ro", "snapshot"];
const FORMATS: Record<GuestKind, Format[]> = {
  qemu: [
    { pattern: /^(ide|sata|scsi|virtio)\d+$|^efidisk0$|^tpmstate0$/, lead: "file", bools: DRIVE_BOOLS, sized: true },
    { pattern: /^agent$/, lead: "enabled", bools: ["enabled", "fstrim_cloned_disks", "freeze-fs-on-backup"] },
    { pattern: /^cpu$/, lead: "cputype", bools: ["hidden"] },
    { pattern: /^vga$/, lead: "type" },
    { pattern: /^hostpci\d+$/, lead: "host", bools: ["pcie", "rombar", "x-vga"] },
    { pattern: /^usb\d+$/, parseLead: "host", bools: ["usb3"] },
    { pattern: /^numa\d+$/, required: ["cpus"] },
    { pattern: /^ipconfig\d+$/, order: ["ip", "gw", "ip6", "gw6"] },
    { pattern: /^startup$/, order: ["order", "up", "down"] },
    { pattern: /^cicustom$/ },
  ],
  lxc: [
    { pattern: /^rootfs$|^mp\d+$/, lead: "volume", required: ["mp"], bools: ["acl", "quota", "replicate", "backup", "ro", "shared"], sized: true },
    { pattern: /^net\d+$/, required: ["name"], bools: ["firewall", "link_down"] },
    { pattern: /^features$/, bools: ["nesting", "keyctl", "fuse", "mknod", "force_rw_sys"] },
    { pattern: /^startup$/, order: ["order", "up", "down"] },
  ],
};

/** One spelling for a config value, so two spellings of one setting compare equal. */
export function canonicalPveValue(kind: GuestKind, key: string, value: unknown): string {
  const text = configText(value);
  if (key === "tags") return printTags(parseTags(text));
  if (key === "sshkeys") return decodeSshKeys(text).join("\n");
  if (key === "nameserver") return text.split(/\s+/).filter(Boolean).join(" ");
  if (kind === "qemu" && /^net\d+$/.test(key)) return canonicalQemuNet(text);
  const format = FORMATS[kind].find((f) => f.pattern.test(key));
  if (!format) {
    const bool = /^(onboot|template|protection|unprivileged|acpi|tablet|numa|console|keephugepages|ciupgrade)$/.test(key);
    return bool ? String(Number(parseBool(text) ?? text)) : text;
  }
  const options = parseProps(text, format.lead ?? format.parseLead);
  for (const b of format.bools ?? []) if (options[b] !== undefined) options[b] = parseBool(options[b]) === false ? "0" : "1";
  if (format.sized && options.size !== undefined) options.size = printSize(parseSize(options.size) ?? 0);
  if (kind === "lxc" && /^net\d+$/.test(key)) {
    options.type ??= "veth";
    if (options.hwaddr) options.hwaddr = options.hwaddr.toUpperCase();
  }
  if (format.order) return format.order.filter((k) => options[k] !== undefined).map((k) => `${k}=${options[k]}`).join(",");
  return printProps(options, format.lead, format.required);
}

function canonicalQemuNet(text: string): string {
  const net = adoptNet(text);
  return netValue({ ...net, macAddress: net.macAddress?.toUpperCase() });
}

/**
 * Whether two values of a key mean the same. A disk whose desired volume is
 * empty ("local-lvm:,size=32G", from a spec that has not allocated it yet)
 * matches any volume on that datastore; an absent `format` matches any.
 */
export function samePveValue(kind: GuestKind, key: string, a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) {
    const fallback = PVE_DEFAULTS[kind][key];
    if (fallback === undefined) return a === b;
    a ??= fallback;
    b ??= fallback;
  }
  const ca = canonicalPveValue(kind, key, a);
  const cb = canonicalPveValue(kind, key, b);
  if (ca === cb) return true;
  if (!/^(ide|sata|scsi|virtio)\d+$|^efidisk0$|^tpmstate0$|^rootfs$|^mp\d+$/.test(key)) return false;
  const lead = kind === "lxc" ? "volume" : "file";
  const pa = parseProps(ca, lead);
  const pb = parseProps(cb, lead);
  for (const [x, y] of [
    [pa, pb],
    [pb, pa],
  ]) {
    if (/:$/.test(x[lead] ?? "") && (y[lead] ?? "").startsWith(x[lead])) x[lead] = y[lead];
    if (x.format === undefined) delete y.format;
  }
  return printProps(pa, lead) === printProps(pb, lead);
}

const MANAGED: Record<GuestKind, RegExp> = {
  qemu: new RegExp(
    `^(${[
      "name", "description", "tags", "onboot", "template", "protection", "startup", "hookscript", "cpu", "memory", "ostype", "boot",
      "agent", "efidisk0", "tpmstate0", "ciuser", "sshkeys", "nameserver", "searchdomain", "cicustom", "ciupgrade", "vga",
      ...[...QEMU_TOP, ...QEMU_CPU, ...QEMU_MEMORY].map((f) => f.pve),
    ].join("|")}|(scsi|sata|virtio|net|ipconfig|serial|hostpci|usb|numa)\\d+)$`,
  ),
  lxc: new RegExp(
    `^(${[
      "hostname", "description", "tags", "onboot", "template", "protection", "startup", "hookscript", "unprivileged", "ostype",
      "features", "rootfs", "nameserver", "searchdomain",
      ...[...LXC_CPU, ...LXC_MEMORY, ...LXC_CONSOLE].map((f) => f.pve),
    ].join("|")}|(mp|net)\\d+)$`,
  ),
};

/**
 * Whether the model manages a live key for this spec: a key it can map that
 * the spec does not keep as a comment (unmapped) and that is not runtime noise.
 * IDE drives are managed only as CD-ROM or cloud-init drives.
 */
export function isManagedPveKey(spec: GuestSpec, key: string, liveValue?: unknown): boolean {
  if (key in spec.unmapped || key in IGNORED_PVE_KEYS) return false;
  if (key === "smbios1" && SMBIOS_UUID_ONLY.test(configText(liveValue ?? ""))) return false;
  if (spec.kind === "qemu" && /^ide\d+$/.test(key)) return /media=cdrom/.test(configText(liveValue ?? ""));
  return MANAGED[spec.kind].test(key);
}

/** What must change for the live config to match the spec (empty when they agree). */
export function diffPveConfig(spec: GuestSpec, live: Record<string, unknown>): PveConfigChange[] {
  const desired = pveConfigFromSpec(spec, { for: "compare" });
  const changes: PveConfigChange[] = [];
  const storage = /^(ide|sata|scsi|virtio)\d+$|^efidisk0$|^tpmstate0$|^rootfs$|^mp\d+$/;
  for (const [key, value] of Object.entries(desired)) {
    const current = live[key];
    if (samePveValue(spec.kind, key, value, current === null ? undefined : current)) continue;
    changes.push({
      key,
      action: "set",
      desired: String(value),
      live: current === undefined || current === null ? undefined : configText(current),
      destructive: storage.test(key) && current !== undefined && !sameVolume(spec.kind, String(value), configText(current)),
    });
  }
  for (const [key, current] of Object.entries(live)) {
    if (key in desired || current === undefined || current === null || !isManagedPveKey(spec, key, current)) continue;
    if (samePveValue(spec.kind, key, undefined, current)) continue;
    changes.push({ key, action: "delete", live: configText(current), destructive: storage.test(key) });
  }
  return changes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Two disk values on the same volume (a resize or an option change, not a replacement). */
function sameVolume(kind: GuestKind, a: string, b: string): boolean {
  const lead = kind === "lxc" ? "volume" : "file";
  const va = parseProps(a, lead)[lead] ?? "";
  const vb = parseProps(b, lead)[lead] ?? "";
  return va === vb || (va.endsWith(":") && vb.startsWith(va));
}
