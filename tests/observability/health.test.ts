/**
 * `health` against the real simulator: healthy, unreachable (a closed port),
 * a wrong token, a nearly full storage, a slow server under --timeout, and
 * --watch (refused without a terminal; redraws in place with one).
 */
import { createServer } from "node:net";
import { runCommand } from "../../src/commands/runner.js";
import { healthCommand } from "../../src/commands/health.js";
import { loadWorkspace } from "../../src/core/workspace.js";
import { ScriptedUI } from "../../src/core/ui.js";
import type { HealthReport } from "../../src/observability/health-types.js";
import { cleanEnv, cli } from "../helpers/cli.js";
import { testContext } from "../helpers/context.js";
import { initWorkspace, startSim, tempDir, type RunningSimulator } from "../helpers/sim.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeAll(async () => {
  sim = await startSim({ size: 6 });
  ws = await initWorkspace(sim);
});
afterAll(async () => {
  ws.cleanup();
  await sim.close();
});

/** A loaded machine may take seconds to start ansible: room enough that only a real failure fails. */
const ROOMY = ["--timeout", "60"];

const byName = (report: HealthReport, name: string) => report.checks.find((c) => c.name === name);

it("a healthy simulator: every group reported, nothing fails, exit 0, JSON shape", async () => {
  const run = await ws.run(["health", "-o", "json", ...ROOMY]);
  expect(run.code).toBe(0);
  const report = JSON.parse(run.stdout) as HealthReport;
  expect(report.status).not.toBe("fail");
  for (const c of report.checks) expect(Object.keys(c)).toEqual(expect.arrayContaining(["name", "status", "figure", "message"]));
  expect(byName(report, "Proxmox server")).toMatchObject({ status: "ok", figure: expect.stringMatching(/^\d+ ms$/) });
  expect(byName(report, "API token")?.status).toBe("ok");
  expect(byName(report, "Token privileges")).toMatchObject({ status: "ok", figure: "sync yes, apply yes" });
  expect(byName(report, "TLS trust")).toMatchObject({ status: "warn", figure: "plain HTTP" });
  expect(byName(report, "Database")).toMatchObject({ status: "ok", figure: expect.stringMatching(/ms$/) });
  expect(byName(report, "Migrations")?.status).toBe("ok");
  expect(byName(report, "Workspace access")).toMatchObject({ status: "ok", figure: "read/write" });
  expect(byName(report, "Free disk")?.figure).toMatch(/free$/);
  expect(byName(report, "Nodes")).toMatchObject({ status: "ok", figure: expect.stringMatching(/^(\d+)\/\1 online$/) });
  expect(byName(report, "Quorum")?.status).toBe("ok");
  expect(byName(report, "VMs")?.figure).toMatch(/^\d+ running, \d+ stopped$/);
  expect(byName(report, "Storage")?.status).toBe("ok");
  expect(byName(report, "Memory")?.figure).toMatch(/^\d+% /);
  expect(byName(report, "Last sync")).toMatchObject({ status: "warn", figure: "never" });
  for (const tool of ["Terraform", "Ansible", "Claude"]) {
    const c = byName(report, tool);
    expect(c?.status).not.toBe("fail");
    if (c?.status === "warn") expect(c.message).toMatch(/not on PATH: |failed: /);
  }
  expect(run.stdout).not.toContain(sim.token.split("=")[1]);
});

it("the console rendering: a headline, groups with icons, figures and explanations", async () => {
  const run = await ws.run(["health", ...ROOMY]);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^🟡 System Health: Operational with warnings/);
  expect(run.stdout).toContain("🔗 Connectivity:");
  expect(run.stdout).toMatch(/✅ Proxmox server\s+\d+ ms — .* answered: Proxmox VE/);
  expect(run.stdout).toMatch(/⚠️ {2}TLS trust\s+plain HTTP — /);
  expect(run.stdout).toContain("📊 Cluster:");
  expect(run.stdout).toContain("🔄 State:");
});

