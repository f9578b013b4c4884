/**
 * Power actions (status/start|stop|shutdown|reboot|reset) and destroy
 * (DELETE /nodes/{node}/{type}/{vmid}), with PVE's split between errors
 * answered at once (500) and errors of the task (exitstatus).
 */
import { guestDisks } from "../guest-config.js";
import { assertNotLocked, guestAt, kindWord, skiplock, startTask, taskType, type HandlerContext, type RouteTable } from "../handler.js";
import { serverError } from "../pve-error.js";
import { destroyLines, startLines } from "../task-logs.js";
import type { GuestType, SimGuest } from "../types.js";

type Action = "start" | "stop" | "shutdown" | "reboot" | "reset";

function setRunning(g: SimGuest, running: boolean): void {
  g.status = running ? "running" : "stopped";
  g.startedAt = running ? Date.now() : undefined;
  g.paused = undefined; // a stop, start or reboot ends a suspend
}

/** Checks PVE makes before forking the task (HTTP 500). */
function syncChecks(g: SimGuest, action: Action, skiplock: boolean): void {
  const running = g.status === "running";
  if (g.type === "lxc") {
    if (action === "start" && running) throw serverError(`CT ${g.vmid} already running`);
    if (action === "start" && g.config.template === 1) throw serverError("you can't start a CT if it's a template");
    if (action !== "start" && !running) throw serverError(`CT ${g.vmid} not running`);
    assertNotLocked(g, skiplock);
  } else if ((action === "reboot" || action === "reset") && !running) {
    throw serverError(`VM ${g.vmid} not running`);
  }
}

/** Checks and effect inside the task (a failure becomes the task's exitstatus). */
function taskWork(g: SimGuest, action: Action, skiplock: boolean): void {
  if (g.type === "qemu") {
    assertNotLocked(g, skiplock);
    if (action === "start" && g.config.template === 1) throw new Error("you can't start a vm if it's a template");
    if (action === "start" && g.status === "running") throw new Error(`VM ${g.vmid} already running`);
  }
  if (action === "start") setRunning(g, true);
  else if (action === "stop" || action === "shutdown") setRunning(g, false);
  else if (action === "reboot") setRunning(g, true);
}

function power(type: GuestType, action: Action) {
  return (ctx: HandlerContext): string => {
    const g = guestAt(ctx, type);
    const skip = skiplock(ctx);
    syncChecks(g, action, skip);
    return startTask(ctx, {
      type: taskType(type, action),
      id: String(g.vmid),
      lock: { type, vmid: g.vmid },
      work: (log) => {
        if (action === "start") startLines(g).forEach(log);
        taskWork(g, action, skip);
        ctx.cluster.touch();
      },
    });
  };
}

function destroy(type: GuestType) {
  return (ctx: HandlerContext): string => {
    const g = guestAt(ctx, type);
    assertNotLocked(g, skiplock(ctx));
    const word = kindWord(type);
    if (g.config.protection === 1) throw serverError(`can't remove ${word} ${g.vmid} - protection mode enabled`);
    if (g.status === "running") {
      throw serverError(type === "qemu" ? `VM ${g.vmid} is running - destroy failed` : `unable to destroy CT ${g.vmid} - container is running`);
    }
    const { cluster } = ctx;
    g.config = { ...g.config, lock: "destroyed" };
    cluster.touch();
    return startTask(ctx, {
      type: taskType(type, "destroy"),
      id: String(g.vmid),
      lock: { type, vmid: g.vmid },
      work: (log) => {
        if (g.config.template === 1) {
          for (const { disk } of guestDisks(g)) {
            const base = disk.volid;
            const user = cluster.guests().find((o) => o.vmid !== g.vmid && guestDisks(o).some(({ disk: d }) => d.volid.startsWith(`${base}/`)));
            if (user) throw new Error(`base volume '${base}' is still in use by linked clone ${user.vmid}`);
          }
        }
        destroyLines(cluster, g).forEach(log);
        cluster.removeGuest(g.vmid);
      },
      onFail: () => {
        const { lock: _lock, ...rest } = g.config;
        g.config = rest;
        cluster.touch();
      },
    });
  };
}

function routesFor(type: GuestType): RouteTable {
  const base = `/nodes/{node}/${type}/{vmid}`;
  const actions: Action[] = type === "qemu" ? ["start", "stop", "shutdown", "reboot", "reset"] : ["start", "stop", "shutdown", "reboot"];
  const out: RouteTable = { [`DELETE ${base}`]: destroy(type) };
  for (const a of actions) out[`POST ${base}/status/${a}`] = power(type, a);
  return out;
}

/** Routes of this module. */
export const guestPowerRoutes: RouteTable = { ...routesFor("qemu"), ...routesFor("lxc") };
