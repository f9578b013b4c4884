/**
 * Conformance: every request the client can build exists in the official
 * Proxmox VE API schema (vendored in src/pve/api-schema) with valid
 * parameter names and types. Each typed method is called over real HTTP and
 * the recorded request is checked; a new method without a call here fails.
 */
import { findEndpoint, validateParameters } from "../../src/pve/api-schema/index.js";
import { ProxmoxClient } from "../../src/proxmox/client.js";
import { parseApiToken } from "../../src/proxmox/connection.js";
import type { RequestRecord } from "../../src/proxmox/transport.js";
import { startTestServer, type TestServer } from "../helpers/http-server.js";

const UPID = "UPID:pve1:000A1B2C:00C0FFEE:6740A1B2:qmstart:100:root@pam!mpc:";

let server: TestServer;
const records: RequestRecord[] = [];
let client: ProxmoxClient;

beforeAll(async () => {
  server = await startTestServer((req) => {
    if (req.path.endsWith("/status") && req.path.includes("/tasks/")) return { body: { data: { status: "stopped", exitstatus: "OK", upid: UPID, node: "pve1", type: "qmstart", user: "root@pam", pid: 1, pstart: 1, starttime: 1 } } };
    if (req.path.endsWith("/nextid")) return { body: { data: "100" } };
    if (req.method !== "GET") return { body: { data: UPID } };
    if (/\/(nodes|resources|qemu|lxc|storage|content|tasks|snapshot|log|status)$/.test(req.path) && !req.path.endsWith("/nodes/pve1/status") && !req.path.endsWith("status/current"))
      return { body: { data: [] } };
    return { body: { data: {} } };
  });
  client = new ProxmoxClient(
    { baseUrl: server.url, token: parseApiToken("root@pam!mpc=00000000-0000-4000-8000-000000000000"), tls: { mode: "insecure" } },
    { retries: 0, onRequest: (r) => records.push(r) },
  );
});
afterAll(async () => {
  client.close();
  await server.close();
});

