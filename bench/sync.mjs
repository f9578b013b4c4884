#!/usr/bin/env node
// `npm run bench:sync`: sync of 100, 1,000 and 10,000 guests from
// `proxmox-mpc sim --size N --latency 5` into a fresh SQLite workspace:
// wall time, API requests, rows written, peak memory; then a no-change re-sync.
// Prints a table; asserts nothing. BENCH_SIZES=100,1000 to choose sizes.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "proxmox-mpc.js");
const runner = join(root, "bench", "run-cli.mjs");
const sizes = (process.env.BENCH_SIZES ?? "100,1000,10000").split(",").map(Number);
const latency = process.env.BENCH_LATENCY ?? "5";

function rowCount(dbFile) {
  const db = new Database(dbFile, { readonly: true });
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'").all();
  let total = 0;
  for (const { name } of tables) total += db.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get().n;
  db.close();
  return total;
}

function run(args, env, cwd) {
  const res = spawnSync(process.execPath, [runner, ...args], { env, cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const line = res.stderr.trim().split("\n").pop();
  if (!line?.startsWith("BENCH ")) throw new Error(`no BENCH line:\n${res.stderr.slice(-2000)}`);
  const bench = JSON.parse(line.slice(6));
  if (bench.code !== 0) throw new Error(`proxmox-mpc ${args.join(" ")} exited ${bench.code}:\n${res.stderr.slice(-2000)}`);
  return { ...bench, stdout: res.stdout };
}

const rows = [];
for (const size of sizes) {
  const sim = spawn(process.execPath, [bin, "sim", "--port", "0", "--size", String(size), "--latency", latency], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise((resolve) => createInterface({ input: sim.stdout }).once("line", resolve));
  const [, url, token] = /^listening on (\S+) token (\S+)/.exec(line);
  const dir = mkdtempSync(join(tmpdir(), "mpc-bench-"));
  const env = { ...process.env, PROXMOX_VE_ENDPOINT: url, PROXMOX_VE_API_TOKEN: token, NO_COLOR: "1" };
  try {
    run(["init", dir, "--no-input"], env, dir);
    const dbFile = join(dir, ".proxmox-mpc", "state.db");
    const before = rowCount(dbFile);
    const first = run(["sync", "-o", "json"], env, dir);
    const afterFirst = rowCount(dbFile);
    const report = JSON.parse(first.stdout);
    const again = run(["sync", "-o", "json"], env, dir);
    const afterSecond = rowCount(dbFile);
    const second = JSON.parse(again.stdout);
    rows.push({
      guests: size,
      "first sync s": (first.ms / 1000).toFixed(2),
      "API requests": report.apiRequests,
      "rows written": afterFirst - before,
      "peak RSS MiB": first.maxRssMiB,
      "re-sync s": (again.ms / 1000).toFixed(2),
      "re-sync rows": afterSecond - afterFirst,
      "re-sync changes": second.added.length + second.changed.length + second.removed.length,
    });
  } finally {
    sim.kill("SIGINT");
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`\nSync benchmark: proxmox-mpc sim --latency ${latency} (separate process), SQLite, ${new Date().toISOString()}`);
console.log("(re-sync rows: the operation and sync-run bookkeeping rows only; no guest rows)");
console.table(rows);
