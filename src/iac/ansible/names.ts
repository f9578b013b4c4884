/**
 * Names in the Ansible inventory: group names made of letters, digits and
 * underscores (the same rule Ansible's constructed/keyed groups apply, so the
 * static and the dynamic inventory agree), and unique host names.
 */
import type { GuestRecord } from "../../state/types.js";

/** Byte-order string comparison: stable across locales and ICU versions. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A valid Ansible group name: every character other than an ASCII letter,
 * digit or underscore becomes `_`, and a leading digit is replaced by `_`
 * (what Ansible's `to_safe_group_name` does).
 * `groupName("node", "pve-1")` → `node_pve_1`; `groupName("", "running")` → `running`.
 */
export function groupName(prefix: string, value: string): string {
  const raw = prefix ? `${prefix}_${value}` : value;
  const safe = raw.replace(/[^A-Za-z0-9_]/g, "_").replace(/^[0-9]/, "_");
  return safe || "_";
}

/** Node group: `node_<node>`. */
export const nodeGroup = (node: string): string => groupName("node", node);

/** Tag group: `tag_<tag>`. */
export const tagGroup = (tag: string): string => groupName("tag", tag);

/** Status group: the status itself (`running`, `stopped`, `paused` …). */
export const statusGroup = (status: string): string => groupName("", status);

/**
 * Ansible host names for guests, keyed by vmid. A guest is named by its
 * name; when several guests share a name (possible on different nodes),
 * each of them becomes `<name>-<vmid>` so no host silently replaces another.
 */
export function hostNames(guests: readonly GuestRecord[]): Map<number, string> {
  const count = new Map<string, number>();
  for (const g of guests) count.set(g.name, (count.get(g.name) ?? 0) + 1);
  const taken = new Set(guests.filter((g) => count.get(g.name) === 1).map((g) => g.name));
  const names = new Map<number, string>();
  const ordered = [...guests].sort((a, b) => a.vmid - b.vmid);
  for (const g of ordered) {
    if (count.get(g.name) === 1) {
      names.set(g.vmid, g.name);
      continue;
    }
    let candidate = `${g.name}-${g.vmid}`;
    for (let n = 2; taken.has(candidate); n++) candidate = `${g.name}-${g.vmid}-${n}`;
    taken.add(candidate);
    names.set(g.vmid, candidate);
  }
  return names;
}

/**
 * The first static IPv4/IPv6 address of a guest, without prefix length, or
 * undefined when it has none (DHCP, SLAAC, no network).
 */
export function firstStaticIp(guest: Pick<GuestRecord, "ipAddresses">): string | undefined {
  for (const raw of guest.ipAddresses) {
    const ip = raw.trim().split("/")[0];
    if (!ip || ip === "dhcp" || ip === "manual" || ip.startsWith("auto")) continue;
    return ip;
  }
  return undefined;
}
