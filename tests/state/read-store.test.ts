/**
 * The read store (`openStore({ url, readOnly: true })`) returns exactly what
 * the Prisma store returns for the same database, on SQLite and PostgreSQL:
 * every read method, with every filter, on a database holding several syncs
 * (changes, a rename, a removal, stale guests, a template) and operations.
 * Its own writes (the operation log) read back the same through Prisma, and
 * the writes it does not serve itself go through the full store.
 */
import { ProxmoxMpcError } from "../../src/core/errors.js";
import { openStore, type ObservedSnapshot, type Store } from "../../src/state/index.js";
import { storeCases } from "./harness.js";
import { commitSnapshot, makeGuest, makeSnapshot } from "./helpers.js";

const { cases, teardown } = await storeCases();

/** An operation's figures as the runner records them (core/metrics.ts). */
const FIGURES = { phases: { "sync.fetch-resources": 880, "task.wait": 12 }, api: { requests: 1012, errors: 1, retries: 3, bytesIn: 2_200_000, bytesOut: 40, ms: 5400 }, db: { queries: 12, ms: 45 } };
afterAll(teardown);

/** Three syncs: a first one, then changes, a rename, a removal, a template and two guests not read. */
async function populate(store: Store): Promise<void> {
  const first = makeSnapshot(40);
  await commitSnapshot(store, await store.syncs.begin({ correlationId: "c-first" }), first);
  const second: ObservedSnapshot = structuredClone(first);
  second.guests[1] = makeGuest(101, { cores: 8, config: { ...makeGuest(101).config, cores: 8 }, tags: ["web", "prod", "üñí"] });
  second.guests[2] = makeGuest(102, { name: "renamed-102", template: true });
  second.guests.splice(3, 1);
  second.guests.push(makeGuest(200, { name: "guest-110" })); // a second guest named guest-110
  const notRead = second.guests.filter((g) => g.vmid === 120 || g.vmid === 121);
  second.guests = second.guests.filter((g) => g.vmid !== 120 && g.vmid !== 121);
  second.staleGuests = notRead.map((g) => ({ vmid: g.vmid, reason: "504 Gateway Timeout", fallback: { ...g, config: {}, disks: [], nets: [] } }));
  await commitSnapshot(store, await store.syncs.begin({ correlationId: "c-second" }), second);
  const run = await store.syncs.begin();
  await store.syncs.fail(run, new Error("The server went away."));
  for (let i = 0; i < 5; i++) {
    await store.operations.record({
      correlationId: `c-op-${i}`,
      command: i % 2 ? "get" : "sync",
      actor: i === 4 ? "console" : "cli",
      arguments: { args: ["vms"], options: { token: "secret-value", n: i } },
      startedAt: new Date(Date.UTC(2026, 0, 1, 12, 0, i)),
      finishedAt: new Date(Date.UTC(2026, 0, 1, 12, 0, i, 250)),
      result: i === 3 ? "failed" : "ok",
      error: i === 3 ? "it broke" : undefined,
      metrics: i === 1 ? FIGURES : undefined,
    });
  }
}

/** Every read of a store, keyed by what was asked. */
async function readAll(store: Store): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const attempt = async (key: string, read: () => Promise<unknown>): Promise<void> => {
    out[key] = await read().catch((err: unknown) => ({ error: err instanceof ProxmoxMpcError ? [err.code, err.message] : String(err) }));
  };
  await attempt("list", () => store.guests.list());
  for (const filter of [{ type: "qemu" as const }, { type: "lxc" as const }, { node: "pve2" }, { status: "stopped" }, { tag: "web" }, { tag: "üñí" }, { template: true }, { template: false, node: "pve1", tag: "db" }]) {
    await attempt(`list ${JSON.stringify(filter)}`, () => store.guests.list(filter));
  }
  await attempt("names", () => store.guests.names());
  for (const key of [101, "101", "renamed-102", "guest-120", "guest-110", "nope", 105]) await attempt(`get ${JSON.stringify(key)}`, () => store.guests.get(key));
  await attempt("nodes", () => store.nodes.list());
  await attempt("node pve2", () => store.nodes.get("pve2"));
  await attempt("node none", () => store.nodes.get("none"));
  await attempt("storage", () => store.storage.list());
  await attempt("storage pve3", () => store.storage.list("pve3"));
  await attempt("last", () => store.syncs.last());
  await attempt("last completed", () => store.syncs.last({ status: "completed" }));
  await attempt("history", () => store.syncs.history());
  await attempt("history 2", () => store.syncs.history(2));
  for (const id of [1, 2, 3]) await attempt(`changes ${id}`, () => store.syncs.changes(id));
  for (const vmid of [101, 102, 103, 120]) await attempt(`changesOf ${vmid}`, () => store.syncs.changesOf(vmid, 10));
  for (const [filter, request] of [
    [{}, { limit: 7 }],
    [{}, { after: 110, limit: 5 }],
    [{ type: "qemu" as const, node: "pve1" }, { after: 100, limit: 3 }],
    [{ tag: "web" }, { after: 101, limit: 2 }],
    [{ status: "stopped" }, { limit: 1000 }],
    [{}, { after: 10_000, limit: 5 }],
  ] as const) {
    await attempt(`page ${JSON.stringify([filter, request])}`, () => store.guests.page(filter, request));
  }
  await attempt("operations", () => store.operations.list());
  await attempt("operations since", () => store.operations.list({ since: new Date(Date.UTC(2026, 0, 1, 12, 0, 2)) }));
  await attempt("operations get", () => store.operations.list({ command: "get", limit: 1 }));
  await attempt("operations console", () => store.operations.list({ actor: "console", correlationId: "c-op-4" }));
  await attempt("counts", () => store.counts());
  const info = store.info();
  // Which store opened the database first (and so applied the migrations) differs by design.
  out.info = { ...info, migrations: { ...info.migrations, newlyApplied: undefined } };
  out.provider = store.provider;
  return out;
}

