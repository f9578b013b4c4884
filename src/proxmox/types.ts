/**
 * Shapes of the Proxmox VE answers the client uses, as real PVE 6.2–9 servers
 * send them: numbers that may arrive as strings (vmid on old servers), 0/1
 * booleans, `template` as "" or 1, missing keys meaning defaults. The client
 * normalizes the few fields the product relies on (see normalize.ts).
 */

/** GET /version */
export interface PveVersion {
  version: string;
  release: string;
  repoid: string;
  console?: string;
}

/** GET /nodes entry */
export interface PveNodeListEntry {
  node: string;
  status: "online" | "offline" | "unknown";
  cpu?: number;
  maxcpu?: number;
  mem?: number;
  maxmem?: number;
  disk?: number;
  maxdisk?: number;
  uptime?: number;
  level?: string;
  ssl_fingerprint?: string;
  id?: string;
  type?: "node";
}

/** GET /nodes/{node}/status (the parts used). */
export interface PveNodeStatus {
  uptime: number;
  cpu: number;
  cpuinfo: { cpus: number; model?: string; sockets?: number; cores?: number; mhz?: string };
  memory: { total: number; used: number; free: number };
  rootfs?: { total: number; used: number; avail: number; free: number };
  loadavg?: string[];
  kversion?: string;
  pveversion?: string;
  [key: string]: unknown;
}

/** GET /cluster/status entry (type cluster or node). */
export interface PveClusterStatusEntry {
  type: "cluster" | "node";
  id: string;
  name: string;
  nodes?: number;
  quorate?: number;
  version?: number;
  online?: number;
  local?: number;
  nodeid?: number;
  ip?: string;
  level?: string;
}

/** The `type` filter of /cluster/resources (the schema has no "pool"). */
export type ResourceType = "vm" | "storage" | "node" | "sdn";

/** GET /cluster/resources entry. */
export interface PveClusterResource {
  id: string;
  type: "qemu" | "lxc" | "node" | "storage" | "sdn" | "pool" | "openvz" | string;
  node?: string;
  vmid?: number;
  name?: string;
  status?: string;
  template?: number;
  tags?: string;
  pool?: string;
  cpu?: number;
  maxcpu?: number;
  mem?: number;
  maxmem?: number;
  disk?: number;
  maxdisk?: number;
  uptime?: number;
  storage?: string;
  plugintype?: string;
  content?: string;
  shared?: number;
  hastate?: string;
  lock?: string;
  [key: string]: unknown;
}

/** A guest config as PVE returns it: raw keys, values string or number. */
export type PveGuestConfig = Record<string, string | number> & { digest?: string };

export type GuestType = "qemu" | "lxc";

/** GET /nodes/{node}/qemu and /lxc entries. */
export interface PveGuestListEntry {
  vmid: number;
  name?: string;
  status: string;
  template?: number;
  tags?: string;
  cpus?: number;
  maxmem?: number;
  maxdisk?: number;
  uptime?: number;
  lock?: string;
  [key: string]: unknown;
}

/** GET …/status/current */
export interface PveGuestStatus {
  vmid: number;
  status: string;
  name?: string;
  qmpstatus?: string;
  lock?: string;
  template?: number;
  uptime?: number;
  cpus?: number;
  maxmem?: number;
  mem?: number;
  agent?: number;
  ha?: { managed: number; state?: string };
  [key: string]: unknown;
}

/** GET /nodes/{node}/storage entry */
export interface PveStorage {
  storage: string;
  type: string;
  content: string;
  active?: number;
  enabled?: number;
  shared?: number;
  total?: number;
  used?: number;
  avail?: number;
  used_fraction?: number;
}

/** GET /nodes/{node}/storage/{storage}/content entry */
export interface PveStorageContent {
  volid: string;
  format: string;
  size: number;
  content: string;
  vmid?: number;
  ctime?: number;
  used?: number;
  notes?: string;
  parent?: string;
}

/** GET /nodes/{node}/tasks/{upid}/status */
export interface PveTaskStatus {
  upid: string;
  node: string;
  status: "running" | "stopped";
  exitstatus?: string;
  type: string;
  id?: string;
  user: string;
  pid: number;
  pstart: number;
  starttime: number;
}

/** GET /nodes/{node}/tasks entry */
export interface PveTaskListEntry {
  upid: string;
  node: string;
  type: string;
  id?: string;
  user: string;
  starttime: number;
  endtime?: number;
  status?: string;
  pid?: number;
  pstart?: number;
}

/** GET /nodes/{node}/tasks/{upid}/log line */
export interface PveTaskLogLine {
  n: number;
  t: string;
}

/** GET …/snapshot entry */
export interface PveSnapshot {
  name: string;
  description?: string;
  snaptime?: number;
  parent?: string;
  vmstate?: number;
  running?: number;
}

/** GET …/{vmid}/pending: one config key with its current value, its pending value, or a pending removal (1, or 2 forced). */
export interface PvePendingEntry {
  key: string;
  value?: string | number;
  pending?: string | number;
  delete?: number;
}

/** GET /access/permissions: path → privilege → 0/1 */
export type PvePermissions = Record<string, Record<string, number>>;
