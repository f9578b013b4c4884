/**
 * Pools (GET /pools, /pools?poolid=, /pools/{poolid}) and HA resources
 * (GET /cluster/ha/resources, `hastate`, status/current `ha`) from a seed,
 * with member entries shaped like the recorded /cluster/resources entries.
 */
import { startSimulator, type RunningSimulator, type SeedDocument } from "../../src/sim/index.js";
import { Api, fixture, shapeMismatches } from "./helpers.js";

type Obj = Record<string, unknown>;
const AUDITOR = "audit@pve!pools=5b0d1c2e-0000-4000-8000-000000000001";

const SEED: SeedDocument = {
  cluster: { name: "lab" },
  nodes: [{ name: "pve1" }, { name: "pve2" }],
  pools: [{ poolid: "prod", comment: "Production" }, { poolid: "empty" }],
  guests: [
    { vmid: 100, node: "pve1", name: "web-01", pool: "prod", ha: "started", config: { memory: 1024, scsi0: "local-lvm:vm-100-disk-0,size=8G" } },
    { vmid: 101, type: "lxc", node: "pve2", name: "dns-01", pool: "prod", status: "stopped", ha: "stopped", config: { rootfs: "local-lvm:vm-101-disk-0,size=4G" } },
    { vmid: 102, node: "pve2", name: "lab-01", pool: "lab" },
    { vmid: 103, node: "pve1", name: "solo" },
  ],
  tokens: [{ token: AUDITOR, privileges: { "/pool/lab": ["Pool.Audit"], "/vms": ["VM.Audit"] } }],
};

let sim: RunningSimulator;
let api: Api;
beforeAll(async () => {
  sim = await startSimulator({ seed: SEED, taskDelayMs: 1 });
  api = new Api(sim);
});
afterAll(() => sim.close());

describe("pools", () => {
  test("GET /pools lists declared pools and those of guests, with comments, sorted", async () => {
    expect(await api.data("/pools")).toEqual([{ poolid: "empty" }, { poolid: "lab" }, { poolid: "prod", comment: "Production" }]);
  });

  test("GET /pools/{poolid}: members are the pool's guests as /cluster/resources entries", async () => {
    const pool = await api.data<{ comment?: string; members: Obj[] }>("/pools/prod");
    expect(pool.comment).toBe("Production");
    expect(pool.members.map((m) => [m.id, m.name, m.node, m.pool])).toEqual([["qemu/100", "web-01", "pve1", "prod"], ["lxc/101", "dns-01", "pve2", "prod"]]);
    const recorded = fixture<{ data: Obj[] }>("cluster_resources.datadog.json").data;
    const qemu = recorded.find((e) => e.type === "qemu")!;
    const lxc = recorded.find((e) => e.type === "lxc" && e.pool !== undefined)!;
    expect(shapeMismatches(qemu, pool.members[0], ["pool"])).toEqual([]);
    expect(shapeMismatches(lxc, pool.members[1], ["tags"])).toEqual([]);
    expect((await api.data<{ members: Obj[] }>("/pools/empty")).members).toEqual([]);
    expect((await api.data<{ members: Obj[] }>("/pools/prod", { type: "lxc" })).members.map((m) => m.id)).toEqual(["lxc/101"]);
  });

  test("GET /pools?poolid= answers the pool with its members (PVE ≥ 8.1)", async () => {
    const list = await api.data<Obj[]>("/pools", { poolid: "lab" });
    expect(list).toHaveLength(1);
    expect(list[0].poolid).toBe("lab");
    expect((list[0].members as Obj[]).map((m) => m.vmid)).toEqual([102]);
  });

  test("a missing pool is PVE's 500; pool rows of /cluster/resources include declared pools", async () => {
    const r = await api.get("/pools/nope");
    expect([r.status, r.reason]).toEqual([500, "pool 'nope' does not exist"]);
    const rows = (await api.data<Obj[]>("/cluster/resources")).filter((e) => e.type === "pool");
    expect(rows).toEqual(["empty", "lab", "prod"].map((pool) => ({ id: `/pool/${pool}`, type: "pool", pool })));
  });

  test("only pools with Pool.Audit are listed or readable", async () => {
    const auditor = new Api(sim, AUDITOR);
    expect(await auditor.data("/pools")).toEqual([{ poolid: "lab" }]);
    expect([(await auditor.get("/pools/prod")).status, (await auditor.get("/pools/prod")).reason]).toEqual([403, "Permission check failed (/pool/prod, Pool.Audit)"]);
    expect((await auditor.get("/pools", { poolid: "prod" })).status).toBe(403);
  });
});

describe("HA resources", () => {
  test("GET /cluster/ha/resources lists the seed's HA guests; type filters", async () => {
    const all = await api.data<Obj[]>("/cluster/ha/resources");
    expect(all.map(({ digest: _d, ...e }) => e)).toEqual([
      { sid: "vm:100", type: "vm", state: "started" },
      { sid: "ct:101", type: "ct", state: "stopped" },
    ]);
    expect(all.every((e) => /^[0-9a-f]{40}$/.test(String(e.digest)))).toBe(true);
    expect((await api.data<Obj[]>("/cluster/ha/resources", { type: "ct" })).map((e) => e.sid)).toEqual(["ct:101"]);
    const denied = await new Api(sim, AUDITOR).get("/cluster/ha/resources");
    expect([denied.status, denied.reason]).toEqual([403, "Permission check failed (/, Sys.Audit)"]);
  });

  test("hastate in /cluster/resources and ha in status/current", async () => {
    const vms = await api.data<Obj[]>("/cluster/resources", { type: "vm" });
    expect(vms.find((e) => e.vmid === 100)!.hastate).toBe("started");
    expect(vms.find((e) => e.vmid === 103)!.hastate).toBeUndefined();
    expect((await api.data("/nodes/pve1/qemu/100/status/current")).ha).toEqual({ managed: 1, state: "started" });
    expect((await api.data("/nodes/pve2/lxc/101/status/current")).ha).toEqual({ managed: 1, state: "stopped" });
    expect((await api.data("/nodes/pve1/qemu/103/status/current")).ha).toEqual({ managed: 0 });
  });
});
