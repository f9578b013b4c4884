/**
 * Guest config helpers: the API's value types (taken from the vendored
 * schema of GET .../config), the config file text and its SHA-1 digest,
 * disk values and the facts derived from a config.
 */
import { createHash } from "node:crypto";
import { findEndpoint, resolveParameter, type PropertySchema } from "../pve/api-schema/index.js";
import { isDiskKey } from "../pve/guest-config.js";
import { parseProps } from "../pve/property-string.js";
import { parseBool } from "../pve/scalars.js";
import { parseSize } from "../pve/size.js";
import type { ConfigValue, GuestConfig, GuestType, SimGuest } from "./types.js";

const returnsOf = (type: GuestType): Record<string, PropertySchema> =>
  findEndpoint("GET", `/nodes/n/${type}/100/config`)?.info.returns?.properties ?? {};
const SCHEMA: Record<GuestType, Record<string, PropertySchema>> = { qemu: returnsOf("qemu"), lxc: returnsOf("lxc") };
const typeCache: Record<GuestType, Map<string, string | undefined>> = { qemu: new Map(), lxc: new Map() };

/** The JSON type PVE gives a config key of this guest type ("integer", "string", ...). */
export function configKeyType(type: GuestType, key: string): string | undefined {
  const cache = typeCache[type];
  if (cache.has(key)) return cache.get(key);
  const t = resolveParameter(SCHEMA[type], key)?.type;
  cache.set(key, t);
  return t;
}

/** Convert a value as written (form text, JSON, YAML) to the shape GET config returns. */
export function coerceConfigValue(type: GuestType, key: string, value: string | number | boolean): ConfigValue {
  const t = configKeyType(type, key);
  if (t === "boolean") {
    const flag = parseBool(typeof value === "boolean" ? value : String(value));
    return flag === undefined ? String(value) : flag ? 1 : 0;
  }
  if (t === "integer" || t === "number") {
    const n = Number(value);
    return typeof value !== "boolean" && String(value).trim() !== "" && Number.isFinite(n) ? n : String(value);
  }
  if (typeof value === "boolean") return value ? "1" : "0";
  return String(value);
}

/** A config with every value coerced. */
export function coerceConfig(type: GuestType, raw: Record<string, string | number | boolean>): GuestConfig {
  const out: GuestConfig = {};
  for (const [k, v] of Object.entries(raw)) out[k] = coerceConfigValue(type, k, v);
  return out;
}

function sectionText(config: GuestConfig): string {
  let text = "";
  const desc = config.description;
  if (desc !== undefined) for (const line of String(desc).split("\n")) text += `#${line}\n`;
  for (const key of Object.keys(config).sort()) {
    if (key === "description" || key === "digest") continue;
    text += `${key}: ${config[key]}\n`;
  }
  return text;
}

/** The config file as PVE writes it (description as comments, keys sorted, snapshot sections). */
export function configText(guest: SimGuest): string {
  let text = sectionText(guest.config);
  for (const snap of guest.snapshots) text += `\n[${snap.name}]\n${sectionText(snap.config)}`;
  return text;
}

/** SHA-1 hex of the config file: the `digest` of GET config. */
export function configDigest(guest: SimGuest): string {
  return createHash("sha1").update(configText(guest)).digest("hex");
}

/** A parsed disk value: `local-lvm:vm-100-disk-0,size=32G` → volid, size, options. */
export interface DiskInfo {
  volid: string;
  storage?: string;
  size: number;
  media?: string;
  options: Record<string, string>;
}

/** Parse a disk/mount-point value (qemu `file` or lxc `volume` as the bare key). */
export function parseDisk(value: ConfigValue): DiskInfo {
  const parts = parseProps(String(value), "file");
  const volid = parts.file ?? parts.volume ?? "";
  delete parts.file;
  delete parts.volume;
  const colon = volid.indexOf(":");
  return {
    volid,
    storage: colon > 0 ? volid.slice(0, colon) : undefined,
    size: parts.size ? parseSize(parts.size, { strict: true }) ?? 0 : 0,
    media: parts.media,
    options: parts,
  };
}

/** Facts derived from a config, cached per config object (configs are replaced, not edited, on change). */
export interface DerivedFacts {
  maxmem: number;
  maxdisk: number;
  cpus: number;
  disks: { key: string; disk: DiskInfo }[];
}

const derivedCache = new WeakMap<GuestConfig, DerivedFacts>();

/** Memory, boot disk size, vCPUs and disks of a guest, computed once per config object. */
export function derived(guest: SimGuest): DerivedFacts {
  let d = derivedCache.get(guest.config);
  if (!d) {
    d = { maxmem: guestMemoryBytes(guest), maxdisk: bootDiskSize(guest), cpus: guestCpus(guest), disks: scanDisks(guest) };
    derivedCache.set(guest.config, d);
  }
  return d;
}

/** Every disk of a guest (including unused volumes) with its key. */
export function guestDisks(guest: SimGuest): { key: string; disk: DiskInfo }[] {
  return derived(guest).disks;
}

function scanDisks(guest: SimGuest): { key: string; disk: DiskInfo }[] {
  const out: { key: string; disk: DiskInfo }[] = [];
  for (const [key, value] of Object.entries(guest.config)) {
    if (isDiskKey(guest.type, key) || /^unused\d+$/.test(key)) {
      const disk = parseDisk(value);
      if (disk.media === "cdrom" && !disk.volid.includes("cloudinit")) continue;
      if (disk.volid === "none" || disk.volid === "cdrom" || !disk.storage) continue;
      out.push({ key, disk });
    }
  }
  return out;
}

/** The size that /cluster/resources shows as maxdisk: the boot disk (qemu) or rootfs (lxc). */
export function bootDiskSize(guest: SimGuest): number {
  const c = guest.config;
  if (guest.type === "lxc") return c.rootfs ? parseDisk(c.rootfs).size : 0;
  const order = /order=([^,]+)/.exec(String(c.boot ?? ""))?.[1]?.split(";") ?? [];
  const candidates = [...order, String(c.bootdisk ?? ""), "scsi0", "virtio0", "sata0", "ide0"];
  for (const key of candidates) {
    if (key && c[key] !== undefined && isDiskKey("qemu", key)) {
      const disk = parseDisk(c[key]);
      if (disk.media !== "cdrom") return disk.size;
    }
  }
  return 0;
}

/** The memory of a guest in bytes (qemu `memory` is a property string "[current=]MiB"). */
export function guestMemoryBytes(guest: SimGuest): number {
  const raw = String(guest.config.memory ?? 512);
  const mib = Number(/(?:current=)?(\d+)/.exec(raw)?.[1] ?? 512);
  return mib * 1024 * 1024;
}

/** Number of vCPUs: cores × sockets (qemu, `vcpus` wins) or cores (lxc, default: all host CPUs → 1 here). */
export function guestCpus(guest: SimGuest): number {
  const c = guest.config;
  if (guest.type === "lxc") return Number(c.cores ?? 1);
  if (c.vcpus !== undefined) return Number(c.vcpus);
  return Number(c.cores ?? 1) * Number(c.sockets ?? 1);
}
