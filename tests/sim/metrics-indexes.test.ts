/**
 * Reads that clients and health/metrics features need: rrddata of nodes and
 * guests (per version's RRD format), /cluster/tasks, /nodes/{node}/version,
 * and the directory indexes, whose every listed child must answer.
 */
import { resolve } from "node:path";
import { findEndpoint } from "../../src/pve/api-schema/index.js";
import { startSimulator, type PveVersion, type RunningSimulator } from "../../src/sim/index.js";
import { ROUTES } from "../../src/sim/router.js";
import { Api, fixture, seedsDir, shape } from "./helpers.js";

type Point = Record<string, number>;
const MONITOR = "monitor@pve!ro=0e6b8d2c-5f1a-4c52-9d3e-6f0a1b2c3d4e";
const NODE_8 = ["time", "loadavg", "maxcpu", "cpu", "iowait", "memtotal", "memused", "swaptotal", "swapused", "roottotal", "rootused", "netin", "netout"];
const NODE_9 = [...NODE_8, "memfree", "arcsize", "pressurecpusome", "pressureiosome", "pressureiofull", "pressurememorysome", "pressurememoryfull"];
const GUEST_8 = ["time", "maxcpu", "maxmem", "maxdisk", "disk", "cpu", "mem", "netin", "netout", "diskread", "diskwrite"];
const GUEST_9 = [...GUEST_8, "memhost", "pressurecpusome", "pressurecpufull", "pressureiosome", "pressureiofull", "pressurememorysome", "pressurememoryfull"];

const sims: Partial<Record<PveVersion, RunningSimulator>> = {};
const api = (v: PveVersion): Api => new Api(sims[v]!);
beforeAll(async () => {
  for (const v of ["8.4", "9.1"] as const) sims[v] = await startSimulator({ seed: resolve(seedsDir, "small.yaml"), taskDelayMs: 1, pveVersion: v });
});
afterAll(async () => {
  for (const s of Object.values(sims)) await s.close();
});

const sorted = (keys: string[]): string[] => [...keys].sort();
const steps = (points: Point[]): number[] => [...new Set(points.slice(1).map((p, i) => p.time - points[i].time))];

describe("rrddata", () => {
  test.each([
    ["8.4", "hour", 70, 60], ["8.4", "day", 70, 1800], ["8.4", "year", 70, 604800],
    ["9.1", "hour", 60, 60], ["9.1", "day", 1440, 60], ["9.1", "week", 336, 1800], ["9.1", "decade", 570, 604800],
  ] as const)("node, PVE %s, %s: %i points %i s apart, oldest first, that version's columns", async (v, timeframe, count, step) => {
    const points = await api(v).data<Point[]>("/nodes/pve1/rrddata", { timeframe });
    expect(points).toHaveLength(count);
    expect(steps(points)).toEqual([step]);
    expect(points.at(-1)!.time).toBeLessThanOrEqual(Date.now() / 1000);
    expect(sorted(Object.keys(points[0]))).toEqual(sorted(v === "8.4" ? NODE_8 : NODE_9));
    expect(points.every((p) => p.maxcpu === 16 && p.cpu >= 0 && p.cpu <= 1 && p.memused <= p.memtotal)).toBe(true);
  });

  test("8.4 has no decade (PVE 8's enum); guests never have one", async () => {
    const r = await api("8.4").get("/nodes/pve1/rrddata", { timeframe: "decade" });
    expect([r.status, r.body!.errors]).toEqual([400, { timeframe: "value 'decade' does not have a value in the enumeration 'hour, day, week, month, year'" }]);
    expect((await api("9.1").get("/nodes/pve1/qemu/100/rrddata", { timeframe: "decade" })).status).toBe(400);
  });

  test.each(["8.4", "9.1"] as const)("guests, PVE %s: running ones have usage, stopped ones only sizes", async (v) => {
    const running = await api(v).data<Point[]>("/nodes/pve1/qemu/100/rrddata", { timeframe: "hour", cf: "AVERAGE" });
    expect(sorted(Object.keys(running[0]))).toEqual(sorted(v === "8.4" ? GUEST_8 : GUEST_9));
    expect(running[0]).toMatchObject({ maxcpu: 2, maxmem: 2048 * 1024 ** 2, maxdisk: 32 * 1024 ** 3 });
    const ct = await api(v).data<Point[]>("/nodes/pve1/lxc/101/rrddata", { timeframe: "hour" });
    expect(ct[0].disk).toBeGreaterThan(0);
    const stopped = await api(v).data<Point[]>("/nodes/pve2/qemu/102/rrddata", { timeframe: "hour" });
    expect(sorted(Object.keys(stopped[0]))).toEqual(sorted(["time", "maxcpu", "maxmem", "maxdisk", "disk"]));
  });

  test("values are stable per timestamp; MAX is at least AVERAGE", async () => {
    const a = await api("9.1").data<Point[]>("/nodes/pve1/rrddata", { timeframe: "week" });
    const b = await api("9.1").data<Point[]>("/nodes/pve1/rrddata", { timeframe: "week" });
    const byTime = new Map(b.map((p) => [p.time, p]));
    expect(a.filter((p) => byTime.has(p.time)).every((p) => byTime.get(p.time)!.cpu === p.cpu)).toBe(true);
    const max = await api("9.1").data<Point[]>("/nodes/pve1/rrddata", { timeframe: "week", cf: "MAX" });
    const avgAt = new Map(a.map((p) => [p.time, p.cpu]));
    expect(max.filter((p) => avgAt.has(p.time)).every((p) => p.cpu >= avgAt.get(p.time)!)).toBe(true);
  });

  test("rrddata needs the schema's privileges", async () => {
    const r = await new Api(sims["9.1"]!, "ops@pve!web=3a9f1c2e-7b6d-4e8a-a1b2-c3d4e5f60718").get("/nodes/pve1/rrddata", { timeframe: "hour" });
    expect([r.status, r.reason]).toEqual([403, "Permission check failed (/nodes/pve1, Sys.Audit)"]);
  });
});

