/**
 * Who may call what, for every route the API derives from the registry:
 * 401 without a token, with a malformed, unknown, wrong, expired or revoked
 * one; 403 with a role below the route's; never any data on either. Every
 * command offered as a tool gets a role (a new one cannot be routed without
 * one), and the overrides name real commands and actions.
 */
import path from "node:path";
import { COMMANDS } from "../../src/commands/registry.js";
import { apiRoutes } from "../../src/api/routes.js";
import { DASHBOARD_ROUTES } from "../../src/api/web.js";
import { lowestRole, OVERRIDES, ROLES, roleFor, type Role } from "../../src/api/roles.js";
import { openStore } from "../../src/state/index.js";
import { apiServer, call, stopAll, syncedWorkspace, type ApiServer } from "./helpers.js";
import type { initWorkspace, RunningSimulator } from "../helpers/sim.js";

const routes = apiRoutes(COMMANDS);
let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let server: ApiServer;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  ({ sim, ws } = await syncedWorkspace({ size: 6, randomSeed: 3 }));
  const store = await openStore({ url: `file:${path.join(ws.dir, ".proxmox-mpc", "state.db")}` });
  try {
    for (const role of ROLES) tokens[role] = (await store.tokens.create(role === "admin" ? "root" : role, role)).token;
    const past = new Date(Date.now() - 2 * 864e5);
    tokens.expired = (await store.tokens.create("expired", "admin", { now: past, expiresAt: new Date(past.getTime() + 864e5) })).token;
    tokens.revoked = (await store.tokens.create("revoked", "admin")).token;
    await store.tokens.revoke("revoked");
  } finally {
    await store.close();
  }
  server = await apiServer(ws.dir, ws.env);
}, 90_000);

afterAll(() => stopAll(server, sim, ws));

const filled = (p: string) => p.replace(/\{\w+\}/g, "x-guest");

test("every command offered as a tool is routed with a role; the others are not routed", () => {
  for (const command of COMMANDS) {
    const mine = routes.filter((r) => r.command === command);
    if (command.mcp.tool === false) expect([command.name, mine.length]).toEqual([command.name, 0]);
    else {
      expect([command.name, lowestRole(command)]).toEqual([command.name, expect.stringMatching(/^(viewer|operator|admin)$/)]);
      expect(mine.map((r) => r.path)).toContain(`/api/v1/commands/${command.name}`);
    }
  }
  for (const route of routes) expect(ROLES).toContain(route.role);
  for (const [name, rule] of Object.entries(OVERRIDES)) {
    const command = COMMANDS.find((c) => c.name === name);
    expect([name, command?.mcp.tool]).toEqual([name, expect.stringMatching(/read|write|destructive/)]);
    if (typeof rule === "object" && rule.byAction) {
      for (const action of Object.keys(rule.byAction)) expect(command?.arguments?.[0]?.choices).toContain(action);
    }
  }
  // The roles of the issue: viewer reads; operator power, create, plan, sync, snapshots; admin apply, destroy, delete, restore, migrate.
  const role = (name: string, args: string[] = [], options: Record<string, unknown> = {}) => roleFor(COMMANDS.find((c) => c.name === name)!, { args, options });
  expect(["get", "describe", "status", "health", "logs"].map((n) => role(n))).toEqual(Array(5).fill("viewer"));
  expect(["start", "stop", "shutdown", "reboot", "create", "plan", "sync"].map((n) => role(n))).toEqual(Array(7).fill("operator"));
  expect([role("snapshot", ["create"]), role("snapshot", ["list"]), role("snapshot", ["rollback"]), role("snapshot", ["delete"])]).toEqual(["operator", "viewer", "admin", "admin"]);
  expect(["apply", "destroy", "delete", "migrate"].map((n) => role(n))).toEqual(Array(4).fill("admin"));
  expect(role("backup", ["restore"])).toBe("admin");
  expect([role("set"), role("set", [], { apply: true })]).toEqual(["operator", "admin"]);
});

const UNAUTHENTICATED: Array<[string, () => Record<string, string>]> = [
  ["no token", () => ({})],
  ["not a bearer", () => ({ authorization: `Basic ${tokens.admin}` })],
  ["malformed", () => ({ authorization: "Bearer not-a-token" })],
  ["unknown id", () => ({ authorization: `Bearer pmpc_AAAAAAAAAAAA_${tokens.admin.slice(18)}` })],
  ["wrong secret", () => ({ authorization: `Bearer ${tokens.admin.slice(0, 18)}${"A".repeat(32)}` })],
  ["expired", () => ({ authorization: `Bearer ${tokens.expired}` })],
  ["revoked", () => ({ authorization: `Bearer ${tokens.revoked}` })],
];

