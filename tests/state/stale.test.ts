/**
 * Guests a sync could not read (snapshot.staleGuests), on SQLite and
 * PostgreSQL: a stored guest keeps its row and is marked stale, a new one is
 * stored from its /cluster/resources row, nothing is reported removed, the
 * mark survives further failing syncs and is cleared by the next read.
 */
import { ProxmoxMpcError } from "../../src/core/errors.js";
import { openStore, toGuestJson, type ObservedGuest, type ObservedSnapshot, type StaleGuest, type Store } from "../../src/state/index.js";
import { storeCases } from "./harness.js";
import { commitSnapshot, diffSnapshot, makeGuest, makeSnapshot } from "./helpers.js";

const { cases, teardown } = await storeCases();
afterAll(teardown);

const REASON = "The server failed GET /nodes/pve2/lxc/105/config (504 Gateway Timeout).";

/** What discover makes of a guest it could not read: its /cluster/resources summary. */
function fallbackOf(g: ObservedGuest): ObservedGuest {
  return { ...g, config: {}, disks: [], nets: [], ipAddresses: [], digest: null, memory: 4096, disk: 64 };
}

/** `snapshot` with `vmids` not read (taken out of guests, listed as stale). */
function notRead(snapshot: ObservedSnapshot, vmids: number[], reason = REASON): ObservedSnapshot {
  const stale: StaleGuest[] = snapshot.guests.filter((g) => vmids.includes(g.vmid)).map((g) => ({ vmid: g.vmid, reason, fallback: fallbackOf(g) }));
  return { ...structuredClone(snapshot), guests: snapshot.guests.filter((g) => !vmids.includes(g.vmid)), staleGuests: stale };
}

async function commit(store: Store, snapshot: ObservedSnapshot) {
  return commitSnapshot(store, await store.syncs.begin(), snapshot);
}

describe.each(cases)("stale guests on $name", ({ newUrl }) => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore({ url: newUrl() });
  });
  afterEach(() => store.close());

  test("a first sync stores a guest it could not read from its /cluster/resources row, marked stale", async () => {
    const { run, diff } = await commit(store, notRead(makeSnapshot(10), [105]));
    expect(diff.stale).toEqual([{ vmid: 105, name: "guest-105", node: "pve1", reason: REASON, values: "cluster-resources" }]);
    expect(diff.added.map((c) => c.vmid)).toContain(105);
    expect(run).toMatchObject({ status: "completed", stale: 1, guests: 10 });
    const guest = await store.guests.get(105);
    expect(guest).toMatchObject({ name: "guest-105", node: "pve1", memory: 4096, disk: 64, config: {}, disks: [], nets: [] });
    expect(guest?.stale).toEqual({ syncRunId: run.id, reason: REASON, valuesAt: expect.any(Date), configRead: false });
    expect(toGuestJson(guest!)).toMatchObject({ vmid: 105, stale: true, staleReason: REASON, configRead: false });
    expect(toGuestJson((await store.guests.get(104))!)).toMatchObject({ stale: false });
    expect((await store.guests.get(104))?.stale).toBeUndefined();
  });

  test("a stored guest not read keeps its row, is marked stale with the values of the last sync, and is not removed", async () => {
    const first = await commit(store, makeSnapshot(10));
    const before = await store.guests.get(104);
    const changed = makeSnapshot(10);
    changed.guests[4] = makeGuest(104, { cores: 8, config: { ...makeGuest(104).config, cores: 8 } });
    const { run, diff } = await commit(store, notRead(changed, [104]));
    expect(diff.removed).toEqual([]);
    expect(diff.changed).toEqual([]);
    expect(diff.unchanged).toBe(9);
    expect(diff.stale).toEqual([{ vmid: 104, name: "guest-104", node: "pve3", reason: REASON, values: "last-read" }]);
    const after = await store.guests.get(104);
    const { stale, ...kept } = after!;
    expect(kept).toEqual(before);
    expect(stale).toEqual({ syncRunId: run.id, reason: REASON, valuesAt: first.run.startedAt, configRead: true });
    expect(await store.counts()).toMatchObject({ guests: 10 });
  });

  test("the mark keeps its first sync through further failing syncs and is cleared by the next read", async () => {
    const snapshot = makeSnapshot(10);
    await commit(store, snapshot);
    const second = await commit(store, notRead(snapshot, [104]));
    const third = await commit(store, notRead(snapshot, [104], "Cannot reach http://pve: connection reset by the server."));
    expect(third.diff.stale[0].values).toBe("last-read");
    expect((await store.guests.get(104))?.stale).toMatchObject({ syncRunId: second.run.id, reason: "Cannot reach http://pve: connection reset by the server." });

    const rowBefore = await store.prisma.guest.findUnique({ where: { vmid: 104 }, select: { hash: true, lastChangedSyncId: true, updatedAt: true } });
    const fourth = await commit(store, snapshot);
    expect(fourth.diff).toMatchObject({ added: [], changed: [], removed: [], stale: [], unchanged: 10 });
    expect(fourth.run.stale).toBe(0);
    expect((await store.guests.get(104))?.stale).toBeUndefined();
    // Cleared in place: the row was not rewritten.
    expect(await store.prisma.guest.findUnique({ where: { vmid: 104 }, select: { hash: true, lastChangedSyncId: true, updatedAt: true } })).toEqual(rowBefore);
  });

  test("a guest never read is completed by the next sync that reads it (reported as changed)", async () => {
    const snapshot = makeSnapshot(10);
    const first = await commit(store, notRead(snapshot, [105]));
    const again = await commit(store, notRead(snapshot, [105]));
    expect(again.diff.stale).toEqual([expect.objectContaining({ vmid: 105, values: "cluster-resources" })]);
    expect((await store.guests.get(105))?.stale).toMatchObject({ syncRunId: first.run.id, configRead: false });

    const done = await commit(store, snapshot);
    expect(done.diff.stale).toEqual([]);
    expect(done.diff.changed.map((c) => c.vmid)).toEqual([105]);
    const guest = await store.guests.get(105);
    expect(guest?.stale).toBeUndefined();
    expect(guest).toMatchObject({ config: makeGuest(105).config, firstSeenSyncId: first.run.id, lastChangedSyncId: done.run.id });
    expect(guest?.disks.map((d) => d.key)).toEqual(makeGuest(105).disks.map((d) => d.key));
    expect(guest?.disks.length).toBeGreaterThan(0);
  });

  test("a dry run lists the stale guests and writes nothing", async () => {
    const snapshot = makeSnapshot(10);
    await commit(store, snapshot);
    const diff = await diffSnapshot(store, notRead(snapshot, [101, 102]));
    expect(diff.stale.map((s) => s.vmid)).toEqual([101, 102]);
    expect(diff.removed).toEqual([]);
    expect((await store.guests.list()).filter((g) => g.stale)).toEqual([]);
  });

  test("a guest both read and listed as not read is an invalid snapshot; nothing is written", async () => {
    const snapshot = makeSnapshot(5);
    const bad: ObservedSnapshot = { ...snapshot, staleGuests: [{ vmid: 101, reason: REASON, fallback: fallbackOf(makeGuest(101)) }] };
    await expect(commit(store, bad)).rejects.toThrow(ProxmoxMpcError);
    await expect(commit(store, bad)).rejects.toThrow(/vmid 101 appears twice/);
    expect(await store.counts()).toMatchObject({ guests: 0 });
  });
});
