/**
 * `proxmox-mpc ask` as a real child process against a workspace synced from
 * the simulator: `--dry-run -o json` prints exactly the plan object (local and
 * claude engines), engine selection (--engine, ai.engine, claude on PATH),
 * every line checked by the registry before anything runs, confirmation
 * (--no-input refuses, --yes runs), the steps recorded as actor nl, and a
 * failing middle step that stops the rest. The claude engine here is the
 * stand-in tests/fixtures/bin/claude (the real CLI needs a login no test has).
 */
import { nlFixture, standinPlan, type NlFixture } from "./ask-fixture.js";

const PLAN_KEYS = ["commands", "confidence", "engine", "explanation", "requiresConfirmation"];

describe("proxmox-mpc ask", () => {
  let f: NlFixture;
  let stopped: string;
  let running: string;

  beforeAll(async () => {
    f = await nlFixture();
    const vms = f.sim.cluster.guests().filter((g) => g.type === "qemu" && !g.template);
    stopped = String(vms.find((g) => g.status === "stopped")!.config.name);
    running = String(vms.find((g) => g.status === "running")!.config.name);
  }, 120_000);
  afterAll(async () => {
    await f?.close();
  });
  afterEach(() => f.restore());

  const statusOf = (name: string): string => f.sim.cluster.guests().find((g) => g.type === "qemu" && g.config.name === name)!.status;

  it("--dry-run -o json prints exactly the plan of the local engine", async () => {
    const r = await f.run(["ask", "--engine", "local", "--dry-run", "-o", "json", "list the running vms"]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(plan).sort()).toEqual(PLAN_KEYS);
    expect(plan).toMatchObject({ engine: "local", requiresConfirmation: false });
    expect((plan.commands as string[])[0]).toMatch(/^get vms/);
    expect(plan.confidence).toBeGreaterThan(0.5);
  }, 60_000);

  it("--dry-run -o json prints exactly the plan of the claude engine (picked because claude is on PATH), with what Claude read over MCP", async () => {
    const r = await f.run(["ask", "--dry-run", "-o", "json", "list the vms"], { env: standinPlan(["get vms", `start vm ${stopped}`], "Lists and starts.") });
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(plan).sort()).toEqual(PLAN_KEYS);
    const vms = (JSON.parse((await f.ws.run(["get", "vms", "-o", "json"])).stdout) as unknown[]).length;
    expect(plan).toEqual({ engine: "claude", commands: ["get vms", `start vm ${stopped}`], confidence: 0.85, explanation: expect.stringMatching(new RegExp(`^Lists and starts\\. \\(MCP: \\d+ tools, read-only; get vms: ${vms} VMs\\)$`)), requiresConfirmation: true });
    // The stream as progress lines on stderr (stdout is the plan alone), with cost and duration.
    expect(r.stderr).toContain("🤖 Asking Claude…");
    expect(r.stderr).toMatch(/Claude Code 2\.1\.197-stand-in .*MCP: proxmox-mpc connected/);
    expect(r.stderr).toContain('🔧 get {"resource":"vms"}');
    expect(r.stderr).toContain("💭 Let me look at the VMs first.");
    expect(r.stderr).toMatch(/Claude: \$0\.0123 · \d+\.\d s · 2 turns/);
    expect(statusOf(stopped)).toBe("stopped"); // a dry run runs nothing
  }, 60_000);

  it("hands Claude the workspace and the command reference, the read-only MCP server, and no built-in tools", async () => {
    const r = await f.run(["ask", "--dry-run", "-o", "json", "how many vms are there"]);
    expect(r.code).toBe(0);
    const start = f.log().reverse().find((l) => l.argv !== undefined)!;
    const argv = start.argv as string[];
    const value = (flag: string): string => argv[argv.indexOf(flag) + 1];
    expect(argv).toEqual(expect.arrayContaining(["-p", "--verbose", "--strict-mcp-config", "--no-session-persistence"]));
    expect(value("--output-format")).toBe("stream-json");
    expect(value("--allowedTools")).toBe("mcp__proxmox-mpc__*");
    expect(value("--tools")).toBe("");
    const server = (JSON.parse(value("--mcp-config")) as { mcpServers: Record<string, { command: string; args: string[] }> }).mcpServers["proxmox-mpc"];
    expect(server.args.slice(-3)).toEqual(["-C", f.ws.dir, "mcp"]);
    const system = value("--append-system-prompt");
    expect(system).toContain(`Guests (`);
    expect(system).toContain(`  ${running} (vmid`);
    expect(system).toMatch(/^ {2}create <vm\|ct> .*\[--count <k>\].* \(requires-confirmation\)$/m);
    expect(system).toMatch(/^ {2}delete .*\(dangerous\)$/m);
    expect(system).not.toMatch(/^ {2}(mcp|sim|demo|init|ask) /m);
    expect(system).toContain('{"commands": ["command line", "..."], "confidence": 0.9, "explanation": "one or two sentences"}');
    expect(start.prompt).toBe("Request: how many vms are there\n\nPlan it as proxmox-mpc commands.");
    const tools = f.log().reverse().find((l) => l.tools !== undefined)!.tools as string[];
    expect(tools).toEqual(expect.arrayContaining(["get", "describe", "status"]));
    expect(tools).not.toContain("create");
  }, 60_000);

  it("engine: ai.engine local wins over claude on PATH; --engine claude wins over the config; no claude answers with local and says why", async () => {
    f.configure("ai:\n  engine: local");
    let r = await f.run(["ask", "--dry-run", "-o", "json", "list the vms"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ engine: "local" });
    r = await f.run(["ask", "--engine", "claude", "--dry-run", "-o", "json", "list the vms"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ engine: "claude" });
    f.restore();
    r = await f.run(["ask", "--dry-run", "-o", "json", "list the vms"], { claude: false });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ engine: "local" });
    expect(r.stderr).toBe("");
    r = await f.run(["ask", "--engine", "claude", "--dry-run", "-o", "json", "list the vms"], { claude: false });
    expect(JSON.parse(r.stdout)).toMatchObject({ engine: "local" });
    expect(r.stderr).toContain("Claude Code is not available (`claude` is not on PATH); the local engine answers.");
    f.configure(`ai:\n  engine: claude\n  claudePath: ${f.claudeDir}/claude`);
    r = await f.run(["ask", "--dry-run", "-o", "json", "list the vms"], { claude: false });
    expect(JSON.parse(r.stdout)).toMatchObject({ engine: "claude" });
  }, 120_000);

  it("a config with a bad ai section is refused with the key", async () => {
    f.configure("ai:\n  engine: gpt");
    const r = await f.run(["ask", "--dry-run", "list the vms"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("`ai.engine` must be auto, claude or local");
  }, 60_000);

  it("every proposed line is checked by the registry first: a bad one refuses the plan, says where, and nothing runs", async () => {
    const r = await f.run(["ask", "--yes", "start it"], { env: standinPlan([`start vm ${stopped}`, "frobnicate everything"]) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: The plan was refused at step 2 of 2 (frobnicate everything): there is no command "frobnicate".`);
    expect(r.stderr).toContain("hint: Nothing was run.");
    expect(r.stdout).not.toContain("▶ Step");
    expect(statusOf(stopped)).toBe("stopped");
  }, 60_000);

  it("a plan that writes needs confirmation: --no-input without --yes refuses (exit 2) and nothing runs", async () => {
    const r = await f.run(["--no-input", "ask", "start it"], { env: standinPlan([`start vm ${stopped}`]) });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(new RegExp(`1\\. start vm ${stopped}\\s+writes: asks first`));
    expect(r.stderr).toContain("error: Confirmation needed: Run this step?");
    expect(r.stderr).toContain("hint: Pass --yes");
    expect(statusOf(stopped)).toBe("stopped");
  }, 60_000);

  it("--yes runs the steps in order, streaming progress, each recorded as actor nl", async () => {
    const r = await f.run(["ask", "--yes", "start it and show the nodes"], { env: standinPlan([`start vm ${stopped}`, "get nodes"]) });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/📋 Plan \(claude, confidence 0\.85\): The plan\./);
    expect(r.stdout).toMatch(new RegExp(`▶ Step 1/2: start vm ${stopped}[\\s\\S]*✔ Step 1/2 done[\\s\\S]*▶ Step 2/2: get nodes[\\s\\S]*NAME\\s+STATUS[\\s\\S]*✔ Step 2/2 done[\\s\\S]*✔ All 2 steps done\\.`));
    expect(statusOf(stopped)).toBe("running");
    const ops = JSON.parse((await f.ws.run(["logs", "--operations", "-o", "json", "--limit", "20"])).stdout) as { command: string; actor: string; arguments: { args: string[] } }[];
    expect(ops.filter((o) => o.actor === "nl").map((o) => o.command)).toEqual(expect.arrayContaining(["start", "get"]));
    expect(ops.find((o) => o.actor === "nl" && o.command === "start")!.arguments.args).toEqual(["vm", stopped]);
    expect(ops.some((o) => o.actor === "mcp" && o.command === "get")).toBe(true); // what Claude read
  }, 60_000);

  it("a failing middle step stops the plan: which step failed, and that the later ones did not run", async () => {
    const target = f.sim.cluster.guests().find((g) => g.type === "qemu" && !g.template && g.status === "running" && g.config.name !== running)!;
    const name = String(target.config.name);
    const r = await f.run(["ask", "--yes", "do three things"], { env: standinPlan(["get nodes", "describe vm no-such-guest", `stop vm ${name}`]) });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("✔ Step 1/3 done");
    expect(r.stdout).toContain(`✖ Step 2/3 failed (exit 2): describe vm no-such-guest. Step 3 (stop vm ${name}) did not run.`);
    expect(r.stderr).toContain('No VM named "no-such-guest" in the store.');
    expect(r.stdout).not.toContain("▶ Step 3/3");
    expect(statusOf(name)).toBe("running");
  }, 60_000);

  it("a read-only plan runs without asking, even with --no-input", async () => {
    const r = await f.run(["--no-input", "ask", "--engine", "local", "show me the nodes"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1\. get nodes\s+safe/);
    expect(r.stdout).toMatch(/pve1\s+online/);
  }, 60_000);

  it("a node the store does not have is refused with the known nodes, never dropped (list vms on pve3 with no pve3)", async () => {
    const nodes = (JSON.parse((await f.ws.run(["get", "nodes", "-o", "json"])).stdout) as { name: string }[]).map((n) => n.name).sort();
    const missing = `pve${nodes.length + 1}`;
    expect(nodes).not.toContain(missing);
    const r = await f.run(["ask", "--engine", "local", "--dry-run", "-o", "json", `list vms on ${missing}`]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { commands: string[]; explanation: string };
    expect(plan.commands).toEqual([]);
    expect(plan.explanation).toContain(`"${missing}" is not a node of the store (it has ${nodes.join(", ")}).`);
    const run = await f.run(["ask", "--engine", "local", `list vms on ${missing}`]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("Nothing to run.");
  }, 60_000);

  it("a new guest's name after the kind word is kept (create a vm qa-02 …)", async () => {
    const r = await f.run(["ask", "--engine", "local", "--dry-run", "-o", "json", "create a vm qa-02 with 2 cores, 4 gigs of ram and 20 gb disk"]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { commands: string[] }).commands).toEqual(["create vm --name qa-02 --cores 2 --memory 4096 --disk 20"]);
  }, 60_000);
});
