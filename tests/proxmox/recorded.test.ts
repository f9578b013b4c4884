/**
 * The client against responses recorded from real Proxmox VE servers
 * (tests/fixtures/pve, sources in SOURCES.md there), served byte-for-byte by
 * a real HTTP server, including error reason phrases as PVE sends them.
 */
import { ProxmoxClient } from "../../src/proxmox/client.js";
import {
  AuthenticationError,
  LockTimeoutError,
  NotFoundError,
  ProxyError,
  ServerError,
  TaskFailedError,
  ValidationError,
} from "../../src/proxmox/errors.js";
import { pveFixture, pveFixtureText, type RecordedExchange } from "../helpers/fixtures.js";
import { startTestServer, type Reply, type TestServer } from "../helpers/http-server.js";

const ROUTES: Record<string, string> = {
  "GET /api2/json/version": "version.datadog.json",
  "GET /api2/json/nodes": "nodes.goproxmox.json",
  "GET /api2/json/nodes/node1/status": "node_status.goproxmox.json",
  "GET /api2/json/cluster/resources": "cluster_resources.goproxmox.json",
  "GET /api2/json/cluster/status": "cluster_status.goproxmox.json",
  "GET /api2/json/cluster/nextid": "cluster_nextid.fog.json",
  "GET /api2/json/nodes/pve/qemu": "node_qemu.fog.json",
  "GET /api2/json/nodes/node1/lxc": "node_lxc.goproxmox.json",
  "GET /api2/json/nodes/pve/qemu/100/config": "qemu_config.fog.json",
  "GET /api2/json/nodes/pve/qemu/100/status/current": "qemu_status_current.fog.json",
  "GET /api2/json/nodes/pve/lxc/100/status/current": "lxc_status_current.fog.json",
  "GET /api2/json/nodes/pve/lxc/100/config": "lxc_config.fog.json",
  "GET /api2/json/nodes/pve/storage": "node_storage.fog.json",
};

const errors = pveFixture<RecordedExchange[]>("errors.fog.json");
const writes = pveFixture<RecordedExchange[]>("writes.fog.json");

function recorded(exchange: RecordedExchange): Reply {
  return { status: exchange.response.status, reason: exchange.response.reason, body: exchange.response.body_raw ?? "" };
}

let server: TestServer;
let client: ProxmoxClient;
let taskPolls = 0;
/** When set, a recorded error for the same request wins over a recorded success. */
let preferErrors = false;

beforeAll(async () => {
  server = await startTestServer((req) => {
    const key = `${req.method} ${req.path}`;
    const query = req.query.toString();
    const error = errors.find((e) => e.request.path === (query ? `${req.path}?${query}` : req.path) && e.request.method === req.method);
    if (error && (preferErrors || query)) return recorded(error);
    if (ROUTES[key]) return { body: pveFixtureText(ROUTES[key]) };
    if (req.path.endsWith("/status") && req.path.includes("/tasks/")) {
      if (req.path.includes(":vzcreate:")) return { body: pveFixtureText("task_status_failed.fog.json") };
      taskPolls++;
      return { body: pveFixtureText(taskPolls < 2 ? "task_status_running.fog.json" : "task_status_ok.fog.json") };
    }
    if (req.path.endsWith("/log")) return { body: JSON.stringify({ data: [{ n: 1, t: "extracting archive" }, { n: 2, t: "TASK ERROR: volume does not exist" }] }) };
    const write = writes.find((w) => `${w.request.method} ${w.request.path}` === key);
    if (write) return recorded(write);
    if (error) return recorded(error);
    return { status: 501, reason: `Method '${key}' not implemented` };
  });
  client = new ProxmoxClient(
    { baseUrl: server.url, token: { id: "root@pam!mpc", user: "root@pam", secret: "s" }, tls: { mode: "insecure" } },
    { retries: 0 },
  );
});

afterAll(async () => {
  client.close();
  await server.close();
});

