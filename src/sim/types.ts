/**
 * Types of the simulator: its options, the running handle, the seed document
 * and the in-memory cluster model (nodes, storage, guests, snapshots).
 */

/** Guest kinds, as in PVE paths and /cluster/resources. */
export type GuestType = "qemu" | "lxc";

/** Power state of a guest. */
export type GuestStatus = "running" | "stopped";

/** A config value in the shape the API returns it: numbers for integer/number/boolean keys, else strings. */
export type ConfigValue = string | number;

/** A guest config: PVE's raw keys (`cores`, `net0`, `scsi0`, `rootfs`, ...). */
export type GuestConfig = Record<string, ConfigValue>;

/** One snapshot of a guest. */
export interface SimSnapshot {
  name: string;
  description: string;
  /** Unix seconds. */
  snaptime: number;
  parent?: string;
  vmstate: boolean;
  config: GuestConfig;
}

/** One guest (VM or container). */
export interface SimGuest {
  vmid: number;
  type: GuestType;
  node: string;
  status: GuestStatus;
  config: GuestConfig;
  snapshots: SimSnapshot[];
  /** A running VM paused by status/suspend (qmpstatus "paused") until status/resume. */
  paused?: boolean;
  /** Unix ms when it started (running guests). */
  startedAt?: number;
  pool?: string;
  /** HA state when the guest is an HA resource (`started`, `stopped`, `disabled`, `ignored`). */
  ha?: string;
  /** Unix seconds when it was created (ctime of its disks). */
  ctime: number;
  /** Fraction of CPU and memory in use while running (deterministic per guest). */
  load: { cpu: number; mem: number; disk: number };
  /** True when the config says `template: 1` (derived, read-only). */
  readonly template: boolean;
}

/** A resource pool (its members are the guests whose `pool` names it). */
export interface SimPool {
  poolid: string;
  comment?: string;
}

/** Privileges of a token: every privilege, a list granted on "/", or lists by ACL path. */
export type TokenPrivileges = "all" | string[] | Record<string, string[]>;

/** One API token the simulator accepts. */
export interface SimToken {
  /** `user@realm!tokenid=secret` */
  token: string;
  privileges: TokenPrivileges;
}

/** A storage definition (storage.cfg entry). */
export interface SimStorage {
  storage: string;
  type: "dir" | "lvmthin" | "lvm" | "nfs" | "zfspool" | "cifs" | "pbs" | string;
  content: string[];
  shared: boolean;
  /** Nodes where it exists (all when undefined). */
  nodes?: string[];
  /** Capacity in bytes and bytes used by things other than guest disks. */
  total: number;
  baseUsed: number;
  path?: string;
  enabled?: boolean;
}

/** A volume that is not a guest disk: ISO images, container templates, backups, snippets. */
export interface SimVolume {
  volid: string;
  content: "iso" | "vztmpl" | "backup" | "snippets" | "images" | "rootdir" | "import";
  format: string;
  size: number;
  /** Unix seconds. */
  ctime: number;
  vmid?: number;
  /** Backups: the guest type (`subtype` in storage content), notes and the protected flag. */
  subtype?: GuestType;
  notes?: string;
  protected?: boolean;
}

/** One cluster node. */
export interface SimNode {
  name: string;
  cpus: number;
  /** Bytes. */
  memory: number;
  status: "online" | "offline";
  ip: string;
  nodeid: number;
  /** Unix ms of boot. */
  bootedAt: number;
  /** Root filesystem size in bytes. */
  rootfs: number;
  cpuModel: string;
  sslFingerprint: string;
  /** Volumes on node-local storages, by storage id. */
  volumes: Record<string, SimVolume[]>;
}

/** Seed file: a node. `memory` in MiB (or a string like "128G"). */
export interface SeedNode {
  name: string;
  cpus?: number;
  memory?: number | string;
  status?: "online" | "offline";
  ip?: string;
  storage?: SeedStorage[];
}

/** Seed file: a storage (on a node, or cluster-wide under `storage:`). Sizes as bytes or "500G". */
export interface SeedStorage {
  storage: string;
  type?: string;
  content?: string | string[];
  shared?: boolean | 0 | 1;
  total?: number | string;
  used?: number | string;
  /** Volumes such as `local:iso/debian-12.iso` or `local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst`. */
  volumes?: (string | { volid: string; size?: number | string })[];
}

/** Seed file: a guest. `config` holds raw PVE keys. */
export interface SeedGuest {
  vmid: number;
  type?: GuestType;
  node: string;
  name?: string;
  status?: GuestStatus;
  pool?: string;
  /** Make it an HA resource in this state (`started`, `stopped`, `disabled`, `ignored`). */
  ha?: string;
  config?: Record<string, string | number | boolean>;
}

/** The YAML seed document. */
export interface SeedDocument {
  cluster?: { name?: string };
  version?: { version?: string; release?: string; repoid?: string };
  nodes: SeedNode[];
  /** Shared storages (e.g. NFS) available on every node. */
  storage?: SeedStorage[];
  guests?: SeedGuest[];
  /** Pools with a comment, or without members (guests' `pool:` also make pools). */
  pools?: SimPool[];
  tokens?: SimToken[];
}

/** Options of {@link startSimulator}. */
export interface SimulatorOptions {
  /** Default "127.0.0.1". */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  tls?: boolean;
  /** Full `user@realm!tokenid=secret`; default `root@pam!mpc=<uuid>`. */
  token?: string;
  /** More tokens, e.g. one with ["Sys.Audit"] only. */
  extraTokens?: SimToken[];
  /** A parsed seed document or the path of a YAML file. */
  seed?: SeedDocument | string;
  /** Generated cluster with this many guests (when there is no seed); default 12. */
  size?: number;
  /** Seed of every random choice (generator, faults); default 1. */
  randomSeed?: number;
  /** Added to every response. */
  latencyMs?: number;
  /** Fraction (0..1) of requests answered with a fault. */
  faultRate?: number;
  /** How long tasks run; default 50. */
  taskDelayMs?: number;
  /** How long a config change waits for a held config lock; default 1000 (PVE: 10 s). */
  lockTimeoutMs?: number;
  /** Delay of 401 answers (PVE waits ~3 s); default 0. */
  authFailDelayMs?: number;
  /**
   * PUT .../qemu/{vmid}/resize answers a UPID, as since qemu-server 8.0.2 (every
   * version the simulator answers as); false answers null like PVE ≤ 8.0 (the
   * recorded fixtures of PVE 6.2). Default true.
   */
  resizeReturnsTask?: boolean;
  /** The PVE version to answer as: "8.4" or "9.1" (default, the newest). */
  pveVersion?: import("./pve-version.js").PveVersion;
  /** Password of `root@pam` for POST /access/ticket; default a random one (see RunningSimulator.password). */
  password?: string;
}

/** What {@link startSimulator} resolves to. */
export interface RunningSimulator {
  /** "https://127.0.0.1:PORT" (no /api2/json). */
  url: string;
  token: string;
  /** The user that may log in with a password (POST /access/ticket): `root@pam`, every privilege. */
  user: string;
  /** Its password. */
  password: string;
  /** The PVE version answered as. */
  pveVersion: import("./pve-version.js").PveVersion;
  /** SHA-256 of the certificate, uppercase colon hex (TLS only). */
  fingerprint?: string;
  /** The self-signed certificate (TLS only). */
  caPem?: string;
  cluster: import("./cluster.js").SimCluster;
  /** Requests served and total microseconds spent in handlers. */
  stats(): { requests: number; handlerMicros: number };
  close(): Promise<void>;
}
