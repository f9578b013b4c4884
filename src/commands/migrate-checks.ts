/**
 * The checks `migrate` makes before it asks anything: PVE's own precondition
 * endpoint (nodes not allowed and why, local disks, local devices), the
 * guest's config lock, whether it runs, and the target's free memory and
 * storage. A drain checks its guests one after the other against one ledger,
 * so the memory and space of the guests already planned count as taken.
 */
import { ProxmoxMpcError, UsageError } from "../core/errors.js";
import type { ProxmoxClient } from "../proxmox/client.js";
import type { GuestType, PveClusterResource, PveStorage } from "../proxmox/types.js";

const GIB = 1024 ** 3;

/** "8 GiB", "3.1 GiB", "512 MiB". */
export function gib(bytes: number): string {
  if (bytes < GIB) return `${Math.round(bytes / 1024 ** 2)} MiB`;
  const v = bytes / GIB;
  return `${Number.isInteger(v) ? v : v.toFixed(1)} GiB`;
}

/** A guest as /cluster/resources shows it now. */
export interface LiveGuest {
  vmid: number;
  name: string;
  type: GuestType;
  node: string;
  running: boolean;
  template: boolean;
  /** Bytes. */
  maxmem: number;
}

/** The guest entries of /cluster/resources, evened out. */
export function liveGuests(resources: PveClusterResource[]): LiveGuest[] {
  return resources
    .filter((r) => (r.type === "qemu" || r.type === "lxc") && r.vmid !== undefined && r.node)
    .map((r) => ({
      vmid: Number(r.vmid),
      name: r.name ?? String(r.vmid),
      type: r.type as GuestType,
      node: r.node as string,
      running: r.status === "running",
      template: Number(r.template ?? 0) === 1,
      maxmem: Number(r.maxmem ?? 0),
    }))
    .sort((a, b) => a.vmid - b.vmid);
}

/** What the user asked for. */
export interface MigrateFlags {
  online: boolean;
  withLocalDisks: boolean;
}

/** A migration that may go ahead. */
export interface PlannedMigration {
  guest: LiveGuest;
  target: string;
  /** A VM moving while it runs (live), or a container restarting on the target. */
  online: boolean;
  withLocalDisks: boolean;
  /** Local volumes that will be copied, with their sizes. */
  copies: { volid: string; storage: string; size: number }[];
  /** Memory the guest takes on the target (bytes; 0 when it does not run). */
  memory: number;
  /** How the move goes, in words: "live", "offline", "restart", plus what is copied. */
  how: string;
}

/** A migration refused before anything was done. */
export interface RefusedMigration {
  guest: LiveGuest;
  target: string;
  reason: string;
  hint?: string;
  /** 2 when a flag would change the answer (--online, --with-local-disks), 1 when the cluster cannot do it now. */
  exitCode: 1 | 2;
}

/** Free memory and storage of target nodes, less what planned migrations take. */
export class CapacityLedger {
  private readonly memory = new Map<string, number>();
  private readonly storages = new Map<string, Map<string, PveStorage>>();
  private readonly reservedSpace = new Map<string, number>();

  constructor(private readonly client: ProxmoxClient) {}

  /** Free memory of a node (read once, then reduced by reservations). */
  async freeMemory(node: string, signal?: AbortSignal): Promise<number> {
    let free = this.memory.get(node);
    if (free === undefined) {
      const status = await this.client.nodeStatus(node, { signal });
      free = Math.max(0, Number(status.memory.total) - Number(status.memory.used));
      this.memory.set(node, free);
    }
    return free;
  }

  /** The storages of a node by id. */
  async storagesOf(node: string, signal?: AbortSignal): Promise<Map<string, PveStorage>> {
    let map = this.storages.get(node);
    if (!map) {
      map = new Map((await this.client.storage(node, {}, { signal })).map((s) => [s.storage, s]));
      this.storages.set(node, map);
    }
    return map;
  }

  /** Free bytes of a storage on a node, less reservations (undefined when the node does not have it). */
  async freeSpace(node: string, storage: string, signal?: AbortSignal): Promise<number | undefined> {
    const s = (await this.storagesOf(node, signal)).get(storage);
    if (!s) return undefined;
    const avail = s.avail ?? Math.max(0, Number(s.total ?? 0) - Number(s.used ?? 0));
    return avail - (this.reservedSpace.get(`${node}/${storage}`) ?? 0);
  }

  /** Take what a planned migration needs. */
  reserve(plan: PlannedMigration): void {
    const free = this.memory.get(plan.target);
    if (free !== undefined) this.memory.set(plan.target, free - plan.memory); // read before any guest that needs memory is planned
    for (const c of plan.copies) {
      const key = `${plan.target}/${c.storage}`;
      this.reservedSpace.set(key, (this.reservedSpace.get(key) ?? 0) + c.size);
    }
  }
}

