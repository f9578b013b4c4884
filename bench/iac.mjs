#!/usr/bin/env node
// `npm run bench:iac`: Terraform generation for 100 / 1,000 / 10,000 guests
// (first write and an unchanged re-run), then against `proxmox-mpc sim --size
// 1000`: sync, `test` and a native `plan` of 1,000 unchanged guests, each plan
// in a fresh process: the first after a sync (no parse cache) and a later one
// (unchanged files from the cache), medians of BENCH_RUNS (3). Prints figures;
// asserts nothing. BENCH_SIZES=100,1000 to choose the generation sizes.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { specFromPve } from "../dist/iac/model.js";
import { writeTerraform } from "../dist/iac/terraform/index.js";
import { generateCluster } from "../dist/sim/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "proxmox-mpc.js");
const runner = join(root, "bench", "run-cli.mjs");
const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
const sizes = (process.env.BENCH_SIZES ?? "100,1000,10000").split(",").map(Number);

const generation = [];
for (const size of sizes) {
  const { guests } = generateCluster(size, 1);
  const records = guests.map((g) => ({
    vmid: g.vmid,
    type: g.type,
    node: g.node,
    name: String(g.type === "qemu" ? g.config.name : g.config.hostname),
    status: g.status,
    template: g.template,
    config: g.config,
  }));
  const dir = mkdtempSync(join(tmpdir(), "mpc-bench-iac-"));
  try {
    let t = performance.now();
    const specs = records.map((r) => ({ ...specFromPve(r), adopted: true }));
    const adopt = performance.now() - t;
    t = performance.now();
    const first = await writeTerraform(dir, specs);
    const write = performance.now() - t;
    t = performance.now();
    await writeTerraform(dir, records.map((r) => ({ ...specFromPve(r), adopted: true })));
    const again = performance.now() - t;
    generation.push({ guests: size, files: first.written.length, "adopt ms": Math.round(adopt), "write ms": Math.round(write), "generate total ms": Math.round(adopt + write), "unchanged re-run ms": Math.round(again) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`\nTerraform generation (in-process, from the simulator's generated configs), ${new Date().toISOString()}`);
console.table(generation);

/** A fresh process running one command: in-process ms (run-cli's BENCH line), wall ms, CPU ms (user + sys). */
function timed(args, env, cwd) {
  const argv = [process.execPath, runner, ...args];
  const started = performance.now();
  const res = TIME
    ? spawnSync(TIME, ["-f", "CPU %U %S", ...argv], { env, cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 })
    : spawnSync(argv[0], argv.slice(1), { env, cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const wall = Math.round(performance.now() - started);
  const lines = res.stderr.trim().split("\n");
  const cpu = /^CPU ([\d.]+) ([\d.]+)$/.exec(lines[lines.length - 1] ?? "");
  if (cpu) lines.pop();
  const line = lines.pop() ?? "";
  if (!line.startsWith("BENCH ")) throw new Error(`proxmox-mpc ${args.join(" ")}: no BENCH line\n${res.stderr.slice(-2000)}`);
  const cpuMs = cpu ? Math.round((Number(cpu[1]) + Number(cpu[2])) * 1000) : undefined;
  return { ...JSON.parse(line.slice(6)), wall, cpuMs, stdout: res.stdout, stderr: res.stderr };
}

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Median in-process and wall ms of RUNS fresh processes (`before` runs ahead of each, untimed). */
function repeated(args, env, cwd, before = () => undefined) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    before();
    runs.push(timed(args, env, cwd));
  }
  return { ms: median(runs.map((r) => r.ms)), wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpuMs)), code: runs[0].code, stdout: runs[0].stdout };
}

const SIZE = Number(process.env.BENCH_WORKSPACE_SIZE ?? 1000);
const sim = spawn(process.execPath, [bin, "sim", "--port", "0", "--size", String(SIZE)], { stdio: ["ignore", "pipe", "inherit"] });
const line = await new Promise((resolve) => createInterface({ input: sim.stdout }).once("line", resolve));
const [, url, token] = /^listening on (\S+) token (\S+)/.exec(line);
const dir = mkdtempSync(join(tmpdir(), "mpc-bench-ws-"));
const env = { ...process.env, PROXMOX_VE_ENDPOINT: url, PROXMOX_VE_API_TOKEN: token, NO_COLOR: "1", PATH: `${join(root, "tests", "fixtures", "bin-none")}:${process.env.PATH}` };
try {
  timed(["init", dir, "--no-input"], env, dir);
  const sync = timed(["sync", "-o", "json"], env, dir);
  const cache = join(dir, ".proxmox-mpc", "cache");
  const plan = ["plan", "--engine", "native", "-o", "json"];
  const cold = repeated(plan, env, dir, () => rmSync(cache, { recursive: true, force: true }));
  const test = timed(["test", "-o", "json"], env, dir);
  const warm = repeated(plan, env, dir);
  const node = median(Array.from({ length: RUNS }, () => {
    const t = performance.now();
    spawnSync(process.execPath, ["-e", "0"]);
    return performance.now() - t;
  }));
  const summary = JSON.parse(warm.stdout).summary;
  const changes = (s) => s.create + s.update + s.delete + s.replace;
  console.log(`\nWorkspace of ${SIZE} guests (proxmox-mpc sim --size ${SIZE}, separate process); "ms": the command in-process, start-up excluded; "wall ms": the whole fresh process (node -e 0: ${Math.round(node)} ms); "CPU ms": its user + sys time; plans: median of ${RUNS}; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  console.table([
    { command: "sync (store + terraform + ansible)", ms: sync.ms, "wall ms": sync.wall, "CPU ms": sync.cpuMs, "exit code": sync.code },
    { command: "test", ms: test.ms, "wall ms": test.wall, "CPU ms": test.cpuMs, "exit code": test.code },
    { command: "plan --engine native, first after sync (no parse cache)", ms: cold.ms, "wall ms": cold.wall, "CPU ms": cold.cpu, "exit code": cold.code, changes: changes(JSON.parse(cold.stdout).summary) },
    { command: "plan --engine native, files unchanged (parse cache)", ms: warm.ms, "wall ms": warm.wall, "CPU ms": warm.cpu, "exit code": warm.code, changes: changes(summary) },
  ]);
} finally {
  sim.kill("SIGINT");
  rmSync(dir, { recursive: true, force: true });
}
