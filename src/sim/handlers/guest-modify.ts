/**
 * Changing guests: PUT config (sync, null), POST config (qemu, async: a
 * qmconfig task), PUT unlink (qemu: drop disks, `force` removes the volumes),
 * PUT resize and POST template. Sync changes wait for the config lock like
 * PVE (and fail with "can't lock file ... got timeout").
 */
import type { SimCluster } from "../cluster.js";
import { applyConfig, assertDigest, assertNoSetAndDelete } from "../config-change.js";
import { toBaseVolume } from "../disks.js";
import { isDiskKey } from "../../pve/guest-config.js";
import { printProps } from "../../pve/property-string.js";
import { parseSize, printSize } from "../../pve/size.js";
import { parseDisk } from "../guest-config.js";
import { assertNotLocked, configPath, flag, guestAt, int, skiplock, startTask, str, taskType, type HandlerContext, type RouteTable } from "../handler.js";
import { serverError } from "../pve-error.js";
import type { GuestType, SimGuest } from "../types.js";

/** Run `fn` holding the guest's config lock (waiting up to the lock timeout). */
export async function withConfigLock<T>(cluster: SimCluster, g: SimGuest, fn: () => T): Promise<T> {
  let release: () => void;
  try {
    release = await cluster.locks.acquire(g.type, g.vmid, cluster.lockTimeoutMs);
  } catch (err) {
    throw serverError((err as Error).message);
  }
  try {
    return fn();
  } finally {
    release();
  }
}

function updateConfig(ctx: HandlerContext, g: SimGuest): void {
  if (!ctx.cluster.guest(g.vmid)) throw serverError(`Configuration file '${configPath(g.node, g.type, g.vmid)}' does not exist`);
  assertNotLocked(g, skiplock(ctx));
  assertDigest(g, str(ctx, "digest"));
  applyConfig(ctx.cluster, g, ctx.params);
}

function putConfig(type: GuestType) {
  return async (ctx: HandlerContext): Promise<null> => {
    const g = guestAt(ctx, type);
    assertNoSetAndDelete(ctx.params);
    await withConfigLock(ctx.cluster, g, () => updateConfig(ctx, g));
    return null;
  };
}

async function postConfig(ctx: HandlerContext): Promise<string | null> {
  const g = guestAt(ctx, "qemu");
  assertNoSetAndDelete(ctx.params);
  const upid = startTask(ctx, { type: "qmconfig", id: String(g.vmid), lock: { type: "qemu", vmid: g.vmid }, work: () => updateConfig(ctx, g) });
  const delay = int(ctx, "background_delay");
  if (!delay) return upid;
  const until = Date.now() + delay * 1000;
  while (Date.now() < until) {
    const task = ctx.cluster.tasks.get(upid);
    if (task?.status === "stopped") {
      if (task.exitstatus === "OK") return null;
      throw serverError(task.exitstatus ?? "task failed");
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return upid;
}

/** PUT .../qemu/{vmid}/unlink: PVE's update_vm_api with `delete=idlist` (and `force`); null. */
async function unlink(ctx: HandlerContext): Promise<null> {
  const g = guestAt(ctx, "qemu");
  const change = { delete: String(ctx.params.idlist), ...(flag(ctx, "force") ? { force: "1" } : {}) };
  await withConfigLock(ctx.cluster, g, () => {
    assertNotLocked(g);
    applyConfig(ctx.cluster, g, change);
  });
  return null;
}

function resize(type: GuestType) {
  return async (ctx: HandlerContext): Promise<string | null> => {
    const g = guestAt(ctx, type);
    const key = String(ctx.params.disk);
    const sizeText = String(ctx.params.size);
    const apply = (): void => {
      assertNotLocked(g, skiplock(ctx));
      assertDigest(g, str(ctx, "digest"));
      const value = g.config[key];
      if (value === undefined || !isDiskKey(type, key)) throw serverError(`disk '${key}' does not exist`);
      const disk = parseDisk(value);
      if (disk.media === "cdrom") throw serverError("you can't resize a cdrom");
      const delta = parseSize(sizeText.replace(/^\+/, ""), { strict: true }) ?? 0;
      const size = sizeText.startsWith("+") ? disk.size + delta : delta;
      if (size < disk.size) throw serverError("shrinking disks is not supported");
      g.config = { ...g.config, [key]: printProps({ ...disk.options, file: disk.volid, size: printSize(size) }, "file") };
      ctx.cluster.touch();
    };
    if (type === "qemu" && !ctx.settings.resizeReturnsTask) {
      await withConfigLock(ctx.cluster, g, apply);
      return null;
    }
    return startTask(ctx, { type: "resize", id: String(g.vmid), lock: { type, vmid: g.vmid }, work: apply });
  };
}

function template(type: GuestType) {
  return (ctx: HandlerContext): string => {
    const g = guestAt(ctx, type);
    assertNotLocked(g);
    if (g.config.template === 1) throw serverError(`you can't convert a template to a template`);
    if (g.status === "running") {
      throw serverError(type === "qemu" ? "you can't convert a VM to template if VM is running" : "you can't convert a CT to template if the CT is running");
    }
    return startTask(ctx, {
      type: taskType(type, "template"),
      id: String(g.vmid),
      lock: { type, vmid: g.vmid },
      work: () => {
        const next = { ...g.config };
        for (const [k, v] of Object.entries(next)) {
          if (isDiskKey(type, k) && !String(v).includes("cloudinit") && parseDisk(v).media !== "cdrom") next[k] = toBaseVolume(String(v));
        }
        next.template = 1;
        g.config = next;
        ctx.cluster.touch();
      },
    });
  };
}

/** Routes of this module. */
export const guestModifyRoutes: RouteTable = {
  "PUT /nodes/{node}/qemu/{vmid}/config": putConfig("qemu"),
  "POST /nodes/{node}/qemu/{vmid}/config": postConfig,
  "PUT /nodes/{node}/lxc/{vmid}/config": putConfig("lxc"),
  "PUT /nodes/{node}/qemu/{vmid}/unlink": unlink,
  "PUT /nodes/{node}/qemu/{vmid}/resize": resize("qemu"),
  "PUT /nodes/{node}/lxc/{vmid}/resize": resize("lxc"),
  "POST /nodes/{node}/qemu/{vmid}/template": template("qemu"),
  "POST /nodes/{node}/lxc/{vmid}/template": template("lxc"),
};

