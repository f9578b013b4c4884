/**
 * The live event stream (GET /api/v1/events) over real HTTP, against `serve`
 * as a child process on a workspace synced from the simulator, read with
 * fetch() as a browser reads it: a sync, a power action, a plan and an apply,
 * the health checks, each followed on the stream under the correlation id of
 * its answer; the types filter; Last-Event-ID; no token, no event; the admin
 * token never on the stream; SIGTERM with a stream open exits 0.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import path from "node:path";
import Fastify from "fastify";
import type { AddressInfo } from "node:net";
import type { ApiKit } from "../../src/api/app.js";
import { registerEvents } from "../../src/api/events.js";
import { EventBus, type WorkspaceEvent } from "../../src/core/events.js";
import { openStore } from "../../src/state/index.js";
import { guestName, type initWorkspace, type RunningSimulator } from "../helpers/sim.js";
import { apiServer, call, settled, stopAll, syncedWorkspace, type ApiServer } from "./helpers.js";

/** An event as received, with its frame's own `id:` and `event:` lines. */
type Received = WorkspaceEvent & { frameId: string; frameEvent: string };

/** One open stream: the events parsed as they arrive, and everything received as text. */
interface EventStream {
  events: Received[];
  raw: () => string;
  /** Resolves with the first event (already received or to come) that matches. */
  next: (match: (e: Received) => boolean, what: string) => Promise<Received>;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  close: () => void;
}

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let server: ApiServer;
const tokens: Record<string, string> = {};
const open: EventStream[] = [];

beforeAll(async () => {
  ({ sim, ws } = await syncedWorkspace({ size: 8, randomSeed: 21 }));
  // The server starts first: the admin token it makes is registered as a secret (the canary below).
  server = await apiServer(ws.dir, ws.env);
  const store = await openStore({ url: `file:${path.join(ws.dir, ".proxmox-mpc", "state.db")}` });
  try {
    tokens.viewer = (await store.tokens.create("watcher", "viewer")).token;
    tokens.operator = (await store.tokens.create("ops", "operator")).token;
  } finally {
    await store.close();
  }
}, 90_000);

afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
afterAll(() => stopAll(server, sim, ws));

/** GET /api/v1/events with fetch; the stream when the answer is 200, else the answer. */
async function subscribe(query = "", headers: Record<string, string> = { authorization: `Bearer ${tokens.viewer}` }, at: { url: string } = server): Promise<{ status: number; contentType: string | null; body?: Record<string, unknown>; stream?: EventStream }> {
  const abort = new AbortController();
  const res = await fetch(`${at.url}/api/v1/events${query}`, { headers, signal: abort.signal });
  if (res.status !== 200) return { status: res.status, contentType: res.headers.get("content-type"), body: (await res.json()) as Record<string, unknown> };
  const events: Received[] = [];
  const waiters: Array<{ match: (e: Received) => boolean; resolve: (e: Received) => void }> = [];
  let text = "";
  let buffer = "";
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const ended = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        const chunk = decoder.decode(value, { stream: true });
        text += chunk;
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const fields = Object.fromEntries(frame.split("\n").filter((l) => !l.startsWith(":")).map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 2)]));
          if (fields.data === undefined) continue;
          const event = { ...(JSON.parse(fields.data) as Omit<Received, "frameId" | "frameEvent">), frameId: fields.id, frameEvent: fields.event };
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
    raw: () => text,
    next: (match, what) =>
      new Promise((resolve, reject) => {
        const seen = events.find(match);
        if (seen) return resolve(seen);
        waiters.push({ match, resolve });
        void ended.then(() => reject(new Error(`the stream ended before ${what}; received: ${events.map((e) => e.type).join(", ")}`)));
      }),
    ended,
    close: () => abort.abort(),
  };
  open.push(stream);
  return { status: 200, contentType: res.headers.get("content-type"), stream };
}

const of = (cid: string) => (e: Received) => e.correlationId === cid;
const finished = (cid: string) => (e: Received) => e.type === "operation.finished" && e.correlationId === cid;

