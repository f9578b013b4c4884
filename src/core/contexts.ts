/**
 * Contexts: the Proxmox VE servers a user works with, kept per user in
 * `$XDG_CONFIG_HOME/proxmox-mpc/contexts.yaml` (default ~/.config/…; the file
 * mode 0600, its folder 0700), like kubectl's contexts. Each names an
 * endpoint, a token id, how the certificate is trusted and where the token
 * secret lives (an environment variable, a file, a command whose output is
 * the secret, or a key in HashiCorp Vault: `secret: vault://kv/proxmox#token`;
 * core/secret-source.ts) — never the secret itself: a file that holds one is
 * refused.
 *
 * Which context a run uses (docs/day2.md "Several clusters"): --context NAME,
 * else $PROXMOX_MPC_CONTEXT, else the workspace's own (`context:` in
 * config.yaml, written by `init --context`), else, outside a workspace and
 * without PROXMOX_VE_*, the current one (`context use`).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "./errors.js";
import { expandHome, resolveSecretSource, vaultReferenceProblem, type SecretSource } from "./secret-source.js";

export { DEFAULT_SECRET_TIMEOUT, describeSecretSource, expandHome, type SecretSource } from "./secret-source.js";

/** One context (the file's keys are snake_case: token_id, secret_env, …). */
export interface ServerContext {
  name: string;
  endpoint: string;
  /** `user@realm!tokenid` (no secret). */
  tokenId: string;
  /** How the certificate is trusted: at most one (none: the system CAs). `ca` is an absolute path. */
  tls: { fingerprint?: string; ca?: string; insecure?: boolean };
  secret: SecretSource;
}

export interface ContextsFile {
  current?: string;
  contexts: ServerContext[];
}

/** A context in effect for a run, and what chose it. */
export interface ContextInEffect {
  context: ServerContext;
  source: "flag" | "env" | "workspace" | "current";
}

export const CONTEXT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** `user@realm!tokenid`, without a secret. */
export const TOKEN_ID = /^[^@!\s=]+@[^@!\s=]+![A-Za-z][\w.-]*$/;
const KEYS = new Set(["endpoint", "token_id", "fingerprint", "ca", "insecure", "secret_env", "secret_file", "secret_command", "secret_timeout", "secret"]);
/** Keys that would hold a secret itself: refused with a clear error. */
const SECRET_LIKE = /secret|password|passwd|token$|api_token|apitoken/i;

/** `$XDG_CONFIG_HOME/proxmox-mpc/contexts.yaml` (default ~/.config/proxmox-mpc/contexts.yaml). */
export function contextsPath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith("/") ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), ".config");
  return join(base, "proxmox-mpc", "contexts.yaml");
}

/** js-yaml, loaded on first use only (synchronously: a run's context is resolved while its context is built). */
function yaml(): typeof import("js-yaml") {
  return createRequire(import.meta.url)("js-yaml") as typeof import("js-yaml");
}

/** The contexts file (none yet: no contexts). Refuses a file that holds a secret. */
export function readContexts(env: NodeJS.ProcessEnv): ContextsFile {
  const file = contextsPath(env);
  if (!existsSync(file)) return { contexts: [] };
  // Its secret_command runs with a shell: a file others may write is refused, like ssh's config.
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o022) {
    throw new UsageError(`${file} is writable by others (mode ${mode.toString(8).padStart(4, "0")}): its secret commands could be anyone's.`, `Check it, then: chmod 600 ${file}`, "contexts-mode");
  }
  let parsed: unknown;
  try {
    parsed = yaml().load(readFileSync(file, "utf8"));
  } catch (err) {
    const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new UsageError(`${file} is not valid YAML: ${reason}.`, "Fix the file, or remove it and add the contexts again with `proxmox-mpc context add`.", "invalid-contexts");
  }
  return checkContexts(parsed, file);
}

