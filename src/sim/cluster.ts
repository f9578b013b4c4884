/**
 * The live cluster model: nodes, storage, guests, tasks and locks, plus the
 * hooks tests use to inject failures (failing or hanging tasks, config locks,
 * HTTP faults). Handlers change it only through these methods.
 */
import { guestDisks } from "./guest-config.js";
import { LockManager } from "./locks.js";
import { Random } from "./random.js";
import { TaskManager, type TaskFailure } from "./tasks.js";
import type { GuestType, SimGuest, SimNode, SimPool, SimStorage, SimVolume } from "./types.js";

/** Make a guest object (adds the derived, read-only `template` flag). */
export function simGuest(init: Omit<SimGuest, "template">): SimGuest {
  return Object.defineProperty(init, "template", {
    get(this: SimGuest): boolean {
      return this.config.template === 1;
    },
    enumerable: false,
  }) as SimGuest;
}

/** A fault to answer the next request(s) with: an HTTP status or a dropped connection. */
export type FaultKind = number | "drop";

/** What the cluster is built from (by the generator or the seed loader). */
export interface ClusterInit {
  name: string;
  version: { version: string; release: string; repoid: string };
  nodes: SimNode[];
  storages: SimStorage[];
  guests: SimGuest[];
  /** Volumes of shared storages, by storage id. */
  sharedVolumes: Record<string, SimVolume[]>;
  /** Pools declared with a comment or without members (guests' `pool` also make pools). */
  pools?: SimPool[];
}

/** Timing options of the model. */
export interface ClusterTiming {
  taskDelayMs: number;
  lockTimeoutMs: number;
  randomSeed: number;
}

/** The in-memory cluster. */
export class SimCluster {
  readonly name: string;
  readonly version: ClusterInit["version"];
  readonly nodes = new Map<string, SimNode>();
  readonly storages = new Map<string, SimStorage>();
  readonly sharedVolumes: Record<string, SimVolume[]>;
  /** Declared pools, by id (see {@link poolIds} for all of them). */
  readonly pools = new Map<string, SimPool>();
  readonly locks = new LockManager();
  readonly tasks: TaskManager;
  readonly lockTimeoutMs: number;
  /** How long a task runs by default (tasks that copy data scale it). */
  readonly taskDelayMs: number;
  /** Bumped on every change (caches key on it). */
  revision = 0;
  private readonly byId = new Map<number, SimGuest>();
  private readonly faults: FaultKind[] = [];
  private readonly pathFaults = new Map<string, FaultKind>();
  private readonly macs = new Set<string>();
  private readonly random: Random;

  constructor(init: ClusterInit, timing: ClusterTiming) {
    this.name = init.name;
    this.version = init.version;
    for (const n of init.nodes) this.nodes.set(n.name, n);
    for (const s of init.storages) this.storages.set(s.storage, s);
    for (const g of init.guests) this.byId.set(g.vmid, g);
    for (const p of init.pools ?? []) this.pools.set(p.poolid, p);
    this.sharedVolumes = init.sharedVolumes;
    this.lockTimeoutMs = timing.lockTimeoutMs;
    this.taskDelayMs = timing.taskDelayMs;
    this.random = new Random(timing.randomSeed ^ 0x5eed);
    this.tasks = new TaskManager(this.locks, { delayMs: timing.taskDelayMs, lockTimeoutMs: timing.lockTimeoutMs });
  }

  /** A guest by vmid. */
  guest(vmid: number): SimGuest | undefined {
    return this.byId.get(vmid);
  }

  /** Every guest, by vmid (a fresh array; the guests are the live objects). */
  guests(): SimGuest[] {
    return [...this.sortedGuests()];
  }

  private sortedGuests(): SimGuest[] {
    return this.memo("guests", () => [...this.byId.values()].sort((a, b) => a.vmid - b.vmid));
  }

  /** The guests of one node (and type), by vmid. */
  guestsOn(node: string, type?: GuestType): SimGuest[] {
    const byNode = this.memo("guestsByNode", () => {
      const m = new Map<string, SimGuest[]>();
      for (const g of this.sortedGuests()) {
        const list = m.get(g.node);
        if (list) list.push(g);
        else m.set(g.node, [g]);
      }
      return m;
    });
    return (byNode.get(node) ?? []).filter((g) => !type || g.type === type);
  }

  /** Every pool id, sorted: declared pools and those named by a guest's `pool`. */
  poolIds(): string[] {
    return this.memo("poolIds", () => {
      const ids = new Set(this.pools.keys());
      for (const g of this.byId.values()) if (g.pool) ids.add(g.pool);
      return [...ids].sort();
    });
  }

  /** A node by name. */
  node(name: string): SimNode | undefined {
    return this.nodes.get(name);
  }

  /** The storages that exist on a node. */
  storagesOn(node: string): SimStorage[] {
    return [...this.storages.values()].filter((s) => !s.nodes || s.nodes.includes(node));
  }

  /** Add a guest (create, clone). */
  addGuest(guest: SimGuest): void {
    this.byId.set(guest.vmid, guest);
    this.touch();
  }

