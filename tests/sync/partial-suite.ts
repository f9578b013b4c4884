/**
 * The partial-sync suite, run through the real CLI on one database
 * (partial-sqlite.test.ts, partial-postgres.test.ts: two files, so the two
 * providers' retry waits run in parallel): a guest whose config always fails
 * (a persistent simulator fault on its path) is retried, then kept as last
 * known and marked stale; the sync writes everything else, names it
 * ("partial: 1 guest not read: …") and exits 1; `get` and `describe` show the
 * mark; a re-run after the fault clears completes the guest and clears it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ProxmoxClient } from "../../src/proxmox/client.js";
import { parseApiToken } from "../../src/proxmox/connection.js";
import { openStore } from "../../src/state/index.js";
import { guestName, initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

const SIZE = 40;

interface Guest {
  vmid: number;
  name: string;
  node: string;
  type: "qemu" | "lxc";
  path: string;
}

function pick(sim: RunningSimulator, type: "qemu" | "lxc"): Guest {
  const g = sim.cluster.guests().find((x) => x.type === type && !x.config.template)!;
  return { vmid: g.vmid, name: guestName(g), node: g.node, type, path: `/nodes/${g.node}/${type}/${g.vmid}/config` };
}

/** The suite on SQLite (no `pgUrl`) or on the PostgreSQL database at `pgUrl`. */
export function describePartialSync(pgUrl?: string): void {
  const provider = pgUrl ? "postgresql" : "sqlite";
  describe(`a guest whose config always fails, on ${provider}`, () => suite(pgUrl));
}

function suite(pgUrl: string | undefined): void {
  let sim: RunningSimulator;
  let ws: Awaited<ReturnType<typeof initWorkspace>>;
  let client: ProxmoxClient;
  let ct: Guest;
  let vm: Guest;
  const dbUrl = () => pgUrl ?? `file:${join(ws.dir, ".proxmox-mpc", "state.db")}`;
  const json = async (args: string[]) => JSON.parse((await ws.run([...args, "-o", "json"])).stdout);

  beforeAll(async () => {
    sim = await startSim({ size: SIZE, randomSeed: 11 });
    ws = await initWorkspace(sim, { database: pgUrl });
    client = new ProxmoxClient({ baseUrl: sim.url, token: parseApiToken(sim.token), tls: { mode: "verify" } }, { retries: 0 });
    ct = pick(sim, "lxc");
    vm = pick(sim, "qemu");
  });
  afterAll(async () => {
    client.close();
    await sim.close();
    ws.cleanup();
  });

  it("a first sync stores it from /cluster/resources, marked stale, writes everything else and exits 1", async () => {
    sim.cluster.failPath(ct.path, 504);
    const before = sim.stats().requests;
    const run = await ws.run(["sync", "-o", "json"]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.stale).toEqual([{ vmid: ct.vmid, name: ct.name, node: ct.node, reason: expect.stringContaining("504"), values: "cluster-resources" }]);
    expect(report.stale[0].reason).toContain(ct.path);
    expect(report.added).toHaveLength(SIZE);
    expect(report.iacWithheld).toEqual([{ vmid: ct.vmid, name: ct.name }]);
    expect(report.retries).toBe(5); // the failing read: 6 attempts
    expect(sim.stats().requests - before).toBeGreaterThanOrEqual(SIZE + 5);

    const guests = [...(await json(["get", "vms"])), ...(await json(["get", "cts"]))];
    expect(guests).toHaveLength(SIZE);
    expect(guests.filter((g: { stale: boolean }) => g.stale).map((g: { vmid: number }) => g.vmid)).toEqual([ct.vmid]);
    const stored = await json(["get", "ct", String(ct.vmid)]);
    expect(stored).toMatchObject({ vmid: ct.vmid, name: ct.name, node: ct.node, stale: true, configRead: false });

    const table = await ws.run(["get", "cts"]);
    expect(table.stdout).toMatch(new RegExp(`^\\s*${ct.vmid}\\s+${ct.name}\\s+${ct.node}\\s+\\w+ \\(stale\\)`, "m"));
    expect(table.stderr).toContain(`not read by the last sync (stale): ${ct.name} (${ct.vmid})`);

    const described = await ws.run(["describe", "ct", String(ct.vmid)]);
    expect(described.stdout).toMatch(/Config not read in the last sync \(.*504.*\); values are only the \/cluster\/resources summary from \d{4}-\d\d-\d\dT/);
    expect((await json(["describe", "ct", String(ct.vmid)])).iacFile).toBeNull();
    expect(readFileSync(join(ws.dir, "terraform", "imports.tf"), "utf8")).not.toContain(`/${ct.vmid}"`);
  }, 60_000);

  it("a guest read before keeps its values and its .tf file, marked stale since the last sync; the summary names it", async () => {
    sim.cluster.failPath(ct.path, null);
    const cfg = await client.guestConfig(vm.node, "qemu", vm.vmid);
    const oldCores = (await json(["get", "vm", String(vm.vmid)])).cores;
    await client.settle(await client.updateGuestConfig(vm.node, "qemu", vm.vmid, { cores: Number(cfg.cores ?? 1) + 2 }));
    const tfFile = join(ws.dir, (await json(["describe", "vm", String(vm.vmid)])).iacFile);
    const tfBefore = readFileSync(tfFile, "utf8");
    sim.cluster.failPath(vm.path, "drop");

    const run = await ws.run(["sync"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`partial: 1 guest not read: ${vm.name} (${vm.vmid}); run sync again to complete it.`);
    expect(run.stdout).toMatch(new RegExp(`~ 1 changed\\n\\s+${ct.name} \\(${ct.vmid}\\)`)); // the container is complete now

    expect(await json(["get", "vm", String(vm.vmid)])).toMatchObject({ stale: true, configRead: true, cores: oldCores });
    expect(await json(["get", "ct", String(ct.vmid)])).toMatchObject({ stale: false });
    expect((await json(["describe", "ct", String(ct.vmid)])).iacFile).toMatch(/^terraform\/.+\.tf$/);
    expect(readFileSync(tfFile, "utf8")).toBe(tfBefore);

    const store = await openStore({ url: dbUrl() });
    const [, first] = await store.syncs.history(2).finally(() => store.close());
    const described = await ws.run(["describe", "vm", String(vm.vmid)]);
    expect(described.stdout).toContain(`Config not read in the last sync (Cannot reach ${sim.url}`);
    expect(described.stdout).toContain(`; values are from ${first.startedAt.toISOString()}`);
  }, 60_000);

  it("a re-run after the fault clears completes it and clears the mark", async () => {
    sim.cluster.failPath(vm.path, null);
    const run = await ws.run(["sync", "-o", "json"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.stale).toEqual([]);
    expect(report.changed.map((c: { vmid: number }) => c.vmid)).toEqual([vm.vmid]);
    const guests = [...(await json(["get", "vms"])), ...(await json(["get", "cts"]))];
    expect(guests.filter((g: { stale: boolean }) => g.stale)).toEqual([]);
    expect((await ws.run(["describe", "vm", String(vm.vmid)])).stdout).not.toContain("Config not read");
  }, 60_000);
}
