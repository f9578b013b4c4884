/**
 * Running one terraform command: output streamed line by line as it arrives,
 * Ctrl-C forwarded as exactly one SIGINT (terraform then stops gracefully and
 * saves its state; a second SIGINT would make it exit at once and risk the
 * state), and an optional timeout.
 */
import { spawn } from "node:child_process";
import { StringDecoder } from "node:string_decoder";
import { ProxmoxMpcError } from "../../core/errors.js";

/** Which of terraform's outputs a line came from. */
export type OutputStream = "stdout" | "stderr";

/** How to run one terraform command. */
export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Aborted (Ctrl-C): terraform gets one SIGINT and is waited for. */
  signal: AbortSignal;
  /** Each complete line (no newline) as soon as terraform has written it. */
  onLine?: (line: string, stream: OutputStream) => void;
  /** Stop a command that runs longer than this (ms); 0 or undefined: no limit. */
  timeoutMs?: number;
  /** After the SIGINT of a timeout, SIGKILL when terraform has not exited within this (ms). Default 30 s. */
  killAfterMs?: number;
}

/** How a terraform command ended, with everything it printed. */
export interface RunResult {
  /** Exit code; null when ended by a signal or not started (cancelled before). */
  code: number | null;
  exitSignal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The signal was aborted: terraform got SIGINT (or was never started). */
  cancelled: boolean;
  timedOut: boolean;
  durationMs: number;
}

/**
 * Run `bin args…` in `cwd` without a shell. Resolves when the process has exited and its
 * output is complete; rejects only when it cannot be started at all.
 */
export function runTerraform(bin: string, args: string[], options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  if (options.signal.aborted) {
    return Promise.resolve({ code: null, exitSignal: null, stdout: "", stderr: "", cancelled: true, timedOut: false, durationMs: 0 });
  }
  return new Promise((resolve, reject) => {
    // Own process group: a terminal's Ctrl-C reaches only proxmox-mpc, which forwards one SIGINT.
    const child = spawn(bin, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const captured: Record<OutputStream, string[]> = { stdout: [], stderr: [] };
    let cancelled = false;
    let timedOut = false;
    let interrupted = false;
    let killTimer: NodeJS.Timeout | undefined;

    const interrupt = (): void => {
      if (interrupted || child.exitCode !== null || child.signalCode !== null) return;
      interrupted = true;
      child.kill("SIGINT");
    };
    const onAbort = (): void => {
      cancelled = true;
      interrupt();
    };
    options.signal.addEventListener("abort", onAbort, { once: true });
    const timer =
      options.timeoutMs && options.timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            interrupt();
            killTimer = setTimeout(() => child.kill("SIGKILL"), options.killAfterMs ?? 30_000);
          }, options.timeoutMs)
        : undefined;

    for (const stream of ["stdout", "stderr"] as const) {
      const decoder = new StringDecoder("utf8");
      let partial = "";
      const emit = (line: string): void => {
        const clean = line.endsWith("\r") ? line.slice(0, -1) : line;
        captured[stream].push(clean);
        options.onLine?.(clean, stream);
      };
      child[stream].on("data", (chunk: Buffer) => {
        const parts = (partial + decoder.write(chunk)).split("\n");
        partial = parts.pop() ?? "";
        for (const line of parts) emit(line);
      });
      child[stream].on("end", () => {
        const rest = partial + decoder.end();
        partial = "";
        if (rest !== "") emit(rest);
      });
    }

    const finish = (): void => {
      options.signal.removeEventListener("abort", onAbort);
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
    };
    child.on("error", (err: NodeJS.ErrnoException) => {
      finish();
      reject(
        new ProxmoxMpcError(`Could not run ${bin}: ${err.code ?? err.message}.`, {
          code: "terraform-not-runnable",
          hint: "Check that the terraform binary on PATH is executable, or run with --engine native.",
          cause: err,
        }),
      );
    });
    child.on("close", (code, exitSignal) => {
      finish();
      resolve({
        code,
        exitSignal,
        stdout: captured.stdout.join("\n"),
        stderr: captured.stderr.join("\n"),
        cancelled,
        timedOut,
        durationMs: Date.now() - started,
      });
    });
  });
}

/** The last `count` non-empty lines of a command's stderr (or of its stdout when stderr is empty). */
export function lastLines(result: Pick<RunResult, "stdout" | "stderr">, count = 10): string[] {
  const pick = (text: string): string[] => text.split("\n").map((l) => l.trimEnd()).filter((l) => l.trim() !== "" && !/^[╷╵]$/.test(l.trim()));
  const lines = pick(result.stderr);
  return (lines.length ? lines : pick(result.stdout)).slice(-count);
}
