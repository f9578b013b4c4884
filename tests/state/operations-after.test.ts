/**
 * operations.after() and newestId(): what the API server's store watcher
 * reads each tick — the operations recorded since an id, oldest first, with
 * the unfinished ones it asks about again — on both databases, from the full
 * store and the read store alike.
 */
import { openStore } from "../../src/state/index.js";
import { storeCases } from "./harness.js";

const { cases, teardown } = await storeCases();
afterAll(teardown);

const whole = (n: number) => ({
  correlationId: `after-${n}`,
  command: "start",
  actor: "cli" as const,
  arguments: { args: ["vm", `web-0${n}`], options: { token: "never-stored" } },
  startedAt: new Date(Date.UTC(2026, 10, 28, 12, 0, n)),
  finishedAt: new Date(Date.UTC(2026, 10, 28, 12, 0, n, 7)),
  result: "ok" as const,
  exitCode: 0,
  principal: "root",
  target: `vm web-0${n}`,
});

describe.each(cases)("operations.after ($name)", ({ newUrl }) => {
  test.each([true, false])("readOnly %s: newest id, the rows after an id oldest first (limited), and the unfinished ones named again", async (readOnly) => {
    const store = await openStore({ url: newUrl(), readOnly });
    try {
      expect(await store.operations.newestId()).toBe(0);
      expect(await store.operations.after(0)).toEqual([]);
      const first = await store.operations.record(whole(1));
      const running = await store.operations.start({ correlationId: "after-running", command: "sync", actor: "console", arguments: { args: [] } });
      const third = await store.operations.record(whole(3));
      expect(await store.operations.newestId()).toBe(third.id);
      const after = await store.operations.after(first.id);
      expect(after.map((o) => [o.correlationId, o.finishedAt === null])).toEqual([["after-running", true], ["after-3", false]]);
      expect(after[1]).toMatchObject({ command: "start", actor: "cli", result: "ok", exitCode: 0, durationMs: 7, principal: "root", target: "vm web-03", arguments: { args: ["vm", "web-03"], options: { token: "[REDACTED]" } } });
      expect((await store.operations.after(0, 2)).map((o) => o.correlationId)).toEqual(["after-1", "after-running"]);
      // The watcher asks again about the run it saw unfinished, beside what is new.
      await store.operations.finish(running.id, { result: "ok" });
      const again = await store.operations.after(third.id, 100, [running.id]);
      expect(again.map((o) => [o.correlationId, o.result])).toEqual([["after-running", "ok"]]);
      expect(await store.operations.after(third.id)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
