/**
 * Upgrading a database written by an older proxmox-mpc: a store at migration
 * 0001 with guests and sync history is opened by this build, which applies
 * 0002 (stale guests), 0003 (operation metrics) and 0004 (API tokens), 0005 (audit columns, webhooks) and keeps every row, on
 * SQLite and on PostgreSQL.
 */
import Database from "better-sqlite3";
import pg from "pg";
import { openStore } from "../../src/state/index.js";
import { loadMigrations, type Migration } from "../../src/state/migrations.js";
import { storeCases } from "./harness.js";

const { cases, teardown } = await storeCases();
afterAll(teardown);

/** The rows an 0001 database holds: a run, its change, a guest with a disk. */
const ROWS = [
  `INSERT INTO "SyncRun" ("pid", "host", "startedAt", "status", "guests", "added") VALUES (1, 'h', '2026-01-02T03:04:05.678+00:00', 'completed', 1, 1)`,
  `INSERT INTO "SyncChange" ("syncRunId", "vmid", "name", "kind") VALUES (1, 100, 'web', 'added')`,
  `INSERT INTO "Guest" ("vmid", "type", "node", "name", "status", "template", "cores", "memory", "disk", "tags", "ipAddresses", "config", "hash", "updatedAt", "firstSeenSyncId", "lastChangedSyncId")
   VALUES (100, 'qemu', 'pve1', 'web', 'running', false, 2, 1024, 8, '["a"]', '[]', '{"name":"web"}', 'v1:x', '2026-01-02T03:04:05.678+00:00', 1, 1)`,
  `INSERT INTO "Disk" ("vmid", "key", "sizeGiB", "raw") VALUES (100, 'scsi0', 8, 'local:vm-100-disk-0,size=8G')`,
  `INSERT INTO "Operation" ("correlationId", "command", "actor", "arguments", "startedAt", "finishedAt", "durationMs", "result", "exitCode")
   VALUES ('c-old', 'sync', 'cli', '{}', '2026-01-02T03:04:05.678+00:00', '2026-01-02T03:04:06.678+00:00', 1000, 'ok', 0)`,
];

/** Create a database as proxmox-mpc 0001 left it (the SQL it applied, recorded with its checksum), with ROWS. */
async function createAt0001(provider: "sqlite" | "postgresql", url: string): Promise<void> {
  const init = loadMigrations(provider)[0] as Migration;
  expect(init.version).toBe("0001");
  const record = `INSERT INTO "SchemaMigration" ("version", "name", "appliedAt", "checksum") VALUES ('0001', 'init', '2026-01-01T00:00:00.000+00:00', '${init.checksum}')`;
  if (provider === "sqlite") {
    const db = new Database(url.slice("file:".length));
    try {
      db.exec(init.sql);
      for (const sql of [record, ...ROWS]) db.exec(sql.replace("false", "0"));
    } finally {
      db.close();
    }
    return;
  }
  const target = new URL(url);
  const schema = target.searchParams.get("schema") as string;
  target.search = "";
  const client = new pg.Client({ connectionString: target.toString() });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA "${schema}"; SET search_path TO "${schema}"`);
    await client.query(init.sql);
    for (const sql of [record, ...ROWS]) await client.query(sql);
  } finally {
    await client.end();
  }
}

describe.each(cases)("upgrading a 0001 database on $name", ({ name, newUrl }) => {
  test("applies 0002 to 0005 and keeps the guests, the whole sync history and the operations", async () => {
    const url = newUrl();
    await createAt0001(name, url);
    const store = await openStore({ url });
    try {
      expect(store.info().migrations.newlyApplied).toEqual(["0002", "0003", "0004", "0005"]);
      expect(await store.operations.list()).toEqual([expect.objectContaining({ correlationId: "c-old", durationMs: 1000, result: "ok", metrics: null })]);
      expect(await store.syncs.changes(1)).toEqual([expect.objectContaining({ vmid: 100, name: "web", kind: "added" })]);
      expect(await store.syncs.last()).toMatchObject({ id: 1, status: "completed", guests: 1, added: 1, stale: 0 });
      const guest = await store.guests.get(100);
      expect(guest).toMatchObject({ name: "web", cores: 2, tags: ["a"], config: { name: "web" } });
      expect(guest?.disks.map((d) => d.key)).toEqual(["scsi0"]);
      expect(guest?.stale).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
