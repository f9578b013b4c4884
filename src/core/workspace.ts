/**
 * The workspace: a project folder with `.proxmox-mpc/config.yaml`, found by
 * walking up from the current directory like git. The token secret is never
 * in config.yaml: it comes from the environment (PROXMOX_VE_API_TOKEN), from
 * where config.yaml says it lives (`secret: vault://MOUNT/PATH#KEY` or
 * `secret_command: CMD`), or from `.proxmox-mpc/secrets`.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { ProxmoxMpcError, UsageError } from "./errors.js";
import { vaultReferenceProblem, type SecretSource } from "./secret-source.js";

export const WORKSPACE_DIR = ".proxmox-mpc";
export const CONFIG_VERSION = 1;

/** `.proxmox-mpc/config.yaml` */
export interface WorkspaceConfig {
  version: number;
  endpoint: string;
  /** `user@realm!tokenid` (no secret). */
  tokenId: string;
  tls: { fingerprint?: string; ca?: string; insecure?: boolean };
  defaultNode?: string;
  defaultStorage?: string;
  /** Default container template (volid) for `create ct`. */
  ostemplate?: string;
  database?: { url?: string };
  /** Log files: days kept and size of a file before the day's log continues in the next (defaults 14 days, 20 MiB). */
  logs?: { retentionDays?: number; maxFileMiB?: number };
  /** Natural language (`ask`, English in the console): the engine, where `claude` is, how long it may take. */
  ai?: AiConfig;
  /** The context (contexts.yaml) this workspace was made from (`init --context`): its server, trust and token secret. */
  context?: string;
  /** Where the token secret lives when PROXMOX_VE_API_TOKEN is not set: Vault (`secret: vault://…`) or a command (`secret_command`, `secret_timeout`). */
  secretSource?: Extract<SecretSource, { kind: "vault" | "command" }>;
}

/** `ai:` in config.yaml (docs/natural-language.md). */
export interface AiConfig {
  /** auto (default): claude when it is found, else local. */
  engine?: "auto" | "claude" | "local";
  /** The Claude Code executable (default: `claude` on PATH). */
  claudePath?: string;
  /** Time allowed to one Claude run before it is stopped and the local engine answers (default 120). */
  timeoutSeconds?: number;
}

/** Paths of a workspace. */
export interface WorkspacePaths {
  root: string;
  dir: string;
  config: string;
  secrets: string;
  state: string;
  logs: string;
  history: string;
  terraform: string;
  ansible: string;
  tests: string;
  diagnostics: string;
}

export interface Workspace {
  paths: WorkspacePaths;
  config: WorkspaceConfig;
  /** The workspace's name (its folder name), shown in the prompt. */
  name: string;
}

/** The paths of a workspace rooted at `root`. */
export function workspacePaths(root: string): WorkspacePaths {
  const dir = join(root, WORKSPACE_DIR);
  return {
    root,
    dir,
    config: join(dir, "config.yaml"),
    secrets: join(dir, "secrets"),
    state: join(dir, "state.db"),
    logs: join(dir, "logs"),
    history: join(dir, "history"),
    terraform: join(root, "terraform"),
    ansible: join(root, "ansible"),
    tests: join(root, "tests"),
    diagnostics: join(root, "diagnostics"),
  };
}

/** The root of the workspace containing `start` (walking up), or undefined. */
export function findWorkspaceRoot(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, WORKSPACE_DIR, "config.yaml");
    if (existsSync(candidate) && statSync(candidate).isFile()) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Load and check a workspace's config. */
