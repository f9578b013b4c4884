#!/usr/bin/env node
// `npm run bench:mcp`: the MCP server's list-guests tool on a 1,000-guest
// workspace. The simulator (`--size 1000`, in this process, from dist/) is
// synced into a fresh SQLite workspace by the real CLI; then the SDK's Client
// starts `proxmox-mpc mcp` over stdio (a real child process, read-only) and
// calls `get` BENCH_CALLS times (default 200, after 10 warm-up calls) per
// case: the default page (a tool call gets `limit: 100` unless it gives one), the
// same page with three fields, and the whole list (`limit: 100000`). Latency is the client's, from the request to the
// parsed answer; size is the answer as sent (the JSON-RPC result: text
// summary plus structured content). Also counts what the server offers
// (tools, resources and templates, prompts) read-only and with --allow-write.
// Target: median under 10 ms for a page. Prints a table and asserts nothing.
//
//   BENCH_SIZE=1000  BENCH_CALLS=200
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { startSimulator } from "../dist/sim/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "proxmox-mpc.js");
const size = Number(process.env.BENCH_SIZE ?? 1000);
const calls = Number(process.env.BENCH_CALLS ?? 200);

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
};
const ms = (v) => v.toFixed(2);
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

/** One CLI run in its own process (asynchronous: the simulator answers from this process). */
function cli(args, env, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, cwd, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`proxmox-mpc ${args.join(" ")} exited ${code}:\n${stderr.slice(-2000)}`))));
  });
}

async function connect(dir, env, args = []) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [bin, "mcp", ...args], env, cwd: dir, stderr: "inherit" });
  const client = new Client({ name: "proxmox-mpc-bench", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

async function offers(client) {
  const [tools, resources, templates, prompts] = await Promise.all([client.listTools(), client.listResources(), client.listResourceTemplates(), client.listPrompts()]);
  return { tools: tools.tools.length, resources: resources.resources.length, templates: templates.resourceTemplates.length, prompts: prompts.prompts.length };
}

/** Median and p95 of `calls` timed calls (after 10 warm-up calls), and the last answer. */
async function timed(call, n = calls) {
  for (let i = 0; i < 10; i++) await call();
  const times = [];
  let result;
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    result = await call();
    times.push(performance.now() - started);
  }
  return { median: quantile(times, 0.5), p95: quantile(times, 0.95), bytes: Buffer.byteLength(JSON.stringify(result)), result };
}

/** `timed` calls of the get tool: also the data's size, its rows and the requests each call sent to the server. */
async function measure(client, args, n = calls) {
  const before = sim.stats().requests;
  const { median, p95, bytes, result } = await timed(() => client.callTool({ name: "get", arguments: args }), n);
  const requests = (sim.stats().requests - before) / (n + 10);
  if (result.isError) throw new Error(`get ${JSON.stringify(args)} failed: ${JSON.stringify(result.content)}`);
  const data = result.structuredContent.data;
  const items = Array.isArray(data) ? data : data.items;
  return {
    median,
    p95,
    bytes,
    dataBytes: Buffer.byteLength(JSON.stringify(data)),
    rows: items.length,
    total: Array.isArray(data) ? data.length : data.total,
    requests,
  };
}

const sim = await startSimulator({ port: 0, size, randomSeed: 1 });
const dir = mkdtempSync(join(tmpdir(), "mpc-bench-mcp-"));
const env = { ...process.env, PROXMOX_VE_ENDPOINT: sim.url, PROXMOX_VE_API_TOKEN: sim.token, NO_COLOR: "1" };
for (const key of Object.keys(env)) if (key.startsWith("PROXMOX_MPC_") || key === "DATABASE_URL") delete env[key];
try {
  await cli(["init", dir, "--no-input", ...(sim.fingerprint ? ["--fingerprint", sim.fingerprint] : [])], env, dir);
  await cli(["sync"], env, dir);
  const writer = await connect(dir, env, ["--allow-write"]);
  const withWrite = await offers(writer);
  await writer.close();

  const client = await connect(dir, env);
  const readOnly = await offers(client);
  const cases = [
    ["guests: a page (the default, 100)", { resource: "guests" }],
    ["guests: a page, 3 fields", { resource: "guests", limit: 100, fields: "vmid,name,status" }],
    ["guests: whole list", { resource: "guests", limit: 100000 }],
    ["guests: whole list, 3 fields", { resource: "guests", limit: 100000, fields: "vmid,name,status" }],
    ["guests: a page, --live", { resource: "guests", limit: 100, live: true }, Math.min(calls, 50)],
    ["storage (every node)", { resource: "storage" }],
    ["storage, --live", { resource: "storage", live: true }, Math.min(calls, 50)],
  ];
  const rows = [];
  for (const [name, args, n] of cases) rows.push([name, await measure(client, args, n)]);
  const before = sim.stats().requests;
  const list = await timed(() => client.listResources(), 20);
  const tfUri = list.result.resources.find((r) => /terraform\/.*\.tf$/.test(r.uri))?.uri;
  const tf = tfUri ? await timed(() => client.readResource({ uri: tfUri }), 50) : undefined;
  const resourceRequests = sim.stats().requests - before;
  await client.close();

  console.log(`MCP server: ${size} guests synced from the simulator, SDK Client over stdio, ${calls} calls per case (load ${loadavg()[0].toFixed(1)})`);
  console.log(`offers read-only: ${readOnly.tools} tools, ${readOnly.resources} resources + ${readOnly.templates} templates, ${readOnly.prompts} prompts; with --allow-write: ${withWrite.tools} tools`);
  console.log("");
  console.log("tool call get                     rows   median      p95     answer       data  requests/call");
  for (const [name, r] of rows) {
    console.log(`${name.padEnd(29)} ${`${r.rows}/${r.total}`.padStart(9)} ${ms(r.median).padStart(6)} ms ${ms(r.p95).padStart(6)} ms ${kib(r.bytes).padStart(10)} ${kib(r.dataBytes).padStart(10)}  ${String(r.requests).padStart(4)}`);
  }
  console.log(`resources/list: ${list.result.resources.length} resources, median ${ms(list.median)} ms, ${kib(list.bytes)}`);
  if (tf) console.log(`resources/read ${tfUri}: median ${ms(tf.median)} ms, ${kib(tf.bytes)}`);
  console.log(`requests to the Proxmox server for the resources: ${resourceRequests}`);
  const page = rows[0][1];
  console.log("");
  console.log(`target: median under 10 ms for a page: ${page.median < 10 ? "met" : "MISSED"} (${ms(page.median)} ms)`);
} finally {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
