/**
 * Where a Proxmox token secret lives, for a context (contexts.yaml) and for a
 * workspace (config.yaml): an environment variable, a file, a command whose
 * output is the secret, or a key of a HashiCorp Vault KV v2 secret
 * (`vault://MOUNT/PATH#KEY`, core/vault.ts). Resolving one never blocks the
 * event loop: the command runs as a child process, Vault is read over HTTP.
 * The secret is registered for redaction before it is returned.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { ProxmoxMpcError } from "./errors.js";
import { registerSecret } from "./redact.js";
import { isVaultReference, parseVaultReference, readVaultSecret, VAULT_REFERENCE_HINT } from "./vault.js";

/** Where a token secret lives. */
export type SecretSource =
  | { kind: "env"; name: string }
  | { kind: "file"; path: string }
  /** Run with a shell; its standard output, trimmed, is the secret. */
  | { kind: "command"; command: string; timeoutSeconds?: number }
  /** `vault://MOUNT/PATH#KEY`: a key of a Vault KV v2 secret ($VAULT_ADDR, $VAULT_TOKEN). */
  | { kind: "vault"; reference: string };

/** How long a secret_command may run (seconds) unless the context says (secret_timeout). */
export const DEFAULT_SECRET_TIMEOUT = 10;

/** Whose secret is resolved, for the messages: "The token secret of context lab", its token id, how to change the source. */
export interface SecretOwner {
  what: string;
  tokenId: string;
  /** What to do when the source itself is wrong (e.g. "change the context (proxmox-mpc context add lab … again)"). */
  change: string;
}

/** Describe where a secret lives (never the secret). */
export function describeSecretSource(source: SecretSource): string {
  switch (source.kind) {
    case "env":
      return `environment variable ${source.name}`;
    case "file":
      return `file ${source.path}`;
    case "command":
      return `command \`${source.command}\``;
    case "vault":
      return `Vault ${source.reference}`;
  }
}

/**
 * Why a `secret:` value is not a Vault reference, and what to do (undefined when it is one). The value is
 * never repeated unless it starts with vault:// (anything else may be the secret itself, pasted by mistake).
 */
export function vaultReferenceProblem(value: unknown, file: string): { what: string; hint: string } | undefined {
  if (typeof value !== "string" || !isVaultReference(value)) {
    return { what: `\`secret\` must be a Vault reference (vault://MOUNT/PATH#KEY): the secret itself never goes in ${file}`, hint: `Keep the secret in Vault and write where: ${VAULT_REFERENCE_HINT.replace(/^Write it as /, "")}` };
  }
  if (!parseVaultReference(value)) return { what: `\`secret\` (${value}) is not of the form vault://MOUNT/PATH#KEY`, hint: VAULT_REFERENCE_HINT };
  return undefined;
}

/**
 * The token secret from where it lives; registered for redaction before it is returned. A missing variable
 * or file, a command that fails, prints nothing or runs past its timeout, or a Vault read that fails is a
 * clear error (exit 2).
 */
export async function resolveSecretSource(source: SecretSource, env: NodeJS.ProcessEnv, owner: SecretOwner): Promise<string> {
  const failed = (what: string, hint: string): never => {
    throw new ProxmoxMpcError(`${owner.what}: ${what}.`, { code: "context-secret", hint, exitCode: 2 });
  };
  let value: string | undefined;
  if (source.kind === "vault") {
    value = await readVaultSecret(source.reference, env, owner.what);
  } else if (source.kind === "env") {
    value = env[source.name]?.trim();
    if (!value) failed(`the environment variable ${source.name} is not set`, `Set ${source.name} to the secret of ${owner.tokenId}.`);
  } else if (source.kind === "file") {
    const path = expandHome(source.path, env);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      return failed(`cannot read ${path}`, `Write the secret of ${owner.tokenId} to ${path} (mode 0600), or ${owner.change}.`);
    }
    value = text
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l && !l.startsWith("#"));
    if (!value) failed(`${path} is empty`, `Write the secret of ${owner.tokenId} to ${path} (mode 0600).`);
  } else {
    const seconds = source.timeoutSeconds ?? DEFAULT_SECRET_TIMEOUT;
    const run = await runSecretCommand(source.command, env, seconds);
    const hint = `Run the command yourself to check it, or ${owner.change}.`;
    if (run.timedOut) failed(`the secret command did not finish within ${seconds} s`, hint);
    if (run.error) failed(`the secret command could not run (${run.error.message})`, hint);
    if (run.status !== 0) {
      const why = run.stderr.trim().split("\n").pop()?.slice(0, 200);
      failed(`the secret command failed (${run.signal ? `killed by ${run.signal}` : `exit ${run.status}`})${why ? `: ${why}` : ""}`, hint);
    }
    value = run.stdout.trim();
    if (!value) failed("the secret command printed nothing", hint);
  }
  registerSecret(value);
  return value!;
}

/** What a secret command did. */
interface CommandRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  error?: Error;
}

/**
 * Run a command with a shell, its own process group (on a timeout the whole group is killed, so a
 * `sleep` under the shell does not keep the pipes open), stdout and stderr kept up to 1 MiB each.
 */
function runSecretCommand(command: string, env: NodeJS.ProcessEnv, seconds: number): Promise<CommandRun> {
  return new Promise((resolve) => {
    const child = spawn(command, { shell: true, env, stdio: ["ignore", "pipe", "pipe"], detached: process.platform !== "win32" });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let error: Error | undefined;
    child.stdout.setEncoding("utf8").on("data", (d: string) => void (stdout.length < 1 << 20 && (stdout += d)));
    child.stderr.setEncoding("utf8").on("data", (d: string) => void (stderr.length < 1 << 20 && (stderr += d)));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, seconds * 1000);
    const finish = (status: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, timedOut, error });
    };
    // A shell that cannot start emits "error" (and maybe no "close"); resolving twice is harmless.
    child.on("error", (err) => ((error = err), finish(null, null)));
    child.on("close", finish);
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(process.platform === "win32" ? pid : -pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** `~/x` → $HOME/x; other paths as they are. */
export function expandHome(path: string, env: NodeJS.ProcessEnv): string {
  return path === "~" || path.startsWith("~/") ? join(env.HOME || homedir(), path.slice(1)) : path;
}
