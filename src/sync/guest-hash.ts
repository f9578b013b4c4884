/**
 * Pure comparison of an observed guest with its stored record: each guest's
 * canonical form is hashed, so a re-sync compares hashes in memory and only
 * loads (and rewrites) the guests whose hash changed; for those, a field
 * diff says what changed.
 */
import { createHash } from "node:crypto";
import { ProxmoxMpcError } from "../core/errors.js";
import type { FieldDiff, GuestDetail, GuestInput, JsonValue, ObservedGuest } from "../state/index.js";

/** The normalized fields compared one by one (digest is not: it follows the config). */
export const GUEST_FIELDS = ["name", "type", "node", "status", "template", "cores", "memory", "disk", "tags", "ipAddresses"] as const;

const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** The canonical form of an observed guest: defaults filled, disks and nets sorted by key, config keys sorted. */
export function canonicalGuest(g: ObservedGuest): GuestInput {
  const config: Record<string, string | number> = {};
  for (const key of Object.keys(g.config).sort()) config[key] = g.config[key];
  return {
    vmid: g.vmid,
    type: g.type,
    node: g.node,
    name: g.name,
    status: g.status,
    template: Boolean(g.template),
    cores: g.cores,
    memory: g.memory,
    disk: g.disk,
    tags: [...g.tags],
    ipAddresses: [...g.ipAddresses],
    config,
    digest: g.digest ?? null,
    disks: g.disks
      .map((d) => ({ key: d.key, storage: d.storage ?? null, volume: d.volume ?? null, sizeGiB: d.sizeGiB, format: d.format ?? null, raw: d.raw }))
      .sort(byKey),
    nets: g.nets
      .map((n) => ({
        key: n.key,
        model: n.model ?? null,
        mac: n.mac ?? null,
        bridge: n.bridge ?? null,
        vlanTag: n.vlanTag ?? null,
        ip: n.ip ?? null,
        firewall: Boolean(n.firewall),
        raw: n.raw,
      }))
      .sort(byKey),
  };
}

/** Stable JSON: object keys sorted at every level. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .filter((k) => obj[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson(obj[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * The hash stored with each guest ("v1:" so a future normalization can tell
 * old hashes apart). Plain JSON.stringify is canonical here, and 3–4× faster
 * than stableJson: canonicalGuest builds every object with a fixed key order
 * and sorts the config keys.
 */
export function guestHash(g: GuestInput): string {
  const { digest: _digest, ...hashed } = g;
  return "v1:" + createHash("sha256").update(JSON.stringify(hashed)).digest("base64url");
}

/** Reject a snapshot the store cannot write (a bug in the sync engine, not the user's input). */
export function checkSnapshot(guests: GuestInput[]): void {
  const seen = new Set<number>();
  for (const g of guests) {
    if (!Number.isInteger(g.vmid) || g.vmid <= 0) throw invalid(`guest "${g.name}" has vmid ${String(g.vmid)}`);
    if (seen.has(g.vmid)) throw invalid(`vmid ${g.vmid} appears twice`);
    seen.add(g.vmid);
    for (const list of [g.disks, g.nets]) {
      const keys = new Set(list.map((x) => x.key));
      if (keys.size !== list.length) throw invalid(`guest ${g.vmid} lists a disk or network key twice`);
    }
  }
}

function invalid(detail: string): ProxmoxMpcError {
  return new ProxmoxMpcError(`The sync produced an invalid snapshot: ${detail}.`, {
    code: "sync-invalid",
    hint: "Nothing was written. This is a bug in proxmox-mpc: run the sync again with --debug and keep that output and .proxmox-mpc/logs/ for the bug report.",
  });
}

function same(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

/** Field-level diff of a stored guest and its new observation. */
export function diffGuest(old: GuestDetail, now: GuestInput): FieldDiff {
  const diff: FieldDiff = {};
  for (const field of GUEST_FIELDS) {
    const before = old[field] as JsonValue;
    const after = now[field] as JsonValue;
    if (!same(before, after)) diff[field] = [before, after];
  }
  const keys = new Set([...Object.keys(old.config), ...Object.keys(now.config)]);
  for (const key of [...keys].sort()) {
    const before = old.config[key] ?? null;
    const after = now.config[key] ?? null;
    if (!same(before, after)) diff[`config.${key}`] = [before, after];
  }
  diffParts("disks", old.disks, now.disks, diff);
  diffParts("nets", old.nets, now.nets, diff);
  return diff;
}

/** Disks/nets whose parsed form changed while their config line did not (or that have no config line). */
function diffParts<T extends { key: string }>(label: string, before: T[], after: T[], diff: FieldDiff): void {
  const strip = (x: T | undefined): JsonValue => {
    if (!x) return null;
    const { vmid: _vmid, ...rest } = x as T & { vmid?: number };
    return JSON.parse(stableJson(rest)) as JsonValue;
  };
  const old = new Map(before.map((x) => [x.key, x]));
  const now = new Map(after.map((x) => [x.key, x]));
  for (const key of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    if (`config.${key}` in diff) continue;
    const a = strip(old.get(key));
    const b = strip(now.get(key));
    if (!same(a, b)) diff[`${label}.${key}`] = [a, b];
  }
}
