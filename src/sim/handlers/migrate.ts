/**
 * Migration between nodes: the precondition check (GET …/migrate, answered
 * like PVE: running, allowed and not allowed nodes with the storages they
 * lack, local disks and resources) and the migration itself (POST …/migrate,
 * a qmigrate / vzmigrate task on the source node).
 *
 * Like PVE, the request is refused at once (500) for what the API checks
 * before forking (unknown or local target, a locked guest, a running VM
 * without `online`, a running container without `restart`), and the task
 * fails with "migration aborted" / "migration problems" for what the
 * migration finds (a storage missing on the target, attached local disks of a
 * live migration without `with-local-disks`, too little memory on the target
 * to start the VM). The guest is locked (`lock: migrate`) and its config file
 * lock held for the task's life; it moves to the target when the task ends.
 * A migration runs for taskDelayMs × (1 + GiB of memory copied / 4 + GiB of
 * local disk copied / 32): see {@link migrationMs}.
 */
import type { SimCluster } from "../cluster.js";
import { derived, guestDisks, type DiskInfo } from "../guest-config.js";
import { assertNotLocked, flag, guestAt, kindWord, startTask, str, type HandlerContext, type RouteTable } from "../handler.js";
import { serverError } from "../pve-error.js";
import type { GuestType, SimGuest } from "../types.js";
import { nodeCounters, nodeUsage } from "../views.js";

const GIB = 1024 ** 3;

/** A local (not shared) volume of a guest. */
interface LocalDisk {
  key: string;
  disk: DiskInfo;
}

/** The guest's volumes on storages that are not shared (cloud-init drives included, as PVE lists them). */
export function localDisks(cluster: SimCluster, g: SimGuest): LocalDisk[] {
  return guestDisks(g).filter(({ disk }) => {
    const s = cluster.storages.get(disk.storage ?? "");
    return s !== undefined && !s.shared;
  });
}

/** Storages of the guest's volumes that `node` does not have (restricted to other nodes, or disabled). */
function unavailableStorages(cluster: SimCluster, g: SimGuest, node: string): string[] {
  const out = new Set<string>();
  for (const { disk } of guestDisks(g)) {
    const s = cluster.storages.get(disk.storage ?? "");
    if (!s) continue;
    if ((s.nodes && !s.nodes.includes(node)) || s.enabled === false) out.add(s.storage);
  }
  return [...out].sort();
}

/** Bytes of memory a node still has for a VM to start on it (`mine`: a reservation of the asking migration, not counted). */
export function freeMemory(cluster: SimCluster, node: string, mine = 0, now = Date.now()): number {
  const n = cluster.node(node);
  if (!n) return 0;
  const c = nodeCounters(n, nodeUsage(cluster, now).get(node), now);
  return c.maxmem - c.mem - ((incoming.get(cluster)?.get(node) ?? 0) - mine);
}

/** Memory reserved on target nodes by migrations still running (a VM's memory is allocated when it starts there). */
const incoming = new WeakMap<SimCluster, Map<string, number>>();

function reserve(cluster: SimCluster, node: string, bytes: number): () => void {
  let m = incoming.get(cluster);
  if (!m) incoming.set(cluster, (m = new Map()));
  const map = m;
  map.set(node, (map.get(node) ?? 0) + bytes);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    map.set(node, (map.get(node) ?? 0) - bytes);
  };
}

/** How long a migration of `g` runs: taskDelayMs × (1 + memory GiB copied / 4 + local disk GiB copied / 32). */
export function migrationMs(cluster: SimCluster, g: SimGuest, options: { online: boolean; withLocalDisks: boolean }): number {
  const live = options.online && g.status === "running";
  const memGiB = live && g.type === "qemu" ? derived(g).maxmem / GIB : 0;
  const copyDisks = !live || options.withLocalDisks;
  const diskGiB = copyDisks ? localDisks(cluster, g).reduce((sum, { disk }) => sum + disk.size, 0) / GIB : 0;
  return Math.round(cluster.taskDelayMs * (1 + memGiB / 4 + diskGiB / 32));
}

function precondition(type: GuestType) {
  return (ctx: HandlerContext): Record<string, unknown> => {
    const { cluster } = ctx;
    const g = guestAt(ctx, type);
    const target = str(ctx, "target");
    if (target !== undefined && !cluster.node(target)) throw serverError(`no such cluster node '${target}'`);
    const allowed: string[] = [];
    const notAllowed: Record<string, { unavailable_storages: string[] }> = {};
    for (const node of [...cluster.nodes.keys()].sort()) {
      if (node === g.node) continue;
      const missing = unavailableStorages(cluster, g, node);
      if (missing.length) notAllowed[node] = { unavailable_storages: missing };
      else allowed.push(node);
    }
    const running = g.status === "running" ? 1 : 0;
    if (type === "lxc") return { running, "allowed-nodes": allowed, "not-allowed-nodes": notAllowed };
    const disks = localDisks(cluster, g).map(({ key, disk }) => ({
      volid: disk.volid,
      size: disk.size,
      drivename: key,
      is_attached: /^unused\d+$/.test(key) ? 0 : 1,
      ...(/^unused\d+$/.test(key) ? { is_unused: 1 } : {}),
      ...(disk.media === "cdrom" ? { cdrom: 1 } : {}),
      referenced_in_config: 1,
    }));
    const out: Record<string, unknown> = {
      running,
      allowed_nodes: allowed,
      not_allowed_nodes: notAllowed,
      local_disks: disks,
      local_resources: Object.keys(g.config).filter((k) => /^(hostpci|usb)\d+$/.test(k)).sort(),
      "mapped-resources": [],
    };
    if (ctx.settings.pve.major >= 9) Object.assign(out, { "mapped-resource-info": {}, "has-dbus-vmstate": 1 });
    return out;
  };
}

