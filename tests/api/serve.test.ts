/**
 * `proxmox-mpc serve --port 0` as a real child process on a workspace synced
 * from the simulator, over real HTTP: the first line and its admin token (shown
 * once; `(existing)` on the next start), tokens made with `token create`, the
 * resources and actions, query and body validation, the two-step of a
 * destructive command, 202 and the operation to follow, operations recorded
 * with actor "api", the OpenAPI document and the docs page, a clean stop on
 * SIGTERM. The Proxmox token secret (a canary) never appears in any answer.
 */
import { apiServer, call, settled, stopAll, syncedWorkspace, type Answer, type ApiServer } from "./helpers.js";
import { guestName, type initWorkspace, type RunningSimulator } from "../helpers/sim.js";

const CANARY = "canary-api-serve-7f3a91c2";
let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let server: ApiServer;
let admin: string;
let operator: string;
let viewer: string;
const answers: Answer[] = [];

async function req(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Answer> {
  const answer = await call(server, method, path, options);
  answers.push(answer);
  return answer;
}

async function makeToken(name: string, role: string): Promise<string> {
  const made = await ws.run(["token", "create", name, "--role", role, "-o", "json"]);
  expect(made.code).toBe(0);
  return (JSON.parse(made.stdout) as { bearer: string }).bearer;
}

beforeAll(async () => {
  ({ sim, ws } = await syncedWorkspace({ size: 12, randomSeed: 7, token: `root@pam!mpc=${CANARY}` }));
  server = await apiServer(ws.dir, ws.env);
  admin = server.token;
  operator = await makeToken("ops", "operator");
  viewer = await makeToken("dash", "viewer");
}, 90_000);

afterAll(() => stopAll(server, sim, ws));

afterAll(() => {
  // No answer of any test carried the Proxmox token secret.
  for (const a of answers) expect(a.text).not.toContain(CANARY);
});

it("prints `listening on URL token TOKEN` first, with a new admin token, listed by `token list`", async () => {
  expect(server.firstLine).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+ token pmpc_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{32}$/);
  const list = await ws.run(["token", "list", "-o", "json"]);
  const tokens = JSON.parse(list.stdout) as Array<{ name: string; role: string; state: string }>;
  expect(tokens.map((t) => [t.name, t.role, t.state])).toEqual([
    ["admin", "admin", "active"],
    ["ops", "operator", "active"],
    ["dash", "viewer", "active"],
  ]);
  expect(list.stdout).not.toContain(admin.slice(18));
});

it("lists and shows resources with GET, the same data as the command line", async () => {
  const vms = await req("GET", "/api/v1/vms", { token: viewer });
  expect(vms.status).toBe(200);
  expect(vms.body).toMatchObject({ ok: true, command: "get", exitCode: 0 });
  // Paged as the MCP tool is (its default page size); the items are the command line's.
  const cliVms = JSON.parse((await ws.run(["get", "vms", "-o", "json"])).stdout) as unknown[];
  expect((vms.body.data as { items: unknown[] }).items).toEqual(cliVms);
  const qemu = sim.cluster.guests().filter((g) => g.type === "qemu");
  const items = (vms.body.data as { items: Array<{ name: string }> }).items;
  expect(items.map((v) => v.name).sort()).toEqual(qemu.map(guestName).sort());

  const one = await req("GET", `/api/v1/vms/${encodeURIComponent(items[0].name)}`, { token: viewer });
  expect(one.status).toBe(200);
  expect(JSON.stringify(one.body.data)).toContain(items[0].name);

  for (const path of ["/api/v1/nodes", "/api/v1/storage", "/api/v1/tasks", "/api/v1/cts", "/api/v1/status", "/api/v1/operations", "/api/v1/logs"]) {
    const a = await req("GET", path, { token: viewer });
    expect([path, a.status, a.body.ok]).toEqual([path, 200, true]);
  }
  const health = await req("GET", "/api/v1/health", { token: viewer });
  expect([200]).toContain(health.status);
  expect(health.body.command).toBe("health");
});

