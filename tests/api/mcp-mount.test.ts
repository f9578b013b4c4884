/**
 * The MCP endpoint at /mcp of `serve`, with the SDK's own Client over
 * Streamable HTTP and the API's tokens: no token or a wrong one gets 401 and
 * nothing else; a viewer's session lists the read tools only, an operator's
 * the write tools too; a call runs for real and is recorded as actor mcp with
 * the token's name, role and address; a call above the token's role is
 * refused before it runs; a session answers only the token that opened it.
 */
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { openStore } from "../../src/state/index.js";
import { guestName, type initWorkspace, type RunningSimulator } from "../helpers/sim.js";
import { apiServer, call, stopAll, syncedWorkspace, type ApiServer } from "./helpers.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let server: ApiServer;
const tokens: Record<string, string> = {};
const clients: Client[] = [];
const stateDb = () => `file:${path.join(ws.dir, ".proxmox-mpc", "state.db")}`;

beforeAll(async () => {
  ({ sim, ws } = await syncedWorkspace({ size: 6, randomSeed: 4 }));
  const store = await openStore({ url: stateDb() });
  try {
    for (const role of ["viewer", "operator", "admin"] as const) tokens[role] = (await store.tokens.create(`mcp-${role}`, role)).token;
  } finally {
    await store.close();
  }
  server = await apiServer(ws.dir, ws.env);
}, 90_000);

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await stopAll(server, sim, ws);
});

async function connect(token: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  const client = new Client({ name: "mcp-mount-test", version: "1.0.0" });
  await client.connect(transport);
  clients.push(client);
  return { client, transport };
}

const initialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } };

test("no token or a wrong one: 401 before anything, no session", async () => {
  for (const token of [undefined, "pmpc_AAAAAAAAAAAA_" + "x".repeat(32)]) {
    const res = await call(server, "POST", "/mcp", { token, body: initialize, headers: { accept: "application/json, text/event-stream" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(res.headers.get("mcp-session-id")).toBeNull();
    expect(res.body).toEqual({ ok: false, error: { code: "unauthorized", message: expect.any(String) } });
  }
  await expect(connect("pmpc_AAAAAAAAAAAA_" + "y".repeat(32))).rejects.toThrow(/unauthorized/);
});

test("each role lists the tools it may call: a viewer the reads, an operator the writes too, an admin the destructive ones", async () => {
  const viewer = (await (await connect(tokens.viewer)).client.listTools()).tools.map((t) => t.name);
  const operator = (await (await connect(tokens.operator)).client.listTools()).tools.map((t) => t.name);
  const admin = (await (await connect(tokens.admin)).client.listTools()).tools.map((t) => t.name);
  expect(viewer).toEqual(expect.arrayContaining(["get", "describe", "status", "snapshot_list", "backup_list"]));
  // plan is a read over MCP but an operator's call over REST: not offered to a viewer.
  for (const write of ["sync", "start", "plan", "snapshot", "delete", "apply"]) expect(viewer).not.toContain(write);
  expect(operator).toEqual(expect.arrayContaining([...viewer, "sync", "start", "plan", "snapshot"]));
  for (const destructive of ["delete", "apply", "destroy"]) {
    expect(operator).not.toContain(destructive);
    expect(admin).toContain(destructive);
  }
  expect(admin).toEqual(expect.arrayContaining(operator));
});

test("a tool call runs and is recorded as actor mcp with the token's name, role and address", async () => {
  const { client } = await connect(tokens.operator);
  const vm = sim.cluster.guests().find((g) => g.type === "qemu" && g.status === "running")!;
  const done = (await client.callTool({ name: "shutdown", arguments: { kind: "vm", names: [guestName(vm)] } }, undefined, { timeout: 60_000 })) as CallToolResult;
  expect([done.isError, JSON.stringify(done.content)]).toEqual([false, expect.stringContaining(guestName(vm))]);
  expect(sim.cluster.guest(vm.vmid)!.status).toBe("stopped");
  const store = await openStore({ url: stateDb(), readOnly: true });
  try {
    const [op] = await store.operations.list({ command: "shutdown", limit: 1 });
    expect(op).toMatchObject({ command: "shutdown", actor: "mcp", result: "ok", principal: "mcp-operator", role: "operator", source: "127.0.0.1" });
  } finally {
    await store.close();
  }
});

test("a call above the token's role is refused before it runs; an admin's destructive call asks first", async () => {
  const vm = sim.cluster.guests().find((g) => g.type === "qemu")!;
  const operator = (await connect(tokens.operator)).client;
  // Not offered to an operator, so not callable at all.
  const unlisted = await operator.callTool({ name: "delete", arguments: { kind: "vm", names: [guestName(vm)] } }).then((r) => JSON.stringify(r), (err: Error) => err.message);
  expect(unlisted).toMatch(/delete/);
  expect(unlisted).not.toMatch(/confirmationRequired/);
  // Offered (an operator may take snapshots), but this action is an admin's: refused before it runs.
  const refused = (await operator.callTool({ name: "snapshot", arguments: { action: "rollback", kind: "vm", target: [guestName(vm), "none-such"] } })) as CallToolResult;
  expect(refused.isError).toBe(true);
  expect(JSON.stringify(refused.content)).toMatch(/needs the admin role; the token mcp-operator is operator/);
  const admin = (await connect(tokens.admin)).client;
  const asked = (await admin.callTool({ name: "delete", arguments: { kind: "vm", names: [guestName(vm)] } })) as CallToolResult & { structuredContent?: Record<string, unknown> };
  expect(asked.structuredContent).toMatchObject({ confirmationRequired: true });
  expect(sim.cluster.guest(vm.vmid)).toBeDefined();
  // plan is a read tool over MCP, and an operator's action over REST: a viewer cannot call it.
  const viewer = (await connect(tokens.viewer)).client;
  const plan = await viewer.callTool({ name: "plan", arguments: {} }).then((r) => r as CallToolResult, (err: Error) => ({ isError: true, content: [{ type: "text", text: err.message }] }) as CallToolResult);
  expect(plan.isError).toBe(true);
});

test("a session answers only the token that opened it", async () => {
  const { transport } = await connect(tokens.viewer);
  const sid = transport.sessionId!;
  expect(sid).toMatch(/\S+/);
  const list = { jsonrpc: "2.0", id: 2, method: "tools/list", params: {} };
  const headers = { accept: "application/json, text/event-stream", "mcp-session-id": sid, "mcp-protocol-version": "2025-06-18" };
  const other = await call(server, "POST", "/mcp", { token: tokens.operator, body: list, headers });
  expect(other.status).toBe(404);
  const own = await call(server, "POST", "/mcp", { token: tokens.viewer, body: list, headers });
  expect(own.status).toBe(200);
  expect(own.text).toContain('"name":"get"');
});

test("the server stops cleanly with a session open", async () => {
  const other = await apiServer(ws.dir, ws.env);
  const transport = new StreamableHTTPClientTransport(new URL(`${other.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${tokens.viewer}` } } });
  const client = new Client({ name: "mcp-mount-test", version: "1.0.0" });
  await client.connect(transport);
  expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  expect(await other.stop()).toBe(0);
  await client.close().catch(() => undefined);
});
