/**
 * Pending changes, the way PVE keeps them: a config change to a running
 * guest that cannot be hot-plugged waits in the config's [PENDING] section
 * until the guest next starts. GET config shows the pending values (the
 * desired state: what Terraform and sync read), `current=1` the running ones,
 * GET …/pending both side by side; `revert` drops pending keys.
 *
 * What applies at once on a running VM (qemu-server's vmconfig_hotplug_pending
 * and its fast-plug options): name, description, tags, onboot, protection,
 * startup and the like; balloon, cpulimit and cpuunits; vcpus with `cpu` in
 * `hotplug`, memory with `memory` in it; disks and NICs (the simulator
 * hot-plugs them whatever `hotplug` says). Anything else — cores, sockets,
 * memory without memory hotplug, the machine, the BIOS … — is pending. On a
 * running container (pve-container) memory, swap, cores, cpulimit,
 * cpuunits, NICs and mount points apply at once; hostname and the rest wait.
 *
 * The handlers wrap those of guest-read, guest-modify and guest-power (this
 * module is registered after them), so the write path stays where it is.
 */
import type { SimCluster } from "../cluster.js";
import { applyConfig, assertDigest, NON_CONFIG_PARAMS } from "../config-change.js";
import { coerceConfigValue } from "../guest-config.js";
import { assertNotLocked, flag, guestAt, skiplock, str, type Handler, type HandlerContext, type RouteTable } from "../handler.js";
import { splitList } from "../../pve/tags.js";
import { isDiskKey } from "../../pve/guest-config.js";
import type { ConfigValue, GuestConfig, GuestType, SimGuest } from "../types.js";
import { guestModifyRoutes } from "./guest-modify.js";
import { guestPowerRoutes } from "./guest-power.js";
import { guestReadRoutes, MASKED_PASSWORD } from "./guest-read.js";

/** A guest's [PENDING] section: values to set and keys to delete at the next start. */
interface Pending {
  values: GuestConfig;
  deletes: Set<string>;
}

const sections = new WeakMap<SimGuest, Pending>();

const FAST_PLUG = new Set(["name", "description", "tags", "onboot", "protection", "startup", "hookscript", "lock", "migrate_downtime", "migrate_speed", "shares", "vmstatestorage", "hostname"]);
const QEMU_HOT = new Set(["balloon", "cpulimit", "cpuunits", "affinity"]);
const LXC_HOT = new Set(["memory", "swap", "cores", "cpulimit", "cpuunits", "description", "onboot", "startup", "protection", "tags", "hookscript", "lock"]);

/** The `hotplug` setting of a VM as a set ("network,disk,usb" by default; 0 none, 1 the default). */
function hotplugOf(g: SimGuest): Set<string> {
  const raw = g.config.hotplug === undefined ? "network,disk,usb" : String(g.config.hotplug);
  if (raw === "0") return new Set();
  return new Set(raw === "1" ? ["network", "disk", "usb"] : splitList(raw));
}

/** Whether a key of a running guest changes at once (else it waits for the next start). */
function hot(g: SimGuest, key: string): boolean {
  if (/^net\d+$/.test(key) || isDiskKey(g.type, key) || /^unused\d+$/.test(key)) return true;
  if (g.type === "lxc") return LXC_HOT.has(key) && key !== "hostname";
  if (FAST_PLUG.has(key) || QEMU_HOT.has(key)) return true;
  const plug = hotplugOf(g);
  if (key === "vcpus") return plug.has("cpu");
  if (key === "memory") return plug.has("memory");
  if (/^usb\d+$/.test(key) || key === "tablet") return plug.has("usb");
  return false;
}

/** The guest's pending section (created empty on first use). */
function pendingOf(g: SimGuest): Pending {
  let p = sections.get(g);
  if (!p) {
    p = { values: {}, deletes: new Set() };
    sections.set(g, p);
  }
  return p;
}

/** A pending value as PVE stores it (memory printed bare, booleans and numbers as their type says). */
function normalise(g: SimGuest, key: string, raw: string | boolean): ConfigValue {
  if (key === "memory" && g.type === "qemu" && typeof raw === "string") return /(?:current=)?(\d+)/.exec(raw)?.[1] ?? raw;
  return coerceConfigValue(g.type, key, raw);
}

/**
 * Split a config change of a running guest: the keys that cannot change now
 * go into the pending section (a key set back to its current value leaves
 * it); the rest stays in `params` for the regular handler. A stopped guest
 * changes at once, its earlier pending keys with it (in the same change, so
 * the digest is checked once).
 */