describe("/cluster/tasks and /nodes/{node}/version", () => {
  test("recent tasks of every node, newest first: running ones with pid, finished ones with status and endtime", async () => {
    const sim = sims["9.1"]!;
    await api("9.1").waitTask((await api("9.1").post("/nodes/pve2/qemu/102/status/start")).body!.data);
    sim.cluster.hangTasks(true);
    const running = String((await api("9.1").post("/nodes/pve1/lxc/101/snapshot", { snapname: "s1" })).body!.data);
    try {
      const tasks = await api("9.1").data<Record<string, unknown>[]>("/cluster/tasks");
      expect(tasks[0]).toMatchObject({ upid: running, node: "pve1", type: "vzsnapshot", id: "101", user: "root@pam!mpc" });
      expect(typeof tasks[0].pid).toBe("number");
      expect(tasks[0].status).toBeUndefined();
      expect(tasks[1]).toMatchObject({ node: "pve2", type: "qmstart", id: "102", status: "OK", saved: "1" });
      expect(typeof tasks[1].endtime).toBe("number");
      // A token without Sys.Audit on / sees only its own tasks (none).
      expect(await new Api(sim, "ops@pve!web=3a9f1c2e-7b6d-4e8a-a1b2-c3d4e5f60718").data("/cluster/tasks")).toEqual([]);
      expect((await new Api(sim, MONITOR).data<unknown[]>("/cluster/tasks")).length).toBe(tasks.length);
    } finally {
      sim.cluster.hangTasks(false);
    }
  });

  test.each(["8.4", "9.1"] as const)("PVE %s: /nodes/{node}/version answers /version's fields", async (v) => {
    const node = await api(v).data("/nodes/pve2/version");
    expect(node).toEqual(await api(v).data("/version"));
    expect(shape(node)).toEqual(shape(fixture<{ data: Record<string, unknown> }>("version.datadog.json").data));
  });
});

describe("directory indexes", () => {
  const INDEXES = ["/", "/cluster", "/cluster/ha", "/access", "/nodes/pve1", "/nodes/pve1/qemu/100", "/nodes/pve1/lxc/101", "/nodes/pve1/qemu/100/status", "/nodes/pve1/lxc/101/status", "/nodes/pve1/qemu/100/agent"];
  const WRITE_ONLY = new Set(["unlink", "resize", "clone", "start", "stop", "reset", "shutdown", "reboot", "suspend", "resume", "exec", "vzdump"]);

  /** The write method the simulator serves for a write-only child, e.g. "PUT /nodes/{node}/qemu/{vmid}/unlink". */
  const served = (path: string): string | undefined =>
    ["POST", "PUT"].map((m) => findEndpoint(m, path) && `${m} ${findEndpoint(m, path)!.pathTemplate}`).find((k) => k !== undefined && k in ROUTES);

  test("every listed child answers: GET 200, or for write-only children (GET 501, as in PVE) their write method", async () => {
    const a = api("9.1");
    for (const index of INDEXES) {
      const entries = await a.data<Record<string, string>[]>(index);
      expect([index, entries.length > 0]).toEqual([index, true]);
      for (const e of entries) {
        const child = `${index === "/" ? "" : index}/${Object.values(e)[0]}`;
        const name = child.split("/").at(-1)!;
        const r = await a.get(child);
        if (WRITE_ONLY.has(name)) expect([child, r.status, served(child) !== undefined]).toEqual([child, 501, true]);
        else if (name === "exec-status") expect([child, r.status, r.body?.errors]).toEqual([child, 400, { pid: "property is missing and it is not optional" }]);
        else if (name === "rrddata") expect([child, (await a.get(child, { timeframe: "hour" })).status]).toEqual([child, 200]);
        else expect([child, r.status]).toEqual([child, 200]);
      }
    }
  });

  test("PVE's keys and order; the write-only children do answer their method", async () => {
    const a = api("9.1");
    expect(await a.data("/")).toEqual(["version", "cluster", "nodes", "storage", "access", "pools"].map((subdir) => ({ subdir })));
    expect((await a.data<{ name: string }[]>("/nodes/pve1")).map((e) => e.name)).toEqual(["lxc", "network", "qemu", "rrddata", "status", "storage", "tasks", "version", "vzdump"]);
    expect((await a.data<{ subdir: string }[]>("/nodes/pve1/qemu/100")).map((e) => e.subdir)).toEqual(["config", "pending", "status", "unlink", "migrate", "resize", "rrddata", "agent", "snapshot"]);
    expect(await a.data("/cluster/ha")).toEqual([{ id: "resources" }]);
    expect((await a.put("/nodes/pve1/qemu/100/unlink", { idlist: "ide2" })).status).toBe(200);
    const missing = await a.get("/nodes/pve1/qemu/555");
    expect([missing.status, missing.reason]).toEqual([500, "Configuration file 'nodes/pve1/qemu-server/555.conf' does not exist"]);
  });
});
