/**
 * The state store's public types: what a sync hands to the store (Observed*),
 * and what the store gives back (records). Units: guest memory in MiB, disk
 * sizes in GiB, node memory in bytes, cpu as a 0..1 fraction.
 */

import type { ConfigDisk, ConfigNet, GuestReading } from "../pve/guest-config.js";

/** A JSON value as stored in the database. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Guest kind: a VM (qemu) or a container (lxc). */
export type GuestType = "qemu" | "lxc";

/** A guest's vmid, name and tags (`guests.names()`). */
export interface GuestName {
  vmid: number;
  name: string;
  tags: string[];
}

/** A disk of a guest, parsed from its config line (src/pve/guest-config.ts reads it). */
export type ObservedDisk = ConfigDisk;

/** A network interface of a guest (src/pve/guest-config.ts reads it). */
export type ObservedNet = ConfigNet;

/** A guest as sync read it from PVE (src/pve/guest-config.ts: guestFromConfig, guestFromResource). */
export type ObservedGuest = GuestReading;

/** A cluster node (GET /nodes). */
export interface ObservedNode {
  name: string;
  status: string;
  /** 0..1 */
  cpu: number;
  maxcpu: number;
  /** bytes */
  mem: number;
  /** bytes */
  maxmem: number;
  /** seconds */
  uptime: number;
  raw?: Record<string, JsonValue>;
}

/** A storage as seen from one node (GET /nodes/{node}/storage). Sizes in bytes. */
export interface ObservedStorage {
  node: string;
  storage: string;
  type: string;
  /** Comma-separated content types: "images,rootdir". */
  content: string;
  shared: boolean;
  total: number;
  used: number;
  avail: number;
  enabled: boolean;
  active: boolean;
  raw?: Record<string, JsonValue>;
}

/** Everything one sync observed. */
export interface ObservedSnapshot {
  nodes: ObservedNode[];
  storage: ObservedStorage[];
  guests: ObservedGuest[];
  /**
   * Nodes whose guests could not be read (offline, timeout). Their guests in
   * the store are kept as they were instead of being reported removed.
   */
  unreachableNodes?: string[];
  /**
   * Guests listed by /cluster/resources whose config could not be read. The
   * store keeps their last known row, or stores `fallback` for a guest it
   * never had, and marks them stale until a sync reads them.
   */
  staleGuests?: StaleGuest[];
}

/** A guest sync saw listed but could not read (see ObservedSnapshot.staleGuests). */
export interface StaleGuest {
  vmid: number;
  /** Why its config could not be read (the error's message). */
  reason: string;
  /** What /cluster/resources alone says of it: no config, disks or network interfaces. */
  fallback: ObservedGuest;
}

/** Why a stored guest's values may be out of date: the last sync could not read its config. */
export interface GuestStaleness {
  /** The first sync, of those in a row, that could not read it. */
  syncRunId: number;
  /** The last sync's error. */
  reason: string;
  /** When the stored values were read. */
  valuesAt: Date;
  /** False when its config was never read: the row holds /cluster/resources' summary only. */
  configRead: boolean;
}

/** A guest as stored: what sync read (without disks and nets), with its history. */
export interface GuestRecord extends Omit<ObservedGuest, "digest" | "disks" | "nets"> {
  digest: string | null;
  updatedAt: Date;
  firstSeenSyncId: number;
  /** The sync that last added or changed this guest (unchanged guests are not rewritten). */
  lastChangedSyncId: number;
  /** Set when the last sync could not read this guest's config (absent when its values are current). */
  stale?: GuestStaleness;
}

/** A stored disk. */
export interface DiskRecord extends Required<ObservedDisk> {
  vmid: number;
}

/** A stored network interface. */
export interface NetRecord extends Required<ObservedNet> {
  vmid: number;
}

/** A guest with its disks and network interfaces. */
export interface GuestDetail extends GuestRecord {
  disks: DiskRecord[];
  nets: NetRecord[];
}

/** Filter of `guests.list()`; every given field must match. */
export interface GuestFilter {
  node?: string;
  status?: string;
  tag?: string;
  type?: GuestType;
  template?: boolean;
}

/** Which page of guests `guests.page()` reads: those after vmid `after`, at most `limit`. */
export interface GuestPageRequest {
  after?: number;
  limit: number;
}

/** A page of guests (ordered by vmid) and how many match the filter in all. */
export interface GuestPage {
  items: GuestRecord[];
  total: number;
}

/** A stored node. */
export interface NodeRecord extends Required<ObservedNode> {
  lastSyncId: number;
  updatedAt: Date;
}

/** A stored storage. */
export interface StorageRecord extends Required<ObservedStorage> {
  updatedAt: Date;
}

/** Row counts for status and health. */
export interface StoreCounts {
  nodes: number;
  storage: number;
  guests: number;
  vms: number;
  containers: number;
  templates: number;
  running: number;
  syncRuns: number;
  operations: number;
}