describe("reading recorded PVE answers", () => {
  it("reads the version of a PVE 8.4 server", async () => {
    expect(await client.version()).toEqual({ release: "8.4", version: "8.4.1", repoid: "2a2fa54b8503f96c" });
  });

  it("lists nodes of a 4-node cluster with numeric fields", async () => {
    const nodes = await client.nodes();
    expect(nodes.map((n) => n.node).sort()).toEqual(["node1", "node2", "node3", "node4"]);
    for (const n of nodes) expect(typeof n.maxmem).toBe("number");
  });

  it("reads cluster resources: qemu entries with numeric vmid and 0/1 template", async () => {
    const resources = await client.clusterResources();
    const guests = resources.filter((r) => r.type === "qemu");
    expect(guests.length).toBeGreaterThan(0);
    for (const g of guests) {
      expect(typeof g.vmid).toBe("number");
      expect([0, 1]).toContain(g.template ?? 0);
    }
    expect(guests.some((g) => g.template === 1)).toBe(true);
  });

  it("turns nextid's string into a number", async () => {
    expect(await client.nextId()).toBe(100);
  });

  it("normalizes a PVE 6.2 qemu list: string vmid and template \"\"", async () => {
    const [vm] = await client.listGuests("pve", "qemu");
    expect(vm.vmid).toBe(100);
    expect(vm.template).toBe(0);
  });

  it("normalizes an lxc list recorded with string vmids", async () => {
    const cts = await client.listGuests("node1", "lxc");
    expect(cts.every((c) => typeof c.vmid === "number")).toBe(true);
  });

  it("returns a qemu config with its digest and packed property strings intact", async () => {
    const config = await client.guestConfig("pve", "qemu", 100);
    expect(config.digest).toMatch(/^[0-9a-f]{40}$/);
    expect(String(config.net0)).toMatch(/bridge=vmbr0/);
  });

  it("reads guest status of PVE 6.2 with string numbers", async () => {
    const status = await client.guestStatus("pve", "lxc", 100);
    expect(status.vmid).toBe(100);
    expect(typeof status.maxdisk).toBe("number");
  });
});

describe("recorded errors become typed errors", () => {
  it("400 with per-parameter errors", async () => {
    const err = await client.nextId(100).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toEqual({ vmid: "VM 100 already exists" });
    expect((err as ValidationError).message).toContain("vmid: VM 100 already exists");
  });

  it("500 'does not exist' in the reason phrase is NotFound", async () => {
    const err = await client.guestStatus("pve", "qemu", 101).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).pveMessage).toBe("Configuration file 'nodes/pve/qemu-server/101.conf' does not exist");
  });

  it("500 other errors keep PVE's message", async () => {
    preferErrors = true;
    const err = await client.createGuest("pve", "qemu", { vmid: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect((err as ServerError).message).toContain("VM 100 already exists on node 'pve'");
    preferErrors = false;
  });

  it("recorded writes return UPIDs or null as PVE sent them", async () => {
    expect(await client.createGuest("pve", "qemu", { vmid: 100 })).toMatch(/^UPID:pve:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmcreate:100:root@pam:$/);
  });

  it("401 with an empty body (token) is an authentication error, never retried", async () => {
    const before = server.seen.length;
    const err = await client.request("GET", "/access/users/root@pam/token/root1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).message).toContain("invalid token value!");
    expect(server.seen.length - before).toBe(1);
  });
});

describe("tasks from recorded task answers", () => {
  it("waits until a recorded task stops with OK", async () => {
    const upid = "UPID:pve:00000B1A:0000D6A1:5FBE5E39:qmstart:100:root@pam:";
    const status = await client.waitForTask(upid, { pollMs: 5 });
    expect(status.exitstatus).toBe("OK");
    expect(taskPolls).toBeGreaterThanOrEqual(2);
  });

  it("a failed task carries its exit status and the last log lines", async () => {
    const upid = "UPID:pve:00000754:00009421:5FBE5DD2:vzcreate:100:root@pam:";
    const err = await client.waitForTask(upid, { pollMs: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskFailedError);
    const failed = err as TaskFailedError;
    expect(failed.exitStatus).toMatch(/volume 'local:vztmpl\/alpine-3.10-default_20190626_amd64.tar.xz' does not exist/);
    expect(failed.logTail).toEqual(["extracting archive", "TASK ERROR: volume does not exist"]);
    expect(failed.message).toContain("Task vzcreate 100 on pve failed");
  });
});

describe("errors PVE sends that were not recorded above", () => {
  let s: TestServer;
  let c: ProxmoxClient;
  const replies: Reply[] = [];
  beforeAll(async () => {
    s = await startTestServer(() => replies.shift() ?? { body: { data: "ok" } });
    c = new ProxmoxClient({ baseUrl: s.url, token: { id: "root@pam!mpc", user: "root@pam", secret: "s" }, tls: { mode: "insecure" } }, { retries: 0 });
  });
  afterAll(async () => {
    c.close();
    await s.close();
  });

  it("lock timeout from the reason phrase", async () => {
    replies.push({ status: 500, reason: "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout" });
    await expect(c.request("PUT", "/nodes/pve/qemu/100/config", { cores: 2 })).rejects.toBeInstanceOf(LockTimeoutError);
  });

  it("596 proxy error between nodes", async () => {
    replies.push({ status: 596, reason: "Connection timed out" });
    const err = await c.request("GET", "/nodes/pve2/status").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProxyError);
    expect((err as ProxyError).hint).toMatch(/offline/);
  });

  it("prefers the JSON message of newer servers", async () => {
    replies.push({ status: 500, reason: "Internal Server Error", body: { data: null, message: "storage 'fast' does not exist\n" } });
    const err = await c.request("GET", "/nodes/pve/storage/fast/content").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).pveMessage).toBe("storage 'fast' does not exist");
  });
});
