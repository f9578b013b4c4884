/**
 * `get vms|cts|guests` pages and narrows on request, against a workspace
 * synced from the simulator: --limit N gives {items, total, nextCursor},
 * walking nextCursor visits every guest exactly once (filters too), --fields
 * keeps only the chosen keys (JSON and table), and without those options the
 * answer is the plain array it always was. A bad cursor, an unknown field or
 * a paging option on a list that does not page is exit 2 with a clear line.
 */
import { decodeCursor, encodeCursor, pageOf } from "../../src/commands/paging.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

interface Page {
  items: Record<string, unknown>[];
  total: number;
  nextCursor: string | null;
}

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeAll(async () => {
  sim = await startSim({ size: 45, randomSeed: 31 });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
}, 60_000);
afterAll(async () => {
  await sim.close();
  ws.cleanup();
});

async function json(args: string[]): Promise<unknown> {
  const run = await ws.run(["get", ...args, "-o", "json"]);
  expect(run.stderr).not.toMatch(/error:/);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
}

/** Follow nextCursor from the first page to the last. */
async function walk(args: string[]): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | null = null;
  do {
    const page = (await json([...args, ...(cursor ? ["--cursor", cursor] : [])])) as Page;
    pages.push(page);
    cursor = page.nextCursor;
    expect(pages.length).toBeLessThan(50);
  } while (cursor);
  return pages;
}

it("walking nextCursor visits every guest exactly once, in vmid order, and the last page says null", async () => {
  const all = sim.cluster.guests().map((g) => g.vmid).sort((a, b) => a - b);
  const pages = await walk(["guests", "--limit", "7"]);
  expect(pages).toHaveLength(Math.ceil(all.length / 7));
  for (const page of pages) {
    expect(page.total).toBe(all.length);
    expect(page.items.length).toBeLessThanOrEqual(7);
  }
  expect(pages.flatMap((p) => p.items.map((g) => g.vmid))).toEqual(all);
  expect(pages.at(-1)!.nextCursor).toBeNull();
});

it("paging follows the filters, and vms / cts page their own kind", async () => {
  const node = sim.cluster.guests()[0].node;
  const onNode = sim.cluster.guests().filter((g) => g.node === node).map((g) => g.vmid).sort((a, b) => a - b);
  const pages = await walk(["guests", "--node", node, "--limit", "4"]);
  expect(pages.flatMap((p) => p.items.map((g) => g.vmid))).toEqual(onNode);
  const cts = sim.cluster.guests().filter((g) => g.type === "lxc").map((g) => g.vmid).sort((a, b) => a - b);
  const ctPages = await walk(["cts", "--limit", "5"]);
  expect(ctPages.flatMap((p) => p.items.map((g) => g.vmid))).toEqual(cts);
  expect(ctPages.every((p) => p.items.every((g) => g.type === "lxc"))).toBe(true);
});

it("a cursor alone pages to the end; --limit larger than the list is one page with no next", async () => {
  const all = sim.cluster.guests().map((g) => g.vmid).sort((a, b) => a - b);
  const first = (await json(["guests", "--limit", "10"])) as Page;
  const rest = (await json(["guests", "--cursor", first.nextCursor!])) as Page;
  expect(rest).toMatchObject({ total: all.length, nextCursor: null });
  expect(rest.items.map((g) => g.vmid)).toEqual(all.slice(10));
  const whole = (await json(["guests", "--limit", "1000"])) as Page;
  expect(whole.items).toHaveLength(all.length);
  expect(whole.nextCursor).toBeNull();
});

it("--fields keeps only the chosen keys, in order, paged or not; one guest too", async () => {
  const page = (await json(["vms", "--limit", "3", "--fields", "vmid,name,status"])) as Page;
  expect(page.items).toHaveLength(3);
  for (const vm of page.items) expect(Object.keys(vm)).toEqual(["vmid", "name", "status"]);
  const list = (await json(["vms", "--fields", "name, memory"])) as Record<string, unknown>[];
  expect(Array.isArray(list)).toBe(true);
  expect(list).toHaveLength(sim.cluster.guests().filter((g) => g.type === "qemu").length);
  for (const vm of list) expect(Object.keys(vm)).toEqual(["name", "memory"]);
  const vmid = sim.cluster.guests().find((g) => g.type === "qemu")!.vmid;
  expect(await json(["vm", String(vmid), "--fields", "vmid,node"])).toEqual({ vmid, node: expect.any(String) });
  const table = await ws.run(["get", "vms", "--fields", "vmid,name,updatedAt"]);
  expect(table.code).toBe(0);
  expect(table.stdout.split("\n")[0].trim().split(/\s+/)).toEqual(["VMID", "NAME", "UPDATEDAT"]);
});

it("without --limit, --cursor or --fields the JSON is the whole array it always was", async () => {
  const vms = (await json(["vms"])) as Record<string, unknown>[];
  expect(Array.isArray(vms)).toBe(true);
  expect(vms).toHaveLength(sim.cluster.guests().filter((g) => g.type === "qemu").length);
  expect(Object.keys(vms[0])).toEqual(expect.arrayContaining(["vmid", "name", "node", "type", "status", "cores", "memory", "disk", "tags", "template", "stale"]));
  const guests = (await json(["guests"])) as unknown[];
  expect(guests).toHaveLength(sim.cluster.guests().length);
});

it("a table page says how to get the next one", async () => {
  const run = await ws.run(["get", "guests", "--limit", "5"]);
  expect(run.code).toBe(0);
  expect(run.stdout.trim().split("\n")).toHaveLength(6);
  const m = /5 of (\d+) guests; the next page: --cursor (\S+)/.exec(run.stderr);
  expect(m).not.toBeNull();
  expect(Number(m![1])).toBe(sim.cluster.guests().length);
});

it.each([
  [["guests", "--cursor", "bogus!"], /--cursor "bogus!" is not a cursor of this list\./],
  [["guests", "--cursor", Buffer.from("offset:10").toString("base64url")], /is not a cursor of this list\..*\n.*nextCursor of the previous page/],
  [["vms", "--fields", "vmid,colour"], /Unknown field for --fields: colour\.\n.*Choose from: vmid, name, node/],
  [["guests", "--limit", "0"], /--limit must be 1 or more for a page of guests, got 0\./],
  [["nodes", "--cursor", encodeCursor(1)], /--cursor applies to guest lists \(vms, cts, guests\), not to nodes\./],
  [["storage", "--fields", "node"], /--fields applies to guest lists/],
])("%j: exit 2 with a clear message, nothing on stdout", async (args, message) => {
  const run = await ws.run(["get", ...args]);
  expect(run.code).toBe(2);
  expect(run.stdout).toBe("");
  expect(run.stderr).toMatch(message);
});

it("cursors are keyset: a row gone between two calls neither repeats nor skips another", () => {
  const rows = [1, 2, 3, 4, 5, 6].map((vmid) => ({ vmid }));
  const first = pageOf(rows, (r) => r.vmid, { limit: 2 });
  expect(first).toEqual({ items: [{ vmid: 1 }, { vmid: 2 }], total: 6, nextCursor: encodeCursor(2) });
  const without3 = rows.filter((r) => r.vmid !== 3);
  expect(pageOf(without3, (r) => r.vmid, { limit: 2, cursor: first.nextCursor! }).items).toEqual([{ vmid: 4 }, { vmid: 5 }]);
  expect(decodeCursor(encodeCursor(123456))).toBe(123456);
  expect(pageOf([], (r: { vmid: number }) => r.vmid, { limit: 3 })).toEqual({ items: [], total: 0, nextCursor: null });
});
