#!/usr/bin/env node
// `npm run bench:startup`: time to `--version`, to `--help`, and to the first
// console prompt; then `get vms`, `status --offline` and `describe vm` from the
// shell in a workspace synced from `proxmox-mpc sim --size 1000` (a fresh
// process each). Each compared with `node -e 0` in the same run. Medians of
// several runs, wall time and (with /usr/bin/time) CPU time: on a busy machine
// the CPU time moves less. Prints figures, asserts nothing.
// BENCH_RUNS (15), BENCH_WORKSPACE_SIZE (1000), BENCH_PARTS (startup,read).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../bin/proxmox-mpc.js", import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const SIZE = Number(process.env.BENCH_WORKSPACE_SIZE ?? 1000);
const PARTS = (process.env.BENCH_PARTS ?? "startup,read").split(",");
const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeSync(args, env = process.env) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const res = spawnSync(process.execPath, args, { env, stdio: ["ignore", "ignore", "ignore"] });
    samples.push(performance.now() - t);
    if (res.status !== 0) throw new Error(`${args.join(" ")} exited ${res.status}`);
  }
  return median(samples);
}

/** Median wall and CPU (user + sys) ms of `node ARGS` in `cwd`, fresh process each. */
function timeCommand(args, env, cwd) {
  const wall = [];
  const cpu = [];
  for (let i = 0; i < RUNS; i++) {
    const command = TIME ? TIME : process.execPath;
    const argv = TIME ? ["-f", "CPU %U %S", process.execPath, ...args] : args;
    const t = performance.now();
    const res = spawnSync(command, argv, { env, cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "ignore", "pipe"] });
    wall.push(performance.now() - t);
    if (res.status !== 0) throw new Error(`proxmox-mpc ${args.slice(1).join(" ")} exited ${res.status}:\n${res.stderr.slice(-2000)}`);
    const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(res.stderr);
    if (m) cpu.push((Number(m[1]) + Number(m[2])) * 1000);
  }
  return { wall: median(wall), cpu: cpu.length ? median(cpu) : undefined };
}

/** A workspace synced from a simulator of `size` guests; returns its env, a VM name and a stop function. */
async function syncedWorkspace(parent, size) {
  const sim = spawn(process.execPath, [bin, "sim", "--port", "0", "--size", String(size)], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise((resolve) => createInterface({ input: sim.stdout }).once("line", resolve));
  const [, url, token] = /^listening on (\S+) token (\S+)/.exec(line);
  const dir = join(parent, "synced");
  mkdirSync(dir);
  const env = { ...process.env, PROXMOX_VE_ENDPOINT: url, PROXMOX_VE_API_TOKEN: token, NO_COLOR: "1" };
  for (const args of [["init", dir, "--no-input"], ["sync"]]) {
    const res = spawnSync(process.execPath, [bin, ...args], { env, cwd: dir, encoding: "utf8" });
    if (res.status !== 0) throw new Error(`proxmox-mpc ${args.join(" ")} exited ${res.status}:\n${res.stderr.slice(-2000)}`);
  }
  const vms = JSON.parse(spawnSync(process.execPath, [bin, "get", "vms", "-o", "json"], { env, cwd: dir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }).stdout);
  return { dir, env, vm: vms[Math.floor(vms.length / 2)].name, stop: () => sim.kill("SIGINT") };
}

/** Time until the console's prompt appears on a real terminal (util-linux `script` gives it a pty). */
async function timeToPrompt(cwd) {
  const samples = [];
  const hasScript = spawnSync("script", ["--version"]).status === 0;
  // One at a time: concurrent consoles would measure the machine's contention.
  for (let i = 0; i < RUNS; i++) {
    samples.push(
      await new Promise((resolve, reject) => {
        const t = performance.now();
        const child = hasScript
          ? spawn("script", ["-qfec", `${process.execPath} ${bin}`, "/dev/null"], { cwd, env: { ...process.env, NO_COLOR: "1", TERM: "xterm" } })
          : spawn(process.execPath, [bin], { cwd, env: { ...process.env, NO_COLOR: "1" } });
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          const plain = out.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
          if (/proxmox-mpc[^>\n]*> /.test(plain) || (!hasScript && out.length > 0)) {
            const ms = performance.now() - t;
            child.kill("SIGKILL");
            resolve(ms);
          }
        });
        child.on("error", reject);
        if (!hasScript) child.stdin.end();
      }),
    );
  }
  return median(samples);
}

const dir = mkdtempSync(join(tmpdir(), "mpc-bench-startup-"));
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
try {
  if (PARTS.includes("startup")) await startupTimes(dir);
  if (PARTS.includes("read")) await readCommands(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function startupTimes(dir) {
  const loadBefore = load();
  const node = timeSync(["-e", "0"]);
  const version = timeSync([bin, "--version"]);
  const help = timeSync([bin, "--help"]);
  const prompt = await timeToPrompt(dir);
  const wsDir = join(dir, "ws");
  mkdirSync(join(wsDir, ".proxmox-mpc"), { recursive: true });
  writeFileSync(join(wsDir, ".proxmox-mpc", "config.yaml"), "version: 1\nendpoint: https://pve1.example.com:8006\ntokenId: root@pam!mpc\ntls: {}\n");
  const wsPrompt = await timeToPrompt(wsDir);
  console.log(`\nStart-up times (median of ${RUNS} runs), ${new Date().toISOString()}, load average ${loadBefore}`);
  console.table([
    { what: "node -e 0", ms: Math.round(node), "× node": "1.00" },
    { what: "proxmox-mpc --version", ms: Math.round(version), "× node": (version / node).toFixed(2) },
    { what: "proxmox-mpc --help", ms: Math.round(help), "× node": (help / node).toFixed(2) },
    { what: "console: first prompt (no workspace)", ms: Math.round(prompt), "× node": (prompt / node).toFixed(2) },
    { what: "console: first prompt (in a workspace)", ms: Math.round(wsPrompt), "× node": (wsPrompt / node).toFixed(2) },
  ]);
}

async function readCommands(dir) {
  const ws = await syncedWorkspace(dir, SIZE);
  try {
    const rows = [];
    const base = timeCommand(["-e", "0"], ws.env, ws.dir);
    const row = (what, t) => ({
      what,
      "wall ms": Math.round(t.wall),
      "× node": (t.wall / base.wall).toFixed(2),
      "CPU ms": t.cpu === undefined ? "-" : Math.round(t.cpu),
    });
    rows.push(row("node -e 0", base));
    rows.push(row("get vms", timeCommand([bin, "get", "vms"], ws.env, ws.dir)));
    rows.push(row("get vms -o json", timeCommand([bin, "get", "vms", "-o", "json"], ws.env, ws.dir)));
    rows.push(row("status --offline", timeCommand([bin, "status", "--offline"], ws.env, ws.dir)));
    rows.push(row(`describe vm ${ws.vm}`, timeCommand([bin, "describe", "vm", ws.vm], ws.env, ws.dir)));
    console.log(`\nRead commands on ${SIZE} guests from the shell (fresh process each, median of ${RUNS}), load average ${load()}`);
    console.table(rows);
  } finally {
    ws.stop();
  }
}
