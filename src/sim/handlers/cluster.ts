/**
 * Cluster and node endpoints: /version, /nodes, /nodes/{node}/status,
 * /nodes/{node}/network, /cluster/status, /cluster/resources,
 * /cluster/nextid.
 */
import { int, RawJson, str, type HandlerContext, type RouteTable } from "../handler.js";
import { paramError } from "../pve-error.js";
import { guestResource, nodeCounters, nodeListEntry, nodeUsage, storageResource } from "../views.js";

function nodeStatus(ctx: HandlerContext): Record<string, unknown> {
  const n = ctx.cluster.node(String(ctx.params.node))!;
  const c = nodeCounters(n, nodeUsage(ctx.cluster, ctx.now).get(n.name), ctx.now);
  const load = (c.cpu * n.cpus).toFixed(2);
  const pve = ctx.settings.pve;
  return {
    uptime: c.uptime,
    cpu: c.cpu,
    idle: 0,
    wait: 0.0012,
    loadavg: [load, load, (c.cpu * n.cpus * 0.9).toFixed(2)],
    cpuinfo: { model: n.cpuModel, cpus: n.cpus, cores: n.cpus / 2, sockets: 1, mhz: "2800.000", hvm: "1", user_hz: 100, flags: "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx lm constant_tsc rep_good nopl pni ssse3 fma cx16 sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm avx2" },
    // PVE 9 adds `available` (MemAvailable: free plus reclaimable caches).
    memory: { total: c.maxmem, used: c.mem, free: c.maxmem - c.mem, ...(pve.major >= 9 ? { available: c.maxmem - Math.floor(c.mem * 0.8) } : {}) },
    swap: { total: 8 * 1024 ** 3, used: 0, free: 8 * 1024 ** 3 },
    rootfs: { total: c.maxdisk, used: c.disk, avail: c.maxdisk - c.disk, free: c.maxdisk - c.disk },
    ksm: { shared: 0 },
    kversion: `Linux ${pve.kernel.release} ${pve.kernel.version}`,
    pveversion: `pve-manager/${ctx.cluster.version.version}/${ctx.cluster.version.repoid}`,
    "boot-info": { mode: "efi", secureboot: 0 },
    "current-kernel": { sysname: "Linux", release: pve.kernel.release, version: pve.kernel.version, machine: "x86_64" },
  };
}

function network(ctx: HandlerContext): unknown[] {
  const n = ctx.cluster.node(String(ctx.params.node))!;
  const type = str(ctx, "type");
  const all = [
    { iface: "eno1", type: "eth", method: "manual", families: ["inet"], active: 1, exists: 1, priority: 3 },
    { iface: "eno2", type: "eth", method: "manual", families: ["inet"], active: 1, exists: 1, priority: 4 },
    {
      iface: "vmbr0", type: "bridge", method: "static", families: ["inet"], active: 1, autostart: 1, priority: 5,
      bridge_ports: "eno1", bridge_stp: "off", bridge_fd: "0", "bridge_vlan_aware": 1, "bridge_vids": "2-4094",
      address: n.ip, netmask: "24", cidr: `${n.ip}/24`, gateway: n.ip.replace(/\.\d+$/, ".1"),
    },
    { iface: "vmbr1", type: "bridge", method: "manual", families: ["inet"], active: 1, autostart: 1, priority: 6, bridge_ports: "eno2", bridge_stp: "off", bridge_fd: "0" },
  ];
  if (!type || type === "any_bridge") return type ? all.filter((i) => i.type === "bridge") : all;
  return all.filter((i) => i.type === type);
}

function clusterStatus(ctx: HandlerContext): unknown[] {
  const nodes = [...ctx.cluster.nodes.values()];
  const online = nodes.filter((n) => n.status === "online").length;
  return [
    { type: "cluster", id: "cluster", name: ctx.cluster.name, nodes: nodes.length, quorate: online * 2 > nodes.length ? 1 : 0, version: nodes.length + 2 },
    ...nodes.map((n, i) => ({ type: "node", id: `node/${n.name}`, name: n.name, nodeid: n.nodeid, ip: n.ip, local: i === 0 ? 1 : 0, online: n.status === "online" ? 1 : 0, level: "" })),
  ];
}

