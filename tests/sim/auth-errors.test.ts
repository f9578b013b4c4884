/** Authentication, privileges, and PVE's error answers (400/401/403/500/501) over real HTTP. */
import { resolve } from "node:path";
import { startSimulator, type RunningSimulator } from "../../src/sim/index.js";
import { Api, seedsDir } from "./helpers.js";

const MONITOR = "monitor@pve!ro=0e6b8d2c-5f1a-4c52-9d3e-6f0a1b2c3d4e";
const OPS = "ops@pve!web=3a9f1c2e-7b6d-4e8a-a1b2-c3d4e5f60718";
const AUDIT_ONLY = "audit@pve!ro2=11111111-2222-3333-4444-555555555555";

let sim: RunningSimulator;
let api: Api;
beforeAll(async () => {
  sim = await startSimulator({
    seed: resolve(seedsDir, "small.yaml"),
    token: "root@pam!mpc=s3cret-value",
    extraTokens: [{ token: AUDIT_ONLY, privileges: ["Sys.Audit"] }],
    taskDelayMs: 5,
  });
  api = new Api(sim);
});
afterAll(() => sim.close());

describe("authentication", () => {
  test("no Authorization header → 401 No ticket", async () => {
    const r = await new Api(sim, null).get("/version");
    expect(r).toEqual({ status: 401, reason: "No ticket", body: { data: null, message: "No ticket\n" } });
  });

  test("wrong secret or unknown token → 401 invalid token value!", async () => {
    for (const token of ["root@pam!mpc=wrong", "nobody@pam!x=s3cret-value", "garbage"]) {
      const r = await new Api(sim, token).get("/nodes");
      expect([r.status, r.reason, r.body?.data]).toEqual([401, "invalid token value!", null]);
    }
  });

  test("the configured token works and the secret never appears in answers", async () => {
    expect(sim.token).toBe("root@pam!mpc=s3cret-value");
    const r = await api.get("/access/permissions");
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.body)).not.toContain("s3cret-value");
    expect(Object.keys(r.body!.data as object)).toEqual(expect.arrayContaining(["/", "/vms", "/nodes", "/storage"]));
  });

  test("authFailDelayMs delays 401 answers like PVE", async () => {
    const slow = await startSimulator({ size: 2, authFailDelayMs: 150 });
    try {
      const t = performance.now();
      expect((await new Api(slow, "root@pam!mpc=nope").get("/version")).status).toBe(401);
      expect(performance.now() - t).toBeGreaterThanOrEqual(140);
    } finally {
      await slow.close();
    }
  });
});

describe("privileges", () => {
  test("a token without VM.Audit gets 403 Permission check failed (/vms/100, VM.Audit)", async () => {
    const r = await new Api(sim, AUDIT_ONLY).get("/nodes/pve1/qemu/100/config");
    expect([r.status, r.reason]).toEqual([403, "Permission check failed (/vms/100, VM.Audit)"]);
    expect(r.body).toEqual({ data: null, message: "Permission check failed (/vms/100, VM.Audit)\n" });
  });

  test("lists only show what the token may see", async () => {
    const audit = new Api(sim, AUDIT_ONLY);
    const res = await audit.data<Record<string, unknown>[]>("/cluster/resources");
    expect(res.some((e) => e.type === "node")).toBe(true);
    expect(res.some((e) => e.type === "qemu" || e.type === "lxc" || e.type === "storage")).toBe(false);
    expect(await audit.data<unknown[]>("/nodes/pve1/qemu")).toEqual([]);
    const ops = new Api(sim, OPS);
    expect((await ops.data<Record<string, unknown>[]>("/cluster/resources", { type: "vm" })).map((e) => e.vmid)).toEqual([100]);
  });

  test("per-path privileges from the seed: power on /vms/100 only", async () => {
    const ops = new Api(sim, OPS);
    const ok = await ops.post("/nodes/pve1/qemu/100/status/reboot");
    expect(ok.status).toBe(200);
    await api.waitTask(ok.body!.data);
    const denied = await ops.post("/nodes/pve2/qemu/102/status/start");
    expect([denied.status, denied.reason]).toEqual([403, "Permission check failed (/vms/102, VM.PowerMgmt)"]);
    const create = await new Api(sim, MONITOR).post("/nodes/pve1/qemu", { vmid: 500 });
    expect([create.status, create.reason]).toEqual([403, "Permission check failed (/vms/500, VM.Allocate)"]);
  });

  test("GET /access/permissions?path=/ lists the privileges on /", async () => {
    const perms = await new Api(sim, AUDIT_ONLY).data<Record<string, Record<string, number>>>("/access/permissions", { path: "/" });
    expect(perms).toEqual({ "/": { "Sys.Audit": 1 } });
  });
});

