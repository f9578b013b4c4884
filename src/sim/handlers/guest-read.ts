/**
 * Read endpoints of guests, for both /qemu and /lxc: the node's guest list,
 * config (with digest), pending, status/current and the guest-agent /
 * container interface lists (IP addresses). `cipassword` is masked as PVE
 * does; PVE 9 adds pressure-stall counters, `memhost` and, for containers'
 * interfaces, the guest-agent fields.
 */
import { configDigest } from "../guest-config.js";
import { guestAt, type HandlerContext, type RouteTable } from "../handler.js";
import { serverError } from "../pve-error.js";
import { pressureStats, type PveProfile } from "../pve-version.js";
import type { GuestConfig, GuestType, SimGuest } from "../types.js";
import { guestCounters, guestListEntry } from "../views.js";

/** How PVE shows a set cloud-init password in GET config and pending. */
export const MASKED_PASSWORD = "**********";

/** PVE 9's extra run-time counters of a guest (none in 8.x or while stopped for memhost). */
function pve9Counters(pve: PveProfile, g: SimGuest, mem: number): Record<string, number> {
  if (pve.major < 9) return {};
  const out = pressureStats(g.type, g.status === "running", g.load.cpu);
  if (g.type === "qemu" && g.status === "running") out.memhost = mem;
  return out;
}

/** The HA state of status/current: `{managed: 0}`, or the state of an HA resource. */
function haStatus(g: SimGuest): Record<string, unknown> {
  return g.ha === undefined ? { managed: 0 } : { managed: 1, state: g.ha };
}

function list(type: GuestType) {
  return (ctx: HandlerContext): unknown[] => {
    const node = ctx.cluster.node(String(ctx.params.node));
    const mayAll = ctx.principal.has("/vms", "VM.Audit");
    return ctx.cluster
      .guestsOn(String(ctx.params.node), type)
      .filter((g) => mayAll || ctx.principal.has(`/vms/${g.vmid}`, "VM.Audit"))
      .map((g) => {
        const e = guestListEntry(g, node, ctx.now);
        return type === "qemu" ? { ...e, ...pve9Counters(ctx.settings.pve, g, Number(e.mem)) } : e;
      });
  };
}

/** GET config: the config in the API's shape plus digest (or a snapshot's config). */
function config(type: GuestType) {
  return (ctx: HandlerContext): Record<string, unknown> => {
    const g = guestAt(ctx, type);
    const snapname = ctx.params.snapshot;
    if (typeof snapname === "string") {
      const snap = g.snapshots.find((s) => s.name === snapname);
      if (!snap) throw serverError(`snapshot '${snapname}' does not exist`);
      return { ...masked(snap.config), digest: configDigest(g) };
    }
    return { ...masked(g.config), digest: configDigest(g) };
  };
}

/** A config with a set `cipassword` shown as PVE shows it. */
function masked(config: GuestConfig): GuestConfig {
  return config.cipassword ? { ...config, cipassword: MASKED_PASSWORD } : config;
}

function qemuStatus(pve: PveProfile, g: SimGuest, c: ReturnType<typeof guestCounters>): Record<string, unknown> {
  const running = g.status === "running";
  const out: Record<string, unknown> = {
    vmid: g.vmid,
    name: String(g.config.name ?? `VM ${g.vmid}`),
    status: g.status,
    qmpstatus: g.paused && g.status === "running" ? "paused" : g.status,
    cpus: c.maxcpu,
    ...c,
    ha: haStatus(g),
    ...pve9Counters(pve, g, c.mem),
  };
  delete out.maxcpu;
  if (String(g.config.agent ?? "0").replace(/^enabled=/, "").startsWith("1")) out.agent = 1;
  if (running) {
    Object.assign(out, {
      pid: 10_000 + g.vmid,
      "running-machine": pve.qemu.machine,
      "running-qemu": pve.qemu.version,
      balloon: c.maxmem,
      freemem: c.maxmem - c.mem,
      ballooninfo: { actual: c.maxmem, max_mem: c.maxmem, free_mem: c.maxmem - c.mem, total_mem: c.maxmem, last_update: Math.floor(Date.now() / 1000), major_page_faults: 1811, minor_page_faults: 3_803_793, mem_swapped_in: 0, mem_swapped_out: 0 },
      nics: Object.fromEntries(Object.keys(g.config).filter((k) => /^net\d+$/.test(k)).map((k) => [`tap${g.vmid}i${k.slice(3)}`, { netin: c.netin, netout: c.netout }])),
      blockstat: Object.fromEntries(
        Object.keys(g.config)
          .filter((k) => /^(scsi|virtio|sata|ide)\d+$/.test(k))
          .map((k) => [k, { rd_bytes: c.diskread, wr_bytes: c.diskwrite, rd_operations: Math.floor(c.diskread / 4096), wr_operations: Math.floor(c.diskwrite / 4096), failed_rd_operations: 0, failed_wr_operations: 0, flush_operations: 0, account_failed: true, account_invalid: true, timed_stats: [] }]),
      ),
      "proxmox-support": { "pbs-dirty-bitmap": true, "pbs-dirty-bitmap-migration": true, "pbs-dirty-bitmap-savevm": true, "pbs-library-version": "1.4.1 (UNKNOWN)", "pbs-masterkey": true, "query-bitmap-info": true, "backup-max-workers": true },
    });
  }
  return out;
}

