#!/usr/bin/env node
// `npm run bench:day2`: drain a node of 100 guests with `proxmox-mpc migrate
// --from pve1 --to pve2` (the real CLI in its own process) against the
// simulator (in this process), where every migration takes a simulated
// BENCH_MIGRATION_MS (default 2000: the guests are stopped, on shared
// storage, so each migration runs exactly the simulator's task time). For
// each concurrency limit it prints the wall time of the whole command
// (checks, migrations, the sync after), the migration phase (first
// migration started → last one ended, seen from the simulator) and the
// bound the limit sets: ceil(guests / concurrency) × per-migration time.
// The gap to the bound is the client's task polling (backoff to 1 s) and
// the requests of each start. Prints a table; asserts nothing.
//
//   BENCH_GUESTS=100  BENCH_CONCURRENCY=8,16,32  BENCH_MIGRATION_MS=2000
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startSimulator } from "../dist/sim/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "proxmox-mpc.js");
const guests = Number(process.env.BENCH_GUESTS ?? 100);
const limits = (process.env.BENCH_CONCURRENCY ?? "8,16,32").split(",").map(Number);
const migrationMs = Number(process.env.BENCH_MIGRATION_MS ?? 2000);

/** pve1 holds the guests (stopped, disks on NFS); pve2 is empty. */
function seed() {
  return {
    cluster: { name: "bench" },
    nodes: [
      { name: "pve1", cpus: 64, memory: "512G" },
      { name: "pve2", cpus: 64, memory: "512G" },
    ],
    storage: [{ storage: "nas01", type: "nfs", content: "images,rootdir", total: "64T" }],
    guests: Array.from({ length: guests }, (_, i) => ({
      vmid: 1000 + i,
      type: "qemu",
      node: "pve1",
      name: `app-${String(i).padStart(3, "0")}`,
      status: "stopped",
      config: { cores: 2, memory: 2048, scsi0: `nas01:${1000 + i}/vm-${1000 + i}-disk-0.qcow2,size=16G`, net0: "virtio,bridge=vmbr0" },
    })),
  };
}

/** One CLI run in its own process (asynchronous: the simulator runs in this process). */
function cli(args, env, cwd) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [bin, ...args], { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, wallMs: performance.now() - started }));
  });
}

const table = [];
const load = [];
for (const concurrency of limits) {
  const sim = await startSimulator({ seed: seed(), taskDelayMs: migrationMs, port: 0 });
  const dir = mkdtempSync(join(tmpdir(), "mpc-bench-day2-"));
  const env = { ...process.env, PROXMOX_VE_ENDPOINT: sim.url, PROXMOX_VE_API_TOKEN: sim.token, NO_COLOR: "1" };
  try {
    for (const args of [["init", dir, "--no-input"], ["sync"]]) {
      const r = await cli(args, env, dir);
      if (r.code !== 0) throw new Error(`${args[0]} failed (${r.code}): ${r.stderr}`);
    }
    // Watch the migration tasks from the simulator's side.
    const seen = new Map();
    const watch = setInterval(() => {
      const now = performance.now();
      for (const t of sim.cluster.tasks.all()) {
        if (t.type !== "qmigrate") continue;
        const s = seen.get(t.upid) ?? { start: now };
        if (t.status === "stopped" && s.end === undefined) s.end = now;
        seen.set(t.upid, s);
      }
    }, 5);
    load.push(loadavg()[0]);
    const requests0 = sim.stats().requests;
    const run = await cli(["migrate", "--from", "pve1", "--to", "pve2", "--concurrency", String(concurrency), "--yes", "-o", "json"], env, dir);
    clearInterval(watch);
    if (run.code !== 0) throw new Error(`migrate exited ${run.code}: ${run.stderr.slice(-2000)}`);
    const moved = JSON.parse(run.stdout).filter((o) => o.result === "moved").length;
    const spans = [...seen.values()];
    const phaseMs = Math.max(...spans.map((s) => s.end)) - Math.min(...spans.map((s) => s.start));
    let most = 0;
    for (const s of spans) most = Math.max(most, spans.filter((o) => o.start <= s.start && (o.end ?? Infinity) > s.start).length);
    const boundMs = Math.ceil(guests / concurrency) * migrationMs;
    table.push({
      guests,
      concurrency,
      moved,
      "at most at once": most,
      "bound s": (boundMs / 1000).toFixed(1),
      "migration phase s": (phaseMs / 1000).toFixed(1),
      "phase / bound": (phaseMs / boundMs).toFixed(2),
      "command wall s": (run.wallMs / 1000).toFixed(1),
      requests: sim.stats().requests - requests0,
    });
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`\nDay-2 benchmark: migrate --from pve1 --to pve2 of ${guests} guests, ${migrationMs} ms per simulated migration, ${new Date().toISOString()}`);
console.log(`load average (1 min) during the runs: ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}`);
console.log("bound: ceil(guests / concurrency) × per-migration time; migration phase: first qmigrate started → last ended (simulator side); command wall: spawn to exit (checks, migrations, the sync after)");
console.table(table);
