/**
 * The read shapes of the API, built from the model with the keys and value
 * types of real PVE 8 responses (see tests/fixtures/pve/): cluster
 * resources, node list and status, guest list entries, storage entries.
 */
import type { SimCluster } from "./cluster.js";
import { derived } from "./guest-config.js";
import type { SimGuest, SimNode, SimStorage } from "./types.js";

const secondsSince = (ms: number | undefined, now: number): number => (ms === undefined ? 0 : Math.max(0, Math.floor((now - ms) / 1000)));

/** Run-time numbers of a guest (zeros when stopped). */
export function guestCounters(g: SimGuest, node: SimNode | undefined, now: number) {
  const running = g.status === "running";
  const d = derived(g);
  const maxmem = d.maxmem;
  const maxdisk = d.maxdisk;
  const uptime = running ? secondsSince(g.startedAt, now) : 0;
  const cpus = g.type === "lxc" && g.config.cores === undefined ? node?.cpus ?? 1 : d.cpus;
  return {
    cpu: running ? g.load.cpu : 0,
    maxcpu: cpus,
    mem: running ? Math.floor(maxmem * g.load.mem) : 0,
    maxmem,
    disk: running && g.type === "lxc" ? Math.floor(maxdisk * g.load.disk) : 0,
    maxdisk,
    uptime,
    netin: running ? uptime * 2311 + (g.vmid % 977) : 0,
    netout: running ? uptime * 1117 + (g.vmid % 541) : 0,
    diskread: running ? uptime * 4096 + 51_200_000 : 0,
    diskwrite: running ? uptime * 2048 : 0,
  };
}

/** Sum of what the running guests of each node use (cached until the model changes). */
export function nodeUsage(cluster: SimCluster, now: number): Map<string, { cpu: number; mem: number }> {
  return cluster.memo("nodeUsage", () => computeNodeUsage(cluster, now));
}

function computeNodeUsage(cluster: SimCluster, now: number): Map<string, { cpu: number; mem: number }> {
  const usage = new Map<string, { cpu: number; mem: number }>();
  for (const g of cluster.guests()) {
    if (g.status !== "running") continue;
    const u = usage.get(g.node) ?? { cpu: 0, mem: 0 };
    const c = guestCounters(g, cluster.node(g.node), now);
    u.cpu += c.cpu * c.maxcpu;
    u.mem += c.mem;
    usage.set(g.node, u);
  }
  return usage;
}

/** Numbers of a node as /nodes and /cluster/resources show them. */
export function nodeCounters(n: SimNode, usage: { cpu: number; mem: number } | undefined, now: number) {
  const base = 2.5 * 1024 ** 3;
  return {
    cpu: Math.min(1, 0.004 + (usage?.cpu ?? 0) / n.cpus / 4),
    maxcpu: n.cpus,
    mem: Math.floor(Math.min(n.memory * 0.97, base + (usage?.mem ?? 0))),
    maxmem: n.memory,
    disk: Math.floor(n.rootfs * 0.06),
    maxdisk: n.rootfs,
    uptime: secondsSince(n.bootedAt, now),
  };
}

/** An entry of GET /nodes. */
export function nodeListEntry(n: SimNode, usage: { cpu: number; mem: number } | undefined, now: number): Record<string, unknown> {
  if (n.status !== "online") return { node: n.name, status: "offline", type: "node", id: `node/${n.name}`, level: "", ssl_fingerprint: n.sslFingerprint };
  return { node: n.name, status: "online", type: "node", id: `node/${n.name}`, level: "", ssl_fingerprint: n.sslFingerprint, ...nodeCounters(n, usage, now) };
}

