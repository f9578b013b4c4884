/**
 * The tools are derived from the registry, and the registry says how each
 * command is offered: every registered command is a tool (read, write,
 * destructive) or kept out with a reason; the read-only server lists only the
 * read tools; the annotations say what each one is; tool names are unique and
 * every input schema is one a client can read. Also `mcp --print-config`, and
 * the refusals of the command itself (in the console, bad flags).
 */
import { z } from "zod";
import { COMMANDS } from "../../src/commands/registry.js";
import { toolAnnotations, toolEntries, toolInputSchema, toolName, TOOL_OUTPUT } from "../../src/mcp/tools.js";
import { BIN, cleanEnv, cli } from "../helpers/cli.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

const readOnly = toolEntries({ allowWrite: false });
const all = toolEntries({ allowWrite: true });

it("every registered command is a tool or kept out with a reason, and the tool list follows", () => {
  for (const command of COMMANDS) {
    expect(command.mcp).toBeDefined();
    if (command.mcp.tool === false) {
      expect(command.mcp.why.length).toBeGreaterThan(10);
      expect(all.map((t) => t.command)).not.toContain(command);
    } else {
      expect(["read", "write", "destructive"]).toContain(command.mcp.tool);
      expect(all.find((t) => t.command === command && !t.view)?.kind).toBe(command.mcp.tool);
    }
  }
  const views = COMMANDS.flatMap((c) => (c.mcp.tool !== false ? (c.mcp.views ?? []) : []));
  expect(all).toHaveLength(COMMANDS.filter((c) => c.mcp.tool !== false).length + views.length);
});

it("read-only lists exactly the read tools; --allow-write adds the mutating ones", () => {
  expect(readOnly.map((t) => t.kind)).toEqual(readOnly.map(() => "read"));
  // The read commands, and the read-only views of mutating ones (snapshot list, backup list).
  expect(readOnly.filter((t) => !t.view).map((t) => t.name).sort()).toEqual(COMMANDS.filter((c) => c.mcp.tool === "read").map(toolName).sort());
  expect(readOnly.filter((t) => t.view).map((t) => `${t.name}=${t.command.name} ${t.view?.action}`).sort()).toEqual(["backup_list=backup list", "snapshot_list=snapshot list"]);
  const mutating = all.filter((t) => t.kind !== "read").map((t) => t.name);
  expect(mutating).toEqual(expect.arrayContaining(["sync", "create", "delete", "apply", "destroy", "start", "stop"]));
  for (const name of mutating) expect(readOnly.map((t) => t.name)).not.toContain(name);
});

it("names are the command's with - as _, unique; the mcp command itself is not a tool", () => {
  const names = all.map((t) => t.name);
  expect(new Set(names).size).toBe(names.length);
  expect(names).toEqual(expect.arrayContaining(["get", "describe", "test_connection", "report_issue"]));
  for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
  expect(names).not.toContain("mcp");
  expect(names).not.toContain("sim");
});

it("annotations: read tools read-only and idempotent; destructive ones destructive; write ones neither", () => {
  for (const entry of all) {
    const a = toolAnnotations(entry);
    expect(a.readOnlyHint).toBe(entry.kind === "read");
    expect(a.destructiveHint).toBe(entry.kind === "destructive");
    if (entry.kind === "read") expect(a.idempotentHint).toBe(true);
    expect(typeof a.openWorldHint).toBe("boolean");
  }
  expect(toolAnnotations(all.find((t) => t.name === "get")!).openWorldHint).toBe(false);
  expect(toolAnnotations(all.find((t) => t.name === "sync")!).openWorldHint).toBe(true);
});

it("input schemas: the command's arguments and options, `confirm` on the mutating ones only; one output schema", () => {
  for (const entry of all) {
    const json = z.toJSONSchema(toolInputSchema(entry), { io: "input" }) as { type: string; properties?: Record<string, unknown> };
    expect(json.type).toBe("object");
    const keys = Object.keys(json.properties ?? {});
    if (entry.kind === "read") expect(keys).not.toContain("confirm");
    else expect(keys).toContain("confirm");
    // A read view fixes the first argument (the action), so it is not an input.
    for (const arg of (entry.command.arguments ?? []).slice(entry.view ? 1 : 0)) expect(keys).toContain(arg.name);
    if (entry.view) expect(keys).not.toContain(entry.command.arguments?.[0].name);
  }
  const destroy = all.find((t) => t.name === "destroy")!;
  expect(toolInputSchema(destroy).safeParse({ names: ["web-01"], confirm: true }).success).toBe(true);
  expect(toolInputSchema(destroy).safeParse({ names: ["web-01"], yes: true }).success).toBe(false);
  expect((z.toJSONSchema(TOOL_OUTPUT) as { required: string[] }).required).toEqual(expect.arrayContaining(["ok", "command", "exitCode"]));
});