/** Check one migration; a refusal says why, and what to do. */
export async function checkMigration(
  client: ProxmoxClient,
  ledger: CapacityLedger,
  guest: LiveGuest,
  target: string,
  flags: MigrateFlags,
  signal?: AbortSignal,
): Promise<PlannedMigration | RefusedMigration> {
  const refuse = (reason: string, exitCode: 1 | 2, hint?: string): RefusedMigration => ({ guest, target, reason, exitCode, hint });
  const [pre, config] = await Promise.all([
    client.migratePrecondition(guest.node, guest.type, guest.vmid, target, { signal }),
    client.guestConfig(guest.node, guest.type, guest.vmid, { signal }),
  ]);
  if (config.lock !== undefined) {
    return refuse(`${guest.name} is locked (${String(config.lock)}): another task holds it`, 1, "Wait for that task to end (see `get tasks`), then try again.");
  }
  const blocked = pre.notAllowedNodes[target];
  if (blocked && !pre.allowedNodes.includes(target)) {
    const why = [
      blocked.unavailableStorages.length ? `${target} does not have storage ${blocked.unavailableStorages.join(", ")} that its disks use` : "",
      blocked.blockingHaResources.length ? `HA resources ${blocked.blockingHaResources.join(", ")} keep it off ${target}` : "",
    ].filter(Boolean);
    return refuse(`${guest.name} cannot move to ${target}: ${why.join("; ") || "PVE does not allow that node"}`, 1, pre.allowedNodes.length ? `PVE allows: ${pre.allowedNodes.join(", ")}.` : undefined);
  }
  if (pre.localResources.length) {
    return refuse(`${guest.name} uses local devices (${pre.localResources.join(", ")}), which PVE cannot migrate`, 1, "Remove the passthrough devices first, or move it by hand.");
  }
  const running = pre.running || guest.running;
  if (running && !flags.online) {
    return guest.type === "qemu"
      ? refuse(`${guest.name} is running: a running VM moves only live`, 2, "Pass --online for a live migration, or shut it down first.")
      : refuse(`${guest.name} is running: a container cannot move live`, 2, "Pass --online to restart it on the target (PVE's restart mode), or shut it down first.");
  }
  const disks = pre.localDisks.filter((d) => !d.cdrom && !d.volid.includes("cloudinit"));
  if (guest.type === "qemu" && disks.length && !flags.withLocalDisks) {
    const list = disks.map((d) => `${d.volid}, ${gib(d.size)}`).join("; ");
    return refuse(`${guest.name} has local disks (${list})`, 2, `Pass --with-local-disks to copy them to ${target}.`);
  }
  const copies = disks.map((d) => ({ volid: d.volid, storage: d.volid.split(":")[0], size: d.size }));
  const memory = running ? guest.maxmem : 0;
  if (memory > 0) {
    const free = await ledger.freeMemory(target, signal);
    if (memory > free) return refuse(`not enough memory on ${target}: needs ${gib(memory)}, ${gib(free)} free`, 1, "Free memory there, pick another node, or move it stopped.");
  }
  const byStorage = new Map<string, number>();
  for (const c of copies) byStorage.set(c.storage, (byStorage.get(c.storage) ?? 0) + c.size);
  for (const [storage, bytes] of byStorage) {
    const free = await ledger.freeSpace(target, storage, signal);
    if (free === undefined) return refuse(`${target} has no storage ${storage} to copy ${guest.name}'s local disks to`, 1);
    if (bytes > free) return refuse(`not enough space on ${storage} of ${target}: needs ${gib(bytes)}, ${gib(Math.max(0, free))} free`, 1);
  }
  const how =
    guest.type === "lxc" ? (running ? "restart on the target" : "offline") : running ? "live" : "offline";
  const copied = copies.length ? `, copying ${gib(copies.reduce((s, c) => s + c.size, 0))} of local disks` : "";
  const plan: PlannedMigration = { guest, target, online: running, withLocalDisks: guest.type === "qemu" && copies.length > 0, copies, memory, how: `${how}${copied}` };
  ledger.reserve(plan);
  return plan;
}

/** True for a refusal. */
export function isRefused(r: PlannedMigration | RefusedMigration): r is RefusedMigration {
  return "reason" in r;
}

/** The target node: known and online (UsageError for an unknown node, exit 1 for an offline one). */
export async function checkTargetNode(client: ProxmoxClient, target: string, signal?: AbortSignal): Promise<void> {
  const nodes = await client.nodes({ signal });
  const node = nodes.find((n) => n.node === target);
  if (!node) {
    throw new UsageError(`Unknown node ${target}: the cluster has ${nodes.map((n) => n.node).sort().join(", ")}.`, "Name a node of `get nodes`.", "not-found");
  }
  if (node.status !== "online") {
    throw new ProxmoxMpcError(`Node ${target} is ${node.status ?? "not online"}: nothing can move there now.`, { code: "node-offline", hint: "Bring it back online, or pick another node." });
  }
}