it("validates query parameters with the command's schema: typed, known, and refused with 400", async () => {
  const limited = await req("GET", "/api/v1/vms?limit=2", { token: viewer });
  expect(limited.status).toBe(200);
  expect((limited.body.data as { items: unknown[] }).items).toHaveLength(2);
  const bad = await req("GET", "/api/v1/vms?limit=soon", { token: viewer });
  expect(bad.status).toBe(400);
  expect(bad.body.error).toMatchObject({ message: expect.stringMatching(/--limit/) });
  const unknown = await req("GET", "/api/v1/vms?colour=red", { token: viewer });
  expect(unknown.status).toBe(400);
  expect((unknown.body.error as { message: string }).message).toMatch(/takes no "colour"/);
  // The path fixes the resource; a follow would need a terminal.
  expect((await req("GET", "/api/v1/vms?resource=nodes", { token: viewer })).status).toBe(400);
  expect((await req("GET", "/api/v1/logs?follow=true", { token: viewer })).status).toBe(400);
  // Nothing points the server (and the workspace's Proxmox token) elsewhere, or at files on its disk.
  const elsewhere = await req("POST", "/api/v1/commands/test-connection", { token: admin, body: { endpoint: "https://evil.example:8006" } });
  expect([elsewhere.status, (elsewhere.body.error as { message: string }).message]).toEqual([400, expect.stringMatching(/takes no "endpoint"/)]);
  expect((await req("POST", "/api/v1/commands/create", { token: admin, body: { kind: "vm", name: "x", sshKey: "/etc/passwd" } })).status).toBe(400);
  expect((await req("POST", "/api/v1/commands/report-issue", { token: admin, body: { summary: "x", out: "/tmp" } })).status).toBe(400);
  const missing = await req("GET", "/api/v1/vms/no-such-guest", { token: viewer });
  expect(missing.status).toBeGreaterThanOrEqual(400);
  expect(missing.body.ok).toBe(false);
});

it("runs power actions with POST as actor api, recorded as operations", async () => {
  const guest = sim.cluster.guests().find((g) => g.type === "qemu" && g.status === "running" && !g.template);
  expect(guest).toBeDefined();
  const name = guestName(guest!);
  const stopped = await req("POST", `/api/v1/vms/${name}/stop`, { token: operator, body: { confirm: true } });
  expect([stopped.status, stopped.body.ok]).toEqual([200, true]);
  expect(sim.cluster.guest(guest!.vmid)?.status).toBe("stopped");
  const started = await req("POST", `/api/v1/vms/${name}/start`, { token: operator, body: {} });
  expect(started.status).toBe(200);
  expect(started.body).toMatchObject({ ok: true, command: "start" });
  expect(sim.cluster.guest(guest!.vmid)?.status).toBe("running");
  const ops = JSON.parse((await ws.run(["logs", "--operations", "--correlation", String(started.body.correlationId), "-o", "json"])).stdout) as Array<{ actor: string; command: string }>;
  expect(ops.map((o) => [o.command, o.actor])).toEqual([["start", "api"]]);
});

it("the generic route takes the tool input as the body", async () => {
  const got = await req("POST", "/api/v1/commands/get", { token: viewer, body: { resource: "nodes" } });
  expect(got.status).toBe(200);
  expect((got.body.data as unknown[]).length).toBe(sim.cluster.nodes.size);
  const bad = await req("POST", "/api/v1/commands/get", { token: viewer, body: { resource: "nodes", colour: 1 } });
  expect(bad.status).toBe(400);
  const notJson = await call(server, "POST", "/api/v1/commands/get", { token: viewer, headers: { "content-type": "application/json" } });
  expect(notJson.status).toBeGreaterThanOrEqual(400);
  expect((await req("POST", "/api/v1/commands/nope", { token: admin, body: {} })).status).toBe(404);
  // Not offered: commands with a terminal or a process of their own.
  for (const name of ["mcp", "serve", "token", "sim", "init"]) expect((await req("POST", `/api/v1/commands/${name}`, { token: admin, body: {} })).status).toBe(404);
});

it("sync answers 202 with an operation id, followed to its end at /api/v1/operations/{id}", async () => {
  const sync = await req("POST", "/api/v1/sync", { token: operator, body: {} });
  expect(sync.status).toBe(202);
  expect(sync.body).toMatchObject({ ok: true, command: "sync", status: "running" });
  const id = String(sync.body.correlationId);
  expect(sync.headers.get("location")).toBe(`/api/v1/operations/${id}`);
  const done = await settled(server, viewer, id);
  expect(done).toMatchObject({ id, command: "sync", status: "ok", result: { ok: true, command: "sync" } });
  // Recorded: the store answers for it too.
  const ops = JSON.parse((await ws.run(["logs", "--operations", "--correlation", id, "-o", "json"])).stdout) as Array<{ actor: string }>;
  expect(ops.map((o) => o.actor)).toEqual(["api"]);
  expect((await req("GET", "/api/v1/operations/no-such-id", { token: viewer })).status).toBe(404);
});

