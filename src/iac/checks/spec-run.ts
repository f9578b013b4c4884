/**
 * Running the workspace's test specs (tests/*.yaml): offline specs against
 * the guests of the .tf files, live specs against the cluster when --live is
 * given (reported as skipped otherwise).
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { guestFacts, type GuestFacts } from "./guest-facts.js";
import type { LiveCluster } from "./live.js";
import { parseSpecFile, type UserSpec } from "./spec-file.js";
import type { LiveGuest } from "./spec-expect.js";
import { compare } from "./spec-values.js";
import { CheckRecorder, plural, type CheckResult, type Guest } from "./types.js";

/** The spec files of a tests/ folder (`*.yaml`, `*.yml`), sorted; none when it is missing. */
export async function specFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** Run every spec of every file. Without `live`, live specs are skipped. */
export async function runSpecs(files: string[], guests: Guest[], root: string, live?: LiveCluster): Promise<CheckResult[]> {
  const rec = new CheckRecorder("spec", root);
  const facts = guests.map((g) => ({ guest: g, facts: guestFacts(g) }));
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      rec.fail(`cannot read the spec file: ${err instanceof Error ? err.message : String(err)}`, file);
      continue;
    }
    const { specs, problems } = parseSpecFile(file, text);
    for (const p of problems) rec.fail(`malformed spec: ${p.message}`, p.file, p.line);
    for (const spec of specs) {
      const selected = facts.filter((f) => spec.select(f.facts));
      const before = rec.results.length;
      if (!compare(selected.length, spec.count)) {
        rec.fail(`${spec.name}: selects ${plural(selected.length, "guest")}, expected ${spec.count.text}`, spec.file, spec.countLine);
      } else if (spec.live && !live) {
        rec.skip(`${spec.name}: a live spec (run \`test --live\` to check it against the cluster)`, spec.file, spec.line);
        continue;
      } else if (spec.live && live) {
        await runLive(spec, selected, live, rec);
      } else {
        runOffline(spec, selected, rec);
      }
      if (!rec.results.slice(before).some((r) => r.status === "failed")) {
        rec.results.push({ check: "spec", status: "passed", file: rec.relative(spec.file), line: spec.line, message: `${spec.name} (${plural(selected.length, "guest")})` });
      }
    }
  }
  return rec.results;
}

function runOffline(spec: UserSpec, selected: { guest: Guest; facts: GuestFacts }[], rec: CheckRecorder): void {
  for (const { guest, facts } of selected) {
    const failures: { line: number; text: string }[] = [];
    for (const e of spec.expect) {
      if (e.live) continue;
      const text = e.test(facts);
      if (text) failures.push({ line: e.line, text });
    }
    if (failures.length) rec.fail(`${spec.name}: ${facts.name} (${rec.where(guest)}) ${failures.map((f) => f.text).join("; ")}`, spec.file, failures[0].line);
  }
}

async function runLive(spec: UserSpec, selected: { guest: Guest; facts: GuestFacts }[], live: LiveCluster, rec: CheckRecorder): Promise<void> {
  let cluster: Awaited<ReturnType<LiveCluster["guests"]>>;
  try {
    cluster = await live.guests();
  } catch (err) {
    if (aborted(err)) throw err;
    rec.fail(`${spec.name}: cannot read the cluster: ${err instanceof Error ? err.message : String(err)}`, spec.file, spec.line);
    return;
  }
  for (const { facts } of selected) {
    const where = cluster.get(facts.vmid);
    if (!where || where.type !== facts.type) {
      rec.fail(`${spec.name}: ${facts.name} (vm_id ${facts.vmid}) does not exist in the cluster (apply first)`, spec.file, spec.line);
      continue;
    }
    const failures: { line: number; text: string }[] = [];
    try {
      const status = await live.status(where.node, where.type, facts.vmid);
      const guest: LiveGuest = { status: status.status, uptime: status.uptime, agent: () => live.agent(where.node, facts.vmid) };
      for (const e of spec.expect) {
        if (!e.live) continue;
        const text = await e.test(guest, facts);
        if (text) failures.push({ line: e.line, text });
      }
    } catch (err) {
      if (aborted(err)) throw err;
      failures.push({ line: spec.line, text: `cannot read its status: ${err instanceof Error ? err.message : String(err)}` });
    }
    if (failures.length) rec.fail(`${spec.name}: ${facts.name} on ${where.node}: ${failures.map((f) => f.text).join("; ")}`, spec.file, failures[0].line);
  }
}

/** Ctrl-C stops the run instead of turning into failed results. */
function aborted(err: unknown): boolean {
  return (err as { code?: string }).code === "aborted";
}
