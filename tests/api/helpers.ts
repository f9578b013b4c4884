/**
 * `proxmox-mpc serve --port 0` as a real child process on a workspace, and
 * requests to it over real HTTP.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { BIN } from "../helpers/cli.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";
import type { SimulatorOptions } from "../../src/sim/index.js";

export interface ApiServer {
  url: string;
  /** The admin token printed on the first line, or "(existing)". */
  token: string;
  firstLine: string;
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM (or the given signal); the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export function apiServer(dir: string, env: NodeJS.ProcessEnv, args: string[] = []): Promise<ApiServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "-C", dir, "serve", "--port", "0", ...args], { env, cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
    const timer = setTimeout(() => (child.kill("SIGKILL"), reject(new Error(`serve printed nothing: ${stderr}`))), 20_000);
    child.once("exit", (code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => (stdout += `${line}\n`));
    lines.once("line", (line) => {
      clearTimeout(timer);
      const m = /^listening on (\S+) token (\S+)$/.exec(line);
      if (!m) return reject(new Error(`unexpected first line: ${line}`));
      resolve({ url: m[1], token: m[2], child, firstLine: line, stdout: () => stdout, stderr: () => stderr, stop: async (signal = "SIGTERM") => (child.kill(signal), exited) });
    });
  });
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
  headers: Headers;
}

/** One request; the body as JSON (and as text). */
export async function call(server: Pick<ApiServer, "url">, method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${server.url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON (the docs page)
  }
  return { status: res.status, body, text, headers: res.headers };
}

/** Poll an operation until it is no longer running. */
export async function settled(server: Pick<ApiServer, "url">, token: string, id: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await call(server, "GET", `/api/v1/operations/${id}`, { token });
    if (status !== 200) throw new Error(`GET operation ${id}: ${status} ${JSON.stringify(body)}`);
    if (body.status !== "running") return body;
    if (Date.now() > until) throw new Error(`operation ${id} still running`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type Workspace = Awaited<ReturnType<typeof initWorkspace>>;

/** A simulator and a workspace synced from it (init options: another database). */
export async function syncedWorkspace(simOptions: SimulatorOptions, initOptions: { database?: string } = {}): Promise<{ sim: RunningSimulator; ws: Workspace }> {
  const sim = await startSim(simOptions);
  const ws = await initWorkspace(sim, initOptions);
  const synced = await ws.run(["sync"]);
  if (synced.code !== 0) throw new Error(`sync failed (${synced.code}): ${synced.stderr}`);
  return { sim, ws };
}

/** Stop what a test file started (whatever of it did start). */
export async function stopAll(server: ApiServer | undefined, sim: RunningSimulator | undefined, ws: Workspace | undefined): Promise<void> {
  await server?.stop();
  await sim?.close();
  ws?.cleanup();
}
