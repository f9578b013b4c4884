/**
 * `init`: create a workspace against a Proxmox VE server. Everything is
 * checked first (connection, token, TLS trust, node, storage, database);
 * only then are files written. An existing workspace needs --force.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { UsageError } from "../core/errors.js";
import { CONFIG_VERSION, workspacePaths, type WorkspaceConfig, type WorkspacePaths } from "../core/workspace.js";
import type { ProxmoxClient } from "../proxmox/client.js";
import type { PveNodeListEntry, PveStorage } from "../proxmox/types.js";
import { readCaFile } from "./connection-options.js";
import { defineCommand } from "./define.js";
import { addPipeline, CI_SYSTEMS, ciRoot, pipelineDeclined, pipelineNextSteps, preparePipeline, type CiReport } from "./init-ci.js";
import { choice, defineOptions, flag, text, type OptionsOf } from "./options.js";
import type { CommandContext, CommandResult } from "./types.js";

const INIT_OPTIONS = defineOptions({
  endpoint: text("--endpoint <url>", "Proxmox VE API endpoint (default: $PROXMOX_VE_ENDPOINT)"),
  tokenId: text("--token-id <id>", "API token id, user@realm!tokenid (default: from $PROXMOX_VE_API_TOKEN)"),
  tokenSecretFile: text("--token-secret-file <file>", "read the token secret from FILE (kept in .proxmox-mpc/secrets)"),
  fingerprint: text("--fingerprint <sha256>", "trust the server certificate with this SHA-256 fingerprint"),
  ca: text("--ca <file>", "trust server certificates signed by this CA (copied into the workspace)"),
  insecure: flag("--insecure", "do not verify the server certificate (not recommended)"),
  defaultNode: text("--default-node <node>", "node for new guests (default: the first online node)"),
  defaultStorage: text("--default-storage <storage>", "storage for new disks (default: the node's first storage for disk images)"),
  database: text("--database <url>", "state database: file:PATH (SQLite, default .proxmox-mpc/state.db) or postgresql://…"),
  force: flag("--force", "re-create the config of an existing workspace (keeps its database and files)"),
  ci: choice("--ci <system>", "also write the CI pipeline: github (.github/workflows/proxmox-mpc.yml) or gitlab (.gitlab-ci.yml); in an existing workspace only the pipeline is written (docs/ci.md)", CI_SYSTEMS),
});

/** The flags of init (demo passes its own). */
export type InitFlags = OptionsOf<typeof INIT_OPTIONS>;

/** The -o json shape of init. */
export interface InitReport {
  workspace: string;
  endpoint: string;
  tokenId: string;
  secretStorage: "secrets-file" | "environment" | "context";
  /** The context the workspace was made from (init --context NAME): the secret stays where it says. */
  context?: string;
  tls: string;
  defaultNode: string;
  defaultStorage?: string;
  database: string;
  version: string;
  /** init --ci: the pipeline written. */
  ci?: CiReport;
}

export const initCommand = defineCommand({
  name: "init",
  summary: "Create a workspace against a Proxmox VE server",
  description:
    "With --context NAME (or PROXMOX_MPC_CONTEXT), the endpoint, trust and token come from that context and the workspace records the context's name, not the secret. Tests the connection and the token, then writes .proxmox-mpc/config.yaml, the state database, terraform/, ansible/, tests/, diagnostics/ and a .gitignore. Interactive on a terminal when flags are missing; with --no-input every missing value is an error. The token secret comes from PROXMOX_VE_API_TOKEN (and then stays in the environment) or from --token-secret-file / the prompt (and is then kept in .proxmox-mpc/secrets, mode 0600), never in config.yaml. --ci github|gitlab also writes a CI pipeline (test on every change, the plan on a pull/merge request, apply on the default branch after approval); in an existing workspace it only adds the pipeline, and a pipeline file that differs is shown and replaced only after confirmation (--yes).",
  examples: [
    "proxmox-mpc init",
    "PROXMOX_VE_API_TOKEN='root@pam!mpc=…' proxmox-mpc init my-infra --endpoint https://pve1:8006 --fingerprint AB:CD:… --no-input",
    "proxmox-mpc init lab-infra --context lab --no-input",
    "proxmox-mpc init --endpoint pve1 --token-id ops@pve!mpc --token-secret-file ~/.pve-secret --ca pve-root-ca.pem --database postgresql://mpc@db/mpc --no-input",
    "proxmox-mpc init --ci github",
    "proxmox-mpc init --ci gitlab --yes",
  ],
  arguments: [{ name: "dir", description: "folder of the workspace (default: the current folder)" }],
  options: INIT_OPTIONS,
  workspace: "none",
  mcp: { tool: false, why: "creates the workspace the server serves; run it at a terminal before `mcp`" },
  slash: true,
  run: (ctx, input) => initWorkspace(ctx, resolve(ctx.cwd, input.args[0] ?? (input.options.ci ? ciRoot(ctx.cwd) : ".")), input.options),
});

