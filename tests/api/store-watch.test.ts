/**
 * The API server's store watcher (src/api/store-watch.ts) over real HTTP: a
 * `serve` child on a workspace synced from the simulator, its event stream
 * read with fetch(), and CLI child processes on the same workspace. A CLI
 * `start` appears on the stream as operation.finished with origin store,
 * actor cli and the CLI's own correlation id; a run through the API appears
 * once, not twice; the outbound webhook gets the CLI's run once (from the CLI
 * itself, never again from the server); and the dashboard's reload rule
 * (src/web/events.ts) treats a store-origin change as a change and a
 * store-origin read as a read. In process: a store that cannot be read is
 * logged once and read again next tick, and nothing older than the start is
 * replayed.
 */
import path from "node:path";
import { watchStore } from "../../src/api/store-watch.js";
import { EventBus, type WorkspaceEvent } from "../../src/core/events.js";
import { createLogger } from "../../src/core/logger.js";
import { openStore, type Store } from "../../src/state/index.js";
import { startsRead } from "../../src/web/events.js";
import { guestName, type initWorkspace, type RunningSimulator } from "../helpers/sim.js";
import { apiServer, call, stopAll, syncedWorkspace, type ApiServer } from "./helpers.js";
import { startReceiver, type Receiver } from "./webhook-receiver.js";

interface EventStream {
  events: WorkspaceEvent[];
  /** Resolves with the first event (already received or to come) that matches. */
  next: (match: (e: WorkspaceEvent) => boolean, what: string) => Promise<WorkspaceEvent>;
  close: () => void;
}

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let server: ApiServer;
let receiver: Receiver;
let operator: string;
const open: EventStream[] = [];
const dbUrl = () => `file:${path.join(ws.dir, ".proxmox-mpc", "state.db")}`;

beforeAll(async () => {
  ({ sim, ws } = await syncedWorkspace({ size: 8, randomSeed: 21 }));
  receiver = await startReceiver(() => undefined);
  const added = await ws.run(["webhook", "add", `${receiver.url}/ok`, "--events", "operation.finished"]);
  expect(added.code).toBe(0);
  server = await apiServer(ws.dir, ws.env);
  const store = await openStore({ url: dbUrl() });
  try {
    operator = (await store.tokens.create("ops", "operator")).token;
  } finally {
    await store.close();
  }
}, 90_000);

afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
afterAll(async () => {
  await stopAll(server, sim, ws);
  await receiver?.close();
});

