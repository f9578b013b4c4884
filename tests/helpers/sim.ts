/** Start the real simulator for a test, and the environment that points the CLI at it. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator, type RunningSimulator, type SimulatorOptions } from "../../src/sim/index.js";
import { cleanEnv, cli, type CliRun } from "./cli.js";

export type { RunningSimulator };

/** A simulator on 127.0.0.1 with a random port. */
export function startSim(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({ port: 0, taskDelayMs: 5, ...options });
}

/** PROXMOX_VE_* for a simulator (plus extra variables). */
export function simEnv(sim: RunningSimulator, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return cleanEnv({ PROXMOX_VE_ENDPOINT: sim.url, PROXMOX_VE_API_TOKEN: sim.token, ...extra });
}

/** A temp folder, removed by cleanup(). */
export function tempDir(prefix = "mpc-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `init --no-input` of a workspace in a new temp folder; throws if init failed. */
export async function initWorkspace(sim: RunningSimulator, options: { database?: string; extraArgs?: string[] } = {}): Promise<{ dir: string; env: NodeJS.ProcessEnv; cleanup: () => void; run: (args: string[]) => Promise<CliRun> }> {
  const { dir, cleanup } = tempDir("mpc-ws-");
  const env = simEnv(sim);
  const tls = sim.fingerprint ? ["--fingerprint", sim.fingerprint] : [];
  const db = options.database ? ["--database", options.database] : [];
  const result = await cli(["init", dir, "--no-input", ...tls, ...db, ...(options.extraArgs ?? [])], { env, cwd: dir });
  if (result.code !== 0) throw new Error(`init failed (${result.code}): ${result.stderr}`);
  return { dir, env, cleanup, run: (args) => cli(args, { env, cwd: dir }) };
}

/** A simulated guest's name (qemu `name`, lxc `hostname`). */
export function guestName(g: { type: string; config: Record<string, unknown> }): string {
  return String(g.type === "qemu" ? g.config.name : g.config.hostname);
}