/** One call per typed method, with every optional parameter it can send. */
const CALLS: Record<string, (c: ProxmoxClient) => Promise<unknown>> = {
  version: (c) => c.version(),
  nodes: (c) => c.nodes(),
  nodeStatus: (c) => c.nodeStatus("pve1"),
  clusterStatus: (c) => c.clusterStatus(),
  clusterResources: async (c) => {
    await c.clusterResources();
    for (const t of ["vm", "storage", "node", "sdn"] as const) await c.clusterResources(t);
  },
  nextId: async (c) => {
    await c.nextId();
    await c.nextId(4321);
  },
  permissions: async (c) => {
    await c.permissions();
    await c.permissions("/");
  },
  listGuests: async (c) => {
    await c.listGuests("pve1", "qemu");
    await c.listGuests("pve1", "lxc");
  },
  guestConfig: async (c) => {
    await c.guestConfig("pve1", "qemu", 100, { current: true });
    await c.guestConfig("pve1", "lxc", 101);
  },
  updateGuestConfig: async (c) => {
    const digest = "0123456789abcdef0123456789abcdef01234567";
    await c.updateGuestConfig("pve1", "qemu", 100, { cores: 4, memory: 4096, tags: "web;prod", onboot: true, net0: "virtio,bridge=vmbr0" }, { digest, remove: ["ide2", "ipconfig1"] });
    await c.updateGuestConfig("pve1", "lxc", 101, { cores: 2, memory: 1024, swap: 512, hostname: "ct-01" }, { digest, remove: ["mp0"] });
  },
  guestStatus: async (c) => {
    await c.guestStatus("pve1", "qemu", 100);
    await c.guestStatus("pve1", "lxc", 101);
  },
  createGuest: async (c) => {
    await c.createGuest("pve1", "qemu", {
      vmid: 105, name: "web-01", cores: 2, sockets: 1, memory: 2048, cpu: "x86-64-v2-AES", scsihw: "virtio-scsi-single",
      scsi0: "local-lvm:32,iothread=1", net0: "virtio,bridge=vmbr0,tag=20", ide2: "local-lvm:cloudinit", ipconfig0: "ip=10.0.0.5/24,gw=10.0.0.1",
      ciuser: "admin", sshkeys: encodeURIComponent("ssh-ed25519 AAAA user@host"), boot: "order=scsi0;net0", agent: "enabled=1", onboot: true, tags: "web", start: true,
    });
    await c.createGuest("pve1", "lxc", {
      vmid: 106, hostname: "ct-01", ostemplate: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst", cores: 1, memory: 512, swap: 512,
      rootfs: "local-lvm:8", net0: "name=eth0,bridge=vmbr0,ip=dhcp", unprivileged: true, start: false, tags: "db",
    });
  },
  cloneGuest: async (c) => {
    await c.cloneGuest("pve1", "qemu", 9000, { newid: 107, name: "web-02", full: true, target: "pve2", storage: "local-lvm" });
    await c.cloneGuest("pve1", "lxc", 9001, { newid: 108, hostname: "ct-02", full: true });
  },
  migratePrecondition: async (c) => {
    await c.migratePrecondition("pve1", "qemu", 100, "pve2");
    await c.migratePrecondition("pve1", "lxc", 101);
  },
  migrateGuest: async (c) => {
    await c.migrateGuest("pve1", "qemu", 100, "pve2", { online: true, withLocalDisks: true, targetStorage: "local-lvm" });
    await c.migrateGuest("pve1", "lxc", 101, "pve2", { restart: true, targetStorage: "local-lvm" });
  },
  deleteGuest: async (c) => {
    await c.deleteGuest("pve1", "qemu", 100, { purge: true, destroyUnreferencedDisks: true });
    await c.deleteGuest("pve1", "lxc", 101, { purge: true });
  },
  powerAction: async (c) => {
    for (const a of ["start", "stop", "shutdown", "reboot"] as const) {
      await c.powerAction("pve1", "qemu", 100, a);
      await c.powerAction("pve1", "lxc", 101, a);
    }
    await c.powerAction("pve1", "qemu", 100, "shutdown", { timeout: 60, forceStop: true });
  },
  resizeDisk: async (c) => {
    await c.resizeDisk("pve1", "qemu", 100, "scsi0", "+10G", { digest: "0123456789abcdef0123456789abcdef01234567" });
    await c.resizeDisk("pve1", "lxc", 101, "rootfs", "16G");
  },
  guestPending: async (c) => {
    await c.guestPending("pve1", "qemu", 100);
    await c.guestPending("pve1", "lxc", 101);
  },
  listSnapshots: (c) => c.listSnapshots("pve1", "qemu", 100),
  createSnapshot: async (c) => {
    await c.createSnapshot("pve1", "qemu", 100, "before-upgrade", { description: "pre", vmstate: false });
    await c.createSnapshot("pve1", "lxc", 101, "before-upgrade", { description: "pre" });
  },
  deleteSnapshot: (c) => c.deleteSnapshot("pve1", "qemu", 100, "before-upgrade"),
  rollbackSnapshot: async (c) => {
    await c.rollbackSnapshot("pve1", "lxc", 101, "before-upgrade");
    await c.rollbackSnapshot("pve1", "qemu", 100, "before-upgrade", { start: true });
  },
  snapshotConfig: (c) => c.snapshotConfig("pve1", "qemu", 100, "before-upgrade"),
  vzdump: async (c) => {
    await c.vzdump("pve1", [100, 101], { storage: "local", mode: "snapshot", compress: "zstd", notesTemplate: "{{guestname}}", protected: false });
    await c.vzdump("pve1", [100]);
  },
  backupConfig: (c) => c.backupConfig("pve1", "local:backup/vzdump-qemu-100-2026_11_28-12_00_00.vma.zst"),
  restoreGuest: async (c) => {
    await c.restoreGuest("pve1", "qemu", 120, "local:backup/vzdump-qemu-100-2026_11_28-12_00_00.vma.zst", { storage: "local-lvm", force: true, unique: true, pool: "prod" });
    await c.restoreGuest("pve1", "lxc", 121, "local:backup/vzdump-lxc-101-2026_11_28-12_00_00.tar.zst", { storage: "local-lvm", force: false });
  },
  deleteVolume: (c) => c.deleteVolume("pve1", "local", "local:backup/vzdump-qemu-100-2026_11_28-12_00_00.vma.zst", { delay: 5 }),
  storage: (c) => c.storage("pve1", { content: "images", enabled: true }),
  storageContent: (c) => c.storageContent("pve1", "local", { content: "vztmpl", vmid: 100 }),
  tasks: (c) => c.tasks("pve1", { limit: 50, vmid: 100, typefilter: "qmstart", errors: true, source: "all" }),
  clusterTasks: (c) => c.clusterTasks(),
  taskStatus: (c) => c.taskStatus("pve1", UPID),
  taskLog: (c) => c.taskLog("pve1", UPID, { start: 0, limit: 100 }),
  waitForTask: (c) => c.waitForTask(UPID),
  settle: (c) => c.settle(UPID),
};

const INFRASTRUCTURE = new Set(["constructor", "request", "close", "baseUrl"]);

describe("client conformance with the official PVE API schema", () => {
  it("has a call here for every typed method of the client", () => {
    const methods = Object.getOwnPropertyNames(ProxmoxClient.prototype).filter((m) => !INFRASTRUCTURE.has(m));
    expect(methods.filter((m) => !(m in CALLS))).toEqual([]);
  });

  it("every request exists in the schema with valid parameters", async () => {
    for (const call of Object.values(CALLS)) await call(client);
    expect(records.length).toBeGreaterThan(40);
    const problems: string[] = [];
    for (const r of records) {
      const endpoint = findEndpoint(r.method, r.path);
      if (!endpoint) {
        problems.push(`${r.method} ${r.path}: not in the schema`);
        continue;
      }
      const errors = validateParameters(r.method, r.path, r.params as Record<string, string | number | boolean | undefined>);
      for (const [k, v] of Object.entries(errors)) problems.push(`${r.method} ${endpoint.pathTemplate} ${k}: ${v}`);
    }
    expect(problems).toEqual([]);
  });

  it("the validator would catch a wrong parameter (the check is not vacuous)", () => {
    expect(validateParameters("POST", "/nodes/pve1/qemu/100/config", { corez: 4 })).toHaveProperty("corez");
    expect(validateParameters("GET", "/cluster/resources", { type: "vms" })).toHaveProperty("type");
    expect(findEndpoint("GET", "/nodes/pve1/qemu/100/configuration")).toBeUndefined();
  });
});
