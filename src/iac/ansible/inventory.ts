/**
 * The static YAML inventory (`ansible/inventory.yml`) built from the guests
 * the store holds: one host per non-template guest, grouped by node, type,
 * status and tag. Templates are not hosts: nobody logs into a template, and
 * the community.general.proxmox dynamic inventory skips them too.
 *
 * Names: group names are letters, digits and underscores (the rule Ansible's
 * keyed groups apply, so the static and the dynamic inventory agree); host
 * names are guest names, made unique.
 */
import { dump } from "js-yaml";
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

/** Host variables of one guest in `inventory.yml`. */
export interface AnsibleHostVars {
  /** The first static IP (cloud-init `ipconfigN` / lxc `ip=`), when there is one. */
  ansible_host?: string;
  proxmox_cores: number;
  proxmox_memory_mb: number;
  proxmox_node: string;
  proxmox_tags: string[];
  proxmox_type: "qemu" | "lxc";
  proxmox_vmid: number;
}

/** Groups that always exist (possibly empty), so playbooks can target them. */
export const FIXED_GROUPS = ["lxc", "qemu", "running", "stopped"] as const;

/** A group of the inventory: its member host names (sorted). */
export interface InventoryGroup {
  name: string;
  hosts: string[];
}

/** The inventory as data, before it becomes YAML. */
export interface InventoryModel {
  /** Host name → host vars, sorted by host name. */
  hosts: Array<{ name: string; vars: AnsibleHostVars }>;
  /** Every group, sorted by name. */
  groups: InventoryGroup[];
}

/** Host variables of one guest (keys in alphabetical order). */
export function hostVars(guest: GuestRecord): AnsibleHostVars {
  const ip = firstStaticIp(guest);
  return {
    ...(ip ? { ansible_host: ip } : {}),
    proxmox_cores: guest.cores,
    proxmox_memory_mb: guest.memory,
    proxmox_node: guest.node,
    proxmox_tags: [...guest.tags],
    proxmox_type: guest.type,
    proxmox_vmid: guest.vmid,
  };
}

/** The group names one guest belongs to. */
export function guestGroups(guest: GuestRecord): string[] {
  const groups = new Set<string>([nodeGroup(guest.node), guest.type, statusGroup(guest.status)]);
  for (const tag of guest.tags) if (tag.trim()) groups.add(tagGroup(tag.trim()));
  return [...groups];
}

/** Build the inventory model from the stored guests (templates left out). */
export function buildInventory(guests: readonly GuestRecord[]): InventoryModel {
  const hostsOnly = guests.filter((g) => !g.template);
  const names = hostNames(hostsOnly);
  const members = new Map<string, Set<string>>(FIXED_GROUPS.map((g) => [g, new Set<string>()]));
  const hosts: InventoryModel["hosts"] = [];
  for (const guest of hostsOnly) {
    const name = names.get(guest.vmid) ?? guest.name;
    hosts.push({ name, vars: hostVars(guest) });
    for (const group of guestGroups(guest)) {
      const set = members.get(group) ?? new Set<string>();
      set.add(name);
      members.set(group, set);
    }
  }
  hosts.sort((a, b) => compareText(a.name, b.name));
  const groups = [...members.entries()]
    .map(([name, set]) => ({ name, hosts: [...set].sort(compareText) }))
    .sort((a, b) => compareText(a.name, b.name));
  return { hosts, groups };
}

const INVENTORY_HEADER = `# Generated by proxmox-mpc from the guests found by the last sync.
# Do not edit: \`proxmox-mpc sync\` rewrites this file. Put your own variables
# in group_vars/ and host_vars/ next to it (for example group_vars/all.yml).
# Groups: node_<node>, qemu, lxc, running, stopped, <other status>, tag_<tag>.
# Templates are not hosts. A guest without a static IP has no ansible_host:
# Ansible then connects to its name.
`;

/** The YAML text of `inventory.yml`. */
export function renderInventory(model: InventoryModel): string {
  const hosts: Record<string, AnsibleHostVars> = {};
  for (const h of model.hosts) hosts[h.name] = h.vars;
  const children: Record<string, { hosts?: Record<string, Record<string, never>> }> = {};
  for (const g of model.groups) {
    children[g.name] = g.hosts.length ? { hosts: Object.fromEntries(g.hosts.map((h) => [h, {}])) } : {};
  }
  const doc = { all: { hosts, children } };
  return INVENTORY_HEADER + dump(doc, { lineWidth: -1, noRefs: true });
}
