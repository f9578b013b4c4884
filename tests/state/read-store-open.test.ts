/**
 * Opening a read store (`readOnly: true`) checks the database the way the
 * full store does — a newer database is refused, a broken SQLite file or an
 * unreachable server gives its one clear error, an older database is
 * migrated — and, when the schema is up to date, only reads the schema
 * version: a sync holding the write lock does not make a reader wait.
 */
import { readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { ProxmoxMpcError } from "../../src/core/errors.js";
import { openStore } from "../../src/state/index.js";
import { loadMigrations } from "../../src/state/migrations.js";
import { storeCases } from "./harness.js";
import { commitSnapshot, makeSnapshot, tempDir } from "./helpers.js";

const { cases, teardown } = await storeCases();
const tmp = tempDir();
afterAll(async () => {
  tmp.cleanup();
  await teardown();
});

const VERSIONS = loadMigrations("sqlite").map((m) => m.version);

async function readOpenError(url: string): Promise<ProxmoxMpcError> {
  const err = await openStore({ url, readOnly: true }).then(
    async (s) => {
      await s.close();
      return new Error("openStore succeeded");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProxmoxMpcError);
  return err as ProxmoxMpcError;
}

describe.each(cases)("opening a read store on $name", ({ newUrl }) => {
  test("a database written by a newer proxmox-mpc is refused", async () => {
    const url = newUrl();
    const store = await openStore({ url });
    await store.prisma.schemaMigration.create({ data: { version: "9999", name: "future", appliedAt: new Date(), checksum: "x" } });
    await store.close();
    const err = await readOpenError(url);
    expect(err.code).toBe("database-newer");
    expect(err.message).toBe("This database was written by a newer proxmox-mpc (migration 9999); upgrade proxmox-mpc or point database.url elsewhere.");
  });

  test("an up-to-date database is only checked: nothing applied, an edited migration reported", async () => {
    const url = newUrl();
    const full = await openStore({ url });
    await full.prisma.schemaMigration.update({ where: { version: "0001" }, data: { checksum: "edited" } });
    await full.close();
    const read = await openStore({ url, readOnly: true });
    expect(read.info()).toMatchObject({
      schemaVersion: VERSIONS[VERSIONS.length - 1],
      migrations: { applied: VERSIONS, newlyApplied: [], checksumMismatches: ["0001"] },
    });
    await read.close();
  });
});

describe("opening a read store on SQLite", () => {
  test("a text file named state.db gives the one clear error", async () => {
    const file = path.join(tmp.dir, "text.db");
    await openStore({ url: `file:${file}` }).then((s) => s.close());
    writeFileSync(file, "this is not a database\n".repeat(20));
    const err = await readOpenError(`file:${file}`);
    expect(err.code).toBe("database-corrupt");
    expect(err.message).toBe(`The state database ${file} is not a usable SQLite database (no SQLite header).`);
    expect(err.hint).toBe(`The cluster is the source of truth: move it aside and run sync again: mv ${file} ${file}.broken`);
  });

  test("a truncated database gives the same error", async () => {
    const file = path.join(tmp.dir, "trunc.db");
    const store = await openStore({ url: `file:${file}` });
    await commitSnapshot(store, await store.syncs.begin(), makeSnapshot(500));
    await store.close();
    truncateSync(file, Math.floor(statSync(file).size / 2));
    const err = await readOpenError(`file:${file}`);
    expect(err.code).toBe("database-corrupt");
    expect(err.message).toMatch(/truncated/);
  });

  test("a damaged page is reported when it is read", async () => {
    const file = path.join(tmp.dir, "damaged.db");
    const store = await openStore({ url: `file:${file}` });
    await commitSnapshot(store, await store.syncs.begin(), makeSnapshot(300));
    await store.close();
    const raw = new Database(file, { readonly: true });
    const { rootpage } = raw.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'Guest'").get() as { rootpage: number };
    const pageSize = raw.pragma("page_size", { simple: true }) as number;
    raw.close();
    const bytes = readFileSync(file);
    bytes.fill(0xa5, (rootpage - 1) * pageSize, rootpage * pageSize);
    writeFileSync(file, bytes);
    const damaged = await openStore({ url: `file:${file}`, readOnly: true });
    try {
      await expect(damaged.guests.list()).rejects.toMatchObject({ code: "database-corrupt", message: expect.stringContaining(file) });
      await expect(damaged.counts()).rejects.toMatchObject({ code: "database-corrupt" });
    } finally {
      await damaged.close();
    }
  });

  test("a reader opens and reads while another connection holds the write lock", async () => {
    const file = path.join(tmp.dir, "busy.db");
    const store = await openStore({ url: `file:${file}` });
    await commitSnapshot(store, await store.syncs.begin(), makeSnapshot(20));
    await store.close();
    const writer = new Database(file, { timeout: 0 });
    writer.exec("BEGIN IMMEDIATE");
    writer.exec(`UPDATE "Guest" SET "status" = 'paused' WHERE "vmid" = 101`);
    try {
      const read = await openStore({ url: `file:${file}`, readOnly: true });
      try {
        // The uncommitted change is not seen; the committed data is.
        expect(await read.guests.get(101)).toMatchObject({ status: "running" });
        expect((await read.counts()).guests).toBe(20);
      } finally {
        await read.close();
      }
    } finally {
      writer.exec("ROLLBACK");
      writer.close();
    }
  });
});

describe("opening a read store on PostgreSQL", () => {
  test("an unreachable server names host:port and never the password", async () => {
    const err = await readOpenError("postgresql://mpc:pw-canary-5ec12e7@127.0.0.1:1/mpc");
    expect(err.code).toBe("database-unreachable");
    expect(err.message).toBe("Cannot reach PostgreSQL at 127.0.0.1:1.");
    expect(JSON.stringify(err.toJSON())).not.toContain("pw-canary-5ec12e7");
  });

  test.each(cases.filter((c) => c.name === "postgresql"))("a missing database says how to create it", async ({ newUrl }) => {
    const url = new URL(newUrl());
    url.pathname = "/mpc_no_such_db_r";
    const err = await readOpenError(url.toString());
    expect(err.code).toBe("database-missing");
  });
});