/** Create the workspace in `root` (init, and demo for its throw-away workspace): ask what is missing, test the connection, then write. */
export async function initWorkspace(ctx: CommandContext, root: string, flags: InitFlags): Promise<CommandResult> {
  const paths = workspacePaths(root);
  if (flags.ci && existsSync(paths.config) && !flags.force) return addPipeline(ctx, root, flags.ci);
  const pipeline = flags.ci ? await preparePipeline(ctx, root, flags.ci) : undefined;
  if (flags.ci && !pipeline) return pipelineDeclined(flags.ci);
  if (existsSync(paths.config) && !flags.force) {
    throw new UsageError(`A workspace already exists in ${root}.`, "Use it as it is, or pass --force to re-create its config (the database and files are kept).", "workspace-exists");
  }
  const answers = await gather(ctx, flags);
  const { client, tls } = await connect(ctx, answers, flags);
  try {
    const version = await client.version({ signal: ctx.signal });
    const nodes = await client.nodes({ signal: ctx.signal });
    const defaultNode = await chooseNode(ctx, nodes, flags.defaultNode);
    const storages = await client.storage(defaultNode, {}, { signal: ctx.signal });
    const defaultStorage = await chooseStorage(ctx, storages, defaultNode, flags.defaultStorage);
    const database = await chooseDatabase(ctx, flags.database);

    // Read before writing anything: a broken install (no templates/) fails here, not half-way.
    const { readTemplate } = await import("../core/templates.js");
    const texts = { gitignore: readTemplate("workspace/gitignore"), exampleSpec: readTemplate("workspace/tests/example.yaml") };
    await checkDatabase(ctx, database, root);
    for (const dir of [paths.logs, paths.terraform, paths.ansible, paths.tests, paths.diagnostics]) mkdirSync(dir, { recursive: true });
    const config: WorkspaceConfig = {
      version: CONFIG_VERSION,
      endpoint: client.baseUrl,
      tokenId: answers.tokenId,
      tls: tls.caPem ? { ca: relative(root, copyCa(paths, tls.caPem)) } : { fingerprint: tls.fingerprint, insecure: tls.insecure || undefined },
      defaultNode,
      defaultStorage,
      database: database === "" ? undefined : { url: database },
      context: answers.context,
    };
    await writeConfig(paths, config);
    if (answers.secretSource !== "environment" && answers.secretSource !== "context") writeSecret(paths, answers.secret);
    writeGitignore(root, texts.gitignore);
    writeExampleSpec(paths, texts.exampleSpec);
    pipeline?.write();
    const report: InitReport = {
      workspace: root,
      endpoint: client.baseUrl,
      tokenId: answers.tokenId,
      secretStorage: answers.secretSource === "environment" || answers.secretSource === "context" ? answers.secretSource : "secrets-file",
      ...(answers.context ? { context: answers.context } : {}),
      tls: tls.caPem ? "ca" : tls.fingerprint ? "fingerprint" : tls.insecure ? "insecure" : "verify",
      defaultNode,
      defaultStorage,
      database: database || "file:.proxmox-mpc/state.db",
      version: version.version,
      ...(pipeline ? { ci: pipeline.report } : {}),
    };
    const text = [
      `Workspace created in ${root}`,
      `  server     ${client.baseUrl} (Proxmox VE ${version.version})`,
      `  token      ${answers.tokenId} (secret ${report.secretStorage === "context" ? `from context ${answers.context}, not stored` : report.secretStorage === "environment" ? "from PROXMOX_VE_API_TOKEN, not stored" : "in .proxmox-mpc/secrets, mode 0600"})`,
      `  node       ${defaultNode}${defaultStorage ? `, storage ${defaultStorage}` : ""}`,
      `  database   ${report.database}`,
      "",
      "Next: proxmox-mpc sync",
      ...(pipeline ? ["", pipelineNextSteps(pipeline.report, root)] : []),
    ].join("\n");
    return { kind: "data", data: report, text };
  } finally {
    client.close();
  }
}

