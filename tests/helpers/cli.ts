/**
 * Drive the real CLI: in-process through runCli with captured streams (fast),
 * or as a child process through bin/proxmox-mpc.js (needs `npm run build`,
 * which `npm test` runs first).
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { runCli } from "../../src/cli/main.js";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BIN = join(REPO_ROOT, "bin", "proxmox-mpc.js");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A clean environment: no PROXMOX_VE_* or DATABASE_URL leaking in from the machine. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("PROXMOX_VE_") && k !== "DATABASE_URL" && !k.startsWith("PROXMOX_MPC_")) env[k] = v;
  }
  env.NO_COLOR = "1";
  return { ...env, ...extra };
}

/** Run the CLI in this process. */
export async function cli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; signal?: AbortSignal } = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const sink = (append: (s: string) => void): Writable => new Writable({ write: (chunk, _enc, cb) => (append(String(chunk)), cb()) });
  const code = await runCli(args, {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    env: options.env ?? cleanEnv(),
    cwd: options.cwd ?? process.cwd(),
    isTTY: false,
    signal: options.signal,
  });
  return { code, stdout, stderr };
}

/** Run the CLI in this process as on a terminal whose user answers `answer` to every question; `asked` lists the questions. */
export async function cliOnTerminal(args: string[], options: { env: NodeJS.ProcessEnv; cwd: string; answer: string; signal?: AbortSignal }): Promise<CliRun & { asked: string[] }> {
  let stdout = "";
  let stderr = "";
  const asked: string[] = [];
  const sink = (append: (s: string) => void): Writable => new Writable({ write: (chunk, _enc, cb) => (append(String(chunk)), cb()) });
  const code = await runCli(args, {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    env: options.env,
    cwd: options.cwd,
    isTTY: true,
    signal: options.signal,
    ask: async (question: string) => (asked.push(question), options.answer),
  });
  return { code, stdout, stderr, asked };
}

/** Run bin/proxmox-mpc.js as a child process. */
export function cliProcess(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: options.env ?? cleanEnv(), cwd: options.cwd ?? REPO_ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}