function lxcStatus(pve: PveProfile, g: SimGuest, c: ReturnType<typeof guestCounters>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    vmid: g.vmid,
    name: String(g.config.hostname ?? `CT${g.vmid}`),
    type: "lxc",
    status: g.status,
    cpus: c.maxcpu,
    ...c,
    maxswap: Number(g.config.swap ?? 512) * 1024 * 1024,
    swap: 0,
    ha: haStatus(g),
    ...pve9Counters(pve, g, c.mem),
  };
  delete out.maxcpu;
  if (g.status === "running") out.pid = 10_000 + g.vmid;
  return out;
}

function statusCurrent(type: GuestType) {
  return (ctx: HandlerContext): Record<string, unknown> => {
    const g = guestAt(ctx, type);
    const c = guestCounters(g, ctx.cluster.node(g.node), ctx.now);
    const out = type === "qemu" ? qemuStatus(ctx.settings.pve, g, c) : lxcStatus(ctx.settings.pve, g, c);
    if (g.config.template === 1) out.template = 1;
    if (g.config.tags !== undefined) out.tags = String(g.config.tags);
    if (g.config.lock !== undefined) out.lock = String(g.config.lock);
    return out;
  };
}

/** The address a guest's NIC has: its static IP, else a stable DHCP lease. */
export function guestAddress(g: SimGuest, index: number): string {
  const ipconfig = String(g.config[`ipconfig${index}`] ?? "");
  const net = String(g.config[`net${index}`] ?? "");
  const fixed = /(?:^|,)ip=([\d.]+\/\d+)/.exec(g.type === "qemu" ? ipconfig : net)?.[1];
  return fixed ?? `192.168.${(g.vmid >> 8) & 255}.${(g.vmid & 255) % 250 + 2}/16`;
}

function macOf(value: unknown): string {
  return (/([0-9A-F]{2}(?::[0-9A-F]{2}){5})/i.exec(String(value))?.[1] ?? "00:00:00:00:00:00").toLowerCase();
}

function agentInterfaces(ctx: HandlerContext): unknown {
  const g = guestAt(ctx, "qemu");
  if (!String(g.config.agent ?? "0").replace(/^enabled=/, "").startsWith("1")) throw serverError("No QEMU guest agent configured");
  if (g.status !== "running") throw serverError(`VM ${g.vmid} is not running`);
  const nics = Object.keys(g.config).filter((k) => /^net\d+$/.test(k)).sort();
  const result = [
    { name: "lo", "hardware-address": "00:00:00:00:00:00", "ip-addresses": [{ "ip-address": "127.0.0.1", "ip-address-type": "ipv4", prefix: 8 }, { "ip-address": "::1", "ip-address-type": "ipv6", prefix: 128 }] },
    ...nics.map((k, i) => {
      const [ip, prefix] = guestAddress(g, Number(k.slice(3))).split("/");
      return { name: `eth${i}`, "hardware-address": macOf(g.config[k]), "ip-addresses": [{ "ip-address": ip, "ip-address-type": "ipv4", prefix: Number(prefix) }] };
    }),
  ];
  return { result };
}

function ctInterfaces(ctx: HandlerContext): unknown[] {
  const g = guestAt(ctx, "lxc");
  if (g.status !== "running") throw serverError(`CT ${g.vmid} not running`);
  const nics = Object.keys(g.config).filter((k) => /^net\d+$/.test(k)).sort();
  const list: { name: string; hwaddr: string; inet: string; inet6?: string }[] = [
    { name: "lo", hwaddr: "00:00:00:00:00:00", inet: "127.0.0.1/8", inet6: "::1/128" },
    ...nics.map((k) => ({ name: /name=([^,]+)/.exec(String(g.config[k]))?.[1] ?? k, hwaddr: macOf(g.config[k]), inet: guestAddress(g, Number(k.slice(3))) })),
  ];
  if (ctx.settings.pve.major < 9) return list;
  // PVE 9 adds the guest agent's shape, so one reader serves VMs and containers.
  return list.map((i) => ({
    ...i,
    "hardware-address": i.hwaddr,
    "ip-addresses": [[i.inet, "inet"], [i.inet6, "inet6"]].flatMap(([cidr, family]) => {
      if (!cidr) return [];
      const [ip, prefix] = cidr.split("/");
      return [{ "ip-address": ip, "ip-address-type": family, prefix: Number(prefix) }];
    }),
  }));
}

function routesFor(type: GuestType): RouteTable {
  const base = `/nodes/{node}/${type}`;
  return {
    [`GET ${base}`]: list(type),
    [`GET ${base}/{vmid}/config`]: config(type),
    [`GET ${base}/{vmid}/pending`]: (ctx) => {
      const config = masked(guestAt(ctx, type).config);
      return Object.keys(config).sort().map((key) => ({ key, value: config[key] }));
    },
    [`GET ${base}/{vmid}/status/current`]: statusCurrent(type),
  };
}

/** Routes of this module. */
export const guestReadRoutes: RouteTable = {
  ...routesFor("qemu"),
  ...routesFor("lxc"),
  "GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces": agentInterfaces,
  "GET /nodes/{node}/lxc/{vmid}/interfaces": ctInterfaces,
};