interface Answers {
  endpoint: string;
  tokenId: string;
  secret: string;
  secretSource: "environment" | "file" | "prompt" | "context";
  /** init --context NAME: the context, and its certificate trust. */
  context?: string;
  trust?: { fingerprint?: string; ca?: string; insecure?: boolean };
}

async function gather(ctx: CommandContext, flags: InitFlags): Promise<Answers> {
  const named = ctx.services.context();
  if (named && (named.source === "flag" || named.source === "env")) {
    if (flags.endpoint || flags.tokenId || flags.tokenSecretFile) {
      throw new UsageError(`--context ${named.context.name} gives the endpoint and the token: leave out --endpoint, --token-id and --token-secret-file.`);
    }
    const { resolveContextSecret } = await import("../core/contexts.js");
    const c = named.context;
    return { endpoint: c.endpoint, tokenId: c.tokenId, secret: await resolveContextSecret(c, ctx.env), secretSource: "context", context: c.name, trust: c.tls };
  }
  const { parseApiToken } = await import("../proxmox/connection.js");
  const envToken = ctx.env.PROXMOX_VE_API_TOKEN ? parseApiToken(ctx.env.PROXMOX_VE_API_TOKEN) : undefined;
  const endpoint = flags.endpoint ?? ctx.env.PROXMOX_VE_ENDPOINT ?? (await askOrFail(ctx, { kind: "input", message: "Proxmox VE endpoint (https://HOST:8006):" }, "--endpoint"));
  const tokenId =
    flags.tokenId ??
    envToken?.id ??
    (await askOrFail(ctx, { kind: "input", message: "API token id (user@realm!tokenid):", validate: (v) => /^[^@!\s]+@[^@!\s]+![A-Za-z][\w.-]*$/.test(v.trim()) || "Use user@realm!tokenid, e.g. root@pam!mpc" }, "--token-id"));
  if (!/^[^@!\s]+@[^@!\s]+![A-Za-z][\w.-]*$/.test(tokenId.trim())) throw new UsageError(`"${tokenId}" is not a token id of the form user@realm!tokenid.`);
  if (flags.tokenSecretFile) {
    let secret: string;
    try {
      secret = readFileSync(resolve(ctx.cwd, flags.tokenSecretFile), "utf8").trim();
    } catch {
      throw new UsageError(`Cannot read the token secret file ${flags.tokenSecretFile}.`);
    }
    if (!secret) throw new UsageError(`The token secret file ${flags.tokenSecretFile} is empty.`);
    return { endpoint, tokenId: tokenId.trim(), secret, secretSource: "file" };
  }
  if (envToken && envToken.id === tokenId.trim()) return { endpoint, tokenId: envToken.id, secret: envToken.secret, secretSource: "environment" };
  const secret = await askOrFail(ctx, { kind: "password", message: `Secret of ${tokenId}:`, validate: (v) => v.trim().length > 0 || "The secret is required" }, "--token-secret-file or PROXMOX_VE_API_TOKEN");
  return { endpoint, tokenId: tokenId.trim(), secret: secret.trim(), secretSource: "prompt" };
}

