#!/usr/bin/env node
// `npm run bench:iac`: Terraform generation for 100 / 1,000 / 10,000 guests
// (first write and an unchanged re-run), then against `proxmox-mpc sim --size
// 1000`: sync, `test` and a native `plan` of 1,000 guests. Prints figures;
// asserts nothing. BENCH_SIZES=100,1000 to choose the generation sizes.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { specFromPve } from "../dist/iac/model.js";
import { writeTerraform } from "../dist/iac/terraform/index.js";
import { generateCluster } from "../dist/sim/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "proxmox-mpc.js");
const runner = join(root, "bench", "run-cli.mjs");
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

function timed(args, env, cwd) {
  const res = spawnSync(process.execPath, [runner, ...args], { env, cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const line = res.stderr.trim().split("\n").pop() ?? "";
  if (!line.startsWith("BENCH ")) throw new Error(`proxmox-mpc ${args.join(" ")}: no BENCH line\n${res.stderr.slice(-2000)}`);
  return { ...JSON.parse(line.slice(6)), stdout: res.stdout, stderr: res.stderr };
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
  const test = timed(["test", "-o", "json"], env, dir);
  const plan = timed(["plan", "--engine", "native", "-o", "json"], env, dir);
  const summary = JSON.parse(plan.stdout).summary;
  console.log(`\nWorkspace of ${SIZE} guests (proxmox-mpc sim --size ${SIZE}, separate process); wall time of each command in-process, start-up excluded`);
  console.table([
    { command: "sync (store + terraform + ansible)", ms: sync.ms, "exit code": sync.code },
    { command: "test", ms: test.ms, "exit code": test.code },
    { command: "plan --engine native", ms: plan.ms, "exit code": plan.code, changes: summary.create + summary.update + summary.delete + summary.replace },
  ]);
} finally {
  sim.kill("SIGINT");
  rmSync(dir, { recursive: true, force: true });
}
