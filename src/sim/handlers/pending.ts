/**
 * Pending changes, the way PVE keeps them: a config change to a running
 * guest that cannot be hot-plugged waits in the config's [PENDING] section
 * until the guest next starts. GET config shows the config with the pending
 * values (the desired state: what Terraform and sync read), `current=1` the
 * running values, GET …/pending both side by side; `revert` drops pending
 * keys.
 *
 * What applies at once on a running VM (qemu-server's vmconfig_hotplug_pending
 * and its fast-plug options): name, description, tags, onboot, protection,
 * startup and the like; balloon, cpulimit and cpuunits; vcpus with `cpu` in
 * `hotplug`, memory with `memory` in it; cloud-init settings; disks and NICs (the simulator
 * hot-plugs them whatever `hotplug` says). Anything else — cores, sockets,
 * memory without memory hotplug, the machine, the BIOS … — is
 * pending. On a running container (pve-container) memory, swap, cores,
 * cpulimit, cpuunits, NICs and mount points apply at once; the hostname and
 * the rest wait.
 *
 * The model's `config` holds the values with the pending ones applied (what
 * GET config answers); this module remembers, per guest, the running value of
 * each key changed while it could not be applied, so a key is pending while
 * the two differ (a change that failed, or set back, is pending no more).
 * The handlers wrap those of guest-read, guest-modify and guest-power (this
 * module is registered after them).
 */
import { isDiskKey } from "../../pve/guest-config.js";
import { splitList } from "../../pve/tags.js";
import { NON_CONFIG_PARAMS } from "../config-change.js";
import { flag, guestAt, str, type Handler, type HandlerContext, type RouteTable } from "../handler.js";
import type { ConfigValue, GuestConfig, GuestType, SimGuest } from "../types.js";
import { guestModifyRoutes } from "./guest-modify.js";
import { guestPowerRoutes } from "./guest-power.js";
import { guestReadRoutes, MASKED_PASSWORD } from "./guest-read.js";

/** The running value of each key changed while the guest ran (undefined: the key was not set). */
const running = new WeakMap<SimGuest, Map<string, ConfigValue | undefined>>();

const FAST_PLUG = new Set(["name", "description", "tags", "onboot", "protection", "startup", "hookscript", "lock", "migrate_downtime", "migrate_speed", "shares", "vmstatestorage"]);
const QEMU_HOT = new Set(["balloon", "cpulimit", "cpuunits", "affinity"]);
/** Cloud-init settings change the config at once since PVE 7.3 (the drive is regenerated from it; its own record says what the drive holds). */
const CLOUD_INIT = /^(ciuser|cipassword|citype|ciupgrade|cicustom|searchdomain|nameserver|sshkeys|ipconfig\d+)$/;
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
  if (g.type === "lxc") return LXC_HOT.has(key);
  if (FAST_PLUG.has(key) || QEMU_HOT.has(key) || CLOUD_INIT.test(key)) return true;
  const plug = hotplugOf(g);
  if (key === "vcpus") return plug.has("cpu");
  if (key === "memory") return plug.has("memory");
  if (/^usb\d+$/.test(key) || key === "tablet") return plug.has("usb");
  return false;
}

const same = (a: ConfigValue | undefined, b: ConfigValue | undefined): boolean => (a === undefined || b === undefined ? a === b : String(a) === String(b));

/** The pending keys of a guest: key → [running value, pending value] (undefined: not set / deleted). */
function pendingOf(g: SimGuest): Map<string, [ConfigValue | undefined, ConfigValue | undefined]> {
  const out = new Map<string, [ConfigValue | undefined, ConfigValue | undefined]>();
  for (const [key, before] of running.get(g) ?? []) if (!same(before, g.config[key])) out.set(key, [before, g.config[key]]);
  return out;
}

/**
 * Before a change to a running guest: remember the running value of each key
 * it changes that cannot change now (the first one, if the key is pending
 * already). `revert` puts pending keys back to their running values. A change
 * to a stopped guest applies everything: nothing is pending after it.
 */
function remember(ctx: HandlerContext, g: SimGuest): void {
  const keys = running.get(g) ?? new Map<string, ConfigValue | undefined>();
  const revert = splitList(str(ctx, "revert") ?? "").filter((k) => keys.has(k));
  if (revert.length) {
    const config: GuestConfig = { ...g.config };
    for (const key of revert) {
      const before = keys.get(key);
      if (before === undefined) delete config[key];
      else config[key] = before;
      keys.delete(key);
    }
    g.config = config;
    ctx.cluster.touch();
  }
  if (g.status !== "running") {
    running.delete(g);
    return;
  }
  const changed = [...Object.keys(ctx.params).filter((k) => !NON_CONFIG_PARAMS.has(k)), ...splitList(str(ctx, "delete") ?? "")];
  for (const key of changed) if (!hot(g, key) && !keys.has(key)) keys.set(key, g.config[key]);
  if (keys.size) running.set(g, keys);
}

/** GET …/pending: every key with its current (running) value, its pending value, and pending deletions. */
function pendingList(type: GuestType): Handler {
  return (ctx) => {
    const g = guestAt(ctx, type);
    const pending = pendingOf(g);
    const shown = (key: string, v: ConfigValue): string => (key === "cipassword" ? MASKED_PASSWORD : String(v));
    const keys = new Set([...Object.keys(g.config), ...pending.keys()]);
    return [...keys].sort().map((key) => {
      const entry: Record<string, unknown> = { key };
      const change = pending.get(key);
      const value = change ? change[0] : g.config[key];
      if (value !== undefined) entry.value = shown(key, value);
      if (change && change[1] !== undefined) entry.pending = shown(key, change[1]);
      if (change && change[1] === undefined) entry.delete = 1;
      return entry;
    });
  };
}

/** GET config with `current=1`: the running values instead of the pending ones. */
function readConfig(type: GuestType): Handler {
  const inner = guestReadRoutes[`GET /nodes/{node}/${type}/{vmid}/config`];
  return async (ctx) => {
    const out = (await inner(ctx)) as Record<string, unknown>;
    if (!flag(ctx, "current") || typeof ctx.params.snapshot === "string") return out;
    for (const [key, [before]] of pendingOf(guestAt(ctx, type))) {
      if (before === undefined) delete out[key];
      else out[key] = key === "cipassword" ? MASKED_PASSWORD : before;
    }
    return out;
  };
}

/** PUT/POST config: note what will be pending, then the regular change. */
function writeConfig(type: GuestType, method: "PUT" | "POST"): Handler {
  const inner = guestModifyRoutes[`${method} /nodes/{node}/${type}/{vmid}/config`];
  return (ctx) => {
    remember(ctx, guestAt(ctx, type));
    return inner(ctx);
  };
}

/** start and reboot: the pending values become the running ones. */
function restart(type: GuestType, action: "start" | "reboot"): Handler {
  const inner = guestPowerRoutes[`POST /nodes/{node}/${type}/{vmid}/status/${action}`];
  return async (ctx) => {
    const result = await inner(ctx);
    running.delete(guestAt(ctx, type));
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
