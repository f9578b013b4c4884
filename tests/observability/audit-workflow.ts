/**
 * The audit trail of a full workflow on a simulator workspace, shared by the
 * SQLite and PostgreSQL test files: a CLI run (a child process), API calls
 * through a real `serve` child (an operator's start, an admin's delete stopped
 * at its confirmation), MCP tool calls over stdio and over HTTP (the SDK's
 * client against real `mcp` children) — then `audit` (a child process) must
 * say who did each, with which role, from where, naming what, how it ended
 * and under which correlation id, filter in the database, and never show a
 * secret (the Proxmox token and the API bearer tokens are canaries).
 */
import { spawn } from "node:child_process";
import { hostname, userInfo } from "node:os";
import type { AuditEntry } from "../../src/commands/audit.js";
import { BIN } from "../helpers/cli.js";
import { mcpHttpClient, mcpHttpServer, mcpStdio, structured, type HttpServer, type McpSession } from "../helpers/mcp.js";
import { guestName, initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";
import { apiServer, call, type ApiServer } from "../api/helpers.js";

const CANARY = "canary-audit-5e81b7c3";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `proxmox-mpc -C DIR ARGS` as a child process. */
function child(dir: string, env: NodeJS.ProcessEnv, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, "-C", dir, ...args], { env, cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.once("error", reject);
    p.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Register the workflow's tests on a workspace whose store is `database` (default: SQLite); the workspace's folder, once made. */
export function auditWorkflow(database?: string): { dir: () => string } {
  let sim: RunningSimulator;
  let ws: Awaited<ReturnType<typeof initWorkspace>>;
  let server: ApiServer | undefined;
  let mcp: McpSession | undefined;
  let http: HttpServer | undefined;
  let httpClient: McpSession | undefined;
  const secrets: string[] = [CANARY];
  const ids: Record<string, string> = {};
  let guest = "";
  let admin = "";
  let ops = "";
  const audit = async (...args: string[]): Promise<AuditEntry[]> => {
    const run = await child(ws.dir, ws.env, ["audit", "-o", "json", "--limit", "1000", ...args]);
    if (run.code !== 0) throw new Error(`audit ${args.join(" ")} exited ${run.code}: ${run.stderr}`);
    for (const secret of secrets) expect(run.stdout + run.stderr).not.toContain(secret);
    return JSON.parse(run.stdout) as AuditEntry[];
  };
  const byId = (entries: AuditEntry[], id: string): AuditEntry | undefined => entries.find((e) => e.correlationId === id);

  beforeAll(async () => {
    sim = await startSim({ size: 8, randomSeed: 21, token: `root@pam!mpc=${CANARY}` });
    ws = await initWorkspace(sim, { database });
    // A CLI run, as a person types it: its own process.
    const synced = await child(ws.dir, ws.env, ["sync"]);
    if (synced.code !== 0) throw new Error(`sync failed: ${synced.stderr}`);
    const logged = await child(ws.dir, ws.env, ["logs", "--op", "sync", "-o", "json"]);
    ids.sync = (JSON.parse(logged.stdout) as { correlationId: string }[]).find((e) => e.correlationId)!.correlationId;
    // The first start makes the admin token (named admin); an operator's is made at the command line.
    server = await apiServer(ws.dir, ws.env);
    admin = server.token;
    const made = await ws.run(["token", "create", "ops", "--role", "operator", "-o", "json"]);
    ops = (JSON.parse(made.stdout) as { bearer: string }).bearer;
    secrets.push(ops, admin);
    const vm = sim.cluster.guests().find((g) => g.type === "qemu" && !g.template)!;
    guest = guestName(vm);

    // An operator's start over the API: its answer carries the correlation id.
    const started = await call(server, "POST", `/api/v1/vms/${guest}/start`, { token: ops, body: {} });
    expect(started.status).toBe(200);
    ids.start = String(started.body.correlationId);
    // A destructive call without its confirmation: 409, nothing done.
    const refused = await call(server, "POST", "/api/v1/commands/delete", { token: admin, body: { kind: "vm", names: [guest] } });
    expect([refused.status, refused.body.confirmationRequired]).toEqual([409, true]);
    ids.delete = String(refused.body.correlationId);

    // MCP over stdio: a read tool and the read view of snapshot.
    mcp = await mcpStdio(ws.dir, ws.env);
    ids.mcpGet = String(structured(await mcp.call("get", { resource: "vms" })).correlationId);
    ids.mcpSnapshots = String(structured(await mcp.call("snapshot_list", { kind: "vm", target: [guest] })).correlationId);
    // MCP over HTTP: the token holder, from the client's address.
    http = await mcpHttpServer(ws.dir, ws.env);
    secrets.push(http.token);
    httpClient = await mcpHttpClient(http);
    ids.mcpHttp = String(structured(await httpClient.call("status", {})).correlationId);
  }, 120_000);

  afterAll(async () => {
    await httpClient?.close();
    await http?.stop();
    await mcp?.close();
    await server?.stop();
    await sim?.close();
    ws?.cleanup();
  });

  it("records each face's action with its actor, principal, role, source, action, target, result and correlation id", async () => {
    const entries = await audit();
    for (const id of Object.values(ids).filter(Boolean)) expect(id).toMatch(/^c-[0-9a-f]+$/);
    const me = { principal: userInfo().username, role: null, source: hostname() };
    expect(byId(entries, ids.sync)).toMatchObject({ actor: "cli", ...me, action: "sync", target: null, result: "ok" });
    expect(entries.find((e) => e.action === "token create")).toMatchObject({ actor: "cli", ...me, target: "ops", result: "ok" });
    expect(byId(entries, ids.start)).toMatchObject({ actor: "api", principal: "ops", role: "operator", source: "127.0.0.1", action: "start", target: `vm ${guest}`, result: "ok" });
    expect(byId(entries, ids.delete)).toMatchObject({ actor: "api", principal: "admin", role: "admin", source: "127.0.0.1", action: "delete", target: `vm ${guest}`, result: "cancelled" });
    expect(byId(entries, ids.mcpGet)).toMatchObject({ actor: "mcp", principal: "mcp-stdio", role: null, source: "stdio", action: "get", target: "vms", result: "ok" });
    expect(byId(entries, ids.mcpSnapshots)).toMatchObject({ actor: "mcp", principal: "mcp-stdio", action: "snapshot list", target: `vm ${guest}`, result: "ok" });
    expect(byId(entries, ids.mcpHttp)).toMatchObject({ actor: "mcp", principal: "mcp-http", role: null, source: "127.0.0.1", action: "status", target: null, result: "ok" });
    // Newest first.
    const times = entries.map((e) => Date.parse(e.time));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(entries.findIndex((e) => e.correlationId === ids.mcpHttp)).toBeLessThan(entries.findIndex((e) => e.correlationId === ids.start));
  });

  it("filters by actor, action, principal, result and time in the database", async () => {
    const api = await audit("--actor", "api");
    expect(api.length).toBeGreaterThanOrEqual(2);
    expect(new Set(api.map((e) => e.actor))).toEqual(new Set(["api"]));
    expect(api.map((e) => e.correlationId)).toEqual(expect.arrayContaining([ids.start, ids.delete]));
    expect((await audit("--action", "start")).map((e) => e.correlationId)).toEqual([ids.start]);
    expect((await audit("--action", "snapshot list")).map((e) => e.correlationId)).toEqual([ids.mcpSnapshots]);
    expect(await audit("--action", "snapshot create")).toEqual([]);
    expect((await audit("--principal", "ops")).map((e) => e.correlationId)).toEqual([ids.start]);
    const cancelled = await audit("--result", "cancelled");
    expect(cancelled.map((e) => e.correlationId)).toContain(ids.delete);
    expect(new Set(cancelled.map((e) => e.result))).toEqual(new Set(["cancelled"]));
    // --since: a moment after the CLI's sync leaves it out and keeps what came later.
    const sync = byId(await audit(), ids.sync)!;
    const after = new Date(Date.parse(sync.time) + 1).toISOString();
    const since = (await audit("--since", after)).map((e) => e.correlationId);
    expect(since).not.toContain(ids.sync);
    expect(since).toEqual(expect.arrayContaining([ids.start, ids.delete, ids.mcpGet, ids.mcpHttp]));
    expect((await audit("--since", "1h")).map((e) => e.correlationId)).toContain(ids.sync);
    expect(await audit("--actor", "nl")).toEqual([]);
    // --changes: what changed something — the sync, the start, the refused delete — without the reads (get, status, snapshot list).
    const changes = (await audit("--changes")).map((e) => e.correlationId);
    expect(changes).toEqual(expect.arrayContaining([ids.sync, ids.start, ids.delete]));
    for (const read of [ids.mcpGet, ids.mcpSnapshots, ids.mcpHttp]) expect(changes).not.toContain(read);
  });

  it("refuses filters it cannot read, exit 2 with a hint", async () => {
    const since = await child(ws.dir, ws.env, ["audit", "--since", "yesterday-ish"]);
    expect([since.code, since.stderr]).toEqual([2, expect.stringMatching(/--since must be a duration .*\nhint: Example: proxmox-mpc audit --since 24h/)]);
    const action = await child(ws.dir, ws.env, ["audit", "--action", "start vm"]);
    expect([action.code, action.stderr]).toEqual([2, expect.stringMatching(/--action takes a command name.*\nhint: e\.g\. proxmox-mpc audit --action start/)]);
  });

  it("draws a table, newest first, and no secret anywhere", async () => {
    const table = await child(ws.dir, ws.env, ["audit", "--actor", "api"]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0].split(/\s+/)).toEqual(["TIME", "ACTOR", "PRINCIPAL", "ROLE", "SOURCE", "ACTION", "TARGET", "RESULT", "CORRELATION"]);
    expect(lines.find((l) => l.includes(ids.start))).toMatch(new RegExp(`api\\s+ops\\s+operator\\s+127\\.0\\.0\\.1\\s+start\\s+vm ${guest}\\s+ok\\s+${ids.start}`));
    expect(lines.findIndex((l) => l.includes(ids.delete))).toBeLessThan(lines.findIndex((l) => l.includes(ids.start)));
    for (const secret of secrets) expect(table.stdout + table.stderr).not.toContain(secret);
    const raw = JSON.stringify(await audit());
    for (const secret of secrets) expect(raw).not.toContain(secret);
  });

  it("GET /api/v1/audit: admin only, filtered by the query, the same entries", async () => {
    const forbidden = await call(server!, "GET", "/api/v1/audit", { token: ops });
    expect(forbidden.status).toBe(403);
    const answer = await call(server!, "GET", "/api/v1/audit?actor=api&action=start", { token: admin });
    expect(answer.status).toBe(200);
    const entries = answer.body.data as AuditEntry[];
    expect(entries.map((e) => e.correlationId)).toEqual([ids.start]);
    expect(entries[0]).toMatchObject({ principal: "ops", role: "operator", source: "127.0.0.1", target: `vm ${guest}` });
    for (const secret of secrets) expect(answer.text).not.toContain(secret);
    // The audit call itself is in the trail: an admin read it.
    const after = await audit("--action", "audit", "--actor", "api");
    expect(after[0]).toMatchObject({ principal: "admin", role: "admin", correlationId: answer.body.correlationId });
  });
  return { dir: () => ws.dir };
}
