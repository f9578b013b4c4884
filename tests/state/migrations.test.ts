/**
 * Opening a store: migrations on an empty database serve every model through
 * the Prisma client, re-opening is a no-op, a newer database is refused, and
 * broken files or unreachable servers give one clear ProxmoxMpcError.
 */
import { writeFileSync, readFileSync, truncateSync, statSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { ProxmoxMpcError } from "../../src/core/errors.js";
import { openStore, parseDatabaseUrl, redactDatabaseUrl } from "../../src/state/index.js";
import { loadMigrations } from "../../src/state/migrations.js";
import { storeCases } from "./harness.js";
import { commitSnapshot, makeSnapshot, tempDir } from "./helpers.js";

const { cases, teardown } = await storeCases();
afterAll(teardown);

/** Every migration this build knows (the same versions for both providers), and the newest. */
const VERSIONS = loadMigrations("sqlite").map((m) => m.version);
const NEWEST = VERSIONS[VERSIONS.length - 1];

test("SQLite and PostgreSQL have the same migrations", () => {
  expect(loadMigrations("postgresql").map((m) => m.version)).toEqual(VERSIONS);
});

async function openError(url: string): Promise<ProxmoxMpcError> {
  const err = await openStore({ url }).then(
    async (s) => {
      await s.close();
      return new Error("openStore succeeded");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProxmoxMpcError);
  return err as ProxmoxMpcError;
}

describe.each(cases)("migrations on $name", ({ newUrl }) => {
  test("an empty database is migrated and serves every model through the Prisma client", async () => {
    const store = await openStore({ url: newUrl() });
    try {
      expect(store.info().migrations.newlyApplied).toEqual(VERSIONS);
      expect(store.info().schemaVersion).toBe(NEWEST);
      const p = store.prisma;
      const now = new Date("2026-01-02T03:04:05.678Z");
      await p.node.create({ data: { name: "pve1", status: "online", cpu: 0.5, maxcpu: 8, mem: 2 ** 40, maxmem: 2 ** 41, uptime: 9, raw: { a: 1 }, lastSyncId: 1, updatedAt: now } });
      await p.storage.create({
        data: { node: "pve1", storage: "local", type: "dir", content: "iso", shared: false, total: 1e12, used: 1, avail: 2, enabled: true, active: true, raw: {}, updatedAt: now },
      });
      await p.guest.create({
        data: {
          vmid: 100, type: "qemu", node: "pve1", name: "web", status: "running", template: false, cores: 2, memory: 1024, disk: 8.5,
          tags: ["a"], ipAddresses: [], config: { name: "web", cores: 2 }, digest: null, hash: "h", updatedAt: now, firstSeenSyncId: 1, lastChangedSyncId: 1,
          disks: { create: [{ key: "scsi0", storage: "local", volume: "v", sizeGiB: 8.5, format: "raw", raw: "local:v,size=8704M" }] },
          nets: { create: [{ key: "net0", model: "virtio", mac: "AA", bridge: "vmbr0", vlanTag: 5, ip: null, firewall: true, raw: "virtio=AA" }] },
        },
      });
      const run = await p.syncRun.create({ data: { pid: 1, host: "h", startedAt: now, status: "completed" } });
      await p.syncChange.create({ data: { syncRunId: run.id, vmid: 100, name: "web", kind: "changed", diff: { cores: [1, 2] } } });
      await p.operation.create({ data: { correlationId: "c", command: "get", actor: "cli", arguments: { x: [1] }, startedAt: now } });
      await p.workspaceLock.create({ data: { name: "sync", token: "t", pid: 1, host: "h", acquiredAt: now, heartbeatAt: now } });

      expect(await p.node.findUnique({ where: { name: "pve1" } })).toMatchObject({ mem: 2 ** 40, raw: { a: 1 }, updatedAt: now });
      expect(await p.storage.count()).toBe(1);
      const guest = await p.guest.findUnique({ where: { vmid: 100 }, include: { disks: true, nets: true } });
      expect(guest).toMatchObject({ disk: 8.5, tags: ["a"], config: { name: "web", cores: 2 }, template: false });
      expect(guest?.disks[0]).toMatchObject({ key: "scsi0", sizeGiB: 8.5 });
      expect(guest?.nets[0]).toMatchObject({ vlanTag: 5, firewall: true });
      expect(await p.syncChange.findFirst()).toMatchObject({ diff: { cores: [1, 2] } });
      expect(await p.operation.findFirst()).toMatchObject({ arguments: { x: [1] }, result: null });
      expect(await p.workspaceLock.count()).toBe(1);
      expect(await p.schemaMigration.findMany({ orderBy: { version: "asc" } })).toEqual(VERSIONS.map((version) => expect.objectContaining({ version })));
      expect(await p.schemaMigration.findUnique({ where: { version: "0001" } })).toMatchObject({ name: "init" });
      // Removing a guest cascades to its disks and nets.
      await p.guest.delete({ where: { vmid: 100 } });
      expect(await p.disk.count()).toBe(0);
      expect(await p.networkInterface.count()).toBe(0);
    } finally {
      await store.close();
    }
  });

  test("re-opening is a no-op and keeps the data", async () => {
    const url = newUrl();
    const first = await openStore({ url });
    await commitSnapshot(first, await first.syncs.begin(), makeSnapshot(3));
    await first.close();
    const again = await openStore({ url });
    try {
      expect(again.info().migrations).toMatchObject({ applied: VERSIONS, newlyApplied: [], checksumMismatches: [] });
      expect((await again.counts()).guests).toBe(3);
    } finally {
      await again.close();
    }
  });

  test("two processes opening a new database at once both succeed", async () => {
    const url = newUrl();
    const stores = await Promise.all([openStore({ url }), openStore({ url })]);
    expect(stores.map((s) => s.info().schemaVersion)).toEqual([NEWEST, NEWEST]);
    await Promise.all(stores.map((s) => s.close()));
  });

  test("a database written by a newer proxmox-mpc is refused", async () => {
    const url = newUrl();
    const store = await openStore({ url });
    await store.prisma.schemaMigration.create({ data: { version: "9999", name: "future", appliedAt: new Date(), checksum: "x" } });
    await store.close();
    const err = await openError(url);
    expect(err.code).toBe("database-newer");
    expect(err.message).toBe(
      "This database was written by a newer proxmox-mpc (migration 9999); upgrade proxmox-mpc or point database.url elsewhere.",
    );
  });

  test("a migration file changed after it was applied is reported, not fatal", async () => {
    const url = newUrl();
    const store = await openStore({ url });
    await store.prisma.schemaMigration.update({ where: { version: "0001" }, data: { checksum: "edited" } });
    await store.close();
    const again = await openStore({ url });
    expect(again.info().migrations.checksumMismatches).toEqual(["0001"]);
    await again.close();
  });
});

describe("broken SQLite files", () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  test("a text file named state.db gives a clear error with what to do", async () => {
    const file = path.join(tmp.dir, "text", "state.db");
    await openStore({ url: `file:${file}` }).then((s) => s.close());
    writeFileSync(file, "this is not a database\n".repeat(20));
    const err = await openError(`file:${file}`);
    expect(err.code).toBe("database-corrupt");
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/is not a usable SQLite database/);
    expect(err.hint).toBe(`The cluster is the source of truth: move it aside and run sync again: mv ${file} ${file}.broken`);
  });

  test("a truncated database gives the same clear error", async () => {
    const file = path.join(tmp.dir, "trunc.db");
    const store = await openStore({ url: `file:${file}` });
    await commitSnapshot(store, await store.syncs.begin(), makeSnapshot(500));
    await store.close(); // the last connection checkpoints the WAL into the file
    truncateSync(file, Math.floor(statSync(file).size / 2));
    const err = await openError(`file:${file}`);
    expect(err.code).toBe("database-corrupt");
    expect(err.message).toMatch(/truncated/);
  });

  test("a damaged page is reported when it is read, as the same clear error", async () => {
    const file = path.join(tmp.dir, "damaged.db");
    const store = await openStore({ url: `file:${file}` });
    await commitSnapshot(store, await store.syncs.begin(), makeSnapshot(300));
    await store.close();
    const raw = new Database(file, { readonly: true });
    const { rootpage } = raw.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'Guest'").get() as { rootpage: number };
    const pageSize = raw.pragma("page_size", { simple: true }) as number;
    raw.close();
    const bytes = readFileSync(file);
    bytes.fill(0xa5, (rootpage - 1) * pageSize, rootpage * pageSize); // scribble over the Guest table's root page
    writeFileSync(file, bytes);
    const damaged = await openStore({ url: `file:${file}` }); // the schema pages are intact: opening works
    try {
      await expect(damaged.guests.list()).rejects.toMatchObject({ code: "database-corrupt", message: expect.stringContaining(file) });
    } finally {
      await damaged.close();
    }
  });

  test("an empty file is a new database", async () => {
    const file = path.join(tmp.dir, "empty.db");
    writeFileSync(file, "");
    const store = await openStore({ url: `file:${file}` });
    expect(store.info().schemaVersion).toBe(NEWEST);
    await store.close();
  });
});

