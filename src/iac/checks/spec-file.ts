/**
 * Reading the workspace's test specs (tests/*.yaml): a YAML list of specs,
 * each a `name`, a `select` (which guests), an optional `count`, and
 * `expect` (what must hold for every selected guest). See docs/testing.md.
 * A malformed file or spec becomes a problem with its line; the other specs
 * of the file still run.
 */
import { lineAt, readYaml, type YamlDocument, type YamlPosition } from "./yaml-positions.js";
import { compileExpect, type Expectation } from "./spec-expect.js";
import { matchesAny, parseComparison, parseGlobs, parseVmids, type Comparison } from "./spec-values.js";
import type { GuestFacts } from "./guest-facts.js";

/** One spec, ready to run. */
export interface UserSpec {
  name: string;
  file: string;
  line: number;
  /** Checked against the cluster (`test --live`) instead of the files. */
  live: boolean;
  select: (g: GuestFacts) => boolean;
  count: Comparison;
  countLine: number;
  expect: Expectation[];
}

/** A problem in a spec file. */
export interface SpecProblem {
  file: string;
  line?: number;
  message: string;
}

const ITEM_KEYS = ["name", "select", "count", "expect", "live"];
const SELECT_KEYS = ["name", "tag", "node", "type", "vmid", "template"];
const TYPES: Record<string, "qemu" | "lxc"> = { vm: "qemu", vms: "qemu", qemu: "qemu", ct: "lxc", cts: "lxc", lxc: "lxc", container: "lxc" };

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parse one spec file. */
export function parseSpecFile(file: string, text: string): { specs: UserSpec[]; problems: SpecProblem[] } {
  const problems: SpecProblem[] = [];
  let yaml: YamlDocument;
  try {
    yaml = readYaml(text);
  } catch (err) {
    const mark = (err as { mark?: { line?: number } }).mark;
    const reason = (err as { reason?: string }).reason ?? (err instanceof Error ? err.message.split("\n")[0] : String(err));
    return { specs: [], problems: [{ file, line: mark?.line !== undefined ? mark.line + 1 : undefined, message: `not valid YAML: ${reason}` }] };
  }
  const doc = yaml.value;
  if (doc === undefined || doc === null) return { specs: [], problems: [] };
  if (!Array.isArray(doc)) return { specs: [], problems: [{ file, line: 1, message: "a spec file is a YAML list of specs (each item starts with `- name: …`)" }] };
  const pos = yaml.positions();
  const specs: UserSpec[] = [];
  doc.forEach((item, index) => {
    const at = (...path: (string | number)[]): number | undefined => lineAt(pos, index, ...path);
    const problem = (message: string, ...path: (string | number)[]): void => void problems.push({ file, line: at(...path), message });
    const spec = compileSpec(item, file, lineAt(pos, index) ?? 1, pos?.items?.[index], problem);
    if (spec) specs.push(spec);
  });
  return { specs, problems };
}

function compileSpec(item: unknown, file: string, line: number, pos: YamlPosition | undefined, problem: (message: string, ...path: (string | number)[]) => void): UserSpec | undefined {
  if (!isMapping(item)) {
    problem("a spec is a mapping with name, select and expect");
    return undefined;
  }
  let ok = true;
  const bad = (message: string, ...path: (string | number)[]): void => {
    ok = false;
    problem(message, ...path);
  };
  for (const key of Object.keys(item)) if (!ITEM_KEYS.includes(key)) bad(`unknown key "${key}" (a spec has ${ITEM_KEYS.join(", ")})`, key);
  const name = typeof item.name === "string" && item.name.trim() ? item.name.trim() : undefined;
  if (!name) bad("a spec needs a name: a sentence saying what must hold", "name");
  if (item.live !== undefined && typeof item.live !== "boolean") bad("live must be true or false", "live");
  const live = item.live === true;
  const select = compileSelect(item.select, bad);
  let count: Comparison = { op: ">=", value: 1, text: ">= 1" };
  if (item.count !== undefined) {
    const c = parseComparison(item.count, "none");
    if (typeof c === "string") bad(`count: ${c}`, "count");
    else count = c;
  }
  if (item.expect === undefined && item.count === undefined) bad("a spec needs expect (what must hold), or count", "name");
  if (item.expect !== undefined && !isMapping(item.expect)) bad("expect must be a mapping like { cores: \">= 2\" }", "expect");
  const expect: Expectation[] = [];
  if (isMapping(item.expect)) {
    for (const [key, raw] of Object.entries(item.expect)) {
      const keyLine = pos?.keys?.get("expect")?.keys?.get(key)?.line ?? line;
      const compiled = compileExpect(key, raw, live, keyLine);
      if (typeof compiled === "string") bad(`expect.${key}: ${compiled}`, "expect", key);
      else expect.push(compiled);
    }
  }
  if (!ok || !name || !select) return undefined;
  return { name, file, line, live, select, count, countLine: pos?.keys?.get("count")?.line ?? line, expect };
}

function compileSelect(raw: unknown, bad: (message: string, ...path: (string | number)[]) => void): ((g: GuestFacts) => boolean) | undefined {
  if (raw === undefined || raw === null) return (g) => !g.template;
  if (!isMapping(raw)) {
    bad('select must be a mapping like { name: "web-*", tag: web }', "select");
    return undefined;
  }
  const tests: ((g: GuestFacts) => boolean)[] = [];
  let ok = true;
  for (const [key, value] of Object.entries(raw)) {
    const fail = (message: string): void => {
      ok = false;
      bad(`select.${key}: ${message}`, "select", key);
    };
    if (!SELECT_KEYS.includes(key)) {
      fail(`unknown selector (use ${SELECT_KEYS.join(", ")})`);
      continue;
    }
    if (key === "template") {
      if (typeof value !== "boolean") fail("expected true or false");
      else tests.push((g) => g.template === value);
      continue;
    }
    if (key === "vmid") {
      const within = parseVmids(value);
      if (typeof within === "string") fail(within);
      else tests.push((g) => within(g.vmid));
      continue;
    }
    if (key === "type") {
      const kinds = (Array.isArray(value) ? value : [value]).map((v) => TYPES[String(v).toLowerCase()]);
      if (kinds.some((k) => !k)) fail(`expected vm or ct (or qemu, lxc), found ${JSON.stringify(value)}`);
      else tests.push((g) => kinds.includes(g.type));
      continue;
    }
    const globs = parseGlobs(value);
    if (typeof globs === "string") {
      fail(globs);
      continue;
    }
    if (key === "name") tests.push((g) => matchesAny(g.name, globs));
    else if (key === "node") tests.push((g) => matchesAny(g.node, globs));
    else tests.push((g) => g.tags.some((t) => matchesAny(t, globs)));
  }
  if (!ok) return undefined;
  // Templates are not servers: left out unless the selection asks for them.
  const withTemplates = "template" in raw;
  return (g) => (withTemplates || !g.template) && tests.every((t) => t(g));
}
