#!/usr/bin/env node
// `npm run bench:logs`: `logs` queries over 100,000 realistic log lines in
// several files (5 days, one day in two parts), each filter in a fresh
// process (wall time incl. start-up, and the command's own time). Prints a
// table, asserts nothing. BENCH_LINES changes the size, BENCH_RUNS the runs.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const runCli = fileURLToPath(new URL("./run-cli.mjs", import.meta.url));
const LINES = Number(process.env.BENCH_LINES ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const DAYS = 5;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** One operation's lines: start, phases, API calls (debug), maybe an error, finish. */
function* operation(i, time) {
  const correlationId = `c-${i.toString(16).padStart(10, "0")}`;
  const operation = ["sync", "apply", "get", "status", "plan"][i % 5];
  const base = { workspace: "homelab", server: "pve.example:8006", correlationId, command: operation, actor: i % 3 ? "cli" : "console", operation };
  const at = (ms) => new Date(time + ms).toISOString();
  yield { level: "info", time: at(0), ...base, args: [], options: {}, msg: "command started" };
  for (let r = 0; r < 12; r++) {
    const vmid = 100 + ((i + r) % 400);
    yield { level: "debug", time: at(5 + r), ...base, phase: "api.request", method: "GET", path: `/nodes/pve${1 + (r % 3)}/qemu/${vmid}/config`, params: [], status: 200, attempt: 1, durationMs: 3 + (r % 9), msg: "api request" };
  }
  if (operation === "sync") yield { level: "info", time: at(40), ...base, phase: "sync.fetch-resources", durationMs: 31, msg: "sync read done" };
  if (operation === "apply") yield { level: "info", time: at(40), ...base, phase: "apply.create", guest: `web-${String(i % 500).padStart(3, "0")}`, vmid: 100 + (i % 400), durationMs: 812, msg: "apply step done" };
  if (i % 50 === 0) yield { level: "error", time: at(45), ...base, error: { type: "timeout", message: "GET /cluster/resources timed out after 30 s", recoveryActions: ["Check that the server is reachable"] }, msg: "command failed" };
  yield { level: "info", time: at(50), ...base, durationMs: 50, result: "ok", msg: "command finished" };
}

function writeLogs(dir) {
  const now = Date.now();
  const span = DAYS * 86_400_000;
  const perOp = 15;
  const ops = Math.ceil(LINES / perOp);
  const files = new Map();
  let written = 0;
  for (let i = 0; i < ops && written < LINES; i++) {
    const time = now - span + Math.floor((i / ops) * span);
    for (const entry of operation(i, time)) {
      if (written++ >= LINES) break;
      const day = entry.time.slice(0, 10);
      const part = day === new Date(now - 86_400_000).toISOString().slice(0, 10) && i % 2 ? ".1" : "";
      const name = `${day}${part}.jsonl`;
      if (!files.has(name)) files.set(name, []);
      files.get(name).push(JSON.stringify(entry));
    }
  }
  for (const [name, lines] of files) writeFileSync(join(dir, name), `${lines.join("\n")}\n`);
  return files.size;
}

const root = mkdtempSync(join(tmpdir(), "mpc-bench-logs-"));
try {
  const logs = join(root, ".proxmox-mpc", "logs");
  mkdirSync(logs, { recursive: true });
  writeFileSync(join(root, ".proxmox-mpc", "config.yaml"), "version: 1\nendpoint: https://pve.example:8006\ntokenId: root@pam!mpc\n");
  const fileCount = writeLogs(logs);
  const queries = [
    ["last 100 (default)", []],
    ["--since 2h", ["--since", "2h"]],
    ["--level error", ["--level", "error"]],
    ["--op sync", ["--op", "sync"]],
    ["--correlation", ["--correlation", "c-0000000abc"]],
    ["--resource web-041", ["--resource", "web-041"]],
    ["--grep timed out", ["--grep", "timed out"]],
    ["--level debug --limit 10000", ["--level", "debug", "--limit", "10000"]],
  ];
  console.log(`logs over ${LINES.toLocaleString("en")} lines in ${fileCount} files (median of ${RUNS} runs, -o json, fresh process each)`);
  console.log(`${"query".padEnd(30)} ${"entries".padStart(8)} ${"command ms".padStart(11)} ${"wall ms".padStart(8)}`);
  for (const [name, args] of queries) {
    const walls = [];
    const own = [];
    let entries = 0;
    for (let r = 0; r < RUNS; r++) {
      const t = performance.now();
      const res = spawnSync(process.execPath, [runCli, "logs", ...args, "-o", "json"], { cwd: root, env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 1 << 30 });
      walls.push(performance.now() - t);
      if (res.status !== 0) throw new Error(`logs ${args.join(" ")} exited ${res.status}: ${res.stderr}`);
      own.push(JSON.parse(/BENCH (.*)/.exec(res.stderr.toString())[1]).ms);
      entries = JSON.parse(res.stdout.toString()).length;
    }
    console.log(`${name.padEnd(30)} ${String(entries).padStart(8)} ${String(Math.round(median(own))).padStart(11)} ${String(Math.round(median(walls))).padStart(8)}`);
  }
} finally {
  if (process.env.BENCH_KEEP) console.log(root); else rmSync(root, { recursive: true, force: true });
}
