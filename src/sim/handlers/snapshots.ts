/**
 * Snapshots of VMs and containers: list (with the "current" entry), create,
 * delete, rollback, and a snapshot's config. Writes are tasks
 * (qmsnapshot/qmdelsnapshot/qmrollback, vz… for containers) that hold the
 * `snapshot` / `snapshot-delete` / `rollback` lock while they run.
 */
import { assertNotLocked, flag, guestAt, startTask, str, taskType, type HandlerContext, type RouteTable } from "../handler.js";
import { configDigest, guestDisks } from "../guest-config.js";
import { serverError } from "../pve-error.js";
import type { GuestConfig, GuestType, SimGuest, SimSnapshot } from "../types.js";

function snapshotOf(g: SimGuest, name: string): SimSnapshot {
  const snap = g.snapshots.find((s) => s.name === name);
  if (!snap) throw serverError(`snapshot '${name}' does not exist`);
  return snap;
}

function withoutRuntimeKeys(config: GuestConfig): GuestConfig {
  const copy = { ...config };
  delete copy.lock;
  delete copy.parent;
  return copy;
}

/** A task that holds a config `lock` value while it runs and clears it at the end. */
function lockedTask(ctx: HandlerContext, g: SimGuest, action: string, lock: string, work: (log: (line: string) => void) => void): string {
  assertNotLocked(g);
  g.config = { ...g.config, lock };
  ctx.cluster.touch();
  const clear = (): void => {
    const c = { ...g.config };
    delete c.lock;
    g.config = c;
    ctx.cluster.touch();
  };
  return startTask(ctx, {
    type: taskType(g.type, action),
    id: String(g.vmid),
    lock: { type: g.type, vmid: g.vmid },
    work: (log) => {
      clear();
      work(log);
    },
    onFail: clear,
  });
}

/** What PVE's snapshot task prints: the RAM saved (vmstate), each volume snapshotted. */
function snapshotLines(ctx: HandlerContext, g: SimGuest, name: string, vmstate: boolean): string[] {
  const lines: string[] = [];
  const disks = guestDisks(g).filter(({ key, disk }) => !/^unused\d+$/.test(key) && !disk.volid.includes("cloudinit"));
  if (vmstate) {
    const storage = disks[0]?.disk.storage ?? "local";
    const memory = Number(g.config.memory ?? 512) / 1024;
    lines.push(`saving VM state and RAM using storage '${storage}'`, `completed saving the VM state in 1s, saved ${(memory * g.load.mem).toFixed(2)} GiB`);
  }
  for (const { key, disk } of disks) {
    if (g.type === "qemu") lines.push(`snapshotting 'drive-${key}' (${disk.volid})`);
    const s = ctx.cluster.storages.get(disk.storage ?? "");
    if (s && s.type === "lvmthin") lines.push(`  Logical volume "snap_${disk.volid.split(":")[1]}_${name}" created.`);
  }
  return lines;
}

function list(type: GuestType) {
  return (ctx: HandlerContext): unknown[] => {
    const g = guestAt(ctx, type);
    const out: Record<string, unknown>[] = g.snapshots.map((s) => ({
      name: s.name,
      description: s.description,
      snaptime: s.snaptime,
      ...(s.parent ? { parent: s.parent } : {}),
      ...(type === "qemu" ? { vmstate: s.vmstate ? 1 : 0 } : {}),
    }));
    const current: Record<string, unknown> = { name: "current", description: "You are here!", digest: configDigest(g), running: g.status === "running" ? 1 : 0 };
    if (g.config.parent !== undefined) current.parent = g.config.parent;
    out.push(current);
    return out;
  };
}

function create(type: GuestType) {
  return (ctx: HandlerContext): string => {
    const g = guestAt(ctx, type);
    const name = String(ctx.params.snapname);
    if (name === "current") throw serverError("unable to use snapshot name 'current' (reserved name)");
    if (g.snapshots.some((s) => s.name === name)) throw serverError(`snapshot name '${name}' already used`);
    const vmstate = type === "qemu" && flag(ctx, "vmstate") && g.status === "running";
    const description = str(ctx, "description") ?? "";
    return lockedTask(ctx, g, "snapshot", "snapshot", (log) => {
      snapshotLines(ctx, g, name, vmstate).forEach(log);
      const parent = g.config.parent === undefined ? undefined : String(g.config.parent);
      g.snapshots.push({ name, description, snaptime: Math.floor(Date.now() / 1000), parent, vmstate, config: withoutRuntimeKeys(g.config) });
      g.config = { ...g.config, parent: name };
    });
  };
}

function remove(type: GuestType) {
  return (ctx: HandlerContext): string => {
    const g = guestAt(ctx, type);
    const snap = snapshotOf(g, String(ctx.params.snapname));
    return lockedTask(ctx, g, "delsnapshot", "snapshot-delete", () => {
      g.snapshots = g.snapshots.filter((s) => s !== snap);
      for (const s of g.snapshots) if (s.parent === snap.name) s.parent = snap.parent;
      const c = { ...g.config };
      if (c.parent === snap.name) {
        if (snap.parent) c.parent = snap.parent;
        else delete c.parent;
      }
      g.config = c;
    });
  };
}

function rollback(type: GuestType) {
  return (ctx: HandlerContext): string => {
    const g = guestAt(ctx, type);
    const snap = snapshotOf(g, String(ctx.params.snapname));
    const start = flag(ctx, "start");
    return lockedTask(ctx, g, "rollback", "rollback", () => {
      g.config = { ...snap.config, parent: snap.name };
      const running = snap.vmstate || start;
      g.status = running ? "running" : "stopped";
      g.startedAt = running ? Date.now() : undefined;
    });
  };
}

function snapshotConfig(type: GuestType) {
  return (ctx: HandlerContext): Record<string, unknown> => {
    const g = guestAt(ctx, type);
    const s = snapshotOf(g, String(ctx.params.snapname));
    return { ...s.config, description: s.description, snaptime: s.snaptime, ...(s.parent ? { parent: s.parent } : {}), ...(s.vmstate ? { vmstate: 1 } : {}) };
  };
}

function routesFor(type: GuestType): RouteTable {
  const base = `/nodes/{node}/${type}/{vmid}/snapshot`;
  return {
    [`GET ${base}`]: list(type),
    [`POST ${base}`]: create(type),
    [`GET ${base}/{snapname}`]: (ctx) => {
      snapshotOf(guestAt(ctx, type), String(ctx.params.snapname));
      return [{ rel: "child", href: "config" }, { rel: "child", href: "rollback" }];
    },
    [`DELETE ${base}/{snapname}`]: remove(type),
    [`GET ${base}/{snapname}/config`]: snapshotConfig(type),
    [`PUT ${base}/{snapname}/config`]: (ctx) => {
      const s = snapshotOf(guestAt(ctx, type), String(ctx.params.snapname));
      const description = str(ctx, "description");
      if (description !== undefined) s.description = description;
      ctx.cluster.touch();
      return null;
    },
    [`POST ${base}/{snapname}/rollback`]: rollback(type),
  };
}

/** Routes of this module. */
export const snapshotRoutes: RouteTable = { ...routesFor("qemu"), ...routesFor("lxc") };
