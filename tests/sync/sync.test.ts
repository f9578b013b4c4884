/**
 * `sync` end to end against the simulator, on SQLite and on PostgreSQL:
 * first import, idempotent re-sync, change / rename / removal detection with
 * field diffs, dry run, and the reading commands over what was stored. The
 * tests that only read share one synced workspace; the one that changes the
 * cluster has its own, so any test runs alone (-t) or in any order.
 */
import Database from "better-sqlite3";
import { join } from "node:path";
import { recordDrift } from "../../src/core/drift.js";
import { workspacePaths } from "../../src/core/workspace.js";
import { ProxmoxClient } from "../../src/proxmox/client.js";
import { parseApiToken } from "../../src/proxmox/connection.js";
import { missingPart } from "../helpers/real-parts.js";
import { initWorkspace, startSim } from "../helpers/sim.js";
import { createPgDatabase } from "../state/helpers.js";

type Provider = "sqlite" | "postgres";

const SIZE = 60;
const pg = await createPgDatabase();
const providers: Provider[] = pg.url ? ["sqlite", "postgres"] : ["sqlite"];
if (!pg.url) missingPart("postgresql", "reason" in pg ? pg.reason : "no server");
afterAll(async () => {
  if (pg.url && "drop" in pg) await pg.drop();
});

/** A simulator and a workspace on it, synced once (the first sync's report kept). */
async function syncedWorkspace(provider: Provider, schema: string) {
  const sim = await startSim({ size: SIZE, randomSeed: 7 });
  const ws = await initWorkspace(sim, { database: provider === "postgres" ? `${pg.url}?schema=${schema}` : undefined });
  const client = new ProxmoxClient({ baseUrl: sim.url, token: parseApiToken(sim.token), tls: { mode: "verify" } }, { retries: 0 });
  const first = await ws.run(["sync", "-o", "json"]);
  return {
    sim,
    ws,
    client,
    first,
    close: async () => {
      client.close();
      await sim.close();
      ws.cleanup();
    },
  };
}

