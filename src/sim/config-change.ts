/**
 * Applying a config change (PUT/POST config, unlink, and the config part of
 * create) the way PVE does: values normalised (disks allocated, MACs
 * generated, tags sorted, memory printed bare, `cipassword` stored hashed),
 * `delete` moving disks to unusedN (or, with `force`, removing them), the
 * digest and lock checks.
 */
import { createHash, randomBytes } from "node:crypto";
import { isDiskKey } from "../pve/guest-config.js";
import { printTags, splitList } from "../pve/tags.js";
import type { SimCluster } from "./cluster.js";
import { writeDisk, writeNet } from "./disks.js";
import { coerceConfigValue, configDigest, parseDisk } from "./guest-config.js";
import { paramError, serverError } from "./pve-error.js";
import type { GuestConfig, SimGuest } from "./types.js";

/** Parameters of config endpoints that are not config keys. */
export const NON_CONFIG_PARAMS = new Set([
  "node", "vmid", "digest", "delete", "revert", "skiplock", "force", "background_delay", "archive", "bwlimit",
  "ha-managed", "import-working-storage", "live-restore", "pool", "start", "storage", "unique", "ostemplate",
  "password", "ssh-public-keys", "ignore-unpack-errors", "restore",
]);

function nextUnused(config: GuestConfig): string {
  let i = 0;
  while (config[`unused${i}`] !== undefined) i++;
  return `unused${i}`;
}

/** Detach a disk: real volumes become unusedN (unless `force` removes them), CD-ROMs and cloud-init drives just go. */
function detach(config: GuestConfig, key: string, type: SimGuest["type"], force = false): void {
  const value = config[key];
  delete config[key];
  if (force || value === undefined || !isDiskKey(type, key)) return;
  const disk = parseDisk(value);
  if (disk.media === "cdrom" || !disk.storage || disk.volid.includes("cloudinit")) return;
  config[nextUnused(config)] = disk.volid;
}

/** The 500 of a stale digest. */
export function assertDigest(guest: SimGuest, digest: string | undefined): void {
  if (digest !== undefined && digest !== configDigest(guest)) {
    throw serverError("detected modified configuration - file changed by other user? Try again.");
  }
}

/** 400 when a key is both set and deleted (checked before anything runs). */
export function assertNoSetAndDelete(params: Record<string, string | boolean>): void {
  const del = typeof params.delete === "string" ? splitList(params.delete) : [];
  for (const key of del) {
    if (params[key] !== undefined) throw paramError({ delete: `you can't use '-${key}' and -delete ${key}' at the same time` });
  }
}

/**
 * Apply the config keys of `params` (and `delete`) to the guest, in place.
 * Throws PveHttpError for storage errors; the config is untouched then.
 */
export function applyConfig(cluster: SimCluster, guest: SimGuest, params: Record<string, string | boolean>): void {
  const next: GuestConfig = { ...guest.config };
  const work: SimGuest = { ...guest, config: next };
  const del = typeof params.delete === "string" ? splitList(params.delete) : [];
  const force = params.force === true || params.force === "1";
  for (const key of del) {
    if (key === "rootfs" && guest.type === "lxc") throw serverError("unable to delete required option 'rootfs'");
    if (/^unused\d+$/.test(key)) delete next[key];
    else detach(next, key, guest.type, force);
  }
  for (const [key, raw] of Object.entries(params)) {
    if (NON_CONFIG_PARAMS.has(key)) continue;
    const value = typeof raw === "boolean" ? (raw ? "1" : "0") : raw;
    if (isDiskKey(guest.type, key)) {
      const written = writeDisk(cluster, work, key, value);
      const old = next[key] === undefined ? undefined : parseDisk(next[key]);
      if (old && old.volid !== parseDisk(written).volid) detach(next, key, guest.type);
      next[key] = written;
    } else if (/^net\d+$/.test(key)) {
      next[key] = writeNet(cluster, work, key, value);
    } else if (key === "tags") {
      next[key] = printTags(splitList(value));
    } else if (key === "cipassword") {
      next[key] = hashPassword(value);
    } else if (key === "memory" && guest.type === "qemu") {
      next[key] = /(?:current=)?(\d+)/.exec(value)?.[1] ?? value;
    } else {
      next[key] = coerceConfigValue(guest.type, key, raw);
    }
  }
  guest.config = next;
  cluster.touch();
}

/**
 * What PVE stores for `cipassword`: a crypt(3) SHA-256 hash (`$5$salt$hash`),
 * unless the value already is one. The simulator's hash has that shape only.
 */
export function hashPassword(value: string): string {
  if (/^\$(?:[156]|2[ay])(\$.+){2}/.test(value)) return value;
  const salt = randomBytes(6).toString("base64").replace(/\+/g, ".");
  const hash = createHash("sha256").update(`${salt}$${value}`).digest("base64").replace(/=+$/, "").replace(/\+/g, ".");
  return `$5$${salt}$${hash}`;
}

/** PVE's default boot order on create: disks (not cloud-init), CD-ROMs, then NICs. */
export function defaultBootOrder(config: GuestConfig): string | undefined {
  const keys = Object.keys(config);
  const rank = (k: string): number => ["scsi", "virtio", "sata", "ide"].findIndex((p) => k.startsWith(p));
  const disks = keys
    .filter((k) => isDiskKey("qemu", k) && !/^(efidisk|tpmstate)/.test(k) && !String(config[k]).includes("cloudinit"))
    .sort((a, b) => rank(a) - rank(b) || Number(a.replace(/\D+/, "")) - Number(b.replace(/\D+/, "")));
  const nets = keys.filter((k) => /^net\d+$/.test(k)).sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  const order = [...disks, ...nets.slice(0, 1)];
  return order.length ? `order=${order.join(";")}` : undefined;
}
