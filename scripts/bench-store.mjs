#!/usr/bin/env node
/**
 * Measures the state store on SQLite (and PostgreSQL with --pg URL):
 *   - open (new database: migrations; existing database)
 *   - first sync of N guests (1–3 disks, 1–2 nets each)
 *   - re-sync of the same N guests with nothing changed
 *   - re-sync with 1 % of the guests changed
 *
 *   npm run build && node scripts/bench-store.mjs [--guests 10000] [--resync 1000] [--pg postgresql://…]
 *
 * Runs the compiled code in dist/ (what users run), not the TypeScript sources.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const entry = path.join(root, "dist", "state", "index.js");
if (!existsSync(entry)) {
  console.error("dist/state/index.js is missing: run `npm run build` first.");
  process.exit(2);
}
const { openStore } = await import(pathToFileURL(entry).href);
// A sync's planner (src/sync) decides what the store writes, inside its transaction.
const { planner } = await import(pathToFileURL(path.join(root, "dist", "sync", "index.js")).href);

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const GUESTS = Number(arg("guests", "10000"));
const RESYNC = Number(arg("resync", "1000"));
const PG = arg("pg", undefined);

function guest(vmid) {
  const lxc = vmid % 5 === 0;
  const disks = Array.from({ length: (vmid % 3) + 1 }, (_, i) => {
    const key = lxc ? (i === 0 ? "rootfs" : `mp${i - 1}`) : `scsi${i}`;
    return { key, storage: "local-lvm", volume: `vm-${vmid}-disk-${i}`, sizeGiB: 8 * (i + 1), format: lxc ? null : "raw", raw: `local-lvm:vm-${vmid}-disk-${i},size=${8 * (i + 1)}G` };
  });
  const nets = Array.from({ length: (vmid % 2) + 1 }, (_, i) => ({
    key: `net${i}`, model: "virtio", mac: `BC:24:11:00:${(vmid % 256).toString(16).padStart(2, "0")}:0${i}`, bridge: "vmbr0", vlanTag: i ? 20 : null, ip: null, firewall: true,
    raw: `virtio=BC:24:11:00:00:0${i},bridge=vmbr0,firewall=1`,
  }));
  const config = { name: `guest-${vmid}`, cores: 2, memory: 2048, ostype: "l26", agent: "1", boot: "order=scsi0" };
  for (const d of disks) config[d.key] = d.raw;
  for (const n of nets) config[n.key] = n.raw;
  return {
    vmid, type: lxc ? "lxc" : "qemu", node: `pve${(vmid % 3) + 1}`, name: `guest-${vmid}`, status: "running", template: false, cores: 2, memory: 2048,
    disk: disks.reduce((s, d) => s + d.sizeGiB, 0), tags: ["bench"], ipAddresses: [`10.1.${vmid >> 8 & 255}.${vmid & 255}`], config, digest: `d${vmid}`, disks, nets,
  };
}

function snapshot(count) {
  const nodes = ["pve1", "pve2", "pve3"].map((name) => ({ name, status: "online", cpu: 0.2, maxcpu: 64, mem: 2 ** 36, maxmem: 2 ** 38, uptime: 1000 }));
  const storage = nodes.map((n) => ({ node: n.name, storage: "local-lvm", type: "lvmthin", content: "images,rootdir", shared: false, total: 1e12, used: 1e11, avail: 9e11, enabled: true, active: true }));
  return { nodes, storage, guests: Array.from({ length: count }, (_, i) => guest(100 + i)) };
}

async function time(label, fn) {
  const started = performance.now();
  const result = await fn();
  const ms = performance.now() - started;
  console.log(`${label.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms`);
  return result;
}

/** `urlFor(tag)`: a URL to an empty database for each part of the run. */
async function bench(label, urlFor) {
  console.log(`\n${label}`);
  const url = urlFor("big");
  let store = await time("open (new database, migrations)", () => openStore({ url }));
  await store.close();
  store = await time("open (existing database)", () => openStore({ url }));
  const big = snapshot(GUESTS);
  await time(`first sync of ${GUESTS} guests`, async () => store.syncs.commit(await store.syncs.begin(), planner(big)));
  await time(`re-sync of ${GUESTS} guests, nothing changed`, async () => store.syncs.commit(await store.syncs.begin(), planner(big)));
  await store.close();

  store = await openStore({ url: urlFor("small") });
  const small = snapshot(RESYNC);
  await store.syncs.commit(await store.syncs.begin(), planner(small));
  await time(`re-sync of ${RESYNC} guests, nothing changed`, async () => store.syncs.commit(await store.syncs.begin(), planner(small)));
  const changed = structuredClone(small);
  for (const g of changed.guests.filter((_, i) => i % 100 === 0)) g.cores = 4;
  const result = await time(`re-sync of ${RESYNC} guests, 1 % changed`, async () => store.syncs.commit(await store.syncs.begin(), planner(changed)));
  console.log(`  (${result.diff.changed.length} changed, ${result.diff.unchanged} unchanged)`);
  await time("guests.list() of all guests", () => store.guests.list());
  await store.close();
}

const dir = mkdtempSync(path.join(tmpdir(), "mpc-bench-"));
try {
  await bench(`SQLite (${dir})`, (tag) => `file:${path.join(dir, `${tag}.db`)}`);
  if (PG) {
    const stamp = Date.now().toString(36);
    await bench("PostgreSQL", (tag) => `${PG}${PG.includes("?") ? "&" : "?"}schema=bench_${stamp}_${tag}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