/** An entry of GET /nodes/{node}/qemu or /lxc (PVE 8: vmid is a number, template only when 1). */
export function guestListEntry(g: SimGuest, node: SimNode | undefined, now: number): Record<string, unknown> {
  const c = guestCounters(g, node, now);
  const out: Record<string, unknown> = {
    vmid: g.vmid,
    name: String(g.type === "qemu" ? g.config.name ?? `VM ${g.vmid}` : g.config.hostname ?? `CT${g.vmid}`),
    status: g.status,
    cpu: c.cpu,
    cpus: c.maxcpu,
    mem: c.mem,
    maxmem: c.maxmem,
    disk: c.disk,
    maxdisk: c.maxdisk,
    uptime: c.uptime,
    netin: c.netin,
    netout: c.netout,
    diskread: c.diskread,
    diskwrite: c.diskwrite,
  };
  if (g.type === "lxc") {
    out.type = "lxc";
    out.maxswap = Number(g.config.swap ?? 512) * 1024 * 1024;
    out.swap = 0;
  }
  if (g.status === "running") out.pid = 10_000 + g.vmid;
  if (g.config.template === 1) out.template = 1;
  if (g.config.tags !== undefined) out.tags = String(g.config.tags);
  if (g.config.lock !== undefined) out.lock = String(g.config.lock);
  return out;
}

/**
 * A guest entry of GET /cluster/resources (built flat: it runs 10,000 times
 * per request on big clusters). `memhost` adds PVE 9's host memory of VMs.
 */
export function guestResource(g: SimGuest, node: SimNode | undefined, now: number, memhost = false): Record<string, unknown> {
  const d = derived(g);
  const running = g.status === "running";
  const uptime = running ? secondsSince(g.startedAt, now) : 0;
  const c = g.config;
  const out: Record<string, unknown> = {
    id: `${g.type}/${g.vmid}`,
    type: g.type,
    vmid: g.vmid,
    name: g.type === "qemu" ? String(c.name ?? `VM ${g.vmid}`) : String(c.hostname ?? `CT${g.vmid}`),
    node: g.node,
    status: g.status,
    template: c.template === 1 ? 1 : 0,
    cpu: running ? g.load.cpu : 0,
    maxcpu: g.type === "lxc" && c.cores === undefined ? node?.cpus ?? 1 : d.cpus,
    mem: running ? Math.floor(d.maxmem * g.load.mem) : 0,
    maxmem: d.maxmem,
    disk: running && g.type === "lxc" ? Math.floor(d.maxdisk * g.load.disk) : 0,
    maxdisk: d.maxdisk,
    uptime,
    netin: running ? uptime * 2311 + (g.vmid % 977) : 0,
    netout: running ? uptime * 1117 + (g.vmid % 541) : 0,
    diskread: running ? uptime * 4096 + 51_200_000 : 0,
    diskwrite: running ? uptime * 2048 : 0,
  };
  if (c.tags !== undefined) out.tags = String(c.tags);
  if (memhost && g.type === "qemu") out.memhost = out.mem;
  if (g.pool !== undefined) out.pool = g.pool;
  if (g.ha !== undefined) out.hastate = g.ha;
  if (c.lock !== undefined) out.lock = String(c.lock);
  return out;
}

/** A storage entry of GET /cluster/resources. */
export function storageResource(cluster: SimCluster, node: string, s: SimStorage): Record<string, unknown> {
  return {
    id: `storage/${node}/${s.storage}`,
    type: "storage",
    storage: s.storage,
    node,
    plugintype: s.type,
    content: s.content.join(","),
    shared: s.shared ? 1 : 0,
    status: cluster.node(node)?.status === "online" && s.enabled !== false ? "available" : "unknown",
    disk: cluster.storageUsed(node, s),
    maxdisk: s.total,
  };
}

/** An entry of GET /nodes/{node}/storage. */
export function storageListEntry(cluster: SimCluster, node: string, s: SimStorage): Record<string, unknown> {
  const used = cluster.storageUsed(node, s);
  const active = s.enabled !== false;
  return {
    storage: s.storage,
    type: s.type,
    content: s.content.join(","),
    shared: s.shared ? 1 : 0,
    active: active ? 1 : 0,
    enabled: active ? 1 : 0,
    total: s.total,
    used,
    avail: s.total - used,
    used_fraction: s.total ? used / s.total : 0,
  };
}
