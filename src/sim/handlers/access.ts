/**
 * /access: login and permissions. POST /access/ticket (user and password, or
 * a valid ticket to renew it) answers a ticket for the `PVEAuthCookie` cookie
 * and a CSRF token, as PVE does; GET /access/ticket is PVE's dummy (null).
 * Both need no login. GET /access/permissions lists the caller's privileges.
 */
import { str, type HandlerContext, type RouteTable } from "../handler.js";
import { PveHttpError } from "../pve-error.js";

function permissions(ctx: HandlerContext): Record<string, unknown> {
  const userid = str(ctx, "userid");
  const p = ctx.principal;
  if (userid !== undefined && userid !== p.tokenId && userid !== p.user && !p.has("/access", "Sys.Audit")) {
    throw new PveHttpError(403, "Permission check failed (/access, Sys.Audit)");
  }
  const all = p.permissions();
  const path = str(ctx, "path");
  if (path === undefined) return all;
  const privs: Record<string, number> = {};
  for (const priv of Object.keys(all["/"] ?? {})) if (p.has(path, priv)) privs[priv] = 1;
  for (const [k, v] of Object.entries(all[path] ?? {})) privs[k] = v;
  return { [path]: privs };
}

/** Routes of this module. */
export const accessRoutes: RouteTable = {
  "GET /access/permissions": permissions,
  "GET /access/ticket": () => null,
  "POST /access/ticket": (ctx) =>
    ctx.auth.tickets.login(String(ctx.params.username), String(ctx.params.password), str(ctx, "realm"), Math.floor(ctx.now / 1000)),
};
