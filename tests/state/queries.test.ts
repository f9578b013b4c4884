/**
 * Reading the store (guest filters, lookup by name or vmid, counts, JSON
 * views) and the operation log, whose arguments never keep a secret.
 */
import { existsSync, readFileSync } from "node:fs";
import { registerSecret } from "../../src/core/redact.js";
import { openStore, parseDatabaseUrl, toGuestJson, type Store } from "../../src/state/index.js";
import { storeCases } from "./harness.js";
import { commitSnapshot, makeGuest, makeSnapshot } from "./helpers.js";

const { cases, teardown } = await storeCases();
afterAll(teardown);

const CANARY = "canary-5ec12e7-token";

describe.each(cases)("queries on $name", ({ name, newUrl }) => {
  let store: Store;
  let url: string;

  beforeEach(async () => {
    url = newUrl();
    store = await openStore({ url });
    const snapshot = makeSnapshot(30);
    snapshot.guests.push(makeGuest(500, { name: "guest-100", template: true })); // a duplicate name
    await commitSnapshot(store, await store.syncs.begin(), snapshot);
  });
  afterEach(() => store.close());

  test("guests.list filters by node, status, type, tag and template", async () => {
    const all = await store.guests.list();
    expect(all.map((g) => g.vmid)).toEqual([...Array.from({ length: 30 }, (_, i) => 100 + i), 500]);
    for (const g of await store.guests.list({ node: "pve2", status: "running", type: "qemu", tag: "web" })) {
      expect(g).toMatchObject({ node: "pve2", status: "running", type: "qemu" });
      expect(g.tags).toContain("web");
    }
    expect((await store.guests.list({ tag: "db" })).every((g) => g.tags.includes("db"))).toBe(true);
    expect((await store.guests.list({ tag: "nope" }))).toEqual([]);
    expect((await store.guests.list({ template: true })).map((g) => g.vmid)).toEqual([500]);
    expect((await store.guests.list({ type: "lxc" })).map((g) => g.vmid)).toEqual([100, 105, 110, 115, 120, 125, 500]);
  });

  test("guests.get by vmid or name; two guests with one name is a usage error", async () => {
    expect((await store.guests.get(101))?.name).toBe("guest-101");
    expect((await store.guests.get("101"))?.name).toBe("guest-101");
    expect((await store.guests.get("guest-102"))?.vmid).toBe(102);
    expect(await store.guests.get("nope")).toBeNull();
    expect(await store.guests.get(99999)).toBeNull();
    await expect(store.guests.get("guest-100")).rejects.toMatchObject({
      exitCode: 2,
      message: '2 guests are named "guest-100" (vmid 100, 500).',
      hint: "Name the guest by its vmid instead.",
    });
  });

  test("toGuestJson follows the documented contract", async () => {
    const json = toGuestJson((await store.guests.get(103))!);
    expect(Object.keys(json).slice(0, 10)).toEqual(["vmid", "name", "node", "type", "status", "cores", "memory", "disk", "tags", "template"]);
    expect(json).toMatchObject({ vmid: 103, type: "qemu", memory: 2048, disk: 24, template: false, tags: ["web", "prod"] });
    expect(typeof json.vmid).toBe("number");
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  test("counts, nodes, storage and info", async () => {
    expect(await store.counts()).toEqual({ nodes: 3, storage: 6, guests: 31, vms: 24, containers: 7, templates: 1, running: 22, syncRuns: 1, operations: 0 });
    expect((await store.nodes.list()).map((n) => n.name)).toEqual(["pve1", "pve2", "pve3"]);
    expect(await store.nodes.get("pve2")).toMatchObject({ maxcpu: 16, lastSyncId: 1 });
    expect((await store.storage.list("pve1")).map((s) => s.storage)).toEqual(["local", "local-lvm"]);
    expect(await store.storage.list()).toHaveLength(6);
    expect(store.info()).toMatchObject({ provider: name, schemaVersion: "0005" });
    expect(await store.ping()).toBeGreaterThanOrEqual(0);
  });

  test("operations: start/finish, record, list filters", async () => {
    const op = await store.operations.start({ correlationId: "c-1", command: "sync", actor: "cli", arguments: { dryRun: true } });
    expect(op).toMatchObject({ result: null, finishedAt: null });
    const done = await store.operations.finish(op.id, { result: "ok" });
    expect(done).toMatchObject({ result: "ok", exitCode: 0, error: null });
    expect(done.durationMs).toBeGreaterThanOrEqual(0);
    const t0 = new Date(Date.now() - 3_600_000);
    await store.operations.record({
      correlationId: "c-2", command: "get", actor: "console", arguments: { noun: "vms" }, startedAt: t0, finishedAt: new Date(t0.getTime() + 1500),
      result: "failed", exitCode: 2, error: "bad flag",
    });
    expect((await store.operations.list()).map((o) => o.command)).toEqual(["sync", "get"]);
    expect((await store.operations.list({ command: "get" }))[0]).toMatchObject({ durationMs: 1500, exitCode: 2, actor: "console", arguments: { noun: "vms" } });
    expect((await store.operations.list({ since: new Date(Date.now() - 60_000) })).map((o) => o.correlationId)).toEqual(["c-1"]);
    expect(await store.operations.list({ correlationId: "c-2", limit: 5 })).toHaveLength(1);
    expect(await store.operations.list({ actor: "mcp" })).toEqual([]);
  });

  test("operation arguments and errors never keep a secret", async () => {
    registerSecret(CANARY);
    await store.operations.record({
      correlationId: "c-secret",
      command: "init",
      actor: "cli",
      arguments: {
        endpoint: "https://pve:8006",
        tokenSecret: CANARY,
        options: { apiToken: `root@pam!mpc=${CANARY}`, note: `header PVEAPIToken=root@pam!mpc=${CANARY}` },
        args: ["--token-secret", CANARY, `--token=root@pam!ci=${CANARY}`],
      },
      result: "failed",
      error: `login failed for root@pam!mpc=${CANARY}`,
    });
    const [op] = await store.operations.list({ correlationId: "c-secret" });
    expect(JSON.stringify(op)).not.toContain(CANARY);
    expect(op.arguments).toMatchObject({ endpoint: "https://pve:8006", tokenSecret: "[REDACTED]" });
    if (name === "sqlite") {
      await store.close();
      const file = (parseDatabaseUrl(url) as { path: string }).path;
      for (const f of [file, `${file}-wal`]) if (existsSync(f)) expect(readFileSync(f).includes(CANARY)).toBe(false);
      store = await openStore({ url });
    } else {
      const rows = await store.prisma.$queryRawUnsafe<unknown[]>('SELECT * FROM "Operation"');
      expect(JSON.stringify(rows)).not.toContain(CANARY);
    }
  });
});
