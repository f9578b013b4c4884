/**
 * Webhooks, their delivery log and inbound hooks in the store
 * (src/state/webhook-repository.ts) on SQLite and PostgreSQL, through the
 * full (Prisma) store and the read store: what one writes the other reads the
 * same; lists never carry a secret; removing disables and keeps the log; a
 * removed hook's name can be used again.
 */
import { openStore, type Store } from "../../src/state/index.js";
import { storeCases } from "../state/harness.js";

const { cases, teardown } = await storeCases();
afterAll(teardown);

describe.each(cases)("webhooks on $name", (c) => {
  let full: Store;
  let read: Store;
  beforeAll(async () => {
    const url = c.newUrl();
    full = await openStore({ url });
    read = await openStore({ url, readOnly: true });
  });
  afterAll(async () => {
    await read?.close();
    await full?.close();
  });

  test("webhooks and deliveries: written by one store, read the same by both, secrets only for the dispatcher", async () => {
    const now = new Date(Date.UTC(2026, 10, 28, 12));
    const a = await full.webhooks.add({ url: "https://ci.example.com/a", events: ["sync.changed", "drift.found"], secret: "canary-store-secret-1", now });
    const b = await read.webhooks.add({ url: "http://127.0.0.1:9/b", events: ["*"], secret: null, now: new Date(now.getTime() + 1000) });
    expect(a.id).toMatch(/^wh_[A-Za-z0-9]{10}$/);
    for (const store of [full, read]) {
      const listed = await store.webhooks.list();
      expect(listed.map((w) => [w.id, w.url, w.events, w.signed])).toEqual([
        [a.id, "https://ci.example.com/a", ["sync.changed", "drift.found"], true],
        [b.id, "http://127.0.0.1:9/b", ["*"], false],
      ]);
      expect(JSON.stringify(listed)).not.toContain("canary-store-secret-1");
      expect((await store.webhooks.targets()).map((t) => t.secret)).toEqual(["canary-store-secret-1", null]);
    }
    for (let attempt = 1; attempt <= 3; attempt++) {
      const store = attempt % 2 ? full : read;
      await store.webhooks.recordDelivery({ webhookId: a.id, eventId: "e-1", event: "sync.changed", attempt, status: attempt < 3 ? "failed" : "ok", httpStatus: attempt < 3 ? 500 : 200, error: attempt < 3 ? "HTTP 500" : null, durationMs: 7, createdAt: new Date(now.getTime() + attempt) });
    }
    await full.webhooks.recordDelivery({ webhookId: b.id, eventId: "e-2", event: "apply.done", attempt: 1, status: "gave-up", httpStatus: null, error: "network: ECONNREFUSED", durationMs: 1, createdAt: now });
    for (const store of [full, read]) {
      expect((await store.webhooks.deliveries({ webhookId: a.id })).map((d) => [d.attempt, d.status, d.httpStatus, d.error])).toEqual([
        [1, "failed", 500, "HTTP 500"],
        [2, "failed", 500, "HTTP 500"],
        [3, "ok", 200, null],
      ]);
      expect((await store.webhooks.deliveries({ limit: 2 })).map((d) => [d.webhookId, d.attempt])).toEqual([
        [a.id, 3],
        [b.id, 1],
      ]);
    }
    expect(await read.webhooks.disable(a.id)).toBe(true);
    expect(await full.webhooks.disable(a.id)).toBe(false);
    expect((await full.webhooks.list()).map((w) => w.id)).toEqual([b.id]);
    expect((await full.webhooks.targets()).map((t) => t.id)).toEqual([b.id]);
    expect((await read.webhooks.get(a.id))?.disabledAt).toBeInstanceOf(Date);
    expect(await read.webhooks.deliveries({ webhookId: a.id })).toHaveLength(3);
  });

  test("inbound hooks: the secret once, found by id for a call, removed by name, the name free again", async () => {
    const made = await full.hooks.add({ name: "push", action: "sync", allowApply: false });
    expect(made.info.id).toMatch(/^ih_[A-Za-z0-9]{20}$/);
    expect(made.secret).toMatch(/^[0-9a-f]{64}$/);
    await read.hooks.add({ name: "merge", action: "apply", allowApply: true });
    await expect(read.hooks.add({ name: "push", action: "plan", allowApply: false })).rejects.toThrow(/A hook named push exists/);
    for (const store of [full, read]) {
      const listed = await store.hooks.list();
      expect(listed.map((h) => [h.name, h.action, h.allowApply])).toEqual([
        ["push", "sync", false],
        ["merge", "apply", true],
      ]);
      expect(JSON.stringify(listed)).not.toContain(made.secret);
      expect((await store.hooks.hookForCall(made.info.id))?.secret).toBe(made.secret);
    }
    await read.hooks.called(made.info.id);
    expect((await full.hooks.list())[0].lastCalledAt).toBeInstanceOf(Date);
    expect(await full.hooks.remove("push")).toBe(true);
    expect(await read.hooks.remove("push")).toBe(false);
    expect(await read.hooks.hookForCall(made.info.id)).toBeUndefined();
    const again = await read.hooks.add({ name: "push", action: "plan", allowApply: false });
    expect(again.info.id).not.toBe(made.info.id);
    expect((await full.hooks.list()).map((h) => [h.name, h.action])).toEqual([
      ["merge", "apply"],
      ["push", "plan"],
    ]);
  });
});
