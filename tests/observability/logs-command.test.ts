/**
 * `logs` and `debug` on log files written by real command runs against the
 * simulator: each filter, -o json's fields, debug mode (persisted, API calls
 * on stderr and in the files), a console command's correlation id in its API
 * calls and in the store's operation record, and --follow until Ctrl-C.
 */
import { join } from "node:path";
import { logsCommand } from "../../src/commands/logs.js";
import { runCommand } from "../../src/commands/runner.js";
import { ScriptedUI } from "../../src/core/ui.js";
import { loadWorkspace } from "../../src/core/workspace.js";
import { openStore } from "../../src/state/index.js";
import { cliProcess } from "../helpers/cli.js";
import { testContext } from "../helpers/context.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

interface Entry {
  timestamp: string;
  level: string;
  correlationId: string | null;
  operation: string | null;
  phase: string | null;
  message: string;
  durationMs?: number;
  context: Record<string, unknown>;
}

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeAll(async () => {
  sim = await startSim({ size: 6 });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
  expect((await ws.run(["status", "--offline"])).code).toBe(0);
  expect((await ws.run(["create", "vm", "--name", "logged-01"])).code).toBe(0);
  expect((await ws.run(["apply", "--engine", "native", "--yes"])).code).toBe(0);
  sim.cluster.failPath("/cluster/resources", 500);
  expect((await ws.run(["get", "vms", "--live"])).code).toBe(1);
  sim.cluster.failPath("/cluster/resources", null);
});
afterAll(async () => {
  await sim.close();
  ws.cleanup();
});

