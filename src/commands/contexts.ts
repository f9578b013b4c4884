/**
 * `context list|add|use|remove|show [NAME]`: the Proxmox VE servers a user
 * works with, kept per user in contexts.yaml (src/core/contexts.ts), like
 * kubectl's contexts. `add` checks the connection (version and token) before
 * saving; the file records where the token secret lives, never the secret.
 * (Not to be confused with context.ts, the composition root.)
 */
import {
  absolutePath,
  CONTEXT_NAME,
  contextsPath,
  describeSecretSource,
  readContexts,
  requireContext,
  resolveContextSecret,
  TOKEN_ID,
  writeContexts,
  type SecretSource,
  type ServerContext,
} from "../core/contexts.js";
import { statSync } from "node:fs";
import { vaultReferenceProblem } from "../core/secret-source.js";
import { asProxmoxMpcError, ProxmoxMpcError, UsageError } from "../core/errors.js";
import { readCaFile } from "./connection-options.js";
import { defineCommand } from "./define.js";
import { defineOptions, flag, number, text, type OptionsOf } from "./options.js";
import type { Column, CommandContext, CommandResult } from "./types.js";

const ACTIONS = ["list", "add", "use", "remove", "show"] as const;
type Action = (typeof ACTIONS)[number];

const CONTEXT_OPTIONS = defineOptions({
  endpoint: text("--endpoint <url>", "add: the Proxmox VE API endpoint, e.g. https://pve1:8006"),
  tokenId: text("--token-id <id>", "add: the API token id, user@realm!tokenid"),
  fingerprint: text("--fingerprint <sha256>", "add: trust the server certificate with this SHA-256 fingerprint"),
  ca: text("--ca <file>", "add: trust server certificates signed by this CA (PEM file; its path is kept)"),
  insecure: flag("--insecure", "add: do not verify the server certificate (not recommended)"),
  secretEnv: text("--secret-env <var>", "add: the token secret is in this environment variable"),
  secretFile: text("--secret-file <file>", "add: the token secret is in this file (first line; keep it mode 0600)"),
  secretCommand: text("--secret-command <cmd>", "add: the token secret is what this shell command prints (e.g. `pass show pve/lab`)"),
  secretTimeout: number("--secret-timeout <seconds>", "add: how long the secret command may run (default 10)", { min: 1 }),
  secretVault: text("--secret-vault <ref>", "add: the token secret is a key in HashiCorp Vault KV v2, vault://MOUNT/PATH#KEY (read with $VAULT_ADDR and $VAULT_TOKEN)"),
  force: flag("--force", "add: replace a context of the same name"),
});

type ContextOptions = OptionsOf<typeof CONTEXT_OPTIONS>;

/** A context as `list` and `show` print it (-o json): never the secret, only where it lives. */
export interface ContextView {
  name: string;
  current: boolean;
  endpoint: string;
  tokenId: string;
  trust: string;
  fingerprint?: string;
  ca?: string;
  secretFrom: string;
  secretSource: SecretSource;
}

const LIST_COLUMNS: Column[] = [
  { key: "mark", header: "CURRENT" },
  { key: "name", header: "NAME" },
  { key: "endpoint", header: "ENDPOINT" },
  { key: "tokenId", header: "TOKEN ID" },
  { key: "trust", header: "TRUST" },
  { key: "secretFrom", header: "SECRET FROM", wide: true },
];

export const contextCommand = defineCommand({
  name: "context",
  summary: "List, add, switch and remove contexts: the Proxmox VE servers you work with",
  description:
    "Contexts live in $XDG_CONFIG_HOME/proxmox-mpc/contexts.yaml (default ~/.config/proxmox-mpc/, mode 0600): endpoint, token id, certificate trust and where the token secret lives (--secret-env VAR, --secret-file FILE, --secret-command CMD, or --secret-vault vault://MOUNT/PATH#KEY: a key of a Vault KV v2 secret, read with VAULT_ADDR, VAULT_TOKEN and, when set, VAULT_NAMESPACE and VAULT_CACERT), never the secret itself. `add` checks the connection and the token before saving. `use` sets the current context (used outside a workspace); `--context NAME` or PROXMOX_MPC_CONTEXT uses one for a single run, in place of the workspace's server; `init --context NAME` makes a workspace from one. `remove` asks first (--yes skips).",
  examples: [
    "proxmox-mpc context add lab --endpoint https://pve-lab:8006 --token-id root@pam!mpc --fingerprint AB:CD:… --secret-env LAB_TOKEN",
    "proxmox-mpc context add prod --endpoint pve1.example.com --token-id ops@pve!mpc --ca /etc/pve-ca.pem --secret-command 'pass show pve/prod'",
    "VAULT_ADDR=https://vault.example.com:8200 VAULT_TOKEN=$(vault print token) proxmox-mpc context add dc2 --endpoint pve-dc2:8006 --token-id ops@pve!mpc --secret-vault vault://kv/proxmox/dc2#token",
    "proxmox-mpc context list",
    "proxmox-mpc context use lab",
    "proxmox-mpc --context prod get vms --live",
  ],
  arguments: [
    { name: "action", description: "list, add, use, remove or show", required: true, choices: ACTIONS },
    { name: "name", description: "the context (show: default the current one)" },
  ],
  options: CONTEXT_OPTIONS,
  workspace: "none",
  record: false,
  // One command that also adds (and runs a secret_command), switches and removes user-level settings outside the
  // workspace: an MCP server serves one workspace's server, and its clients must not rewrite the user's contexts.
  mcp: { tool: false, why: "user-level settings outside the workspace (add runs a secret command and writes ~/.config); an MCP server serves one workspace's server" },
  async run(ctx, input) {
    const action = input.args[0] as Action;
    const name = input.args[1];
    if (action !== "add") refuseAddOptions(action, input.options);
    switch (action) {
      case "list":
        return list(ctx);
      case "add":
        return add(ctx, requireName(action, name), input.options);
      case "use":
        return use(ctx, requireName(action, name));
      case "remove":
        return remove(ctx, requireName(action, name));
      case "show":
        return show(ctx, name);
    }
  },
});

