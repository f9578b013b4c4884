#!/usr/bin/env node
// `npm run bench:sync`: `proxmox-mpc sync` of 100, 1,000 and 10,000 guests from
// `proxmox-mpc sim --size N --latency 5` (a separate process) into a fresh
// SQLite workspace, then a re-sync with nothing changed. Each sync is the real
// CLI in its own process (bin/proxmox-mpc.js), so "wall" includes starting
// Node and loading proxmox-mpc; "in-process" is the report's durationMs and
// the phases are the report's `phases` (they overlap: the store opens while
// the cluster is read). Peak RSS and CPU come from the kernel
// (bench/exit-stats.mjs). Medians of BENCH_RUNS runs (default 3); prints a
// table and asserts nothing.
//
//   BENCH_SIZES=1000,10000  BENCH_RUNS=5  BENCH_LATENCY=5
//   BENCH_CHECKOUTS=/tmp/before,.   compare builds (each a checkout with dist/),
//                                   interleaved run by run against the same simulator
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";

const root = fileURLToPath(new URL("..", import.meta.url));
const sizes = (process.env.BENCH_SIZES ?? "100,1000,10000").split(",").map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const latency = process.env.BENCH_LATENCY ?? "5";
const checkouts = (process.env.BENCH_CHECKOUTS ?? root).split(",").map((dir) => resolve(root, dir));
const exitStats = join(root, "bench", "exit-stats.mjs");

const median = (values) => {
  const sorted = values.filter((v) => v !== undefined).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : undefined;
};
const seconds = (ms) => (ms === undefined ? "-" : (ms / 1000).toFixed(2));

function rowCount(dbFile) {
  const db = new Database(dbFile, { readonly: true });
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'").all();
  let total = 0;
  for (const { name } of tables) total += db.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get().n;
  db.close();
  return total;
}

/** Newest mtime (ms) of the files under terraform/ and ansible/: unchanged when a sync wrote no file. */
function newestFile(dir) {
  let newest = 0;
  for (const sub of ["terraform", "ansible"]) {
    for (const entry of readdirSync(join(dir, sub), { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/** One CLI run in its own process: wall time from spawn to exit, the kernel's figures, stdout. */
function cli(checkout, args, env, cwd) {
  const started = performance.now();
  const res = spawnSync(process.execPath, ["--import", exitStats, join(checkout, "bin", "proxmox-mpc.js"), ...args], { env, cwd, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  const wallMs = performance.now() - started;
  const line = res.stderr.trim().split("\n").pop();
  if (!line?.startsWith("EXIT-STATS ")) throw new Error(`no EXIT-STATS line:\n${res.stderr.slice(-2000)}`);
  if (res.status !== 0) throw new Error(`proxmox-mpc ${args.join(" ")} exited ${res.status}:\n${res.stderr.slice(-2000)}`);
  return { wallMs, ...JSON.parse(line.slice("EXIT-STATS ".length)), stdout: res.stdout };
}

async function startSim(size) {
  const sim = spawn(process.execPath, [join(root, "bin", "proxmox-mpc.js"), "sim", "--port", "0", "--size", String(size), "--latency", latency], { stdio: ["ignore", "pipe", "ignore"] });
  const line = await new Promise((res) => createInterface({ input: sim.stdout }).once("line", res));
  const [, url, token] = /^listening on (\S+) token (\S+)/.exec(line);
  return { sim, env: { ...process.env, PROXMOX_VE_ENDPOINT: url, PROXMOX_VE_API_TOKEN: token, NO_COLOR: "1" } };
}

/** First sync and no-change re-sync of a fresh copy of `template`. */
function measure(checkout, template, env) {
  const dir = mkdtempSync(join(tmpdir(), "mpc-bench-sync-"));
  try {
    cpSync(template, dir, { recursive: true });
    const dbFile = join(dir, ".proxmox-mpc", "state.db");
    const rows0 = rowCount(dbFile);
    const first = cli(checkout, ["sync", "-o", "json"], env, dir);
    const rows1 = rowCount(dbFile);
    const files1 = newestFile(dir);
    const again = cli(checkout, ["sync", "-o", "json"], env, dir);
    const report = JSON.parse(first.stdout);
    const second = JSON.parse(again.stdout);
    return {
      first: { ...first, report, rows: rows1 - rows0 },
      again: { ...again, report: second, rows: rowCount(dbFile) - rows1, filesTouched: newestFile(dir) > files1 },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const table = [];
const load = [];
for (const size of sizes) {
  const { sim, env } = await startSim(size);
  const template = mkdtempSync(join(tmpdir(), "mpc-bench-ws-"));
  try {
    cli(checkouts[checkouts.length - 1], ["init", template, "--no-input"], env, template);
    const samples = new Map(checkouts.map((c) => [c, []]));
    for (let i = 0; i < runs; i++) {
      for (const checkout of checkouts) {
        load.push(loadavg()[0]);
        samples.get(checkout).push(measure(checkout, template, env));
      }
    }
    for (const checkout of checkouts) {
      const s = samples.get(checkout);
      const phase = (name) => median(s.map((m) => m.first.report.phases?.[name]));
      table.push({
        build: checkouts.length > 1 ? basename(checkout) : undefined,
        guests: size,
        "sync wall s": seconds(median(s.map((m) => m.first.wallMs))),
        "in-process s": seconds(median(s.map((m) => m.first.report.durationMs))),
        "read/write/iac s": [phase("read"), phase("write"), phase("iac")].map(seconds).join(" / "),
        "CPU s": seconds(median(s.map((m) => m.first.cpuMs))),
        "peak RSS MiB": median(s.map((m) => m.first.maxRssMiB)),
        requests: s[0].first.report.apiRequests,
        rows: s[0].first.rows,
        "re-sync wall s": seconds(median(s.map((m) => m.again.wallMs))),
        "re-sync in-process s": seconds(median(s.map((m) => m.again.report.durationMs))),
        "re-sync RSS MiB": median(s.map((m) => m.again.maxRssMiB)),
        "re-sync rows": s[0].again.rows,
        "re-sync files": s.some((m) => m.again.filesTouched) ? "written" : "none",
      });
    }
  } finally {
    sim.kill("SIGINT");
    rmSync(template, { recursive: true, force: true });
  }
}
for (const row of table) if (row.build === undefined) delete row.build;
console.log(`\nSync benchmark: proxmox-mpc sim --latency ${latency} (separate process), SQLite, medians of ${runs} runs, ${new Date().toISOString()}`);
console.log(`load average (1 min) during the runs: ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)} on ${spawnSync("nproc", { encoding: "utf8" }).stdout.trim() || "?"} cores`);
console.log("wall: spawn to exit of `node bin/proxmox-mpc.js sync -o json` (process start included); re-sync: nothing changed in the cluster");
console.table(table);
