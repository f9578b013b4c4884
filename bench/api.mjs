#!/usr/bin/env node
// `npm run bench:api`: the REST API's `GET /api/v1/vms` on a 1,000-guest
// workspace. The simulator (`--size 1000`, in this process, from dist/) is
// synced into a fresh SQLite workspace by the real CLI; then `proxmox-mpc
// serve --port 0` runs as a real child process and this script sends
// BENCH_REQUESTS requests (default 2,000, after 100 warm-up ones) at
// concurrency 1, 8 and 32 over keep-alive connections (node's http client),
// with the admin token the server printed. Per case: requests per second,
// median, p95 and p99 latency (from sending the request to the whole body
// read), the answer's size. Cases: the default page (a remote call gets
// `limit: 100` unless it gives one), a page of 3 fields, and the whole list
// (`limit=1000`). Target: p99 under 20 ms at concurrency 32 for the default
// page. Prints a table and asserts nothing.
//
//   BENCH_SIZE=1000  BENCH_REQUESTS=2000
//   BENCH_ONLY=TEXT    only the cases whose name contains TEXT
//   BENCH_PROFILE=DIR  the server writes a CPU profile (node --cpu-prof) into DIR
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { startSimulator } from "../dist/sim/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "proxmox-mpc.js");
const size = Number(process.env.BENCH_SIZE ?? 1000);
const total = Number(process.env.BENCH_REQUESTS ?? 2000);

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const ms = (v) => v.toFixed(2);

function cli(args, env, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, cwd, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`proxmox-mpc ${args.join(" ")} exited ${code}:\n${stderr.slice(-2000)}`))));
  });
}

/** `serve --port 0` as a child; its URL and token from the first line. */
function serve(dir, env) {
  return new Promise((resolve, reject) => {
    const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
    const child = spawn(process.execPath, [...profile, bin, "-C", dir, "serve", "--port", "0"], { env, cwd: dir, stdio: ["ignore", "pipe", "inherit"] });
    child.once("exit", (code) => reject(new Error(`serve exited ${code}`)));
    createInterface({ input: child.stdout }).once("line", (line) => {
      const m = /^listening on (\S+) token (\S+)$/.exec(line);
      if (!m) return reject(new Error(`unexpected first line: ${line}`));
      resolve({ url: new URL(m[1]), token: m[2], child });
    });
  });
}

/** One GET over the agent; resolves with the status and the body's size once it is read whole. */
function get(agent, url, path, token) {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: url.hostname, port: url.port, path, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0;
      res.on("data", (d) => (bytes += d.length));
      res.on("end", () => resolve({ status: res.statusCode, bytes }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** `n` requests, `concurrency` at a time: per-request latencies, requests per second, the answer size. */
async function load(server, path, concurrency, n) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const times = [];
  let sent = 0;
  let bytes = 0;
  let errors = 0;
  const started = performance.now();
  const worker = async () => {
    while (sent < n) {
      sent++;
      const t0 = performance.now();
      const r = await get(agent, server.url, path, server.token);
      times.push(performance.now() - t0);
      bytes = r.bytes;
      if (r.status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  times.sort((a, b) => a - b);
  return { rps: n / elapsed, median: quantile(times, 0.5), p95: quantile(times, 0.95), p99: quantile(times, 0.99), bytes, errors };
}

const sim = await startSimulator({ port: 0, size, randomSeed: 1 });
const dir = mkdtempSync(join(tmpdir(), "mpc-bench-api-"));
const env = { ...process.env, PROXMOX_VE_ENDPOINT: sim.url, PROXMOX_VE_API_TOKEN: sim.token, NO_COLOR: "1" };
for (const key of Object.keys(env)) if (key.startsWith("PROXMOX_MPC_") || key === "DATABASE_URL") delete env[key];
let server;
try {
  await cli(["init", dir, "--no-input", ...(sim.fingerprint ? ["--fingerprint", sim.fingerprint] : [])], env, dir);
  await cli(["sync"], env, dir);
  server = await serve(dir, env);
  const cases = [
    ["vms: the default page (100)", "/api/v1/vms"],
    ["vms: a page, 3 fields", "/api/v1/vms?limit=100&fields=vmid,name,status"],
    ["vms: whole list (limit=1000)", "/api/v1/vms?limit=1000"],
  ].filter(([name]) => !process.env.BENCH_ONLY || name.includes(process.env.BENCH_ONLY));
  const before = sim.stats().requests;
  console.log(`REST API: ${size} guests synced from the simulator, serve as a child process, ${total} requests per case after 100 warm-up (load ${loadavg()[0].toFixed(1)})`);
  console.log("");
  console.log("GET                              conc     req/s   median      p95      p99    answer  errors");
  const results = [];
  for (const [name, path] of cases) {
    await load(server, path, 8, 100);
    for (const concurrency of [1, 8, 32]) {
      const n = path.includes("limit=1000") ? Math.min(total, 500) : total;
      const r = await load(server, path, concurrency, n);
      results.push([name, concurrency, r]);
      console.log(`${name.padEnd(32)} ${String(concurrency).padStart(4)} ${r.rps.toFixed(0).padStart(9)} ${ms(r.median).padStart(6)} ms ${ms(r.p95).padStart(6)} ms ${ms(r.p99).padStart(6)} ms ${`${(r.bytes / 1024).toFixed(1)} KB`.padStart(9)} ${String(r.errors).padStart(7)}`);
    }
  }
  console.log(`requests to the Proxmox server while serving: ${sim.stats().requests - before}`);
  const target = results.find(([name, c]) => name.startsWith("vms: the default") && c === 32)?.[2];
  console.log("");
  if (target) console.log(`target: p99 under 20 ms at concurrency 32 (default page): ${target.p99 < 20 ? "met" : "MISSED"} (${ms(target.p99)} ms)`);
} finally {
  server?.child.removeAllListeners("exit");
  server?.child.kill("SIGTERM");
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
