/**
 * The claude engine: Claude Code headless (`claude -p`), reading the
 * workspace through the read-only MCP server (`proxmox-mpc -C ROOT mcp`),
 * answering in the fixed JSON shape. The stream is shown as progress lines;
 * the result event gives the plan, the cost and the duration. An error
 * result (is_error, whatever the subtype says), a non-zero exit, output that
 * is not the expected stream or plan, and a timeout each end in a
 * ClaudeFailure with one line saying why (the face then asks the local engine).
 * Claude never runs anything: the flags give it no built-in tools and only
 * the MCP server's tools, which are read-only.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { extractAnswer, progressLines, type ClaudeAnswer, type ResultEvent } from "./stream.js";

/** Why Claude gave no plan (one line, shown before the local engine answers). */
export class ClaudeFailure extends Error {
  override name = "ClaudeFailure";
}

export interface ClaudeRun {
  /** The claude executable. */
  claude: string;
  /** The workspace root the MCP server serves. */
  root: string;
  prompt: string;
  systemPrompt: string;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal: AbortSignal;
  /** Each progress line as it comes. */
  onProgress: (line: string) => void;
}

export interface ClaudeOutcome extends ClaudeAnswer {
  costUsd?: number;
  durationMs?: number;
  turns?: number;
  /** The whole result text (a diagnosis may say more than its explanation). */
  text: string;
}

/** The MCP server name Claude sees (tools appear as mcp__proxmox-mpc__<tool>). */
export const MCP_SERVER = "proxmox-mpc";

/** The --mcp-config JSON: this workspace's read-only MCP server over stdio. */
export function mcpConfig(root: string): string {
  const bin = fileURLToPath(new URL("../../bin/proxmox-mpc.js", import.meta.url));
  return JSON.stringify({ mcpServers: { [MCP_SERVER]: { type: "stdio", command: process.execPath, args: [bin, "-C", root, "mcp"] } } });
}

/** The arguments of `claude` (the prompt goes on stdin: --mcp-config and --allowedTools take several values). */
export function claudeArgs(root: string, systemPrompt: string): string[] {
  return [
    "-p",
    "--output-format", "stream-json",
    "--verbose",
    "--mcp-config", mcpConfig(root),
    "--strict-mcp-config",
    "--allowedTools", `mcp__${MCP_SERVER}__*`,
    "--tools", "",
    "--permission-mode", "dontAsk",
    "--no-session-persistence",
    "--append-system-prompt", systemPrompt,
  ];
}

/** Run Claude once; the answer, or a ClaudeFailure saying why there is none. */
export function runClaude(run: ClaudeRun): Promise<ClaudeOutcome> {
  return new Promise((resolve, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      // Its own process group: stopping it also stops the MCP server it started.
      child = spawn(run.claude, claudeArgs(run.root, run.systemPrompt), { cwd: run.cwd, env: run.env, stdio: ["pipe", "pipe", "pipe"], detached: process.platform !== "win32" });
    } catch (err) {
      reject(new ClaudeFailure(`claude could not be started: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    let result: ResultEvent | undefined;
    let malformed: string | undefined;
    let stderr = "";
    let failure: string | undefined;
    let settled = false;
    const signal = (name: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined && process.platform !== "win32") process.kill(-child.pid, name);
        else child.kill(name);
      } catch {
        // already gone
      }
    };
    const stop = (why: string): void => {
      failure ??= why;
      signal("SIGTERM");
      setTimeout(() => signal("SIGKILL"), 2000).unref();
    };
    const timer = setTimeout(() => stop(`Claude did not answer within ${Math.round(run.timeoutMs / 1000)} s (stopped)`), run.timeoutMs);
    const onAbort = (): void => stop("cancelled");
    run.signal.addEventListener("abort", onAbort, { once: true });
    child.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(run.prompt);
    const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    lines.on("line", (line) => {
      if (!line.trim()) return;
      let event: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(line);
        if (!parsed || typeof parsed !== "object" || Array.isArray(parsed) || typeof (parsed as { type?: unknown }).type !== "string") throw new Error("not an event");
        event = parsed as Record<string, unknown>;
      } catch {
        malformed ??= line.slice(0, 80);
        return;
      }
      if (event.type === "result") result = event as unknown as ResultEvent;
      for (const progress of progressLines(event)) run.onProgress(progress);
    });
    const finish = (code: number | null, error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      run.signal.removeEventListener("abort", onAbort);
      const tail = stderr.trim().split("\n").pop() ?? "";
      if (failure) return reject(new ClaudeFailure(failure));
      if (error) return reject(new ClaudeFailure(`claude could not be started: ${error.message}`));
      if (result?.is_error) {
        const why = result.result ?? result.errors?.join("; ") ?? result.subtype;
        // Without a login the CLI says subtype "success" with is_error true: the subtype is worth saying only when it says more.
        return reject(new ClaudeFailure(`Claude answered with an error${result.subtype === "success" ? "" : ` (${result.subtype})`}: ${why}`));
      }
      if (code !== 0) return reject(new ClaudeFailure(`claude exited with code ${code ?? "?"}${tail ? `: ${tail}` : ""}`));
      if (!result) return reject(new ClaudeFailure(malformed ? `claude's output is not the stream-json it should be ("${malformed}")` : "claude's output ended without a result"));
      if (result.subtype !== "success") return reject(new ClaudeFailure(`Claude did not finish (${result.subtype})`));
      const text = result.result ?? "";
      const answer = extractAnswer(text);
      if (!answer) return reject(new ClaudeFailure("Claude's answer holds no plan in the expected JSON shape"));
      resolve({ ...answer, text, costUsd: result.total_cost_usd, durationMs: result.duration_ms, turns: result.num_turns });
    };
    child.on("error", (err) => finish(null, err));
    // "close": stdout has been read to the end (the last line is the result).
    child.on("close", (code) => finish(code));
  });
}
