/**
 * Rotation and retention as a user configures them (config.yaml `logs:`),
 * with real command runs in fresh processes; and debug mode's stack traces.
 */
import { appendFileSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cliProcess } from "../helpers/cli.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeAll(async () => {
  sim = await startSim({ size: 4 });
  ws = await initWorkspace(sim);
});
afterAll(async () => {
  await sim.close();
  ws.cleanup();
});

it("a small maxFileMiB splits the day's log into parts, and files older than retentionDays are pruned", async () => {
  const logs = join(ws.dir, ".proxmox-mpc", "logs");
  appendFileSync(join(ws.dir, ".proxmox-mpc", "config.yaml"), "logs:\n  retentionDays: 2\n  maxFileMiB: 0.0005\n");
  writeFileSync(join(logs, "2020-01-01.jsonl"), '{"level":"info","time":"2020-01-01T00:00:00.000Z","msg":"ancient"}\n');
  for (let i = 0; i < 3; i++) expect((await cliProcess(["status", "--offline"], { cwd: ws.dir, env: ws.env })).code).toBe(0);
  expect(existsSync(join(logs, "2020-01-01.jsonl"))).toBe(false);
  const today = new Date().toISOString().slice(0, 10);
  const parts = readdirSync(logs).filter((f) => f.startsWith(today));
  expect(parts.length).toBeGreaterThan(2);
  const run = await cliProcess(["logs", "--op", "status", "--limit", "1000", "-o", "json"], { cwd: ws.dir, env: ws.env });
  expect(run.code).toBe(0);
  const entries = JSON.parse(run.stdout) as { message: string }[];
  expect(entries.filter((e) => e.message === "command finished")).toHaveLength(3);
});

it("with debug on, a failing command prints its stack trace and its API calls", async () => {
  expect((await cliProcess(["debug", "on"], { cwd: ws.dir, env: ws.env })).code).toBe(0);
  sim.cluster.failPath("/cluster/resources", 500);
  try {
    const run = await cliProcess(["get", "vms", "--live"], { cwd: ws.dir, env: ws.env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/debug api GET \/cluster\/resources → 500 \d+ ms \(attempt 1\)/);
    expect(run.stderr).toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // a stack frame
  } finally {
    sim.cluster.failPath("/cluster/resources", null);
  }
  expect((await cliProcess(["debug", "off"], { cwd: ws.dir, env: ws.env })).stdout).toContain("Debug mode off");
  expect(existsSync(join(ws.dir, ".proxmox-mpc", "debug"))).toBe(false);
});
