#!/usr/bin/env node
/**
 * `npm run eval:nl`: the local engine against the data set (data/nl/*.jsonl,
 * made by scripts/nl-dataset.mjs; hard.jsonl by hand). Prints per split the
 * exact-match accuracy (the same command lines, in order), per intent
 * accuracy, the false-destructive rate (a dangerous command proposed where the
 * expected plan had none) and latency percentiles of parseLocal.
 *
 *   node bench/eval-nl.mjs [--split test] [--json] [--errors N]
 *
 * Latency per input is the fastest of three runs (see evaluate).
 *
 * Exits 1 when a target is missed: test exact match < 95 %, any false
 * destructive, p99 ≥ 5 ms.
 */
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { COMMANDS } from "../dist/commands/registry.js";
import { parseLocal } from "../dist/nl/local/index.js";
import { planSafety } from "../dist/nl/types.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const SPLITS = opt("--split") ? [opt("--split")] : ["train", "dev", "test", "hard"];
const showErrors = Number(opt("--errors") ?? 0);
const ctx = JSON.parse(readFileSync(join(ROOT, "data/nl/context.json"), "utf8"));

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

/** Evaluate one split: accuracy, per intent, false destructive, latency. */
export function evaluate(rows) {
  const times = [];
  const perIntent = {};
  let right = 0;
  let falseDestructive = 0;
  let notDangerous = 0;
  const errors = [];
  for (const row of rows) {
    // The fastest of three runs: the machine is shared, and a run the scheduler preempted measures the neighbours, not the parser.
    let plan;
    let best = Infinity;
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      plan = parseLocal(row.input, row.context ?? ctx);
      best = Math.min(best, performance.now() - t0);
    }
    times.push(best);
    const ok = JSON.stringify(plan.commands) === JSON.stringify(row.commands);
    if (ok) right++;
    else errors.push({ input: row.input, expected: row.commands, got: plan.commands, explanation: plan.explanation });
    const intent = row.intent ?? "other";
    perIntent[intent] ??= { n: 0, right: 0 };
    perIntent[intent].n++;
    if (ok) perIntent[intent].right++;
    if (row.safety !== "dangerous") {
      notDangerous++;
      if (planSafety(plan.commands, COMMANDS) === "dangerous") falseDestructive++;
    }
  }
  times.sort((a, b) => a - b);
  return {
    n: rows.length,
    exactMatch: right / rows.length,
    falseDestructive,
    falseDestructiveRate: notDangerous ? falseDestructive / notDangerous : 0,
    perIntent: Object.fromEntries(Object.entries(perIntent).sort().map(([k, v]) => [k, { n: v.n, accuracy: v.right / v.n }])),
    latencyMs: { p50: percentile(times, 0.5), p95: percentile(times, 0.95), p99: percentile(times, 0.99), max: times[times.length - 1] },
    errors,
  };
}

function read(split) {
  const file = join(ROOT, "data/nl", `${split}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("//")).map((l) => JSON.parse(l));
}

// Warm up (first calls load the model and the tokenizer).
for (const row of read("dev").slice(0, 200)) parseLocal(row.input, ctx);

const results = {};
for (const split of SPLITS) {
  const rows = read(split);
  if (rows.length) results[split] = evaluate(rows);
}
if (args.includes("--json")) {
  console.log(JSON.stringify(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { ...v, errors: v.errors.length }])), null, 2));
} else {
  const pct = (x) => `${(100 * x).toFixed(1)} %`;
  const ms = (x) => `${x.toFixed(3)} ms`;
  console.log("split   examples  exact match  false destructive   p50        p95        p99");
  for (const [split, r] of Object.entries(results)) {
    console.log(`${split.padEnd(8)}${String(r.n).padStart(8)}  ${pct(r.exactMatch).padStart(11)}  ${`${r.falseDestructive} (${pct(r.falseDestructiveRate)})`.padStart(17)}  ${ms(r.latencyMs.p50).padStart(9)}  ${ms(r.latencyMs.p95).padStart(9)}  ${ms(r.latencyMs.p99).padStart(9)}`);
  }
  for (const [split, r] of Object.entries(results)) {
    console.log(`\nper intent (${split}): ${Object.entries(r.perIntent).map(([k, v]) => `${k} ${pct(v.accuracy)} (${v.n})`).join(", ")}`);
    for (const e of r.errors.slice(0, showErrors)) console.log(`  ✗ ${JSON.stringify(e.input)}\n      expected ${JSON.stringify(e.expected)}\n      got      ${JSON.stringify(e.got)}  ${e.got.length ? "" : e.explanation}`);
  }
}
// The same sentences against a store of 10,000 more guests: names are looked up, not scanned, so latency should not grow.
if (!args.includes("--json") && SPLITS.includes("dev")) {
  const big = { ...ctx, guests: [...ctx.guests, ...Array.from({ length: 10_000 }, (_, i) => ({ name: `bulk-${String(i + 1).padStart(5, "0")}`, vmid: 10_000 + i, type: i % 3 ? "qemu" : "lxc", node: ctx.nodes[i % ctx.nodes.length], tags: ["bulk"], status: "running" }))] };
  const t0 = performance.now();
  parseLocal("describe web-01", big);
  const first = performance.now() - t0;
  const times = read("dev").map((row) => {
    let best = Infinity;
    for (let k = 0; k < 3; k++) {
      const s = performance.now();
      parseLocal(row.input, big);
      best = Math.min(best, performance.now() - s);
    }
    return best;
  }).sort((a, b) => a - b);
  console.log(`\ndev against a store of ${big.guests.length} guests: p50 ${percentile(times, 0.5).toFixed(3)} ms, p95 ${percentile(times, 0.95).toFixed(3)} ms, p99 ${percentile(times, 0.99).toFixed(3)} ms (its first call, which indexes the store: ${first.toFixed(1)} ms)`);
}

const test = results.test;
const failed = [];
if (test && test.exactMatch < 0.95) failed.push(`test exact match ${(100 * test.exactMatch).toFixed(1)} % < 95 %`);
for (const [split, r] of Object.entries(results)) {
  if (r.falseDestructive) failed.push(`${split}: ${r.falseDestructive} false destructive`);
  if (split === "test" && r.latencyMs.p99 >= 5) failed.push(`${split}: p99 ${r.latencyMs.p99.toFixed(2)} ms ≥ 5 ms`);
}
if (failed.length) {
  console.error(`\nMissed: ${failed.join("; ")}`);
  process.exitCode = 1;
}
