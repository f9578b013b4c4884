/**
 * English in the console, in a real pseudo-terminal (tmux), against a workspace
 * synced from the simulator, with the stand-in `claude` on PATH (a stand-in for
 * the real CLI, which needs a login no test has): a typo of a command still gets
 * "Did you mean"; English gets a plan with each step's safety and a confirmation —
 * "n" runs nothing, "y" runs the steps with progress, and a failing middle step
 * stops the rest and says so.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN } from "../helpers/cli.js";
import { describeWith } from "../helpers/real-parts.js";
import { TmuxSession } from "../helpers/tmux.js";
import { nlFixture, type NlFixture } from "../nl/ask-fixture.js";

describeWith("tmux")("English in the console", () => {
  let f: NlFixture;
  let term: TmuxSession;
  let planFile: string;
  const plan = (commands: string[], explanation: string): void => writeFileSync(planFile, JSON.stringify({ commands, confidence: 0.9, explanation }));
  const guests = (status: string): string[] =>
    f.sim.cluster
      .guests()
      .filter((g) => g.type === "qemu" && !g.template && g.status === status)
      .map((g) => String(g.config.name));
  const statusOf = (name: string): string => f.sim.cluster.guests().find((g) => g.type === "qemu" && g.config.name === name)!.status;

  beforeAll(async () => {
    f = await nlFixture();
    planFile = join(f.claudeDir, "plan.json");
    plan(["get nodes"], "Shows the nodes.");
    const env = { ...f.ws.env, PATH: `${f.withClaude}:/usr/bin:/bin` };
    term = TmuxSession.start(`CLAUDE_STANDIN_PLAN_FILE='${planFile}' node ${BIN}`, env, f.ws.dir);
    await term.waitFor(/proxmox-mpc \S+@127\.0\.0\.1> $/m);
  }, 120_000);
  afterAll(async () => {
    term?.kill();
    await f?.close();
  });

  it("a typo one edit away from a command gets Did you mean, not the engine", async () => {
    term.type("stpo vm web-01");
    term.send("Enter");
    const screen = await term.waitFor(/Unknown command "stpo"\. Did you mean stop/);
    expect(screen).not.toContain("Asking Claude");
  });

  it("English gets a plan; answering n runs nothing", async () => {
    const name = guests("stopped")[0];
    plan([`start vm ${name}`], `Starts ${name}.`);
    term.type(`please bring ${name} up`);
    term.send("Enter");
    const screen = await term.waitFor(/Run this step\? \[y\/N\] $/m, 60_000);
    expect(screen).toContain("🤖 Asking Claude…");
    expect(screen).toContain('🔧 get {"resource":"vms"}');
    expect(screen).toMatch(new RegExp(`📋 Plan \\(claude, confidence 0\\.90\\): Starts ${name}\\.`));
    expect(screen).toMatch(new RegExp(`1\\. start vm ${name}\\s+writes: asks first`));
    term.type("n");
    term.send("Enter");
    await term.waitFor(/Nothing was run\.\n(.*\n)*proxmox-mpc \S+> $/m);
    expect(statusOf(name)).toBe("stopped");
  }, 90_000);

  it("answering y runs the steps one by one with progress", async () => {
    const name = guests("stopped")[0];
    plan([`start vm ${name}`, "get nodes"], `Starts ${name} and shows the nodes.`);
    term.type(`start ${name} and then show me the nodes`);
    term.send("Enter");
    await term.waitFor(/Run these 2 steps\? \[y\/N\] $/m, 60_000);
    term.type("y");
    term.send("Enter");
    const screen = await term.waitFor(/✔ All 2 steps done\./, 60_000);
    expect(screen).toMatch(new RegExp(`▶ Step 1/2: start vm ${name}[\\s\\S]*✔ Step 1/2 done[\\s\\S]*▶ Step 2/2: get nodes[\\s\\S]*pve1\\s+online[\\s\\S]*✔ Step 2/2 done`));
    expect(statusOf(name)).toBe("running");
  }, 90_000);

  it("a failing middle step stops the plan and says which step failed and what did not run", async () => {
    const name = guests("running")[0];
    plan(["get nodes", "describe vm no-such-guest", `stop vm ${name}`], "Three steps.");
    term.type(`check things and then stop ${name}`);
    term.send("Enter");
    await term.waitFor(/Run these 3 steps \(1 dangerous\)\? \[y\/N\] $/m, 60_000);
    term.type("y");
    term.send("Enter");
    const screen = await term.waitFor(/✖ Step 2\/3 failed \(exit 2\): describe vm no-such-guest\. Step 3 \(stop vm \S+\) did not run\./, 60_000);
    expect(screen).toContain('No VM named "no-such-guest" in the store.');
    expect(screen).not.toContain("▶ Step 3/3");
    await term.waitFor(/did not run\.\n(.*\n)*proxmox-mpc \S+> $/m);
    expect(statusOf(name)).toBe("running");
  }, 90_000);

  it("a dangerous step still asks itself after the plan's y, naming its real targets (no --yes passed on)", async () => {
    const [name] = guests("running");
    const vmid = f.sim.cluster.guests().find((g) => g.type === "qemu" && g.config.name === name)!.vmid;
    plan([`stop vm ${name}`], `Hard-stops ${name}.`);
    term.type(`pull the plug on ${name}`);
    term.send("Enter");
    await term.waitFor(/Run this step \(1 dangerous\)\? \[y\/N\] $/m, 60_000);
    term.type("y");
    term.send("Enter");
    // The stop command's own confirmation, with the guest it will act on.
    await term.waitFor(new RegExp(`Hard-stop 1 VM: ${name} \\(${vmid} on \\S+\\)\\? \\[y/N\\] $`, "m"), 60_000);
    expect(statusOf(name)).toBe("running");
    term.type("y");
    term.send("Enter");
    await term.waitFor(/✔ Step 1\/1 done/, 60_000);
    expect(statusOf(name)).toBe("stopped");
  }, 90_000);
});
