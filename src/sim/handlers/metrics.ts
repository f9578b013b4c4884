/**
 * Health and metrics reads: RRD series (GET /nodes/{node}/rrddata and
 * …/{qemu,lxc}/{vmid}/rrddata), the node's package version
 * (GET /nodes/{node}/version) and HA resources (GET /cluster/ha/resources).
 * RRD points follow the version's archives (8.x: 70 points per timeframe;
 * 9.x: 1-minute points for a day, …) and columns (9.x adds memory and
 * pressure-stall columns); values are stable per timestamp, waving around the
 * current usage. Stopped guests have no cpu/mem/io values, as in PVE.
 */
import { createHash } from "node:crypto";
import { guestAt, str, type HandlerContext, type RouteTable } from "../handler.js";
import { paramError } from "../pve-error.js";
import type { RrdFrame } from "../pve-version.js";
import { hash32 } from "../random.js";
import type { GuestType, SimGuest } from "../types.js";
import { guestCounters, nodeCounters, nodeUsage } from "../views.js";

type Point = Record<string, number>;

/** The archive of a timeframe for this version (8.x has no `decade`: PVE 8's enum error). */
function frameOf(ctx: HandlerContext): RrdFrame {
  const timeframe = String(ctx.params.timeframe);
  const frame = ctx.settings.pve.rrd[timeframe];
  if (!frame) throw paramError({ timeframe: `value '${timeframe}' does not have a value in the enumeration '${Object.keys(ctx.settings.pve.rrd).join(", ")}'` });
  return frame;
}

/** A stable wave in [-1, 1] for a series and a timestamp: a daily cycle plus noise. */
function wave(seed: number, t: number): number {
  const daily = Math.sin(((t % 86400) / 86400) * 2 * Math.PI + (seed % 628) / 100);
  const noise = (hash32(`${seed}:${t}`) / 0xffffffff) * 2 - 1;
  return daily * 0.7 + noise * 0.3;
}

/** Points from oldest to newest, ending at the last full step before now. */
function series(ctx: HandlerContext, seed: number, sample: (w: number, t: number) => Point): Point[] {
  const { step, points } = frameOf(ctx);
  const max = str(ctx, "cf") === "MAX";
  const last = Math.floor(ctx.now / 1000 / step) * step;
  const out: Point[] = [];
  for (let i = points - 1; i >= 0; i--) {
    const t = last - i * step;
    const w = wave(seed, t);
    out.push({ time: t, ...sample(max ? Math.min(1, w + 0.4) : w, t) });
  }
  return out;
}

const round = (n: number): number => Math.round(n * 1e6) / 1e6;

function nodeRrd(ctx: HandlerContext): Point[] {
  const n = ctx.cluster.node(String(ctx.params.node))!;
  const c = nodeCounters(n, nodeUsage(ctx.cluster, ctx.now).get(n.name), ctx.now);
  const extra = ctx.settings.pve.rrdNodeExtra;
  return series(ctx, hash32(`node:${n.name}`), (w) => {
    const cpu = round(Math.min(1, c.cpu * (1 + 0.3 * w)));
    const memused = Math.floor(Math.min(c.maxmem, c.mem * (1 + 0.05 * w)));
    const p: Point = {
      loadavg: round(cpu * n.cpus), maxcpu: n.cpus, cpu, iowait: round(0.002 * (1 + w)),
      memtotal: c.maxmem, memused, swaptotal: 8 * 1024 ** 3, swapused: 0,
      roottotal: c.maxdisk, rootused: c.disk, netin: round(60_000 * (1 + 0.5 * w)), netout: round(25_000 * (1 + 0.5 * w)),
    };
    if (extra.length) {
      Object.assign(p, { memfree: c.maxmem - memused, arcsize: 0 });
      for (const k of extra) if (k.startsWith("pressure")) p[k] = round(cpu * (k.endsWith("full") ? 0.01 : 0.02));
    }
    return p;
  });
}

function guestRrd(type: GuestType) {
  return (ctx: HandlerContext): Point[] => {
    const g = guestAt(ctx, type);
    const c = guestCounters(g, ctx.cluster.node(g.node), ctx.now);
    const running = g.status === "running";
    const extra = ctx.settings.pve.rrdGuestExtra;
    return series(ctx, hash32(`guest:${g.vmid}`), (w) => {
      const p: Point = { maxcpu: c.maxcpu, maxmem: c.maxmem, maxdisk: c.maxdisk, disk: c.disk };
      if (!running) return p;
      const mem = Math.floor(Math.min(c.maxmem, c.mem * (1 + 0.1 * w)));
      const cpu = round(Math.min(1, g.load.cpu * (1 + 0.5 * w)));
      Object.assign(p, {
        cpu, mem, netin: round(2311 * (1 + w)), netout: round(1117 * (1 + w)), diskread: round(4096 * (1 + w)), diskwrite: round(2048 * (1 + w)),
      });
      for (const k of extra) p[k] = k === "memhost" ? mem : round(cpu * (k.endsWith("full") ? 0.01 : 0.02));
      return p;
    });
  };
}

/** A guest's HA resource entry. */
function haEntry(g: SimGuest, digest: string): Record<string, unknown> {
  const type = g.type === "qemu" ? "vm" : "ct";
  return { sid: `${type}:${g.vmid}`, type, state: g.ha, digest };
}

function haResources(ctx: HandlerContext): unknown[] {
  const managed = ctx.cluster.guests().filter((g) => g.ha !== undefined);
  const text = managed.map((g) => `${g.type === "qemu" ? "vm" : "ct"}: ${g.vmid}\n\tstate ${g.ha}\n`).join("\n");
  const digest = createHash("sha1").update(text).digest("hex");
  const type = str(ctx, "type");
  return managed.map((g) => haEntry(g, digest)).filter((e) => type === undefined || e.type === type);
}

/** Routes of this module. */
export const metricsRoutes: RouteTable = {
  "GET /nodes/{node}/rrddata": nodeRrd,
  "GET /nodes/{node}/qemu/{vmid}/rrddata": guestRrd("qemu"),
  "GET /nodes/{node}/lxc/{vmid}/rrddata": guestRrd("lxc"),
  "GET /nodes/{node}/version": (ctx) => {
    const { version, release, repoid } = ctx.cluster.version;
    return { version, release, repoid };
  },
  "GET /cluster/ha/resources": haResources,
};
