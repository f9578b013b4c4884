/**
 * report-issue's bundle: the summary, the environment, health, the
 * operations and log lines of the window (read through log-query.ts, the
 * failing operation's trace first), the logs of the window's failed Proxmox
 * tasks (report-tasks.ts), the config and IaC files, the last sync and drift,
 * and the error classification — with secrets removed (sanitize.ts) and, when
 * asked, identifiers replaced (anonymize.ts). Written as JSON and Markdown.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { arch, homedir, hostname, release, type as osType, userInfo } from "node:os";
import { join } from "node:path";
import { readDrift, type DriftRecord } from "../core/drift.js";
import { ProxmoxMpcError } from "../core/errors.js";
import type { Workspace } from "../core/workspace.js";
import { engineChoice } from "../engine/select.js";
import type { OperationRecord } from "../state/operation-repository.js";
import type { Store } from "../state/store.js";
import type { SyncRunRecord } from "../state/sync-types.js";
import { Anonymizer } from "./anonymize.js";
import { classifyFailure, type Classification } from "./classify.js";
import type { HealthReport } from "./health-types.js";
import { queryLogs, type LogEntry } from "./log-query.js";
import { collectFiles, type BundleFile } from "./report-files.js";
import { buildPrompt, renderMarkdown } from "./report-render.js";
import { collectTaskLogs, type TaskLogApi, type TaskLogs } from "./report-tasks.js";
import { SecretScrubber } from "./sanitize.js";

/** What a bundle is built from; the command passes its services. */
export interface ReportSources {
  summary: string;
  workspace: Workspace;
  env: NodeJS.ProcessEnv;
  version: string;
  since: Date;
  anonymize: boolean;
  /** Where the files go (default the workspace's diagnostics/). */
  outDir: string;
  health: () => Promise<HealthReport>;
  store: () => Promise<Store>;
  /** The API client, for the task logs (may throw when no endpoint or token is configured). */
  proxmox: () => Promise<TaskLogApi>;
  /** The full API token, so that its secret is removed (undefined or throwing when none is set). */
  token: () => string | undefined;
  now?: Date;
  signal?: AbortSignal;
}

/** Most log lines of the window kept (the newest); the failing operation's trace is read whole. */
export const MAX_LOG_LINES = 5000;

/** The bundle as written (after secrets are removed). */
export interface IssueBundle {
  format: "proxmox-mpc-issue/1";
  createdAt: string;
  summary: string;
  anonymized: boolean;
  window: { since: string; until: string };
  classification: Classification;
  failure: { operation: OperationRecord; trace: LogEntry[] } | null;
  environment: Record<string, unknown>;
  health: HealthReport;
  operations: OperationRecord[];
  logs: LogEntry[];
  /** The logs of the window's failed Proxmox tasks, fetched from the server. */
  taskLogs: TaskLogs;
  lastSync: { completed: SyncRunRecord | null; latest: SyncRunRecord | null };
  drift: DriftRecord | null;
  files: BundleFile[];
  removed: { secrets: number };
}

/** What a written bundle holds, in numbers. */
export interface ReportCounts {
  operations: number;
  failing: number;
  logLines: number;
  traceLines: number;
  taskLogs: number;
  files: Record<BundleFile["kind"], number>;
  healthChecks: number;
  healthFailing: number;
  healthWarnings: number;
  secretsRemoved: number;
}

/** Where the bundle went, what it holds, and the suggested prompt. */
export interface ReportOutcome {
  json: string;
  markdown: string;
  counts: ReportCounts;
  classification: Classification;
  prompt: string;
  /** Why task logs are missing (server unreachable …), or null. */
  taskLogNote: string | null;
}

const OWN_COMMANDS = new Set(["report-issue", "health"]);