  /** Remove a guest (destroy). */
  removeGuest(vmid: number): void {
    this.byId.delete(vmid);
    this.touch();
  }

  /** Mark the model as changed. */
  touch(): void {
    this.revision++;
  }

  /** The lowest free vmid from 100. */
  nextId(): number {
    let id = 100;
    while (this.byId.has(id)) id++;
    return id;
  }

  /** A new unique MAC with Proxmox's OUI BC:24:11. */
  newMac(): string {
    if (this.macs.size === 0) this.collectMacs();
    for (;;) {
      const tail = [0, 0, 0].map(() => this.random.int(0, 255).toString(16).toUpperCase().padStart(2, "0"));
      const mac = `BC:24:11:${tail.join(":")}`;
      if (!this.macs.has(mac)) {
        this.macs.add(mac);
        return mac;
      }
    }
  }

  private collectMacs(): void {
    for (const g of this.byId.values()) {
      for (const [k, v] of Object.entries(g.config)) {
        if (!/^net\d+$/.test(k)) continue;
        const m = /([0-9A-F]{2}(?::[0-9A-F]{2}){5})/i.exec(String(v));
        if (m) this.macs.add(m[1].toUpperCase());
      }
    }
    this.macs.add("00:00:00:00:00:00");
  }

  /** Non-disk volumes of a storage on a node (ISOs, templates, backups). */
  staticVolumes(node: string, storage: SimStorage): SimVolume[] {
    if (storage.shared) return (this.sharedVolumes[storage.storage] ??= []);
    const n = this.nodes.get(node);
    if (!n) return [];
    return (n.volumes[storage.storage] ??= []);
  }

  private usageCache?: { revision: number; used: Map<string, number> };
  private readonly memos = new Map<string, { revision: number; value: unknown }>();

  /** A value computed once per model revision. */
  memo<T>(key: string, compute: () => T): T {
    const hit = this.memos.get(key);
    if (hit && hit.revision === this.revision) return hit.value as T;
    const value = compute();
    this.memos.set(key, { revision: this.revision, value });
    return value;
  }

  /** Bytes used on a storage of a node: guest disks plus other content. */
  storageUsed(node: string, storage: SimStorage): number {
    if (this.usageCache?.revision !== this.revision) {
      const used = new Map<string, number>();
      for (const g of this.byId.values()) {
        for (const { disk } of guestDisks(g)) {
          const s = disk.storage && this.storages.get(disk.storage);
          if (!s) continue;
          const key = s.shared ? `*/${s.storage}` : `${g.node}/${s.storage}`;
          used.set(key, (used.get(key) ?? 0) + disk.size);
        }
      }
      this.usageCache = { revision: this.revision, used };
    }
    const key = storage.shared ? `*/${storage.storage}` : `${node}/${storage.storage}`;
    const volumes = this.staticVolumes(node, storage).reduce((s, v) => s + v.size, 0);
    return Math.min(storage.total, storage.baseUsed + volumes + (this.usageCache.used.get(key) ?? 0));
  }

  // ---- failure injection (for tests) ----

  /** The next task matching type and/or vmid ends with this message as exitstatus. */
  failNextTask(failure: TaskFailure): void {
    this.tasks.failNext(failure);
  }

  /** While true, tasks never finish. */
  hangTasks(on: boolean): void {
    this.tasks.hang(on);
  }

  /** Set or clear the `lock` property of a guest's config (e.g. "backup"). */
  setLock(vmid: number, lock: string | undefined): void {
    const g = this.byId.get(vmid);
    if (!g) throw new Error(`no guest ${vmid}`);
    const config = { ...g.config };
    if (lock === undefined) delete config.lock;
    else config.lock = lock;
    g.config = config;
    this.touch();
  }

  /** Hold the config file lock of a guest for ms, as a running task would. */
  holdLock(vmid: number, ms: number): void {
    const g = this.byId.get(vmid);
    this.locks.hold(g?.type ?? "qemu", vmid, ms);
  }

  /** Answer the next n requests with this status (e.g. 503, 596) or drop their connections. */
  faultNext(n: number, kind: FaultKind): void {
    for (let i = 0; i < n; i++) this.faults.push(kind);
  }

  /**
   * Answer every request to this API path (e.g. `/nodes/pve1/lxc/191/config`,
   * query ignored) with `kind` until cleared with `null`.
   */
  failPath(path: string, kind: FaultKind | null): void {
    if (kind === null) this.pathFaults.delete(path);
    else this.pathFaults.set(path, kind);
  }

  /** The fault for a request to `url` (persistent per-path first, then the queue), if any (used by the server). */
  takeFault(url?: string): FaultKind | undefined {
    const path = url?.split("?")[0].replace(/^\/api2\/json/, "");
    return (path !== undefined ? this.pathFaults.get(path) : undefined) ?? this.faults.shift();
  }

  /** Stop timers (server shutdown). */
  dispose(): void {
    this.tasks.dispose();
    this.locks.dispose();
  }
}