const resourceCache = new WeakMap<object, Map<string, { revision: number; second: number; json: RawJson }>>();

/**
 * GET /cluster/resources, cached per caller and type for the rest of the
 * current second (and until the model changes): PVE also serves it from a
 * periodically refreshed status cache, and 10,000 guests take ~50 ms to build.
 */
function cachedResources(ctx: HandlerContext): RawJson {
  let byKey = resourceCache.get(ctx.cluster);
  if (!byKey) resourceCache.set(ctx.cluster, (byKey = new Map()));
  const key = `${ctx.principal.tokenId}|${str(ctx, "type") ?? ""}`;
  const second = Math.floor(ctx.now / 1000);
  const hit = byKey.get(key);
  if (hit && hit.revision === ctx.cluster.revision && hit.second === second) return hit.json;
  const json = new RawJson(JSON.stringify(resources(ctx)));
  byKey.set(key, { revision: ctx.cluster.revision, second, json });
  return json;
}

function resources(ctx: HandlerContext): unknown[] {
  const { cluster, principal, now } = ctx;
  const type = str(ctx, "type");
  const out: unknown[] = [];
  if (!type) {
    for (const pool of cluster.poolIds()) if (principal.has(`/pool/${pool}`, "Pool.Audit")) out.push({ id: `/pool/${pool}`, type: "pool", pool });
  }
  if (!type || type === "vm") {
    const canAll = principal.has("/vms", "VM.Audit");
    const memhost = ctx.settings.pve.major >= 9;
    for (const g of cluster.guests()) {
      if (canAll || principal.has(`/vms/${g.vmid}`, "VM.Audit")) out.push(guestResource(g, cluster.node(g.node), now, memhost));
    }
  }
  if (!type || type === "node") {
    const usage = nodeUsage(cluster, now);
    for (const n of cluster.nodes.values()) {
      if (!principal.has(`/nodes/${n.name}`, "Sys.Audit")) continue;
      const e = nodeListEntry(n, usage.get(n.name), now);
      delete e.ssl_fingerprint;
      out.push({ ...e, "cgroup-mode": 2 });
    }
  }
  if (!type || type === "storage") {
    for (const n of cluster.nodes.values()) {
      for (const s of cluster.storagesOn(n.name)) {
        const path = `/storage/${s.storage}`;
        if (principal.has(path, "Datastore.Audit") || principal.has(path, "Datastore.AllocateSpace")) out.push(storageResource(cluster, n.name, s));
      }
    }
  }
  if (!type || type === "sdn") {
    for (const n of cluster.nodes.values()) {
      if (principal.has("/sdn/zones/localnetwork", "SDN.Audit")) out.push({ id: `sdn/${n.name}/localnetwork`, type: "sdn", sdn: "localnetwork", node: n.name, status: "ok" });
    }
  }
  return out;
}

function nextId(ctx: HandlerContext): string {
  const vmid = int(ctx, "vmid");
  if (vmid !== undefined) {
    if (ctx.cluster.guest(vmid)) throw paramError({ vmid: `VM ${vmid} already exists` });
    return String(vmid);
  }
  return String(ctx.cluster.nextId());
}

/** Routes of this module. */
export const clusterRoutes: RouteTable = {
  "GET /version": (ctx) => ({ ...ctx.cluster.version }),
  "GET /nodes": (ctx) => {
    const usage = nodeUsage(ctx.cluster, ctx.now);
    return [...ctx.cluster.nodes.values()].map((n) => nodeListEntry(n, usage.get(n.name), ctx.now));
  },
  "GET /nodes/{node}/status": nodeStatus,
  "GET /nodes/{node}/network": network,
  "GET /cluster/status": clusterStatus,
  "GET /cluster/resources": cachedResources,
  "GET /cluster/nextid": nextId,
};