test("a sync: operation.started, progress, sync.done with the cluster's guest count, operation.finished ok — all under the 202's correlation id", async () => {
  const { status, contentType, stream } = await subscribe();
  expect(status).toBe(200);
  expect(contentType).toMatch(/^text\/event-stream/);
  const answer = await call(server, "POST", "/api/v1/sync", { token: tokens.operator, body: {} });
  expect(answer.status).toBe(202);
  const cid = String(answer.body.correlationId);
  const end = await stream!.next(finished(cid), "the sync's operation.finished");
  expect(end.data).toMatchObject({ command: "sync", actor: "api", result: "ok", exitCode: 0 });

  const mine = stream!.events.filter(of(cid));
  const types = mine.map((e) => e.type);
  expect(types[0]).toBe("operation.started");
  expect(types.at(-1)).toBe("operation.finished");
  expect(types).toContain("operation.progress");
  expect(mine.find((e) => e.type === "operation.progress")?.data).toMatchObject({ command: "sync", text: expect.any(String), level: expect.stringMatching(/^(info|warn|data|progress)$/) });
  const done = mine.find((e) => e.type === "sync.done")!;
  expect(done.data).toMatchObject({ guests: sim.cluster.guests().length, nodes: sim.cluster.nodes.size, added: 0, removed: 0, changed: 0, dryRun: false, durationMs: expect.any(Number) });
  expect(types.indexOf("sync.done")).toBeLessThan(types.indexOf("operation.finished"));
  // Nothing changed since the last sync: no sync.changed.
  expect(types).not.toContain("sync.changed");
  // Each frame: `id:` is the event's seq, `event:` its type; seqs increase.
  for (const e of mine) expect([e.frameId, e.frameEvent]).toEqual([String(e.seq), e.type]);
  expect(mine.map((e) => e.seq)).toEqual([...mine.map((e) => e.seq)].sort((a, b) => a - b));
}, 60_000);

test("a sync that finds a guest changed on the server: sync.changed names it", async () => {
  const { stream } = await subscribe();
  const guest = sim.cluster.guests().find((g) => g.type === "qemu" && !g.template)!;
  guest.config = { ...guest.config, memory: String(Number(guest.config.memory ?? 512) + 256) };
  const answer = await call(server, "POST", "/api/v1/sync", { token: tokens.operator, body: {} });
  const cid = String(answer.body.correlationId);
  const changed = await stream!.next((e) => e.type === "sync.changed" && e.correlationId === cid, "sync.changed");
  expect(changed.data).toMatchObject({ added: 0, removed: 0, changed: 1, names: [guestName(guest)] });
  expect((await stream!.next(finished(cid), "operation.finished")).data.result).toBe("ok");
}, 60_000);

test("a power action on a stopped VM: task.status running then stopped (OK), then guest.status", async () => {
  const vm = sim.cluster.guests().find((g) => g.type === "qemu" && !g.template && g.status === "stopped")!;
  expect(vm).toBeDefined();
  const name = guestName(vm);
  const { stream } = await subscribe();
  const answer = await call(server, "POST", `/api/v1/vms/${name}/start`, { token: tokens.operator, body: {} });
  expect([answer.status, answer.body.ok]).toEqual([200, true]);
  const cid = String(answer.body.correlationId);
  await stream!.next(finished(cid), "operation.finished");
  const tasks = stream!.events.filter((e) => e.type === "task.status" && e.correlationId === cid);
  expect(tasks.map((t) => t.data.status)).toEqual(["running", "stopped"]);
  expect(tasks[1].data).toMatchObject({ upid: expect.stringMatching(/^UPID:/), node: vm.node, type: "qmstart", id: String(vm.vmid), exitstatus: "OK" });
  expect(tasks[0].data.upid).toBe(tasks[1].data.upid);
  const status = stream!.events.find((e) => e.type === "guest.status" && e.correlationId === cid)!;
  expect(status.data).toEqual({ name, vmid: vm.vmid, node: vm.node, kind: "vm", status: "running", previous: "stopped", action: "start" });
  expect(status.seq).toBeGreaterThan(tasks[1].seq);
  expect(sim.cluster.guests().find((g) => g.vmid === vm.vmid)?.status).toBe("running");
}, 60_000);