async function askOrFail(ctx: CommandContext, question: Parameters<CommandContext["ui"]["ask"]>[0], flag: string): Promise<string> {
  if (!ctx.ui.interactive) throw new UsageError(`Missing ${flag}.`, `Give ${flag}, or run init on a terminal without --no-input to be asked.`, "input-required");
  return ctx.ui.ask(question);
}

interface Trust {
  fingerprint?: string;
  /** The CA file as given (relative to the current folder) and its PEM, copied into the workspace. */
  caFile?: string;
  caPem?: string;
  insecure?: boolean;
}

/** Connect once; on an untrusted certificate, show its fingerprint and ask (like ssh's first connection). */
async function connect(ctx: CommandContext, answers: Answers, flags: InitFlags): Promise<{ client: ProxmoxClient; tls: Trust }> {
  const { TlsError } = await import("../proxmox/errors.js");
  const tls: Trust = { fingerprint: flags.fingerprint, insecure: flags.insecure };
  if (flags.ca) tls.caPem = readCaFile(resolve(ctx.cwd, (tls.caFile = flags.ca)));
  // A context's trust, unless a trust flag says otherwise.
  const given = answers.trust && flags.fingerprint === undefined && flags.ca === undefined && flags.insecure === undefined ? answers.trust : undefined;
  if (given) Object.assign(tls, { fingerprint: given.fingerprint, insecure: given.insecure, ...(given.ca ? { caFile: given.ca, caPem: readCaFile(given.ca) } : {}) });
  const make = (trust: Trust): Promise<ProxmoxClient> =>
    ctx.services.proxmox({
      connection: { endpoint: answers.endpoint, fingerprint: trust.fingerprint, ca: trust.caFile, insecure: trust.insecure ?? false },
      token: `${answers.tokenId}=${answers.secret}`,
      retries: 1,
    });
  let client = await make(tls);
  try {
    await client.version({ signal: ctx.signal });
  } catch (err) {
    if (!(err instanceof TlsError) || !err.serverFingerprint || !ctx.ui.interactive || tls.fingerprint || tls.caPem) throw err;
    ctx.ui.warn(`The server's certificate is not signed by a CA this machine trusts (normal for Proxmox VE).\nIts SHA-256 fingerprint is:\n  ${err.serverFingerprint}\nCompare it with the Proxmox GUI: node → System → Certificates.`);
    const choice = await ctx.ui.ask({
      kind: "select",
      message: "How should proxmox-mpc trust this server?",
      choices: [
        { name: "Trust this fingerprint (pin it)", value: "pin" },
        { name: "Use a CA file", value: "ca" },
        { name: "Do not verify (insecure)", value: "insecure" },
        { name: "Abort", value: "abort" },
      ],
    });
    if (choice === "abort") throw new UsageError("Aborted: the server's certificate was not trusted.");
    if (choice === "pin") tls.fingerprint = err.serverFingerprint;
    if (choice === "insecure") tls.insecure = true;
    if (choice === "ca") {
      tls.caFile = await ctx.ui.ask({ kind: "input", message: "CA file (PEM):" });
      tls.caPem = readCaFile(resolve(ctx.cwd, tls.caFile));
    }
    client = await make(tls);
    await client.version({ signal: ctx.signal });
  }
  return { client, tls };
}

async function chooseNode(ctx: CommandContext, nodes: PveNodeListEntry[], wanted: string | undefined): Promise<string> {
  const online = nodes.filter((n) => n.status === "online").map((n) => n.node).sort();
  if (wanted) {
    if (!nodes.some((n) => n.node === wanted)) throw new UsageError(`Node "${wanted}" does not exist.`, `Nodes: ${nodes.map((n) => n.node).sort().join(", ")}.`);
    return wanted;
  }
  if (online.length === 0) throw new UsageError("No node of the cluster is online.", "Check the cluster in the Proxmox GUI, or give --default-node.");
  if (ctx.ui.interactive && online.length > 1) {
    return ctx.ui.ask({ kind: "select", message: "Default node for new guests:", choices: online.map((n) => ({ name: n, value: n })) });
  }
  return online[0];
}

