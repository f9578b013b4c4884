/**
 * The checks on this machine: the database (latency, migrations), the
 * workspace (read/write, free disk), the tools (terraform, ansible, claude)
 * and the state (age of the last sync, drift).
 */
import { execFile } from "node:child_process";
import { accessSync, constants, rmSync, statfsSync, writeFileSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { describeDrift, readDrift } from "../core/drift.js";
import { redactString } from "../core/redact.js";
import type { Workspace } from "../core/workspace.js";
import { engineChoice } from "../engine/select.js";
import type { Store } from "../state/store.js";
import { check, type HealthCheck } from "./health-types.js";
import { describeMetrics } from "./operation-figures.js";

const GiB = 1024 ** 3;
const message = (err: unknown): string => redactString(err instanceof Error ? err.message : String(err));

/** Database reachable (query latency) and its migrations current. */
export async function probeDatabase(getStore: () => Promise<Store>): Promise<HealthCheck[]> {
  let store: Store;
  const started = performance.now();
  try {
    store = await getStore();
  } catch (err) {
    return [check("database", "Database", "fail", `${Math.round(performance.now() - started)} ms`, message(err))];
  }
  const info = store.info();
  // The first query warms the connection up; the second is the latency.
  const ms = Math.min(await store.ping(), await store.ping());
  const db = check("database", "Database", "ok", `${ms} ms`, `${info.provider} ${info.location} answered a query`);
  const { newlyApplied, checksumMismatches } = info.migrations;
  if (checksumMismatches.length) return [db, check("database", "Migrations", "warn", info.schemaVersion, `applied migrations changed since: ${checksumMismatches.join(", ")}`)];
  const note = newlyApplied.length ? `current (just applied ${newlyApplied.join(", ")})` : "current";
  return [db, check("database", "Migrations", "ok", info.schemaVersion, note)];
}

/** The workspace folder readable and writable, and the free disk under it. */
export function probeWorkspace(ws: Workspace): HealthCheck[] {
  let access: HealthCheck;
  try {
    accessSync(ws.paths.root, constants.R_OK | constants.W_OK);
    const probe = join(ws.paths.dir, `.health-${process.pid}`);
    writeFileSync(probe, "ok");
    rmSync(probe);
    access = check("workspace", "Workspace access", "ok", "read/write", ws.paths.root);
  } catch (err) {
    access = check("workspace", "Workspace access", "fail", "not writable", `${ws.paths.root}: ${message(err)}`);
  }
  try {
    const fs = statfsSync(ws.paths.root);
    const free = fs.bavail * fs.bsize;
    const figure = free >= GiB ? `${(free / GiB).toFixed(1)} GiB free` : `${Math.round(free / 1024 ** 2)} MiB free`;
    const status = free < 100 * 1024 ** 2 ? "fail" : free < GiB ? "warn" : "ok";
    return [access, check("workspace", "Free disk", status, figure, status === "ok" ? "room for the state, logs and IaC" : "little space left for the state database and logs")];
  } catch (err) {
    return [access, check("workspace", "Free disk", "warn", "unknown", message(err))];
  }
}

/** A tool this program can use, and what is lost without it. */
interface Tool {
  name: string;
  binary: (env: NodeJS.ProcessEnv) => string | undefined;
  without: string;
}

const TOOLS: Tool[] = [
  { name: "Terraform", binary: (env) => engineChoice(undefined, env).binary, without: "plan/apply/destroy use the native engine" },
  { name: "Ansible", binary: (env) => findOnPath("ansible", env), without: "the playbooks in ansible/ cannot run" },
  { name: "Claude", binary: (env) => findOnPath("claude", env), without: "natural language uses the local parser only" },
];

/** terraform (or tofu), ansible and claude: their names, for one probe each. */
export const TOOL_NAMES = TOOLS.map((t) => t.name);

/** One tool (by name in TOOL_NAMES): found on PATH, with its version; a missing one says what is lost. */
export async function probeTool(name: string, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<HealthCheck[]> {
  const tool = TOOLS.find((t) => t.name === name);
  if (!tool) return [];
  const binary = tool.binary(env);
  if (!binary) return [check("tools", tool.name, "warn", "not found", `not on PATH: ${tool.without}`)];
  const version = await toolVersion(binary, env, signal);
  return [version ? check("tools", tool.name, "ok", `v${version}`, binary) : check("tools", tool.name, "warn", "no version", `${binary} --version failed: ${tool.without}`)];
}

/** The version a tool prints for `--version` (first x.y[.z]), or undefined. */
export function toolVersion(binary: string, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(binary, ["--version"], { env, signal, timeout: 10_000, encoding: "utf8" }, (err, stdout) => {
      resolve(err ? undefined : /\d+\.\d+(\.\d+)?/.exec(stdout)?.[0]);
    });
  });
}

