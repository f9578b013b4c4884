/**
 * The claude engine against the stand-in `claude` (tests/fixtures/bin/claude: a
 * stand-in for the real Claude Code CLI, which needs a login no test has), all as
 * real child processes: the stand-in refuses a start without the flags the real
 * CLI needs; an error result (is_error with subtype "success"), a non-zero exit,
 * output that is not stream-json, an answer without a plan and a timeout (the
 * child is killed) each fall back to the local engine with one line saying why;
 * a question hands Claude the diagnostic bundle and streams its diagnosis;
 * `report-issue --analyze` does the same with the bundle it writes, and the fixes
 * go through the confirm-and-execute flow; without claude a question gets the
 * local engine's commands and a note that a diagnosis needs Claude.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { nlFixture, standinPlan, STANDIN, type NlFixture } from "./ask-fixture.js";

describe("the claude engine", () => {
  let f: NlFixture;

  beforeAll(async () => {
    f = await nlFixture();
  }, 120_000);
  afterAll(async () => {
    await f?.close();
  });
  afterEach(() => f.restore());

  it("the stand-in fails unless it gets -p, stream-json with --verbose and the proxmox-mpc MCP server (so the engine's flags are checked)", () => {
    const run = (args: string[]): ReturnType<typeof spawnSync> => spawnSync(STANDIN, args, { input: "hello", encoding: "utf8" });
    expect(run([]).stderr).toContain("not run with -p");
    expect(run(["-p", "--output-format", "stream-json"]).stderr).toContain("requires --verbose");
    const noServer = run(["-p", "--output-format", "stream-json", "--verbose", "--strict-mcp-config", "--mcp-config", '{"mcpServers":{}}']);
    expect(noServer.status).toBe(2);
    expect(noServer.stderr).toContain("no proxmox-mpc stdio server");
    expect(noServer.stdout).toBe("");
  });

  it.each([
    ["error", "Claude answered with an error: Not logged in · Please run /login; the local engine answers instead."],
    ["exit", "claude exited with code 3: Error: stand-in crashed on purpose; the local engine answers instead."],
    ["malformed", `claude's output is not the stream-json it should be ("Welcome to Claude Code!"); the local engine answers instead.`],
    ["noplan", "Claude's answer holds no plan in the expected JSON shape; the local engine answers instead."],
  ])("a failing claude (%s) falls back to the local engine with a one-line reason", async (mode, message) => {
    const r = await f.run(["ask", "--dry-run", "-o", "json", "list the running vms"], { env: { CLAUDE_STANDIN_MODE: mode } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(message);
    const plan = JSON.parse(r.stdout) as { engine: string; commands: string[] };
    expect(plan.engine).toBe("local");
    expect(plan.commands[0]).toMatch(/^get vms/);
  }, 60_000);

  it("a claude that does not answer in ai.timeoutSeconds is stopped (the child is killed) and the local engine answers", async () => {
    f.configure("ai:\n  timeoutSeconds: 2");
    const started = Date.now();
    const r = await f.run(["ask", "--dry-run", "-o", "json", "list the running vms"], { env: { CLAUDE_STANDIN_MODE: "timeout" } });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Claude did not answer within 2 s (stopped); the local engine answers instead.");
    expect(JSON.parse(r.stdout)).toMatchObject({ engine: "local" });
    const pid = f.log().reverse().find((l) => l.mode === "timeout")!.pid as number;
    expect(() => process.kill(pid, 0)).toThrow(); // gone
  }, 60_000);

  it("a question hands Claude the diagnostic bundle and the read-only MCP server, and streams the diagnosis", async () => {
    const guest = f.sim.cluster.guests().find((g) => g.type === "qemu" && !g.template && g.status === "stopped")!;
    const name = String(guest.config.name);
    const r = await f.run(["ask", "--dry-run", `why is ${name} down?`], { env: standinPlan([`start vm ${name}`], `${name} was stopped by hand.`) });
    expect(r.code).toBe(0);
    const bundle = /📋 Diagnostic bundle: (\S+\.md)/.exec(r.stdout)?.[1];
    expect(bundle && existsSync(bundle)).toBe(true);
    expect(r.stdout).toContain("🤖 Asking Claude for a diagnosis…");
    expect(r.stdout).toContain("🩺 I read the VMs through proxmox-mpc.");
    expect(r.stdout).toMatch(new RegExp(`📋 Plan \\(claude, confidence 0\\.85\\): ${name} was stopped by hand\\.`));
    expect(r.stdout).toMatch(new RegExp(`1\\. start vm ${name}\\s+writes: asks first`));
    expect(r.stdout).toContain("Dry run: nothing was run.");
    const prompt = f.log().reverse().find((l) => l.prompt !== undefined)!.prompt as string;
    expect(prompt).toMatch(new RegExp(`^Question: why is ${name} down\\?`));
    expect(prompt).toContain(`The diagnostic bundle proxmox-mpc wrote for this (${bundle}; secrets removed`);
    expect(prompt).toMatch(/<bundle>\n[\s\S]*why is .* down[\s\S]*<\/bundle>/);
    expect(prompt).not.toContain(f.sim.token.split("=")[1]);
  }, 90_000);

  it("report-issue --analyze: the bundle goes to Claude, and its fixes go through the same confirm-and-execute flow", async () => {
    const guest = f.sim.cluster.guests().find((g) => g.type === "qemu" && !g.template && g.status === "running")!;
    const name = String(guest.config.name);
    const plan = standinPlan([`describe vm ${name}`, `reboot vm ${name}`], "It needs a reboot.");
    let r = await f.run(["--no-input", "report-issue", `${name} is slow`, "--analyze"], { env: plan });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/📋 Issue report written: \S+\.json \(readable: \S+\.md\)/);
    expect(r.stdout).toContain("🤖 Asking Claude for a diagnosis…");
    expect(r.stderr).toContain("error: Confirmation needed: Run these 2 steps?");
    const prompt = f.log().reverse().find((l) => l.prompt !== undefined)!.prompt as string;
    expect(prompt).toContain(`Question: ${name} is slow`);
    expect(prompt).toContain("<bundle>");
    r = await f.run(["--yes", "report-issue", `${name} is slow`, "--analyze"], { env: plan });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`▶ Step 1/2: describe vm ${name}`);
    expect(r.stdout).toContain(`✔ All 2 steps done.`);
  }, 120_000);

  it("without claude, a question gets the local engine's commands and a note that a diagnosis needs Claude", async () => {
    const guest = f.sim.cluster.guests().find((g) => g.type === "qemu" && !g.template)!;
    const before = f.log().length;
    const r = await f.run(["ask", "--dry-run", `why is ${String(guest.config.name)} down?`], { claude: false });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("A diagnosis needs Claude");
    expect(r.stdout).toMatch(/📋 Plan \(local, confidence/);
    expect(r.stdout).toMatch(/1\. (health|describe|logs|get)/);
    expect(r.stdout).not.toContain("Asking Claude");
    expect(f.log()).toHaveLength(before); // no claude ran
  }, 60_000);

  it("report-issue --analyze is refused with --copy-prompt (two different things)", async () => {
    const r = await f.run(["report-issue", "x", "--analyze", "--copy-prompt"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--analyze and --copy-prompt do not go together.");
  }, 60_000);
});
