/**
 * Shared by the natural-language tests: a workspace synced from the simulator,
 * a PATH with the stand-in `claude` (tests/fixtures/bin/claude, a stand-in for the
 * real CLI, which needs a login no test has) or without any claude, and the real
 * CLI as a child process.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { cliProcess, REPO_ROOT, type CliRun } from "../helpers/cli.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

export const STANDIN = join(REPO_ROOT, "tests", "fixtures", "bin", "claude");

export interface NlFixture {
  sim: RunningSimulator;
  ws: Awaited<ReturnType<typeof initWorkspace>>;
  /** A folder holding only `claude` → the stand-in. */
  claudeDir: string;
  /** PATH with the stand-in first. */
  withClaude: string;
  /** PATH with node only (no claude anywhere). */
  withoutClaude: string;
  /** Run the real CLI in the workspace. */
  run(args: string[], options?: { env?: Record<string, string | undefined>; claude?: boolean; input?: string; timeoutMs?: number }): Promise<CliRun>;
  /** Add lines to the workspace's config.yaml until restore(). */
  configure(yaml: string): void;
  restore(): void;
  /** The stand-in's log lines of this fixture. */
  log(): Record<string, unknown>[];
  close(): Promise<void>;
}

export async function nlFixture(options: { size?: number; seed?: number } = {}): Promise<NlFixture> {
  const sim = await startSim({ size: options.size ?? 40, randomSeed: options.seed ?? 5 });
  const ws = await initWorkspace(sim);
  const synced = await ws.run(["sync"]);
  if (synced.code !== 0) throw new Error(`sync failed: ${synced.stderr}`);
  const claudeDir = mkdtempSync(join(tmpdir(), "mpc-claude-"));
  symlinkSync(STANDIN, join(claudeDir, "claude"));
  const logFile = join(claudeDir, "standin.log");
  writeFileSync(logFile, "");
  const withoutClaude = dirname(process.execPath);
  const withClaude = `${claudeDir}:${withoutClaude}`;
  const configFile = join(ws.dir, ".proxmox-mpc", "config.yaml");
  const original = readFileSync(configFile, "utf8");
  return {
    sim,
    ws,
    claudeDir,
    withClaude,
    withoutClaude,
    run: (args, o = {}) =>
      cliProcess(args, { cwd: ws.dir, env: { ...ws.env, PATH: o.claude === false ? withoutClaude : withClaude, CLAUDE_STANDIN_LOG: logFile, ...o.env }, input: o.input, timeoutMs: o.timeoutMs ?? 90_000 }),
    configure: (yaml) => appendFileSync(configFile, `\n${yaml}\n`),
    restore: () => writeFileSync(configFile, original),
    log: () => readFileSync(logFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
    close: async () => {
      await sim.close();
      ws.cleanup();
      rmSync(claudeDir, { recursive: true, force: true });
    },
  };
}

/** The plan a stand-in answers (CLAUDE_STANDIN_PLAN). */
export function standinPlan(commands: string[], explanation = "The plan.", confidence = 0.85): Record<string, string> {
  return { CLAUDE_STANDIN_PLAN: JSON.stringify({ commands, confidence, explanation }) };
}