async function chooseStorage(ctx: CommandContext, storages: PveStorage[], node: string, wanted: string | undefined): Promise<string | undefined> {
  const forImages = storages.filter((s) => s.content.split(",").includes("images") && s.enabled !== 0).map((s) => s.storage);
  if (wanted) {
    if (!storages.some((s) => s.storage === wanted)) throw new UsageError(`Storage "${wanted}" does not exist on node ${node}.`, `Storages on ${node}: ${storages.map((s) => s.storage).join(", ")}.`);
    return wanted;
  }
  if (ctx.ui.interactive && forImages.length > 1) {
    return ctx.ui.ask({ kind: "select", message: `Default storage for disks on ${node}:`, choices: forImages.map((s) => ({ name: s, value: s })) });
  }
  return forImages[0];
}

async function chooseDatabase(ctx: CommandContext, wanted: string | undefined): Promise<string> {
  const value = wanted ?? (ctx.ui.interactive ? await ctx.ui.ask({ kind: "input", message: "State database (Enter for SQLite in the workspace, or postgresql://…):", default: "" }) : "");
  const url = value.trim();
  if (url && !/^(file:|postgres(ql)?:\/\/)/.test(url)) throw new UsageError(`Unsupported database URL "${url}".`, "Use file:PATH for SQLite or postgresql://USER@HOST/DB for PostgreSQL.");
  return url;
}

/** Open the store once: applies migrations and proves the database is usable. */
async function checkDatabase(ctx: CommandContext, database: string, root: string): Promise<void> {
  const { openStore } = await import("../state/store.js");
  const url = !database ? `file:${join(root, ".proxmox-mpc", "state.db")}` : database.startsWith("file:") ? `file:${resolve(root, database.slice(5))}` : database;
  if (url.startsWith("file:")) mkdirSync(dirname(url.slice(5)), { recursive: true });
  const store = await openStore({ url });
  await store.close();
  ctx.log.info({ database: url.startsWith("file:") ? url : "postgresql" }, "database ready");
}

async function writeConfig(paths: WorkspacePaths, config: WorkspaceConfig): Promise<void> {
  const { dump } = await import("js-yaml");
  const header = "# proxmox-mpc workspace. The API token secret is never stored here:\n# it is in .proxmox-mpc/secrets (mode 0600) or in PROXMOX_VE_API_TOKEN.\n";
  writeFileSync(paths.config, header + dump(JSON.parse(JSON.stringify(config)), { lineWidth: 200 }));
}

function writeSecret(paths: WorkspacePaths, secret: string): void {
  writeFileSync(paths.secrets, `${secret}\n`, { mode: 0o600 });
  chmodSync(paths.secrets, 0o600);
}

function copyCa(paths: WorkspacePaths, pem: string): string {
  const file = join(paths.dir, "ca.pem");
  writeFileSync(file, pem);
  return file;
}

/** `.gitignore` (templates/workspace/gitignore); an existing one gets only the lines it lacks. */
function writeGitignore(root: string, template: string): void {
  const file = join(root, ".gitignore");
  const existing = existsSync(file) ? readFileSync(file, "utf8") : "";
  const missing = template.split("\n").filter((line) => line && !line.startsWith("#") && !existing.split("\n").includes(line));
  if (!existing) writeFileSync(file, template);
  else if (missing.length) writeFileSync(file, `${existing.replace(/\n?$/, "\n")}\n# proxmox-mpc\n${missing.join("\n")}\n`);
}

/** `tests/example.yaml` (templates/workspace/tests/example.yaml), only when there is none: the user's edits stay. */
function writeExampleSpec(paths: WorkspacePaths, template: string): void {
  try {
    writeFileSync(join(paths.tests, "example.yaml"), template, { flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
}
