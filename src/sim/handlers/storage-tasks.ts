/**
 * Storage endpoints (/storage, /nodes/{node}/storage[/{storage}/status|content])
 * and task endpoints (/nodes/{node}/tasks[/{upid}[/status|/log]], /cluster/tasks).
 */
import { guestDisks } from "../guest-config.js";
import { volumeFormat } from "../generator-data.js";
import { Enveloped, flag, int, str, type HandlerContext, type RouteTable } from "../handler.js";
import { PveHttpError, serverError } from "../pve-error.js";
import type { SimTask } from "../tasks.js";
import type { SimStorage } from "../types.js";
import { storageListEntry } from "../views.js";

function storageOn(ctx: HandlerContext): SimStorage {
  const id = String(ctx.params.storage);
  const node = String(ctx.params.node);
  const s = ctx.cluster.storages.get(id);
  if (!s) throw serverError(`storage '${id}' does not exist`);
  if (s.nodes && !s.nodes.includes(node)) throw serverError(`storage '${id}' is not available on node '${node}'`);
  return s;
}

const canSee = (ctx: HandlerContext, s: SimStorage): boolean =>
  ctx.principal.has(`/storage/${s.storage}`, "Datastore.Audit") || ctx.principal.has(`/storage/${s.storage}`, "Datastore.AllocateSpace");

function nodeStorage(ctx: HandlerContext): unknown[] {
  const node = String(ctx.params.node);
  const content = str(ctx, "content");
  const only = str(ctx, "storage");
  const enabled = flag(ctx, "enabled");
  return ctx.cluster
    .storagesOn(node)
    .filter((s) => canSee(ctx, s))
    .filter((s) => !only || s.storage === only)
    .filter((s) => !content || content.split(",").every((c) => s.content.includes(c)))
    .filter((s) => !enabled || s.enabled !== false)
    .map((s) => storageListEntry(ctx.cluster, node, s));
}

function content(ctx: HandlerContext): unknown[] {
  const s = storageOn(ctx);
  const node = String(ctx.params.node);
  const filter = str(ctx, "content");
  const vmid = int(ctx, "vmid");
  const out: Record<string, unknown>[] = ctx.cluster.staticVolumes(node, s).map((v) => ({
    volid: v.volid,
    content: v.content,
    format: v.format,
    size: v.size,
    ctime: v.ctime,
    ...(v.vmid !== undefined ? { vmid: v.vmid } : {}),
    ...(v.subtype ? { subtype: v.subtype } : {}),
    ...(v.notes !== undefined ? { notes: v.notes } : {}),
    ...(v.protected ? { protected: 1 } : {}),
  }));
  for (const g of ctx.cluster.guests()) {
    if (!s.shared && g.node !== node) continue;
    for (const { disk } of guestDisks(g)) {
      if (disk.storage !== s.storage) continue;
      const cloudinit = disk.volid.includes("cloudinit");
      out.push({
        volid: disk.volid,
        content: g.type === "lxc" ? "rootdir" : "images",
        format: s.type === "zfspool" && g.type === "lxc" ? "subvol" : volumeFormat(disk.volid),
        size: disk.size || (cloudinit ? 4 * 1024 * 1024 : 0),
        vmid: g.vmid,
        ctime: g.ctime,
      });
    }
  }
  return out.filter((v) => (!filter || v.content === filter) && (vmid === undefined || v.vmid === vmid));
}

function taskOf(ctx: HandlerContext): SimTask {
  const upid = String(ctx.params.upid);
  if (!/^UPID:[^:]+:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:[^:]*:[^:]*:[^:]+:$/i.test(upid)) {
    throw new PveHttpError(400, "Parameter verification failed.", { upid: "unable to parse worker upid" });
  }
  const task = ctx.cluster.tasks.get(upid);
  if (!task || task.node !== ctx.params.node) throw serverError(`no such task`);
  if (task.user !== ctx.principal.tokenId) ctx.principal.require(`/nodes/${task.node}`, ["Sys.Audit"]);
  return task;
}

function taskStatus(t: SimTask): Record<string, unknown> {
  const out: Record<string, unknown> = {
    upid: t.upid, node: t.node, pid: t.pid, pstart: t.pstart, starttime: t.starttime, type: t.type, id: t.id, user: t.user, status: t.status,
  };
  if (t.exitstatus !== undefined) out.exitstatus = t.exitstatus;
  return out;
}

