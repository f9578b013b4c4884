/**
 * From what PVE returns to the store's normalized node and storage records.
 * Guests are read by src/pve/guest-config.ts (guestFromConfig,
 * guestFromResource), which the IaC code shares.
 */
import { parseBool, toNumber } from "../pve/scalars.js";
import type { PveNodeListEntry, PveStorage } from "../proxmox/types.js";
import type { ObservedNode, ObservedStorage } from "../state/types.js";

/** Normalize a node entry of GET /nodes. */
export function normalizeNode(node: PveNodeListEntry): ObservedNode {
  return {
    name: node.node,
    status: node.status ?? "unknown",
    cpu: toNumber(node.cpu) ?? 0,
    maxcpu: toNumber(node.maxcpu) ?? 0,
    mem: toNumber(node.mem) ?? 0,
    maxmem: toNumber(node.maxmem) ?? 0,
    uptime: toNumber(node.uptime) ?? 0,
  };
}

/** Normalize a storage entry of GET /nodes/{node}/storage. */
export function normalizeStorage(node: string, s: PveStorage): ObservedStorage {
  return {
    node,
    storage: s.storage,
    type: s.type,
    content: s.content ?? "",
    shared: parseBool(s.shared) === true,
    total: toNumber(s.total) ?? 0,
    used: toNumber(s.used) ?? 0,
    avail: toNumber(s.avail) ?? 0,
    enabled: s.enabled === undefined ? true : parseBool(s.enabled) === true,
    active: s.active === undefined ? true : parseBool(s.active) === true,
  };
}
