/**
 * Test helpers of the state store: synthetic snapshots, temp SQLite files,
 * and a fresh PostgreSQL database per test file (dropped afterwards).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import type { CommitOptions, ObservedGuest, ObservedSnapshot, Store, SyncDiff, SyncResult, SyncRunRecord } from "../../src/state/index.js";
import { planner } from "../../src/sync/index.js";

/** Write `snapshot` for `run` as a sync does (src/sync's planner, inside the store's transaction). */
export function commitSnapshot(store: Store, run: SyncRunRecord, snapshot: ObservedSnapshot, opts?: CommitOptions): Promise<SyncResult> {
  return store.syncs.commit(run, planner(snapshot), opts);
}

/** What committing `snapshot` would change (sync --dry-run). */
export async function diffSnapshot(store: Store, snapshot: ObservedSnapshot): Promise<SyncDiff> {
  return (await store.syncs.inspect(planner(snapshot))).diff;
}

/** A deterministic guest: qemu with 1–3 disks and 1–2 nets, or lxc with rootfs (+ mp0). */
export function makeGuest(vmid: number, overrides: Partial<ObservedGuest> = {}): ObservedGuest {
  const lxc = vmid % 5 === 0;
  const node = `pve${(vmid % 3) + 1}`;
  const diskCount = (vmid % 3) + 1;
  const netCount = (vmid % 2) + 1;
  const disks = Array.from({ length: lxc ? Math.min(diskCount, 2) : diskCount }, (_, i) => {
    const key = lxc ? (i === 0 ? "rootfs" : `mp${i - 1}`) : `scsi${i}`;
    const sizeGiB = 8 * (i + 1);
    return { key, storage: "local-lvm", volume: `vm-${vmid}-disk-${i}`, sizeGiB, format: lxc ? null : "raw", raw: `local-lvm:vm-${vmid}-disk-${i},size=${sizeGiB}G` };
  });
  const nets = Array.from({ length: netCount }, (_, i) => {
    const mac = `BC:24:11:${(vmid >> 8).toString(16).padStart(2, "0")}:${(vmid & 255).toString(16).padStart(2, "0")}:0${i}`.toUpperCase();
    const raw = lxc ? `name=eth${i},bridge=vmbr0,hwaddr=${mac},ip=dhcp` : `virtio=${mac},bridge=vmbr0${i ? ",tag=20" : ""},firewall=1`;
    return { key: `net${i}`, model: lxc ? "veth" : "virtio", mac, bridge: "vmbr0", vlanTag: i ? 20 : null, ip: lxc ? "dhcp" : null, firewall: !lxc, raw };
  });
  const config: Record<string, string | number> = { name: `guest-${vmid}`, cores: 2, memory: 2048 };
  for (const d of disks) config[d.key] = d.raw;
  for (const n of nets) config[n.key] = n.raw;
  const guest: ObservedGuest = {
    vmid,
    type: lxc ? "lxc" : "qemu",
    node,
    name: `guest-${vmid}`,
    status: vmid % 4 === 0 ? "stopped" : "running",
    template: false,
    cores: 2,
    memory: 2048,
    disk: disks.reduce((sum, d) => sum + d.sizeGiB, 0),
    tags: vmid % 2 ? ["web", "prod"] : ["db"],
    ipAddresses: [`10.0.${vmid >> 8}.${vmid & 255}`],
    config,
    digest: `digest-${vmid}`,
    disks,
    nets,
  };
  return { ...guest, ...overrides };
}

/** A snapshot of `count` guests (vmids from 100) on three nodes. */
export function makeSnapshot(count: number, first = 100): ObservedSnapshot {
  const nodes = ["pve1", "pve2", "pve3"].map((name, i) => ({
    name,
    status: "online",
    cpu: 0.1 * (i + 1),
    maxcpu: 16,
    mem: 8 * 1024 ** 3,
    maxmem: 64 * 1024 ** 3,
    uptime: 3600 * (i + 1),
    raw: { node: name, level: "" },
  }));
  const storage = nodes.flatMap((n) => [
    { node: n.name, storage: "local", type: "dir", content: "iso,vztmpl,backup", shared: false, total: 100e9, used: 20e9, avail: 80e9, enabled: true, active: true },
    { node: n.name, storage: "local-lvm", type: "lvmthin", content: "images,rootdir", shared: false, total: 500e9, used: 100e9, avail: 400e9, enabled: true, active: true },
  ]);
  return { nodes, storage, guests: Array.from({ length: count }, (_, i) => makeGuest(first + i)) };
}

/** A temp folder removed by the returned cleanup. */
export function tempDir(prefix = "mpc-state-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The PostgreSQL server the tests use (trust auth). */
export const PG_ADMIN_URL = process.env.MPC_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/** A fresh database `mpc_test_<random>`, or null (with the reason) when no server answers. */
export async function createPgDatabase(): Promise<{ url: string; drop: () => Promise<void> } | { url: null; reason: string }> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    await admin.end().catch(() => undefined);
    return { url: null, reason: `no PostgreSQL at ${PG_ADMIN_URL} (${(err as Error).message})` };
  }
  const name = `mpc_test_${Math.random().toString(36).slice(2, 10)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