test("a tool call over /mcp on the same server: its start, progress and end on the stream, as actor mcp", async () => {
  const sub = await subscribe();
  const stream = sub.stream!;
  open.push(stream);
  const vm = sim.cluster.guests().find((g) => g.type === "qemu" && !g.template)!;
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${tokens.operator}` } } });
  const client = new Client({ name: "events-test", version: "1.0.0" });
  await client.connect(transport);
  try {
    const result = (await client.callTool({ name: "snapshot", arguments: { action: "create", kind: "vm", target: [guestName(vm), "mcp-events"] } })) as { isError?: boolean };
    expect(result.isError).toBeFalsy();
  } finally {
    await client.close();
  }
  const started = await stream.next((e) => e.type === "operation.started" && e.data.command === "snapshot" && e.data.actor === "mcp", "the snapshot's operation.started");
  const progress = await stream.next((e) => e.type === "operation.progress" && e.correlationId === started.correlationId, "its operation.progress");
  expect(String(progress.data.text)).toMatch(/mcp-events/);
  const finished = await stream.next((e) => e.type === "operation.finished" && e.correlationId === started.correlationId, "its operation.finished");
  expect(finished.data).toMatchObject({ command: "snapshot", actor: "mcp", result: "ok" });
});

test("?types= keeps only those types; an unknown type or query key is refused with 400 naming the known types", async () => {
  const { stream } = await subscribe("?types=sync.done,operation.finished");
  const answer = await call(server, "POST", "/api/v1/sync", { token: tokens.operator, body: {} });
  const cid = String(answer.body.correlationId);
  await stream!.next(finished(cid), "operation.finished");
  // One connection keeps the order: had the filter let operation.started through, it would be here by now.
  expect(stream!.events.filter(of(cid)).map((e) => e.type)).toEqual(["sync.done", "operation.finished"]);
  expect(new Set(stream!.events.map((e) => e.type))).toEqual(new Set(["sync.done", "operation.finished"]));

  const bad = await subscribe("?types=sync.done,sync.exploded");
  expect(bad.status).toBe(400);
  expect(bad.contentType).toMatch(/^application\/json/);
  const error = bad.body!.error as { message: string; hint: string };
  expect(error.message).toContain("sync.exploded");
  expect(error.hint).toContain("Known types: operation.started, operation.progress, operation.finished, task.status, sync.done");
  const key = await subscribe("?type=sync.done");
  expect(key.status).toBe(400);
  expect((key.body!.error as { message: string }).message).toContain('"type"');
}, 60_000);

test("Last-Event-ID resumes after the last event seen, with what happened while away", async () => {
  const first = (await subscribe()).stream!;
  const warm = await call(server, "POST", "/api/v1/sync", { token: tokens.operator, body: {} });
  const seen = await first.next(finished(String(warm.body.correlationId)), "the first sync's end");
  first.close();
  // Away: a sync runs and ends.
  const away = await call(server, "POST", "/api/v1/sync", { token: tokens.operator, body: {} });
  const cid = String(away.body.correlationId);
  expect((await settled(server, tokens.viewer, cid)).status).toBe("ok");

  const resumed = (await subscribe("", { authorization: `Bearer ${tokens.viewer}`, "last-event-id": String(seen.seq) })).stream!;
  await resumed.next(finished(cid), "the missed sync's end");
  expect(resumed.events[0].seq).toBe(seen.seq + 1);
  expect(resumed.events.filter(of(cid)).map((e) => e.type).filter((t) => t !== "operation.progress")).toEqual(["operation.started", "sync.done", "operation.finished"]);
  const seqs = resumed.events.map((e) => e.seq);
  expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));

  const bad = await subscribe("", { authorization: `Bearer ${tokens.viewer}`, "last-event-id": "yesterday" });
  expect(bad.status).toBe(400);
}, 60_000);

test("a plan that finds a difference: drift.found; the apply that carries it out: apply.done (native engine)", async () => {
  const vm = sim.cluster.guests().filter((g) => g.type === "qemu" && !g.template)[1];
  const name = guestName(vm);
  const dir = path.join(ws.dir, "terraform");
  const file = readdirSync(dir).find((f) => f.endsWith(".tf") && readFileSync(path.join(dir, f), "utf8").includes(`vm_id         = ${vm.vmid}`))!;
  const cores = Number(vm.config.cores ?? 1);
  writeFileSync(path.join(dir, file), readFileSync(path.join(dir, file), "utf8").replace(/cores(\s*)=\s*\d+/, `cores$1= ${cores + 2}`));
  const { stream } = await subscribe("?types=drift.found,apply.done,operation.finished");

  // Limited to this guest: the power action above left another one running where its .tf says stopped.
  const plan = await call(server, "POST", "/api/v1/plan", { token: tokens.operator, body: { engine: "native", names: [name] } });
  expect(plan.status).toBe(200);
  const planned = await stream!.next((e) => e.type === "drift.found" && e.correlationId === plan.body.correlationId, "drift.found");
  expect(planned.data).toMatchObject({ count: 1, items: [{ name, kind: "vm", what: "update", fields: expect.arrayContaining(["cores"]) }], engine: "native", targets: [name] });

  const apply = await call(server, "POST", "/api/v1/apply", { token: server.token, body: { engine: "native", names: [name], confirm: true } });
  expect(apply.status).toBe(202);
  const cid = String(apply.body.correlationId);
  await stream!.next(finished(cid), "the apply's end");
  const done = stream!.events.find((e) => e.type === "apply.done" && e.correlationId === cid)!;
  expect(done.data).toMatchObject({ result: "ok", engine: "native", created: 0, changed: 1, destroyed: 0, failed: 0 });
  expect(Number(sim.cluster.guests().find((g) => g.vmid === vm.vmid)?.config.cores)).toBe(cores + 2);
}, 90_000);

test("no valid token: 401, JSON, and no event — the token is read from the Authorization header only, never from the URL", async () => {
  for (const [query, headers] of [
    ["", {}],
    ["", { authorization: "Bearer pmpc_nope" }],
    [`?access_token=${tokens.viewer}`, {}],
  ] as Array<[string, Record<string, string>]>) {
    const answer = await subscribe(query, headers);
    expect(answer.status).toBe(401);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(Object.keys(answer.body!).sort()).toEqual(["error", "ok"]);
    // A token in the URL is told where it belongs.
    if (query) expect((answer.body!.error as { message: string }).message).toMatch(/never accepted.*Authorization: Bearer/);
  }
}, 30_000);

test("the admin token never appears on the stream, even when a request carries it", async () => {
  const { stream } = await subscribe();
  const answer = await call(server, "POST", "/api/v1/commands/describe", { token: tokens.viewer, body: { kind: "vm", name: server.token } });
  expect(answer.status).toBe(404);
  const cid = String(answer.body.correlationId);
  const end = await stream!.next(finished(cid), "the failed describe's end");
  expect(end.data.result).toBe("failed");
  const started = stream!.events.find((e) => e.type === "operation.started" && e.correlationId === cid)!;
  expect(JSON.stringify(started.data.args)).toContain("[REDACTED]");
  expect(stream!.raw()).not.toContain(server.token);
  expect(stream!.raw()).not.toContain(server.token.slice(-20));
}, 30_000);

test("health: health.changed against the last run's status (kept in .proxmox-mpc/health.json); health.failed when a check fails", async () => {
  writeFileSync(path.join(ws.dir, ".proxmox-mpc", "health.json"), `${JSON.stringify({ at: "2026-01-01T00:00:00.000Z", status: "fail" })}\n`);
  const { stream } = await subscribe("?types=health.changed,health.failed,operation.finished");
  const first = await call(server, "GET", "/api/v1/health", { token: tokens.viewer });
  expect(first.status).toBe(200);
  const { status, checks } = first.body.data as { status: string; checks: Array<{ name: string; status: string; message: string }> };
  expect(checks.filter((c) => c.status === "fail")).toEqual([]);
  const changed = await stream!.next((e) => e.type === "health.changed" && e.correlationId === first.body.correlationId, "health.changed");
  expect(changed.data).toMatchObject({ status, previous: "fail", since: "2026-01-01T00:00:00.000Z", failed: [] });
  expect(JSON.parse(readFileSync(path.join(ws.dir, ".proxmox-mpc", "health.json"), "utf8")).status).toBe(status);
  // Same status again: no health.changed.
  const again = await call(server, "GET", "/api/v1/health", { token: tokens.viewer });
  await stream!.next(finished(String(again.body.correlationId)), "the second health run's end");
  expect(stream!.events.filter((e) => e.type === "health.changed")).toHaveLength(1);

  // The server goes away: the connectivity checks fail.
  await sim.close();
  const down = await call(server, "GET", "/api/v1/health", { token: tokens.viewer, headers: {} });
  const cid = String(down.body.correlationId);
  const failed = await stream!.next((e) => e.type === "health.failed" && e.correlationId === cid, "health.failed");
  expect(failed.data).toMatchObject({ status: "fail", failed: expect.arrayContaining([expect.objectContaining({ name: expect.any(String), message: expect.any(String) })]) });
  const toFail = await stream!.next((e) => e.type === "health.changed" && e.correlationId === cid, "health.changed to fail");
  expect(toFail.data).toMatchObject({ status: "fail", previous: status });
}, 60_000);

test("SIGTERM with a stream open: the stream ends and the server exits 0", async () => {
  const { stream } = await subscribe();
  expect(await server.stop("SIGTERM")).toBe(0);
  await stream!.ended;
}, 30_000);

test("in process, on a bus of its own: a keep-alive comment on a quiet stream, secret keys redacted, the stream ended by close()", async () => {
  const events = new EventBus();
  const app = Fastify();
  const kit = {
    input: { events },
    authenticate: async () => ({ role: "viewer", name: "t", source: "127.0.0.1" }),
    send: (reply: { code(n: number): { send(b: unknown): unknown } }, status: number, body: unknown) => reply.code(status).send(body),
  } as unknown as ApiKit;
  registerEvents(app, kit, { keepAliveMs: 20 });
  await app.listen({ host: "127.0.0.1", port: 0 });
  try {
    const { stream } = await subscribe("", {}, { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => stream!.raw().includes(": keep-alive\n\n") && (clearInterval(poll), resolve()), 10);
    });
    expect(stream!.events).toEqual([]);
    events.emit("sync.done", { guests: 1, token: "pmpc_canary_0123456789", nested: { password: "hunter2-canary" } }, "c-1");
    const got = await stream!.next((e) => e.type === "sync.done", "sync.done");
    expect(got.data).toEqual({ guests: 1, token: "[REDACTED]", nested: { password: "[REDACTED]" } });
    expect(stream!.raw()).not.toMatch(/pmpc_canary|hunter2/);
    await app.close();
    await stream!.ended;
  } finally {
    await app.close();
  }
}, 30_000);