export async function loadWorkspace(root: string): Promise<Workspace> {
  const paths = workspacePaths(root);
  let text: string;
  try {
    text = readFileSync(paths.config, "utf8");
  } catch {
    throw new UsageError(`Cannot read ${paths.config}.`, "Run `proxmox-mpc init` to create the workspace.");
  }
  const { load } = await import("js-yaml");
  let parsed: unknown;
  try {
    parsed = load(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new UsageError(`${paths.config} is not valid YAML: ${reason}.`, "Fix the file, or re-create it with `proxmox-mpc init --force`.", "invalid-config");
  }
  return { paths, config: checkConfig(parsed, paths.config), name: root.split(/[\\/]/).filter(Boolean).pop() ?? "workspace" };
}

/** Validate a parsed config with clear one-line errors. */
export function checkConfig(value: unknown, file: string): WorkspaceConfig {
  const fail = (what: string): never => {
    throw new UsageError(`${file}: ${what}.`, "Fix the file, or re-create it with `proxmox-mpc init --force`.", "invalid-config");
  };
  if (!value || typeof value !== "object" || Array.isArray(value)) fail("expected a mapping of settings");
  const c = value as Record<string, unknown>;
  if (typeof c.version !== "number") fail("missing `version`");
  if ((c.version as number) > CONFIG_VERSION) {
    throw new ProxmoxMpcError(`${file} was written by a newer proxmox-mpc (config version ${c.version}).`, {
      code: "config-too-new",
      hint: "Upgrade proxmox-mpc.",
      exitCode: 2,
    });
  }
  if (typeof c.endpoint !== "string" || !c.endpoint) fail("missing `endpoint`");
  if (typeof c.tokenId !== "string" || !/^[^@!\s]+@[^@!\s]+![A-Za-z][\w.-]*$/.test(c.tokenId)) fail("`tokenId` must look like user@realm!tokenid");
  const tls = (c.tls ?? {}) as Record<string, unknown>;
  if (typeof tls !== "object") fail("`tls` must be a mapping");
  for (const key of ["defaultNode", "defaultStorage", "ostemplate"]) {
    if (c[key] !== undefined && typeof c[key] !== "string") fail(`\`${key}\` must be a string`);
  }
  const database = (c.database ?? {}) as Record<string, unknown>;
  if (database.url !== undefined && typeof database.url !== "string") fail("`database.url` must be a string");
  const logs = (c.logs ?? {}) as Record<string, unknown>;
  if (typeof logs !== "object" || Array.isArray(logs)) fail("`logs` must be a mapping");
  for (const key of ["retentionDays", "maxFileMiB"]) {
    if (logs[key] !== undefined && (typeof logs[key] !== "number" || !((logs[key] as number) > 0))) fail(`\`logs.${key}\` must be a number above 0`);
  }
  const ai = (c.ai ?? {}) as Record<string, unknown>;
  if (typeof ai !== "object" || Array.isArray(ai)) fail("`ai` must be a mapping");
  if (ai.engine !== undefined && !["auto", "claude", "local"].includes(ai.engine as string)) fail("`ai.engine` must be auto, claude or local");
  if (ai.claudePath !== undefined && (typeof ai.claudePath !== "string" || !ai.claudePath)) fail("`ai.claudePath` must be a path");
  if (ai.timeoutSeconds !== undefined && (typeof ai.timeoutSeconds !== "number" || !(ai.timeoutSeconds > 0))) fail("`ai.timeoutSeconds` must be a number above 0");
  if (c.context !== undefined && (typeof c.context !== "string" || !c.context)) fail("`context` must be a context name");
  const secretSource = checkSecretSource(c, file, fail);
  return {
    version: c.version as number,
    endpoint: c.endpoint as string,
    tokenId: c.tokenId as string,
    tls: {
      fingerprint: typeof tls.fingerprint === "string" ? tls.fingerprint : undefined,
      ca: typeof tls.ca === "string" ? tls.ca : undefined,
      insecure: tls.insecure === true ? true : undefined,
    },
    defaultNode: c.defaultNode as string | undefined,
    defaultStorage: c.defaultStorage as string | undefined,
    ostemplate: c.ostemplate as string | undefined,
    database: database.url ? { url: database.url as string } : undefined,
    ...(c.logs === undefined ? {} : { logs: Object.fromEntries(Object.entries(logs).filter(([k, v]) => (k === "retentionDays" || k === "maxFileMiB") && v !== undefined)) }),
    ...(typeof c.context === "string" ? { context: c.context } : {}),
    ...(secretSource ? { secretSource } : {}),
    ...(c.ai === undefined
      ? {}
      : {
          ai: {
            ...(ai.engine === undefined ? {} : { engine: ai.engine as AiConfig["engine"] }),
            ...(ai.claudePath === undefined ? {} : { claudePath: ai.claudePath as string }),
            ...(ai.timeoutSeconds === undefined ? {} : { timeoutSeconds: ai.timeoutSeconds as number }),
          },
        }),
  };
}

/** `secret: vault://…` or `secret_command: CMD` (with `secret_timeout: SECONDS`) of config.yaml, checked. */
function checkSecretSource(c: Record<string, unknown>, file: string, fail: (what: string) => never): WorkspaceConfig["secretSource"] {
  if (c.secret !== undefined && c.secret_command !== undefined) fail("give only one of `secret` (vault://…) and `secret_command`");
  if (c.secret_timeout !== undefined && (c.secret_command === undefined || typeof c.secret_timeout !== "number" || !(c.secret_timeout > 0))) {
    fail("`secret_timeout` must be a number of seconds above 0, beside `secret_command`");
  }
  if (c.secret !== undefined) {
    // Never echo a value that is not a reference: it may be the secret itself, pasted by mistake.
    const problem = vaultReferenceProblem(c.secret, "config.yaml (it may be in Vault, PROXMOX_VE_API_TOKEN or .proxmox-mpc/secrets)");
    if (problem) throw new UsageError(`${file}: ${problem.what}.`, problem.hint, "invalid-config");
    return { kind: "vault", reference: c.secret as string };
  }
  if (c.secret_command !== undefined) {
    if (typeof c.secret_command !== "string" || !c.secret_command.trim()) fail("`secret_command` must be a shell command that prints the token secret");
    return { kind: "command", command: c.secret_command as string, ...(c.secret_timeout === undefined ? {} : { timeoutSeconds: c.secret_timeout as number }) };
  }
  return undefined;
}

/** The database URL: DATABASE_URL, else config, else the SQLite file of the workspace. */
export function databaseUrl(ws: Workspace, env: NodeJS.ProcessEnv): string {
  const url = env.PROXMOX_MPC_DATABASE_URL ?? env.DATABASE_URL ?? ws.config.database?.url;
  if (!url) return `file:${ws.paths.state}`;
  if (url.startsWith("file:")) {
    const path = url.slice("file:".length);
    return `file:${isAbsolute(path) ? path : resolve(ws.paths.root, path)}`;
  }
  return url;
}

/** The token secret from `.proxmox-mpc/secrets` (first non-comment line), if the file exists. */
export function readSecretFile(ws: Workspace): string | undefined {
  if (!existsSync(ws.paths.secrets)) return undefined;
  const line = readFileSync(ws.paths.secrets, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith("#"));
  return line?.replace(/^token_secret\s*[:=]\s*/, "");
}
