#!/usr/bin/env node
// `npm run bench:client`: API client throughput against the simulator, and the
// simulator's own cost per request. Prints figures; asserts nothing.
//  1. the simulator runs in a child process (as users run it); the client sends
//     GET /version, a guest config and /cluster/resources at concurrency 1, 8, 32;
//  2. the simulator runs in-process to read its handler time per request;
//  3. a generated 10,000-guest cluster: generation time and the handler time of
//     its /cluster/resources (BENCH_BIG_SIZE changes the size).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { ProxmoxClient } from "../dist/proxmox/client.js";
import { parseApiToken } from "../dist/proxmox/connection.js";
import { generateCluster, startSimulator } from "../dist/sim/index.js";

const SIZE = Number(process.env.BENCH_SIZE ?? 500);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const BIG_SIZE = Number(process.env.BENCH_BIG_SIZE ?? 10_000);
const bin = fileURLToPath(new URL("../bin/proxmox-mpc.js", import.meta.url));

async function startChild(tls) {
  const args = [bin, "sim", "--port", "0", "--size", String(SIZE), ...(tls ? ["--tls"] : [])];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise((resolve) => createInterface({ input: child.stdout }).once("line", resolve));
  const [, url, token, fingerprint] = /^listening on (\S+) token (\S+)(?: fingerprint (\S+))?$/.exec(line);
  return { child, url, token, fingerprint };
}

async function run(client, concurrency, total, call) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) await call();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return Math.round(total / seconds);
}

const rows = [];
for (const tls of [false, true]) {
  const sim = await startChild(tls);
  for (const concurrency of [1, 8, 32]) {
    const client = new ProxmoxClient(
      { baseUrl: sim.url, token: parseApiToken(sim.token), tls: tls ? { mode: "fingerprint", fingerprint: sim.fingerprint } : { mode: "verify" } },
      { concurrency, retries: 0 },
    );
    await client.version(); // warm up: connection and TLS handshake
    const [first] = (await client.clusterResources("vm")).filter((r) => r.type === "qemu");
    const version = await run(client, concurrency, REQUESTS, () => client.version());
    const config = await run(client, concurrency, REQUESTS, () => client.guestConfig(first.node, "qemu", first.vmid));
    const resources = await run(client, concurrency, Math.max(20, REQUESTS / 20), () => client.clusterResources());
    rows.push({ transport: tls ? "https" : "http", concurrency, "GET /version req/s": version, "GET config req/s": config, [`GET /cluster/resources (${SIZE} guests) req/s`]: resources });
    client.close();
  }
  sim.child.kill("SIGINT");
}
console.log(`\nClient throughput against \`proxmox-mpc sim --size ${SIZE}\` (separate process), ${REQUESTS} requests per cell, ${new Date().toISOString()}`);
console.table(rows);

// Simulator overhead: time spent inside its handlers per request, in-process.
const sim = await startSimulator({ size: SIZE, port: 0 });
const client = new ProxmoxClient({ baseUrl: sim.url, token: parseApiToken(sim.token), tls: { mode: "verify" } }, { concurrency: 8, retries: 0 });
const [first] = (await client.clusterResources("vm")).filter((r) => r.type === "qemu");
const before = sim.stats();
await run(client, 8, REQUESTS, () => client.guestConfig(first.node, "qemu", first.vmid));
const mid = sim.stats();
await run(client, 8, 100, () => client.clusterResources());
const after = sim.stats();
console.log("\nSimulator overhead (handler time per request, in-process):");
console.table([
  { request: "GET qemu config", "µs/request": Math.round((mid.handlerMicros - before.handlerMicros) / (mid.requests - before.requests)) },
  { request: `GET /cluster/resources (${SIZE} guests)`, "µs/request": Math.round((after.handlerMicros - mid.handlerMicros) / (after.requests - mid.requests)) },
]);
client.close();
await sim.close();

// A big generated cluster: how long generating it takes, and the handler time of its /cluster/resources.
const generated = performance.now();
generateCluster(BIG_SIZE, 1);
const generateMs = Math.round(performance.now() - generated);
const big = await startSimulator({ size: BIG_SIZE, port: 0 });
const bigClient = new ProxmoxClient({ baseUrl: big.url, token: parseApiToken(big.token), tls: { mode: "verify" } }, { concurrency: 1, retries: 0 });
await bigClient.clusterResources(); // warm up
const bigBefore = big.stats();
await run(bigClient, 1, 5, () => bigClient.clusterResources());
const bigAfter = big.stats();
console.log(`\nA generated ${BIG_SIZE}-guest cluster (in-process):`);
console.table([
  { measure: `generateCluster(${BIG_SIZE})`, ms: generateMs },
  { measure: `GET /cluster/resources handler (${BIG_SIZE} guests)`, ms: Math.round((bigAfter.handlerMicros - bigBefore.handlerMicros) / (bigAfter.requests - bigBefore.requests) / 1000) },
]);
bigClient.close();
await big.close();