function stage(ctx: HandlerContext, g: SimGuest): void {
  const params = ctx.params;
  const p = pendingOf(g);
  for (const key of splitList(str(ctx, "revert") ?? "")) {
    delete p.values[key];
    p.deletes.delete(key);
  }
  const deletes = splitList(str(ctx, "delete") ?? "");
  if (g.status !== "running") {
    sections.delete(g);
    const touched = new Set([...Object.keys(params), ...deletes]);
    for (const [key, value] of Object.entries(p.values)) if (!touched.has(key)) params[key] = String(value);
    const more = [...p.deletes].filter((k) => !touched.has(k) && g.config[k] !== undefined);
    if (more.length) params.delete = [...deletes, ...more].join(",");
    return;
  }
  const keep: string[] = [];
  for (const key of deletes) {
    if (hot(g, key)) keep.push(key);
    else if (g.config[key] !== undefined || p.values[key] !== undefined) {
      delete p.values[key];
      p.deletes.add(key);
    }
  }
  if (deletes.length) {
    if (keep.length) params.delete = keep.join(",");
    else delete params.delete;
  }
  for (const [key, raw] of Object.entries(params)) {
    if (NON_CONFIG_PARAMS.has(key) || hot(g, key)) continue;
    delete params[key];
    p.deletes.delete(key);
    const value = normalise(g, key, raw);
    if (String(value) === String(g.config[key])) delete p.values[key];
    else p.values[key] = value;
  }
  ctx.cluster.touch();
}

/** Apply and clear a guest's pending section (as it starts). */
export function applyPending(cluster: SimCluster, g: SimGuest): void {
  const p = sections.get(g);
  if (!p) return;
  sections.delete(g);
  const params: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(p.values)) params[key] = String(value);
  const deletes = [...p.deletes].filter((k) => g.config[k] !== undefined);
  if (deletes.length) params.delete = deletes.join(",");
  if (Object.keys(params).length) applyConfig(cluster, g, params);
}

/** The config with the pending values applied: what GET config answers without `current`. */
function withPending(g: SimGuest, config: Record<string, unknown>): Record<string, unknown> {
  const p = sections.get(g);
  if (!p) return config;
  const out = { ...config };
  for (const [key, value] of Object.entries(p.values)) out[key] = key === "cipassword" ? MASKED_PASSWORD : value;
  for (const key of p.deletes) delete out[key];
  return out;
}

/** GET …/pending: every key with its current value, its pending value and pending deletions. */
function pendingList(type: GuestType): Handler {
  return (ctx) => {
    const g = guestAt(ctx, type);
    const p = sections.get(g);
    const shown = (key: string, v: ConfigValue): string => (key === "cipassword" ? MASKED_PASSWORD : String(v));
    const keys = new Set([...Object.keys(g.config), ...Object.keys(p?.values ?? {}), ...(p?.deletes ?? [])]);
    keys.delete("digest");
    return [...keys].sort().map((key) => {
      const entry: Record<string, unknown> = { key };
      if (g.config[key] !== undefined) entry.value = shown(key, g.config[key]);
      if (p?.values[key] !== undefined) entry.pending = shown(key, p.values[key]);
      if (p?.deletes.has(key)) entry.delete = 1;
      return entry;
    });
  };
}

/** GET config: the running config with the pending values (unless `current` or a snapshot). */
function readConfig(type: GuestType): Handler {
  const inner = guestReadRoutes[`GET /nodes/{node}/${type}/{vmid}/config`];
  return async (ctx) => {
    const out = (await inner(ctx)) as Record<string, unknown>;
    if (flag(ctx, "current") || typeof ctx.params.snapshot === "string") return out;
    return withPending(guestAt(ctx, type), out);
  };
}

/** PUT/POST config: stage what cannot change now and hand the rest on. */
function writeConfig(type: GuestType, method: "PUT" | "POST"): Handler {
  const inner = guestModifyRoutes[`${method} /nodes/{node}/${type}/{vmid}/config`];
  return async (ctx) => {
    const g = guestAt(ctx, type);
    // The checks the change itself makes, before anything is staged.
    assertNotLocked(g, skiplock(ctx));
    assertDigest(g, str(ctx, "digest"));
    stage(ctx, g);
    return inner(ctx);
  };
}

/** start and reboot: the pending section is applied as the guest (re)starts. */
function restart(type: GuestType, action: "start" | "reboot"): Handler {
  const inner = guestPowerRoutes[`POST /nodes/{node}/${type}/{vmid}/status/${action}`];
  return async (ctx) => {
    const result = await inner(ctx);
    applyPending(ctx.cluster, guestAt(ctx, type));
    return result;
  };
}

function routesFor(type: GuestType): RouteTable {
  const base = `/nodes/{node}/${type}/{vmid}`;
  return {
    [`GET ${base}/pending`]: pendingList(type),
    [`GET ${base}/config`]: readConfig(type),
    [`PUT ${base}/config`]: writeConfig(type, "PUT"),
    ...(type === "qemu" ? { [`POST ${base}/config`]: writeConfig(type, "POST") } : {}),
    [`POST ${base}/status/start`]: restart(type, "start"),
    [`POST ${base}/status/reboot`]: restart(type, "reboot"),
  };
}

/** Routes of this module (registered after guest-read, guest-modify and guest-power: these wrap theirs). */
export const pendingRoutes: RouteTable = { ...routesFor("qemu"), ...routesFor("lxc") };
