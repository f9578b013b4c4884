/**
 * A third-party MCP client against the real server: the MCP Inspector's CLI
 * (`@modelcontextprotocol/inspector` 0.15.0, the newest that runs on Node 20;
 * a pinned devDependency, so nothing is fetched at test time) in a workspace
 * synced from the simulator. Over stdio it starts `proxmox-mpc mcp` itself
 * and lists the tools, resources and prompts, reads a resource and calls
 * `get` (paged, with --tool-arg values typed from our input schema). Over
 * Streamable HTTP: 0.15.0 has no way to send a header, so without the bearer
 * token it is refused (401 "Unauthorized", no data); through a forwarding proxy that adds
 * the header — what a user of this version has to run — it lists and calls
 * the same as over stdio.
 */
import { spawn } from "node:child_process";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { mcpHttpServer, type HttpServer } from "../helpers/mcp.js";
import { BIN, REPO_ROOT } from "../helpers/cli.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

const INSPECTOR = join(REPO_ROOT, "node_modules", "@modelcontextprotocol", "inspector", "cli", "build", "cli.js");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeAll(async () => {
  sim = await startSim({ size: 30, randomSeed: 5 });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
}, 60_000);
afterAll(async () => {
  await sim.close();
  ws.cleanup();
});

/** `mcp-inspector --cli TARGET… ARGS` in the workspace (its stdio child inherits the cwd and the environment). */
function inspector(target: string[], args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [INSPECTOR, "--cli", ...target, ...args], { cwd: ws.dir, env: ws.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 50_000);
    child.on("error", reject);
    child.on("close", (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
  });
}

/** The JSON the inspector printed (it prints the method's result, pretty). */
function result<T>(run: Run): T {
  if (run.code !== 0) throw new Error(`inspector exited ${run.code}: ${run.stderr}${run.stdout}`);
  return JSON.parse(run.stdout) as T;
}

interface ToolList {
  tools: { name: string; annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean }; outputSchema?: unknown; inputSchema: { properties?: Record<string, unknown> } }[];
}
interface CallResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: { ok: boolean; command: string; data: { items: { vmid: number; name: string }[]; total: number; nextCursor: string | null } };
}

/** tools/list, resources/list and a paged `get` through one target; the same checks for stdio and HTTP. */
async function listsAndCalls(target: string[]): Promise<void> {
  const { tools } = result<ToolList>(await inspector(target, ["--method", "tools/list"]));
  const names = tools.map((t) => t.name);
  expect(names).toEqual(expect.arrayContaining(["get", "describe", "status", "health", "logs"]));
  expect(names).not.toContain("destroy");
  for (const tool of tools) {
    expect(tool.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(tool.outputSchema).toBeDefined();
  }
  expect(Object.keys(tools.find((t) => t.name === "get")!.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(["resource", "limit", "cursor", "fields"]));

  const { resources } = result<{ resources: { uri: string; name: string }[] }>(await inspector(target, ["--method", "resources/list"]));
  expect(resources.length).toBeGreaterThan(3);

  const call = result<CallResult>(await inspector(target, ["--method", "tools/call", "--tool-name", "get", "--tool-arg", "resource=guests", "limit=5", "fields=vmid,name"]));
  expect(call.isError).toBe(false);
  const data = call.structuredContent!.data;
  const vmids = sim.cluster.guests().map((g) => g.vmid).sort((a, b) => a - b);
  expect(data.total).toBe(vmids.length);
  expect(data.items.map((g) => g.vmid)).toEqual(vmids.slice(0, 5));
  for (const g of data.items) expect(Object.keys(g)).toEqual(["vmid", "name"]);
  expect(data.nextCursor).toEqual(expect.any(String));
  expect(call.content[0].text).toMatch(/^get: ok\nVMID\s+NAME/);

  const bad = result<CallResult>(await inspector(target, ["--method", "tools/call", "--tool-name", "get", "--tool-arg", "resource=guests", "cursor=nonsense"]));
  expect(bad.isError).toBe(true);
  expect(bad.content[0].text).toMatch(/--cursor "nonsense" is not a cursor of this list/);
}

describe("over stdio (the inspector starts proxmox-mpc mcp)", () => {
  const target = [process.execPath, BIN, "mcp"];

  it("lists the read tools and resources, and calls get with typed arguments", () => listsAndCalls(target), 120_000);

  it("lists the prompts and reads a resource", async () => {
    const { prompts } = result<{ prompts: { name: string }[] }>(await inspector(target, ["--method", "prompts/list"]));
    expect(prompts.map((p) => p.name)).toEqual(expect.arrayContaining(["troubleshoot", "optimize", "plan"]));
    const { resources } = result<{ resources: { uri: string }[] }>(await inspector(target, ["--method", "resources/list"]));
    const read = result<{ contents: { uri: string; text?: string }[] }>(await inspector(target, ["--method", "resources/read", "--uri", resources[0].uri]));
    expect(read.contents[0].text).toMatch(/\S/);
  }, 60_000);
});

describe("over Streamable HTTP", () => {
  let server: HttpServer;
  let proxy: Server;
  let proxyUrl: string;

  beforeAll(async () => {
    server = await mcpHttpServer(ws.dir, ws.env);
    proxy = await bearerProxy(server);
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/mcp`;
  }, 30_000);
  afterAll(async () => {
    proxy?.closeAllConnections();
    await new Promise((done) => proxy?.close(done));
    expect(await server?.stop()).toBe(0);
  });

  it("0.15.0 sends no bearer token, so it is refused with 401 and gets no data", async () => {
    const run = await inspector([server.url, "--transport", "http"], ["--method", "tools/list"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/Unauthorized: send Authorization: Bearer TOKEN/);
    expect(run.stdout).not.toMatch(/"tools"/);
  }, 60_000);

  it("with the token added on the way (a forwarding proxy), it lists the read tools and resources, and calls get", () => listsAndCalls([proxyUrl, "--transport", "http"]), 120_000);
});

/** A proxy on 127.0.0.1 that forwards every request to the server with `Authorization: Bearer TOKEN` added, streaming both ways (SSE included). */
async function bearerProxy(server: HttpServer): Promise<Server> {
  const target = new URL(server.url);
  const proxy = createServer((req, res) => {
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host, authorization: `Bearer ${server.token}` } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return proxy;
}