/** Validate a parsed contexts file with one-line errors. */
export function checkContexts(value: unknown, file: string): ContextsFile {
  const fail = (what: string, hint = "Fix the file, or remove the context and add it again with `proxmox-mpc context add`."): never => {
    throw new UsageError(`${file}: ${what}.`, hint, "invalid-contexts");
  };
  if (value === null || value === undefined) return { contexts: [] };
  if (typeof value !== "object" || Array.isArray(value)) fail("expected a mapping with `current` and `contexts`");
  const doc = value as Record<string, unknown>;
  for (const key of Object.keys(doc)) {
    if (key !== "current" && key !== "contexts") {
      if (SECRET_LIKE.test(key)) fail(`\`${key}\` looks like a secret, and this file never holds secrets`, SECRET_HINT);
      fail(`unknown key \`${key}\` (expected current and contexts)`);
    }
  }
  const raw = doc.contexts ?? {};
  if (typeof raw !== "object" || Array.isArray(raw)) fail("`contexts` must be a mapping of names to contexts");
  const contexts: ServerContext[] = [];
  for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
    if (!CONTEXT_NAME.test(name)) fail(`"${name}" is not a context name (letters, digits, . _ -)`);
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) fail(`context ${name} must be a mapping`);
    const c = entry as Record<string, unknown>;
    for (const key of Object.keys(c)) {
      if (KEYS.has(key)) continue;
      if (SECRET_LIKE.test(key)) fail(`context ${name} holds a secret (\`${key}\`), and this file never holds secrets`, SECRET_HINT);
      fail(`context ${name}: unknown key \`${key}\``);
    }
    const str = (key: string): string | undefined => {
      if (c[key] === undefined || c[key] === null) return undefined;
      if (typeof c[key] !== "string" || !c[key]) fail(`context ${name}: \`${key}\` must be a non-empty string`);
      return c[key] as string;
    };
    const endpoint = str("endpoint") ?? fail(`context ${name}: missing \`endpoint\``);
    const tokenId = str("token_id") ?? fail(`context ${name}: missing \`token_id\``);
    if (tokenId.includes("=")) fail(`context ${name}: \`token_id\` holds a secret (user@realm!tokenid=…), and this file never holds secrets`, SECRET_HINT);
    if (!TOKEN_ID.test(tokenId)) fail(`context ${name}: \`token_id\` must look like user@realm!tokenid`);
    if (c.insecure !== undefined && typeof c.insecure !== "boolean") fail(`context ${name}: \`insecure\` must be true or false`);
    const tls = { fingerprint: str("fingerprint"), ca: str("ca"), insecure: c.insecure === true ? true : undefined };
    if ([tls.fingerprint, tls.ca, tls.insecure].filter(Boolean).length > 1) fail(`context ${name}: give only one of fingerprint, ca and insecure`);
    const sources = ["secret_env", "secret_file", "secret_command", "secret"].filter((k) => c[k] !== undefined);
    if (sources.length !== 1) fail(`context ${name}: give exactly one of secret_env, secret_file, secret_command and secret (vault://…: where the token secret lives)`);
    const timeout = c.secret_timeout;
    if (timeout !== undefined && (typeof timeout !== "number" || !(timeout > 0))) fail(`context ${name}: \`secret_timeout\` must be a number of seconds above 0`);
    if (sources[0] === "secret") {
      // Never echo a value that is not a reference: it may be the secret itself, pasted by mistake.
      if (typeof c.secret !== "string" || !c.secret.startsWith("vault://")) fail(`context ${name} holds a secret (\`secret\`), and this file never holds secrets`, SECRET_HINT);
      const problem = vaultReferenceProblem(c.secret, "this file");
      if (problem) fail(`context ${name}: ${problem.what}`, problem.hint);
    }
    const secret: SecretSource =
      sources[0] === "secret_env"
        ? { kind: "env", name: str("secret_env")! }
        : sources[0] === "secret_file"
          ? { kind: "file", path: str("secret_file")! }
          : sources[0] === "secret"
            ? { kind: "vault", reference: c.secret as string }
            : { kind: "command", command: str("secret_command")!, ...(timeout === undefined ? {} : { timeoutSeconds: timeout as number }) };
    contexts.push({ name, endpoint, tokenId, tls: dropUndefined(tls), secret });
  }
  if (doc.current !== undefined && doc.current !== null && typeof doc.current !== "string") fail("`current` must be a context name");
  const current = (doc.current as string | null | undefined) ?? undefined;
  return { current: current && contexts.some((c) => c.name === current) ? current : undefined, contexts };
}