/** Build the bundle, remove its secrets (and identifiers), and write it. */
export async function writeIssueReport(src: ReportSources): Promise<ReportOutcome> {
  const now = src.now ?? new Date();
  const ws = src.workspace;
  const store = await src.store();
  const [health, operations, completed, latest, nodes, guests] = await Promise.all([
    src.health(),
    store.operations.list({ since: src.since, limit: 500 }),
    store.syncs.last({ status: "completed" }),
    store.syncs.last(),
    store.nodes.list(),
    store.guests.names(),
  ]);
  const lines = queryLogs(ws.paths.logs, { since: src.since, limit: MAX_LOG_LINES });
  const failed = [...operations].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime()).find((op) => op.result === "failed" && !OWN_COMMANDS.has(op.command));
  const trace = failed ? queryLogs(ws.paths.logs, { since: src.since, correlation: failed.correlationId }) : [];
  const taskLogs = await collectTaskLogs({ api: src.proxmox, since: src.since, trace, lines, signal: src.signal });
  const codes = trace.map(errorCode).filter((c): c is string => typeof c === "string");
  const classification = classifyFailure(failed ? { command: failed.command, message: failed.error ?? undefined, exitCode: failed.exitCode, codes } : undefined);
  const files = collectFiles(ws);

  const scrub = new SecretScrubber();
  scrub.addEnvironment(src.env);
  scrub.add(safeToken(src.token)?.split("=").slice(1).join("="));
  if (existsSync(ws.paths.secrets)) for (const line of readFileSync(ws.paths.secrets, "utf8").split("\n")) scrub.add(line.replace(/^token_secret\s*[:=]\s*/, ""));
  for (const text of [...files.map((f) => f.content), ...[...lines, ...trace].map((l) => JSON.stringify(l)), ...taskLogs.tasks.flatMap((t) => [t.exitstatus ?? "", ...t.lines]), ...operations.map((o) => o.error ?? "")]) scrub.learnFrom(text);

  const raw: Omit<IssueBundle, "removed"> = {
    format: "proxmox-mpc-issue/1",
    createdAt: now.toISOString(),
    summary: src.summary,
    anonymized: src.anonymize,
    window: { since: src.since.toISOString(), until: now.toISOString() },
    classification,
    failure: failed ? { operation: failed, trace } : null,
    environment: environment(src, store, health),
    health,
    operations,
    logs: lines,
    taskLogs,
    lastSync: { completed, latest: latest && latest.id !== completed?.id ? latest : null },
    drift: readDrift(ws.paths) ?? null,
    files,
  };
  // The count itself is no secret (nor counted): it is added after the removal.
  let bundle: IssueBundle = { ...scrub.value(raw), removed: { secrets: 0 } };
  bundle.removed.secrets = scrub.removed;
  if (src.anonymize) {
    const anonymizer = new Anonymizer();
    anonymizer.addHostnames([...nodes.map((n) => n.name), ...guests.map((g) => g.name), endpointHost(ws.config.endpoint)]);
    // This machine: where a field names it (a sync's host), not as a word (it may be "vm" or "build").
    anonymizer.addHostnames([hostname(), completed?.host, latest?.host], { words: false });
    anonymizer.addUsernames([ws.config.tokenId.split("@")[0], safeUser()]);
    for (const file of bundle.files) anonymizer.learnUsernames(file.content);
    anonymizer.addWorkspace(ws.paths.root);
    anonymizer.addWorkspace(safe(() => realpathSync(ws.paths.root)));
    anonymizer.addHome(safe(() => homedir()));
    bundle = anonymizer.value(bundle);
  }
  const prompt = scrub.knownOnly(buildPrompt(bundle));
  const json = scrub.knownOnly(`${JSON.stringify(bundle, null, 2)}\n`);
  const markdown = scrub.knownOnly(renderMarkdown(bundle, prompt));
  if (scrub.leaks(json) || scrub.leaks(markdown) || scrub.leaks(prompt)) {
    throw new ProxmoxMpcError("The diagnostic bundle still held a secret after removal; nothing was written.", { code: "internal", hint: "This is a bug: report it without the bundle." });
  }
  const base = uniqueBase(src.outDir, now);
  mkdirSync(src.outDir, { recursive: true });
  for (const [path, text] of [[`${base}.json`, json], [`${base}.md`, markdown]] as const) {
    writeFileSync(path, text, { mode: 0o600 });
    chmodSync(path, 0o600);
  }
  return { json: `${base}.json`, markdown: `${base}.md`, counts: countsOf(bundle), classification: bundle.classification, prompt, taskLogNote: bundle.taskLogs.note };
}