/** GET /api/v1/events with fetch, parsed as the events arrive (the pattern of events.test.ts). */
async function subscribe(): Promise<EventStream> {
  const abort = new AbortController();
  const res = await fetch(`${server.url}/api/v1/events`, { headers: { authorization: `Bearer ${operator}` }, signal: abort.signal });
  expect(res.status).toBe(200);
  const events: WorkspaceEvent[] = [];
  const waiters: Array<{ match: (e: WorkspaceEvent) => boolean; resolve: (e: WorkspaceEvent) => void }> = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const ended = (async () => {
    let buffer = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const data = buffer.slice(0, cut).split("\n").find((l) => l.startsWith("data: "));
          buffer = buffer.slice(cut + 2);
          if (data === undefined) continue;
          const event = JSON.parse(data.slice(6)) as WorkspaceEvent;
          events.push(event);
          for (const w of [...waiters]) if (w.match(event)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(event));
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  const stream: EventStream = {
    events,
    next: (match, what) =>
      new Promise((resolve, reject) => {
        const seen = events.find(match);
        if (seen) return resolve(seen);
        waiters.push({ match, resolve });
        void ended.then(() => reject(new Error(`the stream ended before ${what}; received: ${events.map((e) => e.type).join(", ")}`)));
      }),
    close: () => abort.abort(),
  };
  open.push(stream);
  return stream;
}

const finished = (cid: string) => (e: WorkspaceEvent) => e.type === "operation.finished" && e.correlationId === cid;

/** Run the CLI on the workspace; the correlation id its run was recorded with. */
async function cli(args: string[]): Promise<string> {
  const run = await ws.run(args);
  expect([run.code, run.stderr]).toEqual([0, expect.any(String)]);
  const store = await openStore({ url: dbUrl(), readOnly: true });
  try {
    const [op] = await store.operations.list({ actor: "cli", command: args[0], limit: 1 });
    return op.correlationId;
  } finally {
    await store.close();
  }
}

test("a CLI start of a stopped VM: operation.finished on the stream with origin store, actor cli, the CLI's correlation id and the audit target", async () => {
  const vm = sim.cluster.guests().find((g) => g.type === "qemu" && !g.template && g.status === "stopped")!;
  expect(vm).toBeDefined();
  const name = guestName(vm);
  const stream = await subscribe();
  const cid = await cli(["start", "vm", name]);
  const event = await stream.next(finished(cid), "the CLI's operation.finished");
  expect(event.data).toMatchObject({ command: "start", actor: "cli", result: "ok", exitCode: 0, origin: "store", target: `vm ${name}`, args: ["vm", name] });
  expect(typeof event.data.durationMs).toBe("number");
  expect(typeof event.data.principal).toBe("string");
  expect(stream.events.filter(finished(cid))).toHaveLength(1);
  // The dashboard reloads its guests on it: a change, not a read.
  expect(startsRead(event)).toBe(false);
  expect(sim.cluster.guests().find((g) => g.vmid === vm.vmid)?.status).toBe("running");
}, 60_000);

test("a run through the API appears once; the webhook gets a CLI run once (from the CLI), never again from the server", async () => {
  const stream = await subscribe();
  const vm = sim.cluster.guests().find((g) => g.type === "qemu" && !g.template && g.status === "running")!;
  const name = guestName(vm);
  const cliCid = await cli(["stop", "vm", name, "--yes"]);
  await stream.next(finished(cliCid), "the CLI stop");
  const answer = await call(server, "POST", `/api/v1/vms/${name}/start`, { token: operator, body: {} });
  expect([answer.status, answer.body.ok]).toEqual([200, true]);
  const apiCid = String(answer.body.correlationId);
  const own = await stream.next(finished(apiCid), "the API run's operation.finished");
  expect(own.data.origin).toBeUndefined();
  // A later CLI run read back from the store: the watcher has read past the API run's row by then.
  const later = await cli(["get", "vms"]);
  const read = await stream.next(finished(later), "the later CLI run");
  expect(startsRead(read)).toBe(true); // a store-origin read: the dashboard does not reload on it
  expect(stream.events.filter(finished(apiCid))).toHaveLength(1);
  // The server delivered its own run; by then it would have sent the CLI stop's (seen earlier) too, had it.
  await receiver.waitFor("/ok", 1, 20_000);
  const deliveredApi = () => receiver.received.filter((r) => r.json.correlationId === apiCid);
  for (let i = 0; i < 200 && !deliveredApi().length; i++) await new Promise((r) => setTimeout(r, 50));
  expect(deliveredApi()).toHaveLength(1);
  const deliveredCli = receiver.received.filter((r) => r.json.correlationId === cliCid);
  expect(deliveredCli).toHaveLength(1);
  expect(deliveredCli[0].json.data.origin).toBeUndefined();
}, 90_000);

test("in process: no history replayed; a store that fails is logged once and read again next tick; a run recorded meanwhile still arrives", async () => {
  const store = await openStore({ url: dbUrl(), readOnly: true });
  const writer = await openStore({ url: dbUrl(), readOnly: true });
  const lines: string[] = [];
  const log = createLogger({ level: "info", destination: { write: (line: string) => void lines.push(line) } });
  const events = new EventBus();
  const got: WorkspaceEvent[] = [];
  events.subscribe((e) => got.push(e));
  let failing = false;
  const watch = watchStore({ store: async (): Promise<Store> => (failing ? Promise.reject(new Error("database is locked")) : store), events, log, intervalMs: 20 });
  try {
    const tick = () => new Promise((r) => setTimeout(r, 60));
    await tick();
    expect(got).toEqual([]); // the runs of the tests above are history
    failing = true;
    await tick();
    await tick();
    const at = new Date();
    await writer.operations.record({ correlationId: "c-meanwhile", command: "sync", actor: "cli", arguments: { args: [] }, startedAt: at, finishedAt: at, result: "failed", exitCode: 1, error: "cluster unreachable", principal: "cron" });
    failing = false;
    for (let i = 0; i < 100 && !got.length; i++) await tick();
    expect(got.map((e) => [e.type, e.correlationId, e.data])).toEqual([
      ["operation.finished", "c-meanwhile", { command: "sync", actor: "cli", result: "failed", exitCode: 1, durationMs: 0, origin: "store", args: [], principal: "cron", error: "cluster unreachable" }],
    ]);
    const warned = lines.filter((l) => l.includes("store watcher could not read"));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain("database is locked");
    expect(lines.some((l) => l.includes("store watcher reading again"))).toBe(true);
  } finally {
    await watch.stop();
    await writer.close();
    await store.close();
  }
}, 30_000);
