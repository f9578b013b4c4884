/**
 * A sync written through the read store (plain SQL on its one connection,
 * no Prisma) stores exactly what the full store stores, on SQLite and
 * PostgreSQL: the same snapshots (changes, a rename, a removal, stale
 * guests, an unreachable node) give equal guests, nodes, storage, runs and
 * changes. An interrupted write leaves the previous state; the workspace
 * lock works the same (busy, waiting, take-over, heartbeat, release on close).
 */
import os from "node:os";
import { CancelledError } from "../../src/core/errors.js";
import { LockBusyError, openStore, type ObservedSnapshot, type Store } from "../../src/state/index.js";
import { storeCases } from "./harness.js";
import { commitSnapshot, makeGuest, makeSnapshot } from "./helpers.js";
import { ManualClock } from "./manual-clock.js";

const { cases, teardown } = await storeCases();
afterAll(teardown);

/** Four syncs covering every kind of write. */
function snapshots(): ObservedSnapshot[] {
  const first = makeSnapshot(30);
  const second: ObservedSnapshot = structuredClone(first);
  second.guests[1] = makeGuest(101, { cores: 8, config: { ...makeGuest(101).config, cores: 8 } });
  second.guests[2] = makeGuest(102, { name: "renamed-102" });
  second.guests.splice(3, 1);
  second.guests.push(makeGuest(500));
  const notRead = second.guests.filter((g) => g.vmid === 110 || g.vmid === 500);
  second.guests = second.guests.filter((g) => !notRead.includes(g));
  second.staleGuests = notRead.map((g) => ({ vmid: g.vmid, reason: "504 Gateway Timeout", fallback: { ...g, config: {}, disks: [], nets: [] } }));
  const third: ObservedSnapshot = structuredClone({ ...second, staleGuests: [] });
  third.guests.push(makeGuest(110), makeGuest(500));
  third.guests = third.guests.filter((g) => g.node !== "pve2");
  third.storage = third.storage.filter((s) => s.node !== "pve2");
  third.unreachableNodes = ["pve2"];
  return [first, second, third, structuredClone(third)];
}

/** What a store holds, without the times that differ between two runs. */
async function contents(store: Store) {
  const guests = await Promise.all((await store.guests.list()).map((g) => store.guests.get(g.vmid)));
  const runs = (await store.syncs.history()).map(({ startedAt: _s, finishedAt: _f, durationMs: _d, pid: _p, ...r }) => r);
  const changes = await Promise.all(runs.map((r) => store.syncs.changes(r.id)));
  return {
    guests: guests.map((g) => g && { ...g, updatedAt: undefined, stale: g.stale && { ...g.stale, valuesAt: undefined } }),
    nodes: (await store.nodes.list()).map((n) => ({ ...n, updatedAt: undefined })),
    storage: (await store.storage.list()).map((s) => ({ ...s, updatedAt: undefined })),
    runs,
    changes,
  };
}

describe.each(cases)("a sync through the read store on $name", ({ newUrl }) => {
  test("stores what the full store stores", async () => {
    const [full, read] = [await openStore({ url: newUrl() }), await openStore({ url: newUrl(), readOnly: true })];
    try {
      for (const snapshot of snapshots()) {
        const a = await commitSnapshot(full, await full.syncs.begin({ correlationId: "c" }), structuredClone(snapshot));
        const b = await commitSnapshot(read, await read.syncs.begin({ correlationId: "c" }), structuredClone(snapshot));
        expect(b.diff).toEqual(a.diff);
      }
      expect(await contents(read)).toEqual(await contents(full));
      expect((await read.guests.get(110))?.stale).toBeUndefined();
      expect(await read.guests.list({ node: "pve2" })).not.toHaveLength(0);
    } finally {
      await full.close();
      await read.close();
    }
  });

  test("an interrupted write leaves the previous state, and the run is marked interrupted", async () => {
    const store = await openStore({ url: newUrl(), readOnly: true });
    try {
      await commitSnapshot(store, await store.syncs.begin(), makeSnapshot(20));
      const before = await contents(store);
      const controller = new AbortController();
      const run = await store.syncs.begin();
      const next = makeSnapshot(2500);
      const written = commitSnapshot(store, run, next, { signal: controller.signal, onProgress: (p) => p.phase === "added" && controller.abort() });
      await expect(written).rejects.toBeInstanceOf(CancelledError);
      expect(await store.syncs.last()).toMatchObject({ id: run.id, status: "interrupted" });
      const after = await contents(store);
      expect(after.guests).toEqual(before.guests);
      expect(await store.counts()).toMatchObject({ guests: 20 });
    } finally {
      await store.close();
    }
  });

  test("the workspace lock: busy, waiting, heartbeat, take-over of a silent holder, released on close", async () => {
    const url = newUrl();
    const clock = new ManualClock();
    const store = await openStore({ url, readOnly: true, lockClock: clock });
    try {
      const first = await store.locks.acquire("sync", { correlationId: "c-first" });
      await expect(store.locks.acquire("sync")).rejects.toBeInstanceOf(LockBusyError);
      let busy = 0;
      const onBusy = () => {
        if (++busy === 1) void first.release();
      };
      const second = await store.locks.acquire("sync", { wait: true, timeoutMs: 5000, correlationId: "c-second", onBusy });
      expect(busy).toBeGreaterThanOrEqual(1);
      const taken = (await store.locks.holder("sync"))!;
      expect(taken).toMatchObject({ pid: process.pid, host: os.hostname(), correlationId: "c-second", stale: false });
      clock.advance(1000);
      await clock.beat();
      expect((await store.locks.holder("sync"))!.heartbeatAt.getTime()).toBe(taken.heartbeatAt.getTime() + 1000);
      clock.advance(31_000); // no heartbeat for 31 s: presumed dead
      const third = await store.locks.acquire("sync", { correlationId: "c-third" });
      await clock.beat();
      expect(second.lost).toBe(true);
      expect(await store.locks.holder("sync")).toMatchObject({ correlationId: "c-third" });
      await third.release();
      await store.locks.acquire("apply");
    } finally {
      await store.close();
    }
    const again = await openStore({ url, readOnly: true });
    try {
      expect(await again.locks.holder("apply")).toBeNull();
    } finally {
      await again.close();
    }
  });
});