/** A log line's error code: `error.type` (the log format), or `err.code` (a raw error object). */
function errorCode(line: LogEntry): unknown {
  const error = line.context.error ?? line.context.err;
  if (!error || typeof error !== "object") return undefined;
  const e = error as Record<string, unknown>;
  return e.type ?? e.code;
}

function environment(src: ReportSources, store: Store, health: HealthReport): Record<string, unknown> {
  const info = store.info();
  const pve = health.checks.find((c) => c.name === "Proxmox server")?.message.match(/Proxmox VE (\S+)/)?.[1];
  const token = src.env.PROXMOX_VE_API_TOKEN;
  return {
    proxmoxMpc: src.version,
    node: process.version,
    os: `${osType()} ${release()} ${arch()}`,
    pveVersion: pve ?? null,
    endpoint: src.workspace.config.endpoint,
    tokenId: src.workspace.config.tokenId,
    tls: src.workspace.config.tls,
    engine: engineChoice(undefined, src.env),
    database: { provider: info.provider, location: info.location, schemaVersion: info.schemaVersion },
    tools: health.checks.filter((c) => c.group === "tools").map((c) => ({ name: c.name, status: c.status, version: c.figure })),
    variables: {
      PROXMOX_VE_ENDPOINT: src.env.PROXMOX_VE_ENDPOINT ?? null,
      PROXMOX_VE_INSECURE: src.env.PROXMOX_VE_INSECURE ?? null,
      PROXMOX_MPC_ENGINE: src.env.PROXMOX_MPC_ENGINE ?? null,
      PROXMOX_VE_API_TOKEN_ID: token ? token.split("=")[0] : null,
    },
  };
}

function countsOf(b: IssueBundle): ReportCounts {
  const files = { config: 0, terraform: 0, ansible: 0, tests: 0 };
  for (const f of b.files) files[f.kind]++;
  return {
    operations: b.operations.length,
    failing: b.operations.filter((o) => o.result === "failed").length,
    logLines: b.logs.length,
    traceLines: b.failure?.trace.length ?? 0,
    taskLogs: b.taskLogs.tasks.length,
    files,
    healthChecks: b.health.checks.length,
    healthFailing: b.health.checks.filter((c) => c.status === "fail").length,
    healthWarnings: b.health.checks.filter((c) => c.status === "warn").length,
    secretsRemoved: b.removed.secrets,
  };
}

/** diagnostics/issue-2024-08-01-142530 (with -2, -3 … when taken). */
function uniqueBase(dir: string, now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, "").replace(/[-:]/g, "").replace("T", "-");
  const day = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}${stamp.slice(8)}`;
  let base = join(dir, `issue-${day}`);
  for (let n = 2; existsSync(`${base}.json`) || existsSync(`${base}.md`); n++) base = join(dir, `issue-${day}-${n}`);
  return base;
}

function endpointHost(endpoint: string): string | undefined {
  try {
    const host = new URL(/^\w+:\/\//.test(endpoint) ? endpoint : `https://${endpoint}`).hostname;
    return /^[\d.]+$|^\[/.test(host) ? undefined : host;
  } catch {
    return undefined;
  }
}

function safeToken(token: () => string | undefined): string | undefined {
  try {
    return token();
  } catch {
    return undefined;
  }
}

function safe<T>(get: () => T): T | undefined {
  try {
    return get();
  } catch {
    return undefined;
  }
}

function safeUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
