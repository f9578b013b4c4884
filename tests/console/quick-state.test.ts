/**
 * The console's banner and completion data: the SQLite fast path and the
 * store's repositories give the same answer on one synced workspace, and a
 * PostgreSQL workspace synced from the same cluster gives the same names.
 */
import { COMMANDS } from "../../src/commands/registry.js";
import { complete } from "../../src/commands/completer.js";
import { readSqliteState } from "../../src/state/quick-state-sqlite.js";
import { readQuickState, readStoreState, type QuickState } from "../../src/state/quick-state.js";
import { loadWorkspace } from "../../src/core/workspace.js";
import { openStore, type Store } from "../../src/state/index.js";
import { missingPart } from "../helpers/real-parts.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";
import { createPgDatabase } from "../state/helpers.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let file: string;

beforeAll(async () => {
  sim = await startSim({ size: 40, randomSeed: 12 });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
  file = `${ws.dir}/.proxmox-mpc/state.db`;
}, 60_000);
afterAll(async () => {
  await sim?.close();
  ws?.cleanup();
});

async function viaStore(url: string): Promise<QuickState> {
  const store = await openStore({ url });
  try {
    return await readStoreState(store);
  } finally {
    await store.close();
  }
}

/** What Tab offers for lines that complete guest, node, storage and tag names. */
function candidates(state: QuickState): Record<string, string[]> {
  const lines = ["get vm ", "describe vm ", "get vms --node ", "get vms --tag ", "create vm --storage ", "stop vm w"];
  const visible = COMMANDS.filter((c) => !c.hidden);
  return Object.fromEntries(lines.map((line) => [line, complete(line, visible, state.names)[0]]));
}

it("the SQLite fast path gives the same banner data and completions as the store", async () => {
  const fast = readSqliteState(file);
  const stored = await viaStore(`file:${file}`);
  expect(fast).toEqual(stored);
  expect(candidates(fast)).toEqual(candidates(stored));

  // …and they hold the cluster, not two equally empty answers.
  const guests = sim.cluster.guests();
  expect(fast.lastSyncAt).toBeInstanceOf(Date);
  expect(fast.guests).toBe(guests.length);
  expect(fast.names.nodes).toEqual([...sim.cluster.nodes.keys()].sort());
  expect(fast.names.storage.length).toBeGreaterThan(0);
  expect(fast.names.tags.length).toBeGreaterThan(0);
  for (const list of Object.values(candidates(fast)).slice(0, 5)) expect(list.length).toBeGreaterThan(0);
});

it("readQuickState takes the fast path for a SQLite workspace without opening the store", async () => {
  const workspace = await loadWorkspace(ws.dir);
  const opened: string[] = [];
  const state = await readQuickState(workspace, ws.env, () => {
    opened.push("store");
    return Promise.reject(new Error("not expected"));
  });
  expect(opened).toEqual([]);
  expect(state).toEqual(readSqliteState(file));
});

describe("on PostgreSQL", () => {
  let pgWs: Awaited<ReturnType<typeof initWorkspace>> | undefined;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const db = await createPgDatabase();
    if (db.url === null) return missingPart("postgresql", db.reason);
    drop = db.drop;
    pgWs = await initWorkspace(sim, { database: db.url });
    expect((await pgWs.run(["sync"])).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    pgWs?.cleanup();
    await drop?.();
  });

  it("the store gives the same names and counts as SQLite's for the same cluster", async () => {
    if (!pgWs) return;
    const workspace = await loadWorkspace(pgWs.dir);
    const opened: Store[] = [];
    const onPg = await readQuickState(workspace, pgWs.env, async () => {
      opened.push(await openStore({ url: workspace.config.database?.url ?? "" }));
      return opened[0];
    });
    await Promise.all(opened.map((s) => s.close()));
    expect(opened).toHaveLength(1);
    const onSqlite = readSqliteState(file);
    expect(onPg.lastSyncAt).toBeInstanceOf(Date);
    expect({ guests: onPg.guests, names: onPg.names }).toEqual({ guests: onSqlite.guests, names: onSqlite.names });
    expect(candidates(onPg)).toEqual(candidates(onSqlite));
  });
});