/** Nothing but the refusal: no data, no command output, no correlation id. */
function refusalOnly(body: Record<string, unknown>, code: string): void {
  expect(Object.keys(body).sort()).toEqual(["error", "ok"]);
  expect(body.ok).toBe(false);
  expect((body.error as { code: string }).code).toBe(code);
}

// The command routes and the routes the dashboard adds (whoami, the IaC files), each with its role.
describe.each([...routes, ...DASHBOARD_ROUTES].map((r) => [`${r.method} ${r.path}`, r] as const))("%s", (_label, route) => {
  test("401 without a valid token", async () => {
    for (const [, headers] of UNAUTHENTICATED) {
      const answer = await call(server, route.method, filled(route.path), { headers: headers(), body: route.method === "POST" ? {} : undefined });
      expect([route.path, answer.status]).toEqual([route.path, 401]);
      expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer/);
      refusalOnly(answer.body, "unauthorized");
    }
  });

  const below = ROLES.slice(0, ROLES.indexOf(route.role));
  if (below.length) {
    test(`403 for ${below.join(", ")} (needs ${route.role})`, async () => {
      for (const role of below as Role[]) {
        const answer = await call(server, route.method, filled(route.path), { token: tokens[role], body: route.method === "POST" ? {} : undefined });
        expect([route.path, role, answer.status]).toEqual([route.path, role, 403]);
        refusalOnly(answer.body, "forbidden");
      }
    });
  }
});

test("the operations route needs a token too; the role an action needs is checked once the input is read", async () => {
  for (const [, headers] of UNAUTHENTICATED) {
    const answer = await call(server, "GET", "/api/v1/operations/c-anything", { headers: headers() });
    expect(answer.status).toBe(401);
    refusalOnly(answer.body, "unauthorized");
  }
  const rollback = await call(server, "POST", "/api/v1/commands/snapshot", { token: tokens.operator, body: { action: "rollback", kind: "vm", target: ["x"] } });
  expect(rollback.status).toBe(403);
  refusalOnly(rollback.body, "forbidden");
  const restore = await call(server, "POST", "/api/v1/commands/backup", { token: tokens.operator, body: { action: "restore", target: ["x"] } });
  expect(restore.status).toBe(403);
  const setApply = await call(server, "POST", "/api/v1/commands/set", { token: tokens.operator, body: { kind: "vm", name: "x", cores: 2, apply: true } });
  expect(setApply.status).toBe(403);
  // Nothing of these reached a command: no operation was recorded for them.
  const ops = JSON.parse((await ws.run(["logs", "--operations", "-o", "json"])).stdout) as Array<{ actor: string }>;
  expect(ops.filter((o) => o.actor === "api")).toEqual([]);
});

test("every operation of the OpenAPI document declares a role, and the dashboard's routes are in the table above", async () => {
  const spec = (await call(server, "GET", "/api/openapi.json")).body as { paths: Record<string, Record<string, { "x-role"?: string }>> };
  const noRole = Object.entries(spec.paths).flatMap(([path, ops]) => Object.entries(ops).filter(([, op]) => !ROLES.includes(op["x-role"] as Role)).map(([method]) => `${method.toUpperCase()} ${path}`));
  expect(noRole).toEqual([]);
  const table = new Set([...routes, ...DASHBOARD_ROUTES].map((r) => `${r.method} ${r.path}`));
  const dashboard = Object.entries(spec.paths).flatMap(([path, ops]) => Object.entries(ops).filter(([, op]) => (op as { tags?: string[] }).tags?.includes("dashboard")).map(([method]) => `${method.toUpperCase()} ${path}`));
  expect(dashboard.length).toBeGreaterThanOrEqual(5);
  expect(dashboard.filter((r) => !table.has(r))).toEqual([]);
});

test("a body is not even read without a valid token", async () => {
  const res = await fetch(`${server.url}/api/v1/commands/get`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
  expect(res.status).toBe(401);
  refusalOnly((await res.json()) as Record<string, unknown>, "unauthorized");
  const ok = await fetch(`${server.url}/api/v1/commands/get`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${tokens.viewer}` }, body: "{not json" });
  expect(ok.status).toBe(400);
});