it("a destructive command takes two steps: 409 with what it would do and nothing done, then confirm: true", async () => {
  const victim = sim.cluster.guests().filter((g) => g.type === "qemu" && !g.template).at(-1);
  expect(victim).toBeDefined();
  const name = guestName(victim!);
  const first = await req("POST", "/api/v1/commands/delete", { token: admin, body: { kind: "vm", names: [name] } });
  expect(first.status).toBe(409);
  expect(first.body).toMatchObject({ ok: false, confirmationRequired: true });
  expect((first.body.wouldDo as string[]).join("\n")).toContain(name);
  expect(JSON.stringify(first.body)).not.toMatch(/"data"/);
  const second = await req("POST", "/api/v1/commands/delete", { token: admin, body: { kind: "vm", names: [name], confirm: true } });
  expect(second.status).toBe(200);
  expect(second.body.ok).toBe(true);
  // Removed from the IaC only (no apply): the guest is still there.
  expect(sim.cluster.guest(victim!.vmid)).toBeDefined();
});

it("apply without confirm answers 409 with the plan; confirmed, it runs as a 202 operation", async () => {
  const first = await req("POST", "/api/v1/apply", { token: admin, body: { engine: "native" } });
  expect([409, 200]).toContain(first.status);
  if (first.status === 409) expect(first.body.wouldDo).toEqual(expect.any(Array));
  const second = await req("POST", "/api/v1/apply", { token: admin, body: { engine: "native", confirm: true } });
  expect(second.status).toBe(202);
  const done = await settled(server, admin, String(second.body.correlationId));
  expect(["ok", "failed"]).toContain(done.status);
  expect(done.result).toMatchObject({ command: "apply" });
});

it("serves an OpenAPI 3.1 document that a validator accepts, and a page that renders it without the network", async () => {
  const spec = await req("GET", "/api/openapi.json");
  expect(spec.status).toBe(200);
  const { Validator } = await import("@seriousme/openapi-schema-validator");
  const validator = new Validator();
  const result = await validator.validate(spec.body);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
  expect(spec.body.openapi).toBe("3.1.0");
  const paths = spec.body.paths as Record<string, Record<string, { parameters?: Array<{ name: string }>; "x-role": string }>>;
  expect(paths["/api/v1/vms"].get.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(["node", "status", "limit"]));
  expect(paths["/api/v1/commands/apply"].post["x-role"]).toBe("admin");
  const docs = await req("GET", "/api/docs");
  expect(docs.status).toBe(200);
  expect(docs.headers.get("content-type")).toMatch(/text\/html/);
  expect(docs.text).toContain("/api/openapi.json");
  expect(docs.text).not.toMatch(/https?:\/\//);
});

it("reads a guest's snapshots and backups as a viewer (the read views of snapshot and backup)", async () => {
  const vm = sim.cluster.guests().find((g) => g.type === "qemu" && !g.template)!;
  const name = encodeURIComponent(guestName(vm));
  const taken = await req("POST", "/api/v1/commands/snapshot", { token: operator, body: { action: "create", kind: "vm", target: [guestName(vm), "api-view"] } });
  expect([taken.status, taken.body.ok]).toEqual([200, true]);
  const snapshots = await req("GET", `/api/v1/vms/${name}/snapshots`, { token: viewer });
  expect(snapshots.status).toBe(200);
  expect(JSON.stringify(snapshots.body.data)).toContain("api-view");
  const backups = await req("GET", `/api/v1/vms/${name}/backups`, { token: viewer });
  expect([backups.status, backups.body.ok, backups.body.command]).toEqual([200, true, "backup"]);
  // A view takes no confirmation and cannot be turned into another action through the query.
  const other = await req("GET", `/api/v1/vms/${name}/snapshots?action=delete`, { token: admin });
  expect(other.status).toBe(400);
  expect(JSON.stringify(sim.cluster.guests().find((g) => g.vmid === vm.vmid))).toContain("api-view");
});


it("a second start prints `token (existing)`; SIGTERM stops it cleanly", async () => {
  const again = await apiServer(ws.dir, ws.env);
  try {
    expect(again.firstLine).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+ token \(existing\)$/);
    expect((await call(again, "GET", "/api/v1/nodes", { token: viewer })).status).toBe(200);
  } finally {
    expect(await again.stop("SIGTERM")).toBe(0);
  }
  expect(again.stderr()).not.toContain(CANARY);
});