/** An executable called `name` in a PATH folder. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter).filter((d) => isAbsolute(d))) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** Age of the last completed sync, and the drift the last plan found. */
export async function probeState(getStore: () => Promise<Store>, ws: Workspace, now = Date.now()): Promise<HealthCheck[]> {
  const store = await getStore();
  const last = await store.syncs.last({ status: "completed" });
  const age = last?.finishedAt ? Math.round((now - last.finishedAt.getTime()) / 1000) : undefined;
  const sync =
    age === undefined
      ? check("state", "Last sync", "warn", "never", "the store is empty: run `proxmox-mpc sync`")
      : check("state", "Last sync", age > 86_400 ? "warn" : "ok", `${ago(age)} ago`, `sync #${last?.id}: ${last?.guests} guests${age > 86_400 ? "; older than a day, run `proxmox-mpc sync`" : ""}`);
  const drift = readDrift(ws.paths);
  const total = drift ? drift.create + drift.update + drift.delete + drift.replace : 0;
  const driftCheck = !drift
    ? check("state", "Drift", "ok", "unknown", "no plan yet: run `proxmox-mpc plan` to compare the IaC with the cluster")
    : check("state", "Drift", total ? "warn" : "ok", total ? `${total} changes` : "none", `${describeDrift(drift)} (plan of ${drift.at.slice(0, 16).replace("T", " ")})`);
  return [sync, driftCheck];
}

/**
 * The operations of the last day from the store, with their figures: how many, how many failed
 * (a usage error, exit 2, is the user's typo, not a failure of the workspace), the slowest and
 * the API traffic. Warns when an operation failed, naming the latest and how to read its trace.
 */
export async function probeOperations(getStore: () => Promise<Store>, now = Date.now()): Promise<HealthCheck[]> {
  const store = await getStore();
  const operations = await store.operations.list({ since: new Date(now - 86_400_000), limit: 1000 });
  if (!operations.length) return [check("state", "Recent operations", "ok", "none in 24h", "no command has run in this workspace in the last day")];
  // Failed: threw, or finished with exit 1 (a batch with a failed step); not a usage error (2) or Ctrl-C (130).
  const failed = operations.filter((op) => op.result !== "cancelled" && op.exitCode === 1);
  const measured = operations.filter((op) => op.metrics);
  const requests = measured.reduce((n, op) => n + (op.metrics?.api.requests ?? 0), 0);
  const retries = measured.reduce((n, op) => n + (op.metrics?.api.retries ?? 0), 0);
  const slowest = operations.reduce((a, b) => ((b.durationMs ?? 0) > (a.durationMs ?? 0) ? b : a));
  const figure = `${operations.length} in 24h, ${failed.length} failed`;
  const traffic = `${requests.toLocaleString("en-US")} API requests${retries ? ` (${retries} retried)` : ""}`;
  const slow = `slowest: ${slowest.command} ${slowest.durationMs ?? 0} ms${slowest.metrics ? ` (${describeMetrics(slowest.metrics)})` : ""}`;
  if (failed.length) {
    const last = failed[0];
    return [check("state", "Recent operations", "warn", figure, `last failure: ${last.command} (${redactString(last.error ?? `exit ${last.exitCode}`)}); see \`proxmox-mpc logs --correlation ${last.correlationId}\`; ${traffic}`)];
  }
  return [check("state", "Recent operations", "ok", figure, `${traffic}; ${slow}`)];
}

function ago(seconds: number): string {
  if (seconds < 90) return `${seconds}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}
