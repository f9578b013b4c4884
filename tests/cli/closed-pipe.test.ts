/**
 * Output into a pipe whose reader goes away early (`proxmox-mpc destroy --help
 * | head -12`) ends quietly: no EPIPE stack trace, and the command's own exit
 * code (0 for help and for a data command that succeeded). Driven through the
 * real CLI (bin/proxmox-mpc.js) as a child process with stdout a pipe.
 */
import { spawn } from "node:child_process";
import { COMMANDS } from "../../src/commands/registry.js";
import { openStore } from "../../src/state/index.js";
import { BIN } from "../helpers/cli.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

interface ClosedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** What was read before the pipe was closed. */
  read: string;
}

/**
 * Run the CLI with stdout a pipe that this side closes: at once (`"start"`),
 * or after the first chunk arrived (`"first-chunk"`, like `head -c`).
 */
function runClosingStdout(args: string[], opts: { env: NodeJS.ProcessEnv; cwd: string; close: "start" | "first-chunk"; input?: string }): Promise<ClosedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: opts.env, cwd: opts.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    let read = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    if (opts.close === "start") child.stdout.destroy();
    else {
      child.stdout.once("data", (d: Buffer) => {
        read = d.toString();
        child.stdout.destroy();
      });
    }
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, read });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** Exit code, signal and stderr: a quiet end has no EPIPE error or stack trace on stderr. */
const outcome = (run: ClosedRun): { code: number | null; signal: NodeJS.Signals | null; stderr: string } => ({ code: run.code, signal: run.signal, stderr: run.stderr });
const QUIET_OK = { code: 0, signal: null, stderr: "" };

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeAll(async () => {
  // Enough guests that `get vms -o json` is far larger than a pipe's buffer (64 KiB):
  // the CLI is still writing when the reader closes after the first chunk.
  sim = await startSim({ size: 1200, randomSeed: 4 });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
}, 120_000);
afterAll(async () => {
  await sim?.close();
  ws?.cleanup();
});

it("destroy --help | head ends quietly with exit 0", async () => {
  const run = await runClosingStdout(["destroy", "--help"], { env: ws.env, cwd: ws.dir, close: "start" });
  expect(outcome(run)).toEqual(QUIET_OK);
});

it("--help of every command in the registry, and of the program, ends quietly with exit 0", async () => {
  // Help is smaller than a pipe's buffer, so the reader closes before the first byte: every write fails.
  const argvs = [["--help"], ["--version"], ...COMMANDS.map((c) => [c.name, "--help"])];
  const runs: [string, ClosedRun][] = [];
  for (let i = 0; i < argvs.length; i += 4) {
    const batch = argvs.slice(i, i + 4);
    const results = await Promise.all(batch.map((argv) => runClosingStdout(argv, { env: ws.env, cwd: ws.dir, close: "start" })));
    results.forEach((r, j) => runs.push([batch[j].join(" "), r]));
  }
  for (const [argv, run] of runs) expect({ argv, ...outcome(run) }).toEqual({ argv, ...QUIET_OK });
}, 120_000);

it("get vms -o json into a reader that leaves after the first bytes ends quietly with exit 0", async () => {
  const full = await ws.run(["get", "vms", "-o", "json"]);
  expect(full.stdout.length).toBeGreaterThan(256 * 1024);
  const run = await runClosingStdout(["get", "vms", "-o", "json"], { env: ws.env, cwd: ws.dir, close: "first-chunk" });
  expect(run.read.startsWith("[")).toBe(true);
  expect(run.read.length).toBeLessThan(full.stdout.length);
  expect(outcome(run)).toEqual(QUIET_OK);
});

it("the piped console stops reading commands once its reader has gone", async () => {
  const lines = 10;
  const run = await runClosingStdout([], { env: ws.env, cwd: ws.dir, close: "first-chunk", input: "get vms -o json\n".repeat(lines) });
  expect(outcome(run)).toEqual(QUIET_OK);
  const store = await openStore({ url: `file:${ws.dir}/.proxmox-mpc/state.db` });
  try {
    // The first command's output filled the pipe; the nine after it would have gone nowhere.
    expect(await store.operations.list({ actor: "console", command: "get" })).toHaveLength(1);
  } finally {
    await store.close();
  }
});