function taskList(ctx: HandlerContext): Enveloped {
  const node = String(ctx.params.node);
  const source = str(ctx, "source") ?? "archive";
  const vmid = str(ctx, "vmid");
  const typefilter = str(ctx, "typefilter");
  const userfilter = str(ctx, "userfilter");
  const statuses = str(ctx, "statusfilter")?.toLowerCase().split(/[,;\s]+/);
  const errorsOnly = flag(ctx, "errors");
  const since = int(ctx, "since");
  const until = int(ctx, "until");
  const mayAll = ctx.principal.has(`/nodes/${node}`, "Sys.Audit");
  const list = ctx.cluster.tasks.all().filter((t) => {
    if (t.node !== node || (!mayAll && t.user !== ctx.principal.tokenId)) return false;
    if (source === "archive" && t.status === "running") return false;
    if (source === "active" && t.status !== "running") return false;
    if (vmid !== undefined && t.id !== vmid) return false;
    if (typefilter && t.type !== typefilter) return false;
    if (userfilter && !t.user.includes(userfilter)) return false;
    const state = t.status === "running" ? "unknown" : t.exitstatus === "OK" ? "ok" : "error";
    if (errorsOnly && state !== "error") return false;
    if (statuses && !statuses.includes(state)) return false;
    if (since !== undefined && t.starttime < since) return false;
    if (until !== undefined && t.starttime > until) return false;
    return true;
  });
  const start = int(ctx, "start") ?? 0;
  const limit = int(ctx, "limit") ?? 50;
  const page = list.slice(start, start + limit).map((t) => {
    const e: Record<string, unknown> = { upid: t.upid, node: t.node, pid: t.pid, pstart: t.pstart, starttime: t.starttime, type: t.type, id: t.id, user: t.user };
    if (t.endtime !== undefined) e.endtime = t.endtime;
    if (t.exitstatus !== undefined) e.status = t.exitstatus;
    return e;
  });
  return new Enveloped(page, { total: list.length });
}

/**
 * GET /cluster/tasks: every node's list of active tasks as PVE broadcasts it,
 * all running tasks plus the most recent finished ones (25 per node in all),
 * newest first; the caller's own tasks, or all with Sys.Audit on /.
 */
function clusterTasks(ctx: HandlerContext): unknown[] {
  const all = ctx.principal.has("/", "Sys.Audit");
  const perNode = new Map<string, number>();
  const out: Record<string, unknown>[] = [];
  for (const t of ctx.cluster.tasks.all()) {
    const kept = perNode.get(t.node) ?? 0;
    if (t.status !== "running" && kept >= 25) continue;
    perNode.set(t.node, kept + 1);
    if (!all && t.user !== ctx.principal.tokenId) continue;
    const e: Record<string, unknown> = { upid: t.upid, node: t.node, starttime: t.starttime, type: t.type, id: t.id, user: t.user };
    if (t.status === "running") e.pid = t.pid;
    else Object.assign(e, { endtime: t.endtime, status: t.exitstatus, saved: "1" });
    out.push(e);
  }
  return out;
}

function taskLog(ctx: HandlerContext): Enveloped {
  const t = taskOf(ctx);
  const start = int(ctx, "start") ?? 0;
  const limit = int(ctx, "limit") || 50;
  const lines = t.log.length ? t.log : ["no content"];
  const page = lines.slice(start, start + limit).map((line, i) => ({ n: start + i + 1, t: line }));
  return new Enveloped(page, { total: lines.length });
}

/** Routes of this module. */
export const storageTaskRoutes: RouteTable = {
  "GET /storage": (ctx) =>
    [...ctx.cluster.storages.values()].filter((s) => canSee(ctx, s)).map((s) => ({
      storage: s.storage,
      type: s.type,
      content: s.content.join(","),
      ...(s.shared ? { shared: 1 } : {}),
      ...(s.nodes ? { nodes: s.nodes.join(",") } : {}),
      ...(s.path ? { path: s.path } : {}),
      digest: "4f1e0c2b4b1b2b6c0c1d9e4e1f2a3b4c5d6e7f80",
    })),
  "GET /nodes/{node}/storage": nodeStorage,
  "GET /nodes/{node}/storage/{storage}/status": (ctx) => {
    const e = storageListEntry(ctx.cluster, String(ctx.params.node), storageOn(ctx));
    delete e.storage;
    delete e.used_fraction;
    return e;
  },
  "GET /nodes/{node}/storage/{storage}/content": content,
  "GET /nodes/{node}/tasks": taskList,
  "GET /cluster/tasks": clusterTasks,
  "GET /nodes/{node}/tasks/{upid}/status": (ctx) => taskStatus(taskOf(ctx)),
  "GET /nodes/{node}/tasks/{upid}/log": taskLog,
  "DELETE /nodes/{node}/tasks/{upid}": (ctx) => {
    ctx.cluster.tasks.stop(taskOf(ctx).upid);
    return null;
  },
};