describe("the mcp command", () => {
  let sim: RunningSimulator;
  let ws: Awaited<ReturnType<typeof initWorkspace>>;
  beforeAll(async () => {
    sim = await startSim({ size: 5 });
    ws = await initWorkspace(sim);
  });
  afterAll(async () => {
    await sim.close();
    ws.cleanup();
  });

  it("--print-config prints the exact claude mcp add lines and Claude Desktop's mcpServers", async () => {
    const run = await cli(["-C", ws.dir, "mcp", "--print-config", "--allow-write", "--vmids", "100,101"], { env: cleanEnv(), cwd: "/" });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`claude mcp add proxmox-mpc -- ${process.execPath} ${BIN} -C ${ws.dir} mcp --allow-write --vmids 100,101`);
    expect(run.stdout).toContain(`claude mcp add --transport http proxmox-mpc http://127.0.0.1:8765/mcp --header 'Authorization: Bearer TOKEN'`);
    const json = await cli(["-C", ws.dir, "mcp", "--print-config", "--http", "9000", "--token", "0123456789abcdef0123", "-o", "json"], { env: cleanEnv(), cwd: "/" });
    const config = JSON.parse(json.stdout);
    expect(config.claudeDesktop).toEqual({ mcpServers: { "proxmox-mpc": { command: process.execPath, args: [BIN, "-C", ws.dir, "mcp"] } } });
    expect(config.claudeCodeHttp).toBe("claude mcp add --transport http proxmox-mpc http://127.0.0.1:9000/mcp --header 'Authorization: Bearer 0123456789abcdef0123'");
  });

  it("refuses bad flags (exit 2) and, in the console, says to run it from a shell", async () => {
    const bad = await cli(["-C", ws.dir, "mcp", "--vmids", "10x"], { env: cleanEnv(), cwd: "/" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--vmids: "10x" is not a vmid');
    const token = await cli(["-C", ws.dir, "mcp", "--token", "abcdefghijklmnopq"], { env: cleanEnv(), cwd: "/" });
    expect(token.code).toBe(2);
    expect(token.stderr).toContain("--token is for --http.");
    const { runCli } = await import("../../src/cli/main.js");
    const { Writable } = await import("node:stream");
    let stderr = "";
    const sink = (append: (s: string) => void) => new Writable({ write: (c, _e, cb) => (append(String(c)), cb()) });
    const code = await runCli(["-C", ws.dir, "mcp"], { stdout: sink(() => undefined), stderr: sink((s) => (stderr += s)), env: cleanEnv(), cwd: "/", isTTY: false, actor: "console" });
    expect(code).toBe(2);
    expect(stderr).toContain("run it from a shell: proxmox-mpc mcp");
    // Without a server to hand it to (no entry point), the shell face refuses too, instead of hanging.
    const shell = await cli(["-C", ws.dir, "mcp"], { env: cleanEnv(), cwd: "/" });
    expect(shell.code).toBe(2);
    expect(shell.stderr).toContain("run it from a shell: proxmox-mpc mcp");
  });
});

it("no tool takes an option only a person at the command line may give (another endpoint or trust, files on the server's disk, streaming)", async () => {
  const { LOCAL_ONLY_OPTIONS } = await import("../../src/commands/remote.js");
  for (const entry of all) {
    const keys = Object.keys((z.toJSONSchema(toolInputSchema(entry), { io: "input" }) as { properties?: Record<string, unknown> }).properties ?? {});
    for (const key of keys) expect([entry.name, key, LOCAL_ONLY_OPTIONS.has(key)]).toEqual([entry.name, key, false]);
  }
  // They exist on the commands themselves: the filter is what keeps them out.
  expect(Object.keys(z.toJSONSchema(toolInputSchema(all.find((t) => t.name === "test_connection")!), { io: "input" }).properties ?? {})).not.toContain("endpoint");
  expect(COMMANDS.find((c) => c.name === "test-connection")?.options?.map((o) => o.key)).toContain("endpoint");
  expect(COMMANDS.find((c) => c.name === "create")?.options?.map((o) => o.key)).toContain("sshKey");
});