describe("PostgreSQL connection errors", () => {
  test("an unreachable server names host:port and never the password", async () => {
    const err = await openError("postgresql://mpc:pw-canary-5ec12e7@127.0.0.1:1/mpc");
    expect(err.code).toBe("database-unreachable");
    expect(err.message).toBe("Cannot reach PostgreSQL at 127.0.0.1:1.");
    expect(err.hint).toContain("postgresql://mpc:****@127.0.0.1:1/mpc");
    expect(JSON.stringify(err.toJSON())).not.toContain("pw-canary-5ec12e7");
  });

  test.each(cases.filter((c) => c.name === "postgresql"))("a missing database says how to create it", async ({ newUrl }) => {
    const url = new URL(newUrl());
    url.pathname = "/mpc_no_such_db_x";
    const err = await openError(url.toString());
    expect(err.code).toBe("database-missing");
    expect(err.hint).toMatch(/^Create it first: createdb -h 127\.0\.0\.1 -p 5432 -U postgres mpc_no_such_db_x$/);
  });
});

describe("database URLs", () => {
  test("parse file: and postgresql: URLs", () => {
    expect(parseDatabaseUrl("file:/abs/state.db")).toEqual({ provider: "sqlite", path: "/abs/state.db", url: "file:/abs/state.db" });
    expect(parseDatabaseUrl("file:.proxmox-mpc/state.db", "/ws")).toMatchObject({ path: "/ws/.proxmox-mpc/state.db" });
    expect(parseDatabaseUrl("file:///abs/x.db")).toMatchObject({ path: "/abs/x.db" });
    expect(parseDatabaseUrl("postgres://u:p@db.example:6543/mpc?schema=s1")).toMatchObject({
      provider: "postgresql", host: "db.example", port: 6543, database: "mpc", schema: "s1",
    });
    expect(() => parseDatabaseUrl("mysql://x")).toThrow(/is not one proxmox-mpc understands/);
  });

  test("redact passwords", () => {
    expect(redactDatabaseUrl("postgresql://user:secret@h:5432/db")).toBe("postgresql://user:****@h:5432/db");
    expect(redactDatabaseUrl("postgresql://h/db?password=secret&x=1")).toBe("postgresql://h/db?password=****&x=1");
    expect(redactDatabaseUrl("file:/a/b.db")).toBe("file:/a/b.db");
  });
});
