/**
 * The read store answers a page of guests asked again from memory until the
 * database changes (read-guests.ts; SQLite's data_version plus the
 * connection's own writes). These tests hold it to never answering stale:
 * a sync committed by another connection, a status written through the full
 * store, and a write of this connection to the Guest table all show at once;
 * its own writes to other tables (the operation log every call records) do
 * not matter; a caller changing a page it got does not change the next one.
 * PostgreSQL keeps nothing in memory and gives the same answers.
 */
import { openStore, type Store } from "../../src/state/index.js";
import { storeCases } from "./harness.js";
import { commitSnapshot, makeGuest, makeSnapshot } from "./helpers.js";

const { cases, teardown } = await storeCases();
afterAll(teardown);

const record = (store: Store, n: number) =>
  store.operations.record({ correlationId: `c-${n}`, command: "get", actor: "api", arguments: { args: ["vms"], options: {} }, result: "ok", exitCode: 0 });

describe.each(cases)("a page asked again ($name)", ({ newUrl }) => {
  let url: string;
  let writer: Store;
  let reader: Store;

  beforeEach(async () => {
    url = newUrl();
    writer = await openStore({ url });
    await commitSnapshot(writer, await writer.syncs.begin({ correlationId: "first" }), makeSnapshot(30));
    reader = await openStore({ url, readOnly: true });
  });
  afterEach(async () => {
    await reader.close();
    await writer.close();
  });

  test("shows a sync committed by another connection", async () => {
    const before = await reader.guests.page({}, { limit: 5 });
    expect(before.items[1]).toMatchObject({ vmid: 101 });
    expect(before.items[1].cores).not.toBe(64);
    const changed = makeSnapshot(30);
    changed.guests[1] = makeGuest(101, { cores: 64, config: { ...makeGuest(101).config, cores: 64 } });
    changed.guests.push(makeGuest(500));
    await commitSnapshot(writer, await writer.syncs.begin({ correlationId: "second" }), changed);
    const after = await reader.guests.page({}, { limit: 5 });
    expect(after.items[1].cores).toBe(64);
    expect(after.total).toBe(before.total + 1);
  });

  test("shows a status written through the full store, and a filter's page follows it", async () => {
    const running = await reader.guests.page({ status: "running" }, { limit: 100 });
    const target = running.items[0];
    await reader.guests.setStatus(target.vmid, "stopped");
    const page = await reader.guests.page({}, { limit: 100 });
    expect(page.items.find((g) => g.vmid === target.vmid)?.status).toBe("stopped");
    const runningNow = await reader.guests.page({ status: "running" }, { limit: 100 });
    expect(runningNow.total).toBe(running.total - 1);
    expect(runningNow.items.map((g) => g.vmid)).not.toContain(target.vmid);
  });

  test("its own operation records leave the page as it was; another page size is read anew", async () => {
    const first = await reader.guests.page({}, { limit: 3 });
    await record(reader, 1);
    await record(reader, 2);
    expect(await reader.guests.page({}, { limit: 3 })).toEqual(first);
    const bigger = await reader.guests.page({}, { limit: 4 });
    expect(bigger.items.map((g) => g.vmid)).toEqual([...first.items.map((g) => g.vmid), bigger.items[3].vmid]);
    const after = await reader.guests.page({}, { limit: 3, after: first.items[2].vmid });
    expect(after.items[0].vmid).toBe(bigger.items[3].vmid);
  });

  test("a caller changing the page it got does not change the next answer", async () => {
    const first = await reader.guests.page({}, { limit: 3 });
    const name = first.items[0].name;
    // Records kept for later answers are frozen (SQLite); PostgreSQL's are fresh each time.
    try {
      first.items[0].name = "changed-by-caller";
      first.items[0].tags.push("changed");
    } catch (err) {
      expect(err).toBeInstanceOf(TypeError);
    }
    first.items.pop();
    const again = await reader.guests.page({}, { limit: 3 });
    expect(again.items[0].name).toBe(name);
    expect(again.items[0].tags).not.toContain("changed");
    expect(again.items).toHaveLength(3);
  });
});