const stamp = (): string => new Date().toISOString().replace("T", " ").slice(0, 19);
const duration = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000));
  return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, "0")).join(":");
};

function migrate(type: GuestType) {
  return (ctx: HandlerContext): string => {
    const { cluster } = ctx;
    const g = guestAt(ctx, type);
    const target = String(ctx.params.target);
    const targetNode = cluster.node(target);
    if (!targetNode) throw serverError(`no such cluster node '${target}'`);
    if (target === g.node) throw serverError("target is local node.");
    if (targetNode.status !== "online") throw serverError(`target node '${target}' is not online`);
    assertNotLocked(g);
    const running = g.status === "running";
    const online = flag(ctx, "online");
    const restart = type === "lxc" && flag(ctx, "restart");
    const withLocalDisks = type === "qemu" && flag(ctx, "with-local-disks");
    if (type === "qemu" && running && !online) throw serverError("can't migrate running VM without --online");
    if (type === "lxc" && running && online) throw serverError("lxc live migration is currently not implemented");
    if (type === "lxc" && running && !restart) throw serverError("running container can only be migrated in restart mode");
    const source = g.node;
    const live = type === "qemu" && running;
    const memory = live ? derived(g).maxmem : 0;
    const release = reserve(cluster, target, memory);
    cluster.setLock(g.vmid, "migrate");
    const started = Date.now();
    const unlock = (): void => cluster.setLock(g.vmid, undefined);
    return startTask(ctx, {
      type: type === "qemu" ? "qmigrate" : "vzmigrate",
      id: String(g.vmid),
      lock: { type, vmid: g.vmid },
      durationMs: migrationMs(cluster, g, { online: online || restart, withLocalDisks }),
      work: (log) => {
        const line = (text: string): void => log(`${stamp()} ${text}`);
        const abort = (reason: string, final = "migration aborted"): never => {
          line(`ERROR: ${final === "migration aborted" ? `migration aborted (duration ${duration(Date.now() - started)})` : "online migrate failure"}: ${reason}`);
          throw new Error(final);
        };
        try {
          line(`starting migration of ${kindWord(type)} ${g.vmid} to node '${target}' (${targetNode.ip})`);
          const missing = unavailableStorages(cluster, g, target);
          if (missing.length) abort(`storage '${missing[0]}' is not available on node '${target}'`);
          const local = localDisks(cluster, g);
          for (const { key, disk } of local) line(`found local disk '${disk.volid}' (${/^unused\d+$/.test(key) ? "unused" : `attached to ${key}`})`);
          if (live && local.some(({ key, disk }) => !/^unused\d+$/.test(key) && !disk.volid.includes("cloudinit")) && !withLocalDisks) {
            abort("can't live migrate attached local disks without with-local-disks option");
          }
          if (type === "lxc" && running) line(`shutdown CT ${g.vmid}`);
          if (live) {
            line(`starting VM ${g.vmid} on remote node '${target}'`);
            if (memory > freeMemory(cluster, target, memory)) {
              line(`start failed: QEMU exited with code 1`);
              abort(`remote command failed with exit code 255 (kvm: cannot set up guest memory 'pc.ram': Cannot allocate memory)`, "migration problems");
            }
            line(`migration active, transferred ${(memory / GIB).toFixed(1)} GiB of ${(memory / GIB).toFixed(1)} GiB VM-state`);
          }
          for (const { disk } of local) if (!live || withLocalDisks) line(`copying local disk '${disk.volid}' (${(disk.size / GIB).toFixed(1)} GiB)`);
          g.node = target;
          if (type === "lxc" && running) line("start container on target node");
          line(`migration finished successfully (duration ${duration(Date.now() - started)})`);
          unlock();
        } finally {
          release();
        }
      },
      onFail: () => {
        release();
        if (g.config.lock === "migrate") unlock();
        g.node = source;
      },
    });
  };
}

/** Routes of this module. */
export const migrateRoutes: RouteTable = {
  "GET /nodes/{node}/qemu/{vmid}/migrate": precondition("qemu"),
  "POST /nodes/{node}/qemu/{vmid}/migrate": migrate("qemu"),
  "GET /nodes/{node}/lxc/{vmid}/migrate": precondition("lxc"),
  "POST /nodes/{node}/lxc/{vmid}/migrate": migrate("lxc"),
};