async function logs(args: string[]): Promise<Entry[]> {
  const run = await ws.run(["logs", ...args, "-o", "json"]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Entry[];
}

it("-o json prints entries with timestamp, level, correlationId, operation, phase, message and durationMs", async () => {
  const entries = await logs(["--limit", "1000"]);
  const finished = entries.find((e) => e.operation === "sync" && e.message === "command finished");
  expect(finished).toMatchObject({ level: "info", phase: "sync.finish", correlationId: expect.stringMatching(/^c-/) });
  expect(finished?.durationMs).toEqual(expect.any(Number));
  expect(finished?.context).toMatchObject({ workspace: expect.any(String), server: new URL(sim.url).host, actor: "cli" });
  expect(new Date(entries[0].timestamp).getTime()).toBeLessThanOrEqual(new Date(entries[entries.length - 1].timestamp).getTime());
  expect(entries.some((e) => e.level === "debug")).toBe(false); // info by default
});

it("--op keeps one operation, with its phases", async () => {
  const entries = await logs(["--op", "sync"]);
  expect(entries.length).toBeGreaterThan(0);
  expect(entries.every((e) => e.operation === "sync")).toBe(true);
  expect(entries.map((e) => e.phase)).toEqual(expect.arrayContaining(["sync.start", "sync.fetch-resources", "sync.write-store", "sync.finish"]));
  expect(entries.find((e) => e.phase === "sync.fetch-resources")?.durationMs).toEqual(expect.any(Number));
});

it("--level keeps that level and more severe; errors carry type, message and recovery actions", async () => {
  const entries = await logs(["--level", "error"]);
  expect(entries.length).toBeGreaterThan(0);
  expect(entries.every((e) => e.level === "error" || e.level === "fatal")).toBe(true);
  const failed = entries.find((e) => e.operation === "get" && e.message === "command failed");
  expect(failed?.context.error).toMatchObject({ type: expect.any(String), message: expect.any(String), recoveryActions: expect.any(Array) });
});

it("--correlation keeps one run; --grep, --resource, --since and --limit filter (leaving out logs' own runs)", async () => {
  const sync = (await logs(["--op", "sync"]))[0];
  const one = await logs(["--correlation", String(sync.correlationId)]);
  expect(one.length).toBeGreaterThan(1);
  expect(new Set(one.map((e) => e.correlationId))).toEqual(new Set([sync.correlationId]));
  const grep = await logs(["--grep", "APPLY STEP"]);
  expect(grep.length).toBeGreaterThan(0);
  expect(grep.every((e) => /apply step/i.test(e.message))).toBe(true);
  expect((await logs(["--op", "logs"])).length).toBeGreaterThan(0);
  const guest = await logs(["--resource", "logged-01"]);
  expect(guest.map((e) => e.phase)).toEqual(expect.arrayContaining(["apply.create"]));
  expect(guest.every((e) => JSON.stringify(e).includes("logged-01"))).toBe(true);
  expect((await logs(["--resource", "logged-0"])).length).toBe(0); // whole names only
  expect((await logs(["--since", "1h"])).length).toBeGreaterThan(0);
  expect(await logs(["--since", "2999-01-01"])).toEqual([]);
  const all = await logs(["--limit", "1000"]);
  const last3 = await logs(["--limit", "3"]);
  expect(last3).toHaveLength(3);
  expect(last3[0].timestamp >= all[all.length - 4].timestamp).toBe(true);
});

it("the table shows readable columns; bad values are usage errors", async () => {
  const table = await ws.run(["logs", "--op", "sync"]);
  expect(table.code).toBe(0);
  expect(table.stdout.split("\n")[0]).toMatch(/^TIME\s+LEVEL\s+CORRELATION\s+OPERATION\s+PHASE\s+MS\s+MESSAGE/);
  expect(table.stdout).toMatch(/sync\.fetch-resources\s+\d+ sync read done/);
  const bad = await ws.run(["logs", "--since", "yesterday"]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("--since must be a duration");
});

it("a console command's correlation id ties it to its API calls (debug on) and to its operation record", async () => {
  const run = await cliProcess([], { cwd: ws.dir, env: ws.env, input: "debug on\nsync\n/debug off\n" });
  expect(run.code).toBe(0);
  expect(run.stderr).toMatch(/debug api GET \/nodes → 200 \d+ ms \(attempt 1\)/); // debug on shows API calls with timing
  const store = await openStore({ url: `file:${join(ws.dir, ".proxmox-mpc", "state.db")}` });
  const [op] = await store.operations.list({ command: "sync", actor: "console", limit: 1 }).finally(() => store.close());
  expect(op.correlationId).toMatch(/^c-/);
  const entries = await logs(["--correlation", op.correlationId]); // debug level with --correlation
  const api = entries.filter((e) => e.phase === "api.request");
  expect(api.length).toBeGreaterThan(3);
  expect(api[0]).toMatchObject({ level: "debug", operation: "sync", context: { method: "GET", status: 200, attempt: 1 } });
  expect(api[0].durationMs).toEqual(expect.any(Number));
  expect(entries.map((e) => e.context.actor)).toEqual(entries.map(() => "console"));
  // debug off: back to info, nothing on stderr
  const after = await ws.run(["sync"]);
  expect(after.stderr).not.toMatch(/debug api/);
  expect(await ws.run(["debug"])).toMatchObject({ code: 0, stdout: expect.stringContaining("Debug mode is off") });
});

it("--follow prints new entries and stops on abort with exit 0", async () => {
  const workspace = await loadWorkspace(ws.dir);
  const controller = new AbortController();
  const ui = new ScriptedUI([], false);
  const ctx = testContext({ workspace, ui, signal: controller.signal, command: "logs" });
  ctx.globals.output = "json";
  const following = runCommand(logsCommand, ctx, { args: [], options: { follow: true, op: "status" } });
  while (!ui.messages.some((m) => m.text.startsWith("Following"))) await new Promise((r) => setTimeout(r, 10));
  expect((await ws.run(["status", "--offline"])).code).toBe(0);
  while (!ui.lines.some((l) => l.includes('"command finished"'))) await new Promise((r) => setTimeout(r, 20));
  controller.abort();
  await expect(following).resolves.toEqual({ kind: "none", exitCode: 0 });
  await ctx.services.close();
  expect(ui.lines.map((l) => (JSON.parse(l) as Entry).operation)).toEqual(ui.lines.map(() => "status"));
});