it("a wrong token: the server answers, the token check fails, exit 1, the secret is not shown", async () => {
  const env = { ...ws.env, PROXMOX_VE_API_TOKEN: "root@pam!mpc=not-the-right-secret-0001" };
  const run = await cli(["health", "-o", "json", ...ROOMY], { env, cwd: ws.dir });
  expect(run.code).toBe(1);
  const report = JSON.parse(run.stdout) as HealthReport;
  expect(report.status).toBe("fail");
  expect(byName(report, "Proxmox server")?.status).toBe("ok");
  expect(byName(report, "API token")).toMatchObject({ status: "fail", message: expect.stringContaining("was rejected") });
  expect(byName(report, "Cluster")?.status).toBe("warn");
  expect(run.stdout + run.stderr).not.toContain("not-the-right-secret-0001");
});

it("a nearly full storage is a warning naming it and its use", async () => {
  const storage = sim.cluster.storages.get("local")!;
  const before = storage.baseUsed;
  storage.baseUsed = Math.round(storage.total * 0.9);
  // Changed behind the model's back: a new revision, or /cluster/resources answers from its cache of this second.
  sim.cluster.revision++;
  try {
    const report = JSON.parse((await ws.run(["health", "-o", "json", ...ROOMY])).stdout) as HealthReport;
    expect(byName(report, "Storage")).toMatchObject({ status: "warn", figure: expect.stringMatching(/^9\d% local on /), message: expect.stringContaining("at or above 85% used") });
  } finally {
    storage.baseUsed = before;
    sim.cluster.revision++;
  }
});

it("an unreachable server (a closed port): the server check fails, local checks still run, exit 1", async () => {
  const closed = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const { dir, cleanup } = tempDir();
  try {
    const env = cleanEnv({ PROXMOX_VE_ENDPOINT: `http://127.0.0.1:${closed}`, PROXMOX_VE_API_TOKEN: sim.token });
    const run = await cli(["health", "-o", "json"], { env, cwd: dir });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as HealthReport;
    expect(byName(report, "Proxmox server")).toMatchObject({ status: "fail", message: expect.stringContaining("unreachable") });
    expect(byName(report, "Workspace")).toMatchObject({ status: "warn", figure: "none" });
    expect(byName(report, "Terraform")).toBeDefined();
  } finally {
    cleanup();
  }
});

it("a server slower than --timeout: that check fails with the timeout, the rest still report", async () => {
  const slow = await startSim({ size: 2, latencyMs: 3000 });
  const { dir, cleanup } = tempDir();
  try {
    const env = cleanEnv({ PROXMOX_VE_ENDPOINT: slow.url, PROXMOX_VE_API_TOKEN: slow.token });
    const run = await cli(["health", "-o", "json", "--timeout", "0.3"], { env, cwd: dir });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as HealthReport;
    expect(byName(report, "Proxmox server")?.status).toBe("fail");
    expect(report.checks.some((c) => c.message.includes("within 0.3 s"))).toBe(true);
    // A tool slow to print its version under the short timeout is a warning: tools are optional.
    for (const tool of ["Terraform", "Ansible", "Claude"]) expect(byName(report, tool)?.status).not.toBe("fail");
    expect(byName(report, "Workspace")).toMatchObject({ status: "warn", figure: "none" });
  } finally {
    cleanup();
    await slow.close();
  }
});

it("--watch without a terminal is a usage error (exit 2)", async () => {
  const run = await ws.run(["health", "--watch"]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain("--watch redraws a terminal");
});

it("--watch on a terminal redraws the report in place until Ctrl-C", async () => {
  const controller = new AbortController();
  const ui = new ScriptedUI([], true);
  const emit = ui.emit.bind(ui);
  ui.emit = (line: string) => {
    emit(line);
    if (ui.lines.length === 2) controller.abort();
  };
  const workspace = await loadWorkspace(ws.dir);
  const ctx = testContext({ workspace, env: ws.env, ui, signal: controller.signal, command: "health" });
  try {
    const result = await runCommand(healthCommand, ctx, { args: [], options: { watch: true, interval: 0.1, timeout: 60 } });
    expect(result).toMatchObject({ kind: "none", exitCode: 0 });
    expect(ui.lines).toHaveLength(2);
    // The first frame clears the screen; the next ones go home and overwrite it, erasing what is left.
    expect(ui.lines[0].startsWith("\x1b[2J\x1b[H")).toBe(true);
    expect(ui.lines[1].startsWith("\x1b[H")).toBe(true);
    for (const frame of ui.lines) {
      expect(frame).toContain("System Health");
      expect(frame).toMatch(/every 0\.1 s — Ctrl-C to stop\.\x1b\[K\x1b\[J$/);
    }
  } finally {
    await ctx.services.close();
  }
});