const SECRET_HINT = "Keep the secret in an environment variable (secret_env: VAR), a file (secret_file: PATH, mode 0600), a command that prints it (secret_command: CMD) or Vault (secret: vault://MOUNT/PATH#KEY), and remove it from this file.";

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Write the contexts file (mode 0600, its folder 0700), atomically. Returns its path. */
export function writeContexts(env: NodeJS.ProcessEnv, file: ContextsFile): string {
  const path = contextsPath(env);
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const doc: Record<string, unknown> = {};
  if (file.current) doc.current = file.current;
  doc.contexts = Object.fromEntries(
    file.contexts.map((c) => {
      const entry: Record<string, unknown> = { endpoint: c.endpoint, token_id: c.tokenId };
      if (c.tls.fingerprint) entry.fingerprint = c.tls.fingerprint;
      if (c.tls.ca) entry.ca = c.tls.ca;
      if (c.tls.insecure) entry.insecure = true;
      if (c.secret.kind === "env") entry.secret_env = c.secret.name;
      if (c.secret.kind === "file") entry.secret_file = c.secret.path;
      if (c.secret.kind === "command") {
        entry.secret_command = c.secret.command;
        if (c.secret.timeoutSeconds !== undefined) entry.secret_timeout = c.secret.timeoutSeconds;
      }
      if (c.secret.kind === "vault") entry.secret = c.secret.reference;
      return [c.name, entry];
    }),
  );
  const header =
    "# proxmox-mpc contexts (proxmox-mpc context --help). No secret is ever stored here: each context\n" +
    "# says where its token secret lives (secret_env, secret_file, secret_command, or secret: vault://MOUNT/PATH#KEY).\n";
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, header + yaml().dump(doc, { lineWidth: 200 }), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return path;
}

/** The context called `name`, or a usage error that lists the others. */
export function requireContext(env: NodeJS.ProcessEnv, name: string, file = readContexts(env)): ServerContext {
  const found = file.contexts.find((c) => c.name === name);
  if (found) return found;
  const names = file.contexts.map((c) => c.name);
  throw new UsageError(
    `No context named "${name}".`,
    names.length ? `Contexts: ${names.join(", ")} (proxmox-mpc context list).` : "Add one with `proxmox-mpc context add NAME --endpoint URL --token-id ID --secret-env VAR`.",
    "no-context",
  );
}

/** The context named by --context, else by $PROXMOX_MPC_CONTEXT (a name that does not exist is an error); undefined when neither. */
export function namedContext(flag: string | undefined, env: NodeJS.ProcessEnv): ContextInEffect | undefined {
  const name = flag || env.PROXMOX_MPC_CONTEXT || undefined;
  if (!name) return undefined;
  return { context: requireContext(env, name), source: flag ? "flag" : "env" };
}

/**
 * The context a run uses when neither --context nor $PROXMOX_MPC_CONTEXT names one: the workspace's
 * (config.yaml `context:`; when that context is gone, the workspace's own settings apply), else,
 * outside a workspace and without PROXMOX_VE_ENDPOINT / PROXMOX_VE_API_TOKEN, the current one.
 */
export function defaultContext(env: NodeJS.ProcessEnv, workspaceContext: string | undefined, inWorkspace: boolean): ContextInEffect | undefined {
  if (workspaceContext) {
    const found = readContexts(env).contexts.find((c) => c.name === workspaceContext);
    return found ? { context: found, source: "workspace" } : undefined;
  }
  if (inWorkspace || env.PROXMOX_VE_ENDPOINT || env.PROXMOX_VE_API_TOKEN || !existsSync(contextsPath(env))) return undefined;
  const file = readContexts(env);
  const current = file.contexts.find((c) => c.name === file.current);
  return current ? { context: current, source: "current" } : undefined;
}

/** The name the console's prompt shows: flag, env, the workspace's, or (outside a workspace) the current one. Never throws. */
export function contextLabel(flag: string | undefined, env: NodeJS.ProcessEnv, workspaceContext: string | undefined, inWorkspace: boolean): string | undefined {
  const name = flag || env.PROXMOX_MPC_CONTEXT || workspaceContext;
  if (name) return name;
  try {
    return defaultContext(env, undefined, inWorkspace)?.context.name;
  } catch {
    return undefined;
  }
}

/**
 * The token secret of a context, from where it lives (an environment variable, a file, a command or
 * Vault); registered for redaction before it is returned. Every failure is a clear error (exit 2).
 */
export function resolveContextSecret(context: ServerContext, env: NodeJS.ProcessEnv): Promise<string> {
  return resolveSecretSource(context.secret, env, {
    what: `The token secret of context ${context.name}`,
    tokenId: context.tokenId,
    change: `change the context (proxmox-mpc context add ${context.name} … --force)`,
  });
}

/** `user@realm!tokenid=secret` of a context (the secret registered for redaction). */
export async function contextToken(context: ServerContext, env: NodeJS.ProcessEnv): Promise<string> {
  return `${context.tokenId}=${await resolveContextSecret(context, env)}`;
}

/** An absolute path for a file given on a command line (secret_file, ca). */
export function absolutePath(path: string, cwd: string, env: NodeJS.ProcessEnv): string {
  return resolve(cwd, expandHome(path, env));
}
