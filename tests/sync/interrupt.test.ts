/**
 * Robustness of sync across processes: kill -9 and Ctrl-C mid-sync leave the
 * previous state intact and the next sync completes; two syncs at once wait
 * for each other (or the second refuses with --wait 0); nothing is corrupted.
 * Real child processes of bin/proxmox-mpc.js against an in-process simulator.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { openStore } from "../../src/state/store.js";
import { ProxmoxClient } from "../../src/proxmox/client.js";
import { parseApiToken } from "../../src/proxmox/connection.js";
import { BIN, cliProcess } from "../helpers/cli.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

const SIZE = 200;
let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let client: ProxmoxClient;

beforeAll(async () => {
  sim = await startSim({ size: SIZE, randomSeed: 3, latencyMs: 15 });
  ws = await initWorkspace(sim);
  client = new ProxmoxClient({ baseUrl: sim.url, token: parseApiToken(sim.token), tls: { mode: "verify" } }, { retries: 0 });
  const first = await cliProcess(["sync", "-o", "json"], { env: ws.env, cwd: ws.dir });
  expect(first.code).toBe(0);
});
afterAll(async () => {
  client.close();
  await sim.close();
  ws.cleanup();
});

function startSync(args: string[] = []): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, "sync", "-o", "json", ...args], { env: ws.env, cwd: ws.dir, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d));
  child.stderr!.on("data", (d: Buffer) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** Resolves once the simulator has served `n` more requests (the sync is mid-way through the configs). */
async function afterRequests(n: number): Promise<void> {
  const target = sim.stats().requests + n;
  while (sim.stats().requests < target) await new Promise((r) => setTimeout(r, 5));
}

async function storedCores(vmid: number): Promise<number> {
  const run = await cliProcess(["get", "vm", String(vmid), "-o", "json"], { env: ws.env, cwd: ws.dir });
  return JSON.parse(run.stdout).cores;
}

async function bumpCores(): Promise<{ vmid: number; cores: number }> {
  const guest = sim.cluster.guests().find((g) => g.type === "qemu" && !g.template)!;
  const config = await client.guestConfig(guest.node, "qemu", guest.vmid);
  const cores = Number(config.cores ?? 1) + 1;
  await client.settle(await client.updateGuestConfig(guest.node, "qemu", guest.vmid, { cores }));
  return { vmid: guest.vmid, cores: cores * Number(config.sockets ?? 1) };
}

it("kill -9 mid-sync leaves the previous state; the next sync completes", async () => {
  const { vmid, cores } = await bumpCores();
  const before = await storedCores(vmid);
  const { child, done } = startSync();
  await afterRequests(40);
  child.kill("SIGKILL");
  const killed = await done;
  expect(killed.signal).toBe("SIGKILL");

  expect(await storedCores(vmid)).toBe(before);
  const status = JSON.parse((await cliProcess(["status", "-o", "json", "--offline"], { env: ws.env, cwd: ws.dir })).stdout);
  expect(status.counts.guests).toBe(SIZE);

  const again = await cliProcess(["sync", "-o", "json"], { env: ws.env, cwd: ws.dir });
  expect(again.stderr).not.toMatch(/error/);
  expect(again.code).toBe(0);
  const report = JSON.parse(again.stdout);
  expect(report.changed.map((c: { vmid: number }) => c.vmid)).toEqual([vmid]);
  expect(await storedCores(vmid)).toBe(cores);
  expect(JSON.parse((await cliProcess(["status", "-o", "json", "--offline"], { env: ws.env, cwd: ws.dir })).stdout).counts.guests).toBe(SIZE);
});

it("Ctrl-C mid-sync cancels cleanly (exit 130), writes nothing, and the next sync completes", async () => {
  const { vmid, cores } = await bumpCores();
  const before = await storedCores(vmid);
  const { child, done } = startSync();
  await afterRequests(40);
  child.kill("SIGINT");
  const result = await done;
  expect(result.code).toBe(130);
  expect(result.stderr).toMatch(/cancel/i);
  expect(await storedCores(vmid)).toBe(before);
  const again = await cliProcess(["sync", "-o", "json"], { env: ws.env, cwd: ws.dir });
  expect(again.code).toBe(0);
  expect(await storedCores(vmid)).toBe(cores);
});

it("a sync waits while another holds the lock, then completes", async () => {
  const store = await openStore({ url: `file:${join(ws.dir, ".proxmox-mpc", "state.db")}` });
  const lock = await store.locks.acquire("sync");
  const waiting = startSync();
  let stderr = "";
  waiting.child.stderr!.on("data", (d: Buffer) => (stderr += d));
  const deadline = Date.now() + 20_000;
  while (!/Waiting for another sync to finish \(pid \d+/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(stderr).toMatch(new RegExp(`Waiting for another sync to finish \\(pid ${process.pid}`));
  await lock.release();
  await store.close();
  expect((await waiting.done).code).toBe(0);
});

it("two syncs at once both complete and nothing is duplicated", async () => {
  const a = startSync();
  await afterRequests(5);
  const b = startSync();
  const [ra, rb] = await Promise.all([a.done, b.done]);
  expect([ra.code, rb.code]).toEqual([0, 0]);
  expect(JSON.parse(rb.stdout).unchanged).toBe(SIZE);
  const status = JSON.parse((await cliProcess(["status", "-o", "json", "--offline"], { env: ws.env, cwd: ws.dir })).stdout);
  expect(status.counts.guests).toBe(SIZE);
});

it("with --wait 0 a sync refuses while another holds the lock, naming the holder (exit 1)", async () => {
  const store = await openStore({ url: `file:${join(ws.dir, ".proxmox-mpc", "state.db")}` });
  const lock = await store.locks.acquire("sync", { correlationId: "c-test-holder" });
  try {
    const b = await cliProcess(["sync", "--wait", "0"], { env: ws.env, cwd: ws.dir });
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(new RegExp(`error: Another sync is running \\(pid ${process.pid} on host .+, since \\d\\d:\\d\\d:\\d\\d, correlation c-test-holder\\)`));
    expect(b.stderr).toMatch(/hint: Wait for it or, if it died, run again in \d+ s\./);
  } finally {
    await lock.release();
    await store.close();
  }
  expect((await cliProcess(["sync", "--wait", "0"], { env: ws.env, cwd: ws.dir })).code).toBe(0);
});