describe("errors", () => {
  test("unknown path or method → 501 Method '… …' not implemented", async () => {
    const r = await api.get("/nodes/pve1/foo");
    expect([r.status, r.reason, r.body?.message]).toEqual([501, "Method 'GET /nodes/pve1/foo' not implemented", "Method 'GET /nodes/pve1/foo' not implemented\n"]);
    expect((await api.call("PATCH", "/version")).status).toBe(501);
    expect((await api.del("/version")).status).toBe(501);
  });

  test("parameter errors → 400 Parameter verification failed. with an errors object", async () => {
    const r = await api.post("/nodes/pve1/qemu", { vmid: 200, bogus: 1, cores: "many", ostype: "dos", onboot: "yes" });
    expect([r.status, r.reason]).toEqual([400, "Parameter verification failed."]);
    expect(r.body!.errors).toEqual({
      bogus: "property is not defined in schema and the schema does not allow additional properties",
      cores: "type check ('integer') failed - got 'many'",
      ostype: "value 'dos' does not have a value in the enumeration 'other, wxp, w2k, w2k3, w2k8, wvista, win7, win8, win10, win11, l24, l26, solaris'",
      onboot: "type check ('boolean') failed - got 'yes'",
    });
    const missing = await api.post("/nodes/pve1/lxc", { vmid: 200 });
    expect(missing.body!.errors).toEqual({ ostemplate: "property is missing and it is not optional" });
    expect(sim.cluster.guest(200)).toBeUndefined();
  });

  test("JSON bodies are accepted (numbers and booleans)", async () => {
    const r = await api.call("PUT", "/nodes/pve1/qemu/100/config", { cores: 3, onboot: 0 }, true);
    expect(r.status).toBe(200);
    expect(sim.cluster.guest(100)!.config).toMatchObject({ cores: 3, onboot: 0 });
  });

  test("missing guest, node and storage → PVE's 500 messages", async () => {
    const g = await api.get("/nodes/pve1/qemu/101/config");
    expect([g.status, g.reason]).toEqual([500, "Configuration file 'nodes/pve1/qemu-server/101.conf' does not exist"]);
    const wrongNode = await api.get("/nodes/pve2/lxc/101/status/current");
    expect(wrongNode.reason).toBe("Configuration file 'nodes/pve2/lxc/101.conf' does not exist");
    const n = await api.get("/nodes/nosuch/qemu");
    expect([n.status, n.reason]).toEqual([500, "hostname lookup 'nosuch' failed - failed to get address info for: nosuch: Name or service not known"]);
    const s = await api.get("/nodes/pve1/storage/nosuch/content");
    expect([s.status, s.reason]).toEqual([500, "storage 'nosuch' does not exist"]);
    const alloc = await api.put("/nodes/pve1/qemu/100/config", { scsi1: "nosuch:10" });
    expect([alloc.status, alloc.reason]).toEqual([500, "storage 'nosuch' does not exist"]);
  });

  test("GET /cluster/nextid?vmid= → 400 when taken, the id (a string) when free", async () => {
    const taken = await api.get("/cluster/nextid", { vmid: 100 });
    expect([taken.status, taken.body!.errors]).toEqual([400, { vmid: "VM 100 already exists" }]);
    expect(await api.data("/cluster/nextid", { vmid: 4242 })).toBe("4242");
  });
});