function requireName(action: Action, name: string | undefined): string {
  if (!name) throw new UsageError(`context ${action} needs a NAME.`, `proxmox-mpc context ${action} NAME`);
  if (!CONTEXT_NAME.test(name)) throw new UsageError(`"${name}" is not a context name.`, "Use letters, digits, '.', '_' and '-', starting with a letter or digit.");
  return name;
}

function refuseAddOptions(action: Action, options: ContextOptions): void {
  const given = Object.entries(options).filter(([, v]) => v !== undefined).map(([k]) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  if (given.length) throw new UsageError(`${given.join(", ")} ${given.length === 1 ? "is" : "are"} for \`context add\`, not \`context ${action}\`.`);
}

function view(c: ServerContext, current: string | undefined): ContextView {
  return {
    name: c.name,
    current: c.name === current,
    endpoint: c.endpoint,
    tokenId: c.tokenId,
    trust: c.tls.fingerprint ? "fingerprint" : c.tls.ca ? "ca" : c.tls.insecure ? "insecure" : "system CAs",
    ...(c.tls.fingerprint ? { fingerprint: c.tls.fingerprint } : {}),
    ...(c.tls.ca ? { ca: c.tls.ca } : {}),
    secretFrom: describeSecretSource(c.secret),
    secretSource: c.secret,
  };
}

function list(ctx: CommandContext): CommandResult {
  const file = readContexts(ctx.env);
  const data = file.contexts.map((c) => view(c, file.current));
  if (data.length === 0) {
    return { kind: "data", data, text: `No contexts yet (${contextsPath(ctx.env)}).\nAdd one: proxmox-mpc context add NAME --endpoint URL --token-id ID --secret-env VAR\n` };
  }
  return { kind: "data", data, table: { columns: LIST_COLUMNS, rows: data.map((v) => ({ ...v, mark: v.current ? "*" : "" })) } };
}

function show(ctx: CommandContext, name: string | undefined): CommandResult {
  const file = readContexts(ctx.env);
  const wanted = name ?? file.current;
  if (!wanted) throw new UsageError("No current context.", "Name one (proxmox-mpc context show NAME), or pick one with `proxmox-mpc context use NAME`.");
  const found = requireContext(ctx.env, wanted, file);
  const v = view(found, file.current);
  const lines = [
    `Context ${v.name}${v.current ? " (current)" : ""}`,
    `  endpoint   ${v.endpoint}`,
    `  token id   ${v.tokenId}`,
    `  trust      ${v.fingerprint ? `fingerprint ${v.fingerprint}` : v.ca ? `CA file ${v.ca}` : v.trust === "insecure" ? "none (insecure)" : "the system CAs"}`,
    `  secret     from ${v.secretFrom}${found.secret.kind === "command" && found.secret.timeoutSeconds ? ` (timeout ${found.secret.timeoutSeconds} s)` : ""}`,
  ];
  return { kind: "data", data: v, text: `${lines.join("\n")}\n` };
}

function use(ctx: CommandContext, name: string): CommandResult {
  const file = readContexts(ctx.env);
  requireContext(ctx.env, name, file);
  writeContexts(ctx.env, { ...file, current: name });
  return { kind: "message", level: "success", text: `Current context: ${name} (used outside a workspace; --context NAME picks one for a single run).` };
}

async function remove(ctx: CommandContext, name: string): Promise<CommandResult> {
  const file = readContexts(ctx.env);
  const found = requireContext(ctx.env, name, file);
  if (!(await ctx.ui.confirm(`Remove context ${name} (${found.endpoint})?`))) {
    return { kind: "message", level: "info", text: `Kept context ${name}.` };
  }
  writeContexts(ctx.env, { current: file.current === name ? undefined : file.current, contexts: file.contexts.filter((c) => c.name !== name) });
  return { kind: "message", level: "success", text: `Removed context ${name}.${file.current === name ? " No context is current now." : ""}` };
}

/** Check the connection (version and token) with the new context's settings, then save it. */
async function add(ctx: CommandContext, name: string, o: ContextOptions): Promise<CommandResult> {
  const file = readContexts(ctx.env);
  if (file.contexts.some((c) => c.name === name) && !o.force) {
    throw new UsageError(`A context named ${name} exists.`, `Remove it first (proxmox-mpc context remove ${name}), or pass --force to replace it.`, "context-exists");
  }
  if (!o.endpoint) throw new UsageError("context add needs --endpoint URL.");
  if (!o.tokenId) throw new UsageError("context add needs --token-id user@realm!tokenid.");
  if (o.tokenId.includes("=")) {
    throw new UsageError("--token-id takes the token id only (user@realm!tokenid), not the secret.", "Say where the secret lives with --secret-env VAR, --secret-file FILE, --secret-command CMD or --secret-vault vault://MOUNT/PATH#KEY.");
  }
  if (!TOKEN_ID.test(o.tokenId)) throw new UsageError(`"${o.tokenId}" is not a token id of the form user@realm!tokenid.`);
  const trusts = [o.fingerprint, o.ca, o.insecure || undefined].filter((v) => v !== undefined);
  if (trusts.length > 1) throw new UsageError("Give only one of --fingerprint, --ca and --insecure.");
  const sources = [o.secretEnv, o.secretFile, o.secretCommand, o.secretVault].filter((v) => v !== undefined);
  if (sources.length !== 1) {
    throw new UsageError("Say where the token secret lives: exactly one of --secret-env VAR, --secret-file FILE, --secret-command CMD and --secret-vault vault://MOUNT/PATH#KEY.", "The secret itself is never stored in contexts.yaml.");
  }
  if (o.secretVault !== undefined) {
    // Never echo what is not a reference: it may be the secret itself.
    const problem = vaultReferenceProblem(o.secretVault, "contexts.yaml");
    if (problem) throw new UsageError(`--secret-vault: ${problem.what.replace("`secret`", "the value")}.`, problem.hint, "vault-reference");
  }
  if (o.secretTimeout !== undefined && o.secretCommand === undefined) throw new UsageError("--secret-timeout goes with --secret-command.");
  const { normalizeEndpoint, normalizeFingerprint } = await import("../proxmox/connection.js");
  const secret: SecretSource =
    o.secretEnv !== undefined
      ? { kind: "env", name: o.secretEnv }
      : o.secretFile !== undefined
        ? { kind: "file", path: absolutePath(o.secretFile, ctx.cwd, ctx.env) }
        : o.secretVault !== undefined
          ? { kind: "vault", reference: o.secretVault }
          : { kind: "command", command: o.secretCommand!, ...(o.secretTimeout !== undefined ? { timeoutSeconds: o.secretTimeout } : {}) };
  if (secret.kind === "env" && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(secret.name)) throw new UsageError(`"${secret.name}" is not an environment variable name.`);
  const ca = o.ca === undefined ? undefined : absolutePath(o.ca, ctx.cwd, ctx.env);
  if (ca) readCaFile(ca);
  const context: ServerContext = {
    name,
    endpoint: normalizeEndpoint(o.endpoint),
    tokenId: o.tokenId,
    tls: { ...(o.fingerprint ? { fingerprint: normalizeFingerprint(o.fingerprint) } : {}), ...(ca ? { ca } : {}), ...(o.insecure ? { insecure: true } : {}) },
    secret,
  };
  const tokenSecret = await resolveContextSecret(context, ctx.env);
  if (secret.kind === "file" && statSync(secret.path).mode & 0o077) ctx.ui.warn(`${secret.path} can be read by other users: chmod 600 ${secret.path}`);
  const client = await ctx.services.proxmox({
    connection: { endpoint: context.endpoint, fingerprint: context.tls.fingerprint, ca: context.tls.ca, insecure: context.tls.insecure ?? false },
    token: `${context.tokenId}=${tokenSecret}`,
    retries: 1,
  });
  const started = performance.now();
  const version = await client.version({ signal: ctx.signal }).catch((err: unknown) => {
    const e = asProxmoxMpcError(err);
    const hint = (err as { status?: number }).status === 401 ? `Check that the secret from ${describeSecretSource(secret)} belongs to ${context.tokenId}.` : e.hint;
    throw new ProxmoxMpcError(`${e.message.replace(/\.?$/, ".")} Context ${name} was not saved.`, { code: e.code, hint, exitCode: e.exitCode });
  });
  const roundTripMs = Math.round((performance.now() - started) * 10) / 10;
  // The file may have changed while the server answered: write over a fresh read.
  const fresh = readContexts(ctx.env);
  const contexts = [...fresh.contexts.filter((c) => c.name !== name), context];
  const path = writeContexts(ctx.env, { ...fresh, contexts });
  const v = view(context, fresh.current);
  return {
    kind: "data",
    data: { ...v, version: version.version, roundTripMs, file: path },
    text: `Context ${name} added: ${context.endpoint} (Proxmox VE ${version.version}), token ${context.tokenId}, secret from ${v.secretFrom}.\nUse it: proxmox-mpc --context ${name} …, proxmox-mpc context use ${name}, or proxmox-mpc init --context ${name}.\n`,
  };
}