describe.each(cases)("the read store on $name", ({ newUrl }) => {
  test("every read returns exactly what the Prisma store returns", async () => {
    const url = newUrl();
    const full = await openStore({ url });
    const read = await openStore({ url, readOnly: true });
    try {
      await populate(full);
      const expected = await readAll(full);
      const actual = await readAll(read);
      for (const key of Object.keys(expected)) expect([key, actual[key]]).toStrictEqual([key, expected[key]]);
      expect(Object.keys(actual)).toEqual(Object.keys(expected));
      // The data is really there (not two empty answers).
      expect(expected.counts).toMatchObject({ guests: 40, templates: 1, syncRuns: 3, operations: 5 });
      expect((expected["get 101"] as { disks: unknown[] }).disks.length).toBeGreaterThan(0);
      // Pages are real pages: the first 7 of 40, and the rest after vmid 110 in order.
      expect(expected['page [{},{"limit":7}]']).toMatchObject({ total: 40, items: expect.arrayContaining([expect.objectContaining({ vmid: 100 })]) });
      expect((expected['page [{},{"limit":7}]'] as { items: unknown[] }).items).toHaveLength(7);
      expect((expected['page [{},{"after":110,"limit":5}]'] as { items: { vmid: number }[] }).items.map((g) => g.vmid)).toEqual([111, 112, 113, 114, 115]);
      expect(expected["get \"guest-110\""]).toEqual({ error: ["ambiguous-name", '2 guests are named "guest-110" (vmid 110, 200).'] });
    } finally {
      await read.close();
      await full.close();
    }
  });

  test("operations it records read back the same through Prisma", async () => {
    const url = newUrl();
    const read = await openStore({ url, readOnly: true });
    const full = await openStore({ url });
    try {
      const recorded = await read.operations.record({
        correlationId: "c-1",
        command: "get",
        actor: "cli",
        arguments: { args: ["vms"], options: { password: "hunter2", gone: undefined, list: [1, null] } },
        startedAt: new Date("2026-03-04T05:06:07.089Z"),
        finishedAt: new Date("2026-03-04T05:06:07.389Z"),
        result: "failed",
        exitCode: 2,
        error: "bad",
        metrics: FIGURES,
      });
      expect(recorded).toMatchObject({ durationMs: 300, exitCode: 2, result: "failed", arguments: { options: { password: "[REDACTED]", list: [1, null] } }, metrics: FIGURES });
      const started = await read.operations.start({ correlationId: "c-2", command: "status", actor: "mcp", arguments: {} });
      const finished = await read.operations.finish(started.id, { result: "ok", metrics: { ...FIGURES, phases: {} } });
      expect(finished).toMatchObject({ id: started.id, result: "ok", exitCode: 0, error: null, metrics: { ...FIGURES, phases: {} } });
      expect(await full.operations.list()).toStrictEqual(await read.operations.list());
      expect((await full.operations.list()).map((o) => o.id).sort()).toEqual([recorded.id, started.id].sort());
      // And the other way round: what Prisma records reads back the same here.
      await full.operations.record({ correlationId: "c-3", command: "sync", actor: "cli", arguments: { a: [1, "x"] }, result: "ok", metrics: FIGURES });
      await full.operations.record({ correlationId: "c-4", command: "get", actor: "cli", arguments: {}, result: "ok" });
      expect(await read.operations.list()).toStrictEqual(await full.operations.list());
      const byId = Object.fromEntries((await read.operations.list()).map((o) => [o.correlationId, o.metrics]));
      expect(byId).toEqual({ "c-1": FIGURES, "c-2": { ...FIGURES, phases: {} }, "c-3": FIGURES, "c-4": null });
    } finally {
      await read.close();
      await full.close();
    }
  });

  test("syncs and locks are written in plain SQL; a status change goes through the full store, opened on first use", async () => {
    const url = newUrl();
    const read = await openStore({ url, readOnly: true });
    try {
      expect(() => read.prisma).toThrow(expect.objectContaining({ code: "store-read-only" }));
      const lock = await read.locks.acquire("sync", { correlationId: "c-lock" });
      expect(await read.locks.holder("sync")).toMatchObject({ correlationId: "c-lock" });
      const { run } = await commitSnapshot(read, await read.syncs.begin(), makeSnapshot(5));
      expect(run.status).toBe("completed");
      await read.guests.setStatus(100, "paused");
      expect(await read.guests.get(100)).toMatchObject({ status: "paused" });
      expect(await read.counts()).toMatchObject({ guests: 5, syncRuns: 1 });
      await lock.release();
    } finally {
      await read.close();
    }
    // Closing released everything: a new store takes the lock at once.
    const again = await openStore({ url });
    try {
      const lock = await again.locks.acquire("sync");
      await lock.release();
    } finally {
      await again.close();
    }
  });

  test("a vmid beyond the Int range is simply not found (Prisma's PostgreSQL client throws)", async () => {
    const read = await openStore({ url: newUrl(), readOnly: true });
    try {
      expect(await read.guests.get("99999999999")).toBeNull();
    } finally {
      await read.close();
    }
  });

  test("a new database is migrated; a closed store says so", async () => {
    const read = await openStore({ url: newUrl(), readOnly: true });
    expect(read.info().migrations.newlyApplied.length).toBeGreaterThan(0);
    expect(await read.guests.list()).toEqual([]);
    expect(await read.syncs.last()).toBeNull();
    await read.close();
    await read.close();
    await expect(read.guests.list()).rejects.toMatchObject({ code: "store-closed" });
  });
});
