/**
 * The entry point (bin/proxmox-mpc loads it): owns the process — argv, the
 * real streams, signals, the exit code — and picks the face: the console
 * when argv holds only global flags, else the shell CLI, which hands over to
 * the console when a command asks for it (demo).
 */
import type { ConsoleRequest, NlRequest, ServeRequest } from "./cli/main.js";

/** Run proxmox-mpc as the process. */
export async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const isTTY = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  if (wantsConsole(argv)) {
    process.exitCode = await openConsole({ argv, env: process.env, cwd: process.cwd() }, isTTY);
    return;
  }
  const controller = new AbortController();
  let interrupts = 0;
  process.on("SIGINT", () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    controller.abort();
  });
  process.on("SIGTERM", () => controller.abort());
  const { runCli } = await import("./cli/main.js");
  const code = await runCli(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    isTTY,
    columns: process.stdout.columns,
    signal: controller.signal,
    openConsole: (request) => openConsole(request, isTTY),
    serve,
    naturalLanguage,
  });
  process.exitCode = controller.signal.aborted && code !== 0 ? 130 : code;
}

/** The console on the process's streams. */
async function openConsole(request: ConsoleRequest, isTTY: boolean): Promise<number> {
  const { runConsole } = await import("./console/repl.js");
  return runConsole({ argv: request.argv, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: request.env, cwd: request.cwd, isTTY });
}

/** The long-running face a command asked for (mcp) on the process's streams, until a signal ends it. */
async function serve(request: ServeRequest): Promise<number> {
  if (request.face === "api") {
    const { serveApi } = await import("./api/serve.js");
    return serveApi({ ...request, stdout: process.stdout, stderr: process.stderr });
  }
  const { serveMcp } = await import("./mcp/serve.js");
  return serveMcp({ ...request, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
}

/** The natural-language face for a command that hands English over (ask, report-issue --analyze). */
async function naturalLanguage(request: NlRequest): Promise<number> {
  const { runNl } = await import("./nl/face.js");
  return runNl(request);
}

/** Global flags that may stand alone (`proxmox-mpc -C dir` opens the console there). */
const CONSOLE_FLAGS = new Set(["--debug", "--no-color", "--no-input", "-y", "--yes"]);
const CONSOLE_FLAGS_WITH_VALUE = new Set(["-C", "--workspace", "-o", "--output", "--context"]);

/** True when argv holds only global flags: the user wants the console. */
export function wantsConsole(argv: string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    if (CONSOLE_FLAGS_WITH_VALUE.has(argv[i])) i++;
    else if (!CONSOLE_FLAGS.has(argv[i])) return false;
  }
  return true;
}
