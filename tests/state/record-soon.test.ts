/**
 * operations.recordSoon(): the API's reads are recorded without waiting for a
 * commit each — the read store gathers them and writes each batch in one
 * statement. Nothing recorded is lost: each promise settles when its batch is
 * written, close() writes what still waits, and the records read back exactly
 * as record() writes them (both databases; the full store writes at once).
 */
import { openStore, type Store } from "../../src/state/index.js";
import { storeCases } from "./harness.js";

const { cases, teardown } = await storeCases();
afterAll(teardown);

const operation = (n: number) => ({
  correlationId: `soon-${n}`,
  command: "get",
  actor: "api" as const,
  arguments: { args: ["vms"], options: { limit: n, token: "never-stored" } },
  startedAt: new Date(Date.UTC(2026, 10, 28, 12, 0, n)),
  finishedAt: new Date(Date.UTC(2026, 10, 28, 12, 0, n, 5)),
  result: "ok" as const,
  exitCode: 0,
  principal: "dash",
  role: "viewer",
  source: "127.0.0.1",
  target: "vms",
});

describe.each(cases)("recordSoon ($name)", ({ newUrl }) => {
  test.each([true, false])("readOnly %s: each promise settles once its record is written; they read back as record() writes them", async (readOnly) => {
    const url = newUrl();
    const store = await openStore({ url, readOnly });
    try {
      await Promise.all([1, 2, 3].map((n) => store.operations.recordSoon(operation(n))));
      const soon = await store.operations.list({ limit: 10 });
      expect(soon.map((o) => o.correlationId)).toEqual(["soon-3", "soon-2", "soon-1"]);
      await store.operations.record(operation(4));
      const [direct] = await store.operations.list({ correlationId: "soon-4" });
      const [batched] = await store.operations.list({ correlationId: "soon-3" });
      const { id: _a, correlationId: _b, arguments: argsA, startedAt: _c, finishedAt: _d, ...restDirect } = direct;
      const { id: _e, correlationId: _f, arguments: argsB, startedAt: _g, finishedAt: _h, ...restBatched } = batched;
      expect(restBatched).toEqual(restDirect);
      expect(argsB).toEqual({ args: ["vms"], options: { limit: 3, token: "[REDACTED]" } });
      expect(argsA).toEqual({ args: ["vms"], options: { limit: 4, token: "[REDACTED]" } });
      expect(batched.durationMs).toBe(5);
    } finally {
      await store.close();
    }
  });

  test("close() writes the records still waiting for their batch", async () => {
    const url = newUrl();
    const store = await openStore({ url, readOnly: true });
    const pending = Array.from({ length: 30 }, (_, i) => store.operations.recordSoon(operation(i)));
    await store.close();
    await Promise.all(pending);
    const again: Store = await openStore({ url });
    try {
      expect((await again.operations.list({ limit: 100 })).length).toBe(30);
    } finally {
      await again.close();
    }
  });
});
