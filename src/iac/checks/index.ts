/**
 * `test`: a fast validation of a whole workspace. Reads the Terraform files
 * once (unchanged files come from the parse cache), runs every named check
 * against them and the cluster as the last sync stored it, then the user's
 * specs in tests/*.yaml; with a LiveCluster also what only the API can
 * answer. Services only: the command renders the report. See docs/testing.md.
 */
import { join } from "node:path";
import { INVENTORY_FILE } from "../ansible/index.js";
import { checkCpu, checkDisks, checkMemory } from "./capacity.js";
import { checkInventory } from "./inventory.js";
import { checkLiveBridges, checkLiveVolumes, type LiveCluster } from "./live.js";
import { ParseCache } from "./parse-cache.js";
import { checkBridges, checkCloneSources, checkNodes, checkOsTemplates, checkStorage } from "./references.js";
import { runSpecs, specFiles } from "./spec-run.js";
import { checkArguments, checkParse, checkResourceTypes, readTerraformFiles } from "./terraform-files.js";
import { plural, type CheckInput, type CheckResult, type ClusterFacts, type TestReport } from "./types.js";
import { checkIps, checkNames, checkVmids } from "./uniqueness.js";

export type { CheckResult, CheckStatus, CheckName, ClusterFacts, TestReport } from "./types.js";
export { CHECK_NAMES } from "./types.js";
export { liveCluster, type LiveCluster, type LiveStatus } from "./live.js";
export { parseSpecFile, type UserSpec, type SpecProblem } from "./spec-file.js";

/** Where the workspace keeps what `test` reads. */
export interface TestPaths {
  root: string;
  terraform: string;
  ansible: string;
  tests: string;
}

/** Options of runWorkspaceTests. */
export interface TestOptions {
  paths: TestPaths;
  /** The cluster as last synced (a promise: the files are read while the store loads). */
  facts: ClusterFacts | Promise<ClusterFacts>;
  /** Ask the cluster too (--live). */
  live?: LiveCluster;
  /** The parse cache file and the version it belongs to; no cache when absent. */
  cache?: { file: string; version: string };
  /** Ctrl-C. */
  signal?: AbortSignal;
}

/** Run every check and spec of a workspace. */
export async function runWorkspaceTests(options: TestOptions): Promise<TestReport> {
  const started = performance.now();
  const { paths, live } = options;
  const pending = Promise.resolve(options.facts);
  pending.catch(() => undefined); // awaited below; no unhandled rejection while the files are read
  const cache = options.cache ? await ParseCache.open(options.cache.file, options.cache.version) : undefined;
  const terraform = await readTerraformFiles(paths.terraform, { cache, synced: pending.then((f) => f.guests), signal: options.signal });
  const facts = await pending;
  const input: CheckInput = { root: paths.root, terraform, facts };

  const results: CheckResult[] = [
    ...checkParse(input),
    ...checkResourceTypes(input),
    ...(await checkArguments(input)),
    ...checkNodes(input),
    ...checkStorage(input),
    ...checkCloneSources(input),
    ...checkOsTemplates(input),
    ...(live ? combine(checkBridges(input, true), await checkLiveBridges(input, live)) : checkBridges(input, false)),
    ...(live ? await checkLiveVolumes(input, live) : []),
    ...checkVmids(input),
    ...checkNames(input),
    ...checkIps(input),
    ...checkCpu(input),
    ...checkMemory(input),
    ...checkDisks(input),
    ...(await checkInventory(input, join(paths.ansible, INVENTORY_FILE), cache)),
    ...(await runSpecs(await specFiles(paths.tests), terraform.specs, paths.root, live)),
  ];
  // A cache that cannot be written only costs the next run its speed.
  await cache?.save().catch(() => undefined);
  const count = (status: CheckResult["status"]): number => results.filter((r) => r.status === status).length;
  const failed = count("failed");
  return {
    ok: failed === 0,
    passed: count("passed"),
    failed,
    warnings: count("warning"),
    skipped: count("skipped"),
    guests: terraform.specs.length,
    durationMs: Math.round(performance.now() - started),
    results,
  };
}

/** Results of two runs of one check as one: a single `passed` result, and none when something failed. */
function combine(...lists: CheckResult[][]): CheckResult[] {
  const all = lists.flat();
  const problems = all.filter((r) => r.status !== "passed");
  const lastPassed = [...all].reverse().find((r) => r.status === "passed");
  return problems.some((r) => r.status === "failed") || !lastPassed ? problems : [...problems, lastPassed];
}

const SYMBOL: Record<CheckResult["status"], string> = { passed: "✔", failed: "✖", warning: "⚠", skipped: "–" };

/** `terraform/web_01.tf:3 ` (or nothing). */
export function location(r: CheckResult): string {
  return r.file ? `${r.file}${r.line ? `:${r.line}` : ""} ` : "";
}

/** The human report: failures, warnings and skipped results, then one summary line. */
export function renderReport(report: TestReport): string {
  const lines: string[] = [];
  for (const status of ["failed", "warning", "skipped"] as const) {
    for (const r of report.results) if (r.status === status) lines.push(`${SYMBOL[status]} ${location(r)}${r.message}`);
  }
  const parts = report.failed ? [`${SYMBOL.failed} ${report.failed} failed`, `${report.passed} passed`] : [`${SYMBOL.passed} ${plural(report.passed, "check")} passed`];
  if (report.warnings) parts.push(plural(report.warnings, "warning"));
  if (report.skipped) parts.push(`${report.skipped} skipped`);
  lines.push(`${parts.join(", ")} (${plural(report.guests, "guest")}, ${(report.durationMs / 1000).toFixed(1)} s)`);
  return lines.join("\n");
}