describe.each(providers)("sync on %s", (provider) => {
  // Shared by the tests that only read the cluster: none of them changes it.
  let fixture: Awaited<ReturnType<typeof syncedWorkspace>>;
  beforeAll(async () => {
    fixture = await syncedWorkspace(provider, "shared");
  });
  afterAll(() => fixture.close());

  it("imports every guest, node and storage", async () => {
    const { ws, sim, first } = fixture;
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.added).toHaveLength(SIZE);
    expect(report.guests).toBe(SIZE);
    expect(report.apiRequests).toBeGreaterThanOrEqual(SIZE);
    const vms = JSON.parse((await ws.run(["get", "vms", "-o", "json"])).stdout);
    const cts = JSON.parse((await ws.run(["get", "cts", "-o", "json"])).stdout);
    expect(vms.length + cts.length).toBe(SIZE);
    expect(cts.length).toBeGreaterThan(0);
    const simGuest = sim.cluster.guest(vms[0].vmid)!;
    expect(vms[0]).toMatchObject({ vmid: simGuest.vmid, node: simGuest.node, type: "qemu", status: simGuest.status });
    for (const key of ["vmid", "name", "node", "type", "status", "cores", "memory", "disk", "tags", "template"]) expect(vms[0]).toHaveProperty(key);
    expect(typeof vms[0].vmid).toBe("number");
    expect(Array.isArray(vms[0].tags)).toBe(true);
    expect(typeof vms[0].template).toBe("boolean");
    const nodes = JSON.parse((await ws.run(["get", "nodes", "-o", "json"])).stdout);
    expect(nodes.map((n: { name: string }) => n.name)).toEqual([...sim.cluster.nodes.keys()].sort());
    expect(Object.keys(nodes[0]).sort()).toEqual(["cpu", "maxcpu", "maxmem", "mem", "name", "status", "uptime"]);
  });

  it("a re-sync with nothing changed reports no change and writes no guest rows", async () => {
    const { ws } = fixture;
    const before = provider === "sqlite" ? guestRowStamps(ws.dir) : undefined;
    const run = await ws.run(["sync", "-o", "json"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect([report.added.length, report.changed.length, report.removed.length, report.renamed.length]).toEqual([0, 0, 0, 0]);
    expect(report.unchanged).toBe(SIZE);
    expect(report.iac.skipped).toBe(true);
    if (before) expect(guestRowStamps(ws.dir)).toEqual(before);
  });

  it("filters by node, status and tag", async () => {
    const { ws } = fixture;
    const all = JSON.parse((await ws.run(["get", "vms", "-o", "json"])).stdout) as { node: string; status: string; tags: string[] }[];
    const node = all[0].node;
    const onNode = JSON.parse((await ws.run(["get", "vms", "--node", node, "-o", "json"])).stdout);
    expect(onNode.length).toBe(all.filter((g) => g.node === node).length);
    const tag = all.find((g) => g.tags.length)!.tags[0];
    const tagged = JSON.parse((await ws.run(["get", "vms", "--tag", tag, "--status", "running", "-o", "json"])).stdout);
    expect(tagged.length).toBe(all.filter((g) => g.tags.includes(tag) && g.status === "running").length);
    const table = (await ws.run(["get", "vms"])).stdout.split("\n");
    expect(table[0]).toMatch(/^VMID\s+NAME\s+NODE\s+STATUS\s+CORES/);
    expect(table.length - 2).toBe(all.length);
  });

  it("status shows the last sync and the counts", async () => {
    const { ws } = fixture;
    const status = JSON.parse((await ws.run(["status", "-o", "json"])).stdout);
    expect(status.lastSync.guests).toBe(SIZE);
    expect(status.counts.guests).toBe(SIZE);
    expect(status.database.provider).toBe(provider === "postgres" ? "postgresql" : "sqlite");
    expect(status.server.reachable).toBe(true);
  });

  // Changes the cluster: a simulator and a workspace of its own.
  it("detects a changed field, a rename and a removal", async () => {
    const own = await syncedWorkspace(provider, "changes");
    try {
      const { ws, client } = own;
      expect(own.first.code).toBe(0);
      type G = { vmid: number; name: string; node: string; cores: number; template: boolean; status: string };
      const guests = (JSON.parse((await ws.run(["get", "vms", "-o", "json"])).stdout) as G[]).filter((g) => !g.template);
      const removed = guests.find((g) => g.status === "stopped")!;
      const [changed, renamed] = guests.filter((g) => g !== removed);
      const cfg = await client.guestConfig(changed.node, "qemu", changed.vmid);
      const newCores = Number(cfg.cores ?? 1) + 2;
      await client.settle(await client.updateGuestConfig(changed.node, "qemu", changed.vmid, { cores: newCores }));
      await client.settle(await client.updateGuestConfig(renamed.node, "qemu", renamed.vmid, { name: `${renamed.name}-renamed` }));
      await client.waitForTask(await client.deleteGuest(removed.node, "qemu", removed.vmid, { purge: true }), { pollMs: 5 });

      const dry = JSON.parse((await ws.run(["sync", "--dry-run", "-o", "json"])).stdout);
      expect(dry.dryRun).toBe(true);
      expect(dry.changed.map((c: { vmid: number }) => c.vmid)).toContain(changed.vmid);
      const stillOld = JSON.parse((await ws.run(["get", "vm", String(changed.vmid), "-o", "json"])).stdout);
      expect(stillOld.cores).toBe(changed.cores);

      expect(dry.drift).toEqual({ lastPlan: null, outdated: false });
      recordDrift(workspacePaths(ws.dir), "native", { create: 1, update: 2, delete: 0, replace: 0 }); // as a plan would
      const report = JSON.parse((await ws.run(["sync", "-o", "json"])).stdout);
      expect(report.drift).toEqual({ lastPlan: expect.objectContaining({ engine: "native", create: 1, update: 2 }), outdated: true });
      const change = report.changed.find((c: { vmid: number }) => c.vmid === changed.vmid);
      expect(change.diff.cores).toEqual([changed.cores, newCores * (Number(cfg.sockets ?? 1) || 1)]);
      expect(change.diff["config.cores"]).toEqual([Number(cfg.cores ?? 1), newCores]);
      expect(report.renamed).toEqual([expect.objectContaining({ vmid: renamed.vmid, name: `${renamed.name}-renamed`, kind: "renamed" })]);
      expect(report.removed).toEqual([expect.objectContaining({ vmid: removed.vmid, name: removed.name })]);
      // Only the changed and renamed guests' files were rendered; the removed one's file is gone.
      expect(report.iac.terraform.removed).toHaveLength(1);
      expect(report.iac.terraform.unchanged).toBeGreaterThanOrEqual(SIZE - 3);

      const text = (await ws.run(["sync", "--dry-run"])).stdout;
      expect(text).toContain(`= ${SIZE - 1} unchanged`);
      const gone = await ws.run(["get", "vm", String(removed.vmid)]);
      expect(gone.code).toBe(2);
      const described = await ws.run(["describe", "vm", `${renamed.name}-renamed`]);
      expect(described.stdout).toMatch(/History: sync #\d+ renamed/);
      const status = JSON.parse((await ws.run(["status", "-o", "json"])).stdout);
      expect(status.counts.guests).toBe(SIZE - 1);
    } finally {
      await own.close();
    }
  }, 60_000);
});

/** updatedAt of every guest, disk and net row (SQLite): unchanged when nothing was rewritten. */
function guestRowStamps(dir: string): unknown {
  const db = new Database(join(dir, ".proxmox-mpc", "state.db"), { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[];
    const out: Record<string, unknown> = {};
    for (const { name } of tables) {
      if (!/guest|disk|network/i.test(name)) continue;
      out[name] = db.prepare(`SELECT * FROM "${name}" ORDER BY 1`).all();
    }
    return out;
  } finally {
    db.close();
  }
}
