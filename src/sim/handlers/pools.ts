/**
 * Resource pools, read-only: GET /pools (`[{poolid, comment}]`, or with
 * `poolid=` that pool with its members, as PVE ≥ 8.1) and the older
 * GET /pools/{poolid} (`{members, comment}`). Pools come from the seed's
 * `pools:` and from guests' `pool`; members are the guests in the pool, as
 * /cluster/resources entries. Only pools with Pool.Audit are listed.
 */
import { str, type HandlerContext, type RouteTable } from "../handler.js";
import { serverError } from "../pve-error.js";
import { guestResource } from "../views.js";

/** `{poolid, comment?}` of a pool the cluster knows. */
function poolEntry(ctx: HandlerContext, poolid: string): Record<string, unknown> {
  const comment = ctx.cluster.pools.get(poolid)?.comment;
  return comment === undefined ? { poolid } : { poolid, comment };
}

/** The members of a pool: its guests (optionally only `qemu` or `lxc`), as resource entries. */
function members(ctx: HandlerContext, poolid: string): Record<string, unknown>[] {
  const type = str(ctx, "type");
  // PVE lists storages of a pool too; the simulator's pools hold guests only.
  if (type === "storage") return [];
  return ctx.cluster
    .guests()
    .filter((g) => g.pool === poolid && (type === undefined || g.type === type))
    .map((g) => guestResource(g, ctx.cluster.node(g.node), ctx.now));
}

function requirePool(ctx: HandlerContext, poolid: string): void {
  if (!ctx.cluster.poolIds().includes(poolid)) throw serverError(`pool '${poolid}' does not exist`);
}

function list(ctx: HandlerContext): unknown[] {
  const poolid = str(ctx, "poolid");
  if (poolid !== undefined) {
    ctx.principal.require(`/pool/${poolid}`, ["Pool.Audit"]);
    requirePool(ctx, poolid);
    return [{ ...poolEntry(ctx, poolid), members: members(ctx, poolid) }];
  }
  return ctx.cluster
    .poolIds()
    .filter((id) => ctx.principal.has(`/pool/${id}`, "Pool.Audit"))
    .map((id) => poolEntry(ctx, id));
}

function read(ctx: HandlerContext): Record<string, unknown> {
  const poolid = String(ctx.params.poolid);
  requirePool(ctx, poolid);
  const { poolid: _id, ...rest } = poolEntry(ctx, poolid);
  return { ...rest, members: members(ctx, poolid) };
}

/** Routes of this module. */
export const poolRoutes: RouteTable = {
  "GET /pools": list,
  "GET /pools/{poolid}": read,
};
