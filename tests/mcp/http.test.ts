/**
 * `proxmox-mpc mcp --http 0` as a real child process: its first stdout line
 * is `listening on URL token TOKEN`; a request without the bearer token, or
 * with a wrong one, gets 401 and no data; the SDK's Streamable HTTP client
 * with the token lists and calls tools; a given token (--token or
 * PROXMOX_MPC_MCP_TOKEN) is the one required; SIGTERM ends it cleanly (exit 0).
 * The API token (a canary) never appears in any answer.
 */
import { mcpHttpClient, mcpHttpServer, structured, type HttpServer } from "../helpers/mcp.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

const CANARY = "canary-mcp-http-52b8e0aa";
let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let server: HttpServer;

const INIT = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "curl", version: "1" } } };
const post = (url: string, headers: Record<string, string>, body: unknown = INIT): Promise<Response> =>
  fetch(url, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...headers }, body: JSON.stringify(body) });

beforeAll(async () => {
  sim = await startSim({ size: 20, randomSeed: 5, token: `root@pam!mpc=${CANARY}` });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
  server = await mcpHttpServer(ws.dir, ws.env);
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await sim.close();
  ws.cleanup();
});

it("prints `listening on URL token TOKEN` first, on 127.0.0.1 with a generated token", () => {
  expect(server.firstLine).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\/mcp token [A-Za-z0-9_-]{32}$/);
});

it("without the token, or with a wrong one, answers 401 and no data", async () => {
  for (const headers of <Record<string, string>[]>[{}, { Authorization: "Bearer wrong-token-wrong-token-wrong" }, { Authorization: `Bearer ${server.token}x` }, { Authorization: `Basic ${server.token}` }]) {
    const res = await post(server.url, headers);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const body = await res.text();
    expect(body).not.toMatch(/proxmox-mpc"|serverInfo|tools/);
    expect(body).toMatch(/Unauthorized/);
  }
  // A tool call with a made-up session is refused the same way, before the session is looked up.
  const call = await post(server.url, { "mcp-session-id": "x" }, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "get", arguments: { resource: "vms" } } });
  expect(call.status).toBe(401);
});

it("with the token, the SDK client lists the read tools and calls them", async () => {
  const mcp = await mcpHttpClient(server);
  try {
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["get", "status", "health"]));
    expect(tools.map((t) => t.name)).not.toContain("destroy");
    const vms = structured(await mcp.call("get", { resource: "vms" }));
    expect(vms.ok).toBe(true);
    expect((vms.data as { items: unknown[] }).items.length).toBe(sim.cluster.guests().filter((g) => g.type === "qemu").length);
    const health = await mcp.call("health", {});
    expect(structured(health).command).toBe("health");
    const bad = await mcp.call("describe", { kind: "vm", name: "nope" });
    expect(bad.isError).toBe(true);
    expect(mcp.transcript.join("\n")).not.toContain(CANARY);
  } finally {
    await mcp.close();
  }
});

it("a given token (PROXMOX_MPC_MCP_TOKEN) is the one required; SIGTERM ends the server with exit 0", async () => {
  const token = "given-token-0123456789abcdef";
  const own = await mcpHttpServer(ws.dir, { ...ws.env, PROXMOX_MPC_MCP_TOKEN: token });
  try {
    expect(own.token).toBe(token);
    expect((await post(own.url, { Authorization: `Bearer ${server.token}` })).status).toBe(401);
    const mcp = await mcpHttpClient(own);
    expect(structured(await mcp.call("status", { offline: true })).ok).toBe(true);
    await mcp.close();
  } finally {
    expect(await own.stop()).toBe(0);
  }
  expect(own.stderr()).not.toContain(CANARY);
});
