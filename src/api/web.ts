/**
 * The dashboard (docs/dashboard.md) as the server serves it: `/` is the page
 * `npm run build` wrote to dist/web/, /assets/* its files (named by their
 * content's hash: cached for a year; the page itself is never cached), each
 * with a strict Content-Security-Policy (only this origin's script and style,
 * nothing inline, no frames). Without a build, `/` says how to make one. Also
 * GET /api/v1/whoami (any valid token: its name and role, which decide the
 * buttons the dashboard draws) and the IaC file routes of iac.ts.
 */
import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ApiKit } from "./app.js";
import { addPartRoute, IAC_ROUTES, registerIac, type PartRoute } from "./iac.js";
import { API_PREFIX } from "./routes.js";

/** Where the build puts the dashboard: dist/web/ beside dist/api/. */
const WEB_DIR = fileURLToPath(new URL("../web/", import.meta.url));

export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".map": "application/json; charset=utf-8",
  ".png": "image/png",
  ".woff2": "font/woff2",
};

/** An asset's name: letters, digits, dot, dash, underscore; hashed ones end in -HASH8.ext. */
const ASSET = /^[\w.-]+$/;
const HASHED = /-[A-Z0-9]{8}\.[a-z0-9]+(\.map)?$/;

const WHOAMI: PartRoute = {
  method: "GET",
  path: `${API_PREFIX}/whoami`,
  url: `${API_PREFIX}/whoami`,
  role: "viewer",
  operationId: "whoami",
  summary: "The token's name and role (any valid token)",
  spec: { responses: { "200": { description: "{ok: true, name, role}", content: { "application/json": { schema: { type: "object", required: ["ok", "name", "role"], properties: { ok: { const: true }, name: { type: "string" }, role: { enum: ["viewer", "operator", "admin"] } } } } } }, "401": { description: "No valid token" } } },
};

/** Every route the dashboard adds under /api/v1, with its role (tests/api/roles.test.ts; the OpenAPI document). */
export const DASHBOARD_ROUTES: readonly PartRoute[] = [WHOAMI, ...IAC_ROUTES];

const MISSING = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>proxmox-mpc: dashboard not built</title></head>
<body><h1>The dashboard is not built</h1>
<p>This copy of proxmox-mpc has no dist/web/. In its folder, run <code>npm run build</code>, then start <code>proxmox-mpc serve</code> again.</p>
<p>The REST API works without it: <a href="/api/docs">/api/docs</a>.</p></body></html>
`;

function secure(reply: FastifyReply): FastifyReply {
  return reply.header("content-security-policy", CSP).header("x-content-type-options", "nosniff").header("referrer-policy", "no-referrer").header("x-frame-options", "DENY");
}

export function registerWeb(app: FastifyInstance, kit: ApiKit, dir = WEB_DIR): void {
  // Read once: the page changes only with a build, and a build means a new start of `serve` (until then: read again, to say how to make one).
  let built: string | undefined;
  const page = async (_request: unknown, reply: FastifyReply) => {
    const html = (built ??= await readFile(join(dir, "index.html"), "utf8").catch(() => undefined));
    secure(reply).header("cache-control", "no-cache");
    if (html === undefined) return reply.code(503).type("text/html; charset=utf-8").send(MISSING);
    return reply.type("text/html; charset=utf-8").send(html);
  };
  app.get("/", page);
  app.get("/index.html", page);

  const cached = new Map<string, Buffer>();
  app.get("/assets/*", async (request, reply) => {
    const name = ((request.params ?? {}) as Record<string, string>)["*"] ?? "";
    const type = TYPES[extname(name)];
    const body = ASSET.test(name) && !name.startsWith(".") && type ? (cached.get(name) ?? (await readFile(join(dir, "assets", name)).catch(() => undefined))) : undefined;
    if (!body || !type) return kit.send(secure(reply), 404, { ok: false, error: { code: "not-found", message: `No asset ${name}.`, hint: "Reload the page: a new build renames its assets." } });
    if (HASHED.test(name)) cached.set(name, body);
    return secure(reply)
      .header("cache-control", HASHED.test(name) ? "public, max-age=31536000, immutable" : "no-cache")
      .type(type)
      .send(body);
  });

  addPartRoute(app, kit, WHOAMI, async (caller, _request, reply) => kit.send(reply, 200, { ok: true, name: caller.name, role: caller.role }));
  registerIac(app, kit);
}
