/**
 * GET /api/v1/events: the workspace's events (src/core/events.ts) as
 * Server-Sent Events, for scripts (curl -N) and browsers (fetch with the
 * Authorization header; EventSource cannot send one, and a token in the URL
 * would end up in proxy and access logs, so the query never carries it).
 * Each event is `id: SEQ`, `event: TYPE`, `data: JSON` with secrets removed;
 * `?types=a,b` keeps only those types; `Last-Event-ID` replays what the bus
 * still keeps after that id; a `: keep-alive` comment every 15 s keeps
 * proxies from closing a quiet stream. The streams end when the server
 * stops (after its runs, so their last events are still sent).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { asProxmoxMpcError, UsageError } from "../core/errors.js";
import { EVENT_TYPES, type EventBus, type EventType, type WorkspaceEvent } from "../core/events.js";
import { redactValue } from "../core/redact.js";
import type { ApiKit } from "./app.js";
import { API_PREFIX } from "./routes.js";

export const EVENTS_PATH = `${API_PREFIX}/events`;

/** A comment this often keeps idle proxies and load balancers from closing the stream. */
const KEEP_ALIVE_MS = 15_000;
/** A client this far behind (bytes not yet taken by its socket) is cut off; it resumes with Last-Event-ID. */
const MAX_BEHIND = 1 << 20;

/** What a request asked for: the types it wants (all when undefined) and the last event it saw. */
interface StreamRequest {
  types?: ReadonlySet<EventType>;
  after?: number;
}

/** Register the event stream and end every open stream when the server closes (`keepAliveMs`: tests). */
export function registerEvents(app: FastifyInstance, kit: ApiKit, options: { keepAliveMs?: number } = {}): void {
  const open = new Set<() => void>();
  const spare = spareConnections(app);
  // preClose runs before Fastify waits for the connections: an open stream would otherwise hold the server up.
  app.addHook("preClose", (done) => {
    for (const end of [...open]) end();
    spare.close();
    done();
  });
  app.get(EVENTS_PATH, async (request, reply) => {
    if (!(await kit.authenticate(request, reply, "viewer"))) return reply;
    let asked: StreamRequest;
    try {
      asked = streamRequest(request);
    } catch (err) {
      const e = asProxmoxMpcError(err);
      return kit.send(reply, 400, { ok: false, error: { code: e.code, message: e.message, hint: e.hint } });
    }
    reply.hijack();
    stream(reply, kit.input.events, { ...asked, keepAliveMs: options.keepAliveMs ?? KEEP_ALIVE_MS }, open);
    return reply;
  });
}

/**
 * Connections that never carried a request: a client reading the stream with fetch (browsers, undici)
 * keeps spare ones open, and Node's server.close() does not count them as idle — it would wait for
 * their headers timeout, a minute, before the server could stop. close() ends them.
 */
function spareConnections(app: FastifyInstance): { close(): void } {
  const sockets = new Set<Socket>();
  const used = new WeakSet<Socket>();
  app.server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  app.server.on("request", (request: IncomingMessage) => used.add(request.socket));
  return { close: () => sockets.forEach((s) => used.has(s) || s.destroy()) };
}

/** Start one stream, kept in `open` (by the function that ends it) until it ends. */
function stream(reply: FastifyReply, events: EventBus, asked: StreamRequest & { keepAliveMs: number }, open: Set<() => void>): void {
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    // The stream is this connection's last answer: once it ends (the server stopping), the socket closes too.
    connection: "close",
    "x-accel-buffering": "no", // nginx: pass each event on at once
  });
  let ended = false;
  let unsubscribe = (): void => undefined;
  const keepAlive = setInterval(() => write(": keep-alive\n\n"), asked.keepAliveMs);
  keepAlive.unref();
  const end = (): void => {
    if (ended) return;
    ended = true;
    unsubscribe();
    clearInterval(keepAlive);
    open.delete(end);
    if (!res.writableEnded && !res.destroyed) res.end();
  };
  // A client gone (or too far behind) ends its stream: nothing is written to a closed socket.
  const write = (text: string): void => {
    if (ended) return;
    if (res.destroyed) return end();
    res.write(text);
    if (res.writableLength > MAX_BEHIND) end();
  };
  const send = (event: WorkspaceEvent): void => {
    if (!asked.types || asked.types.has(event.type)) write(frame(event));
  };
  open.add(end);
  res.on("close", end);
  res.on("error", end);
  write(": connected\n\n");
  // Replay and subscribe in the same tick: the bus emits synchronously, so no event falls between them.
  if (asked.after !== undefined) for (const event of replay(events, asked.after)) send(event);
  if (!ended) unsubscribe = events.subscribe(send);
}

/** The kept events after `seq`; all of them when `seq` is beyond the bus's newest (an id from before a restart). */
function replay(events: EventBus, seq: number): WorkspaceEvent[] {
  const kept = events.since(0);
  const newest = kept.at(-1)?.seq ?? 0;
  return seq > newest ? kept : kept.filter((e) => e.seq > seq);
}

/** One event as SSE: id, event name, and its JSON on one data line (JSON has no raw newlines). */
export function frame(event: WorkspaceEvent): string {
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(redactValue(event))}\n\n`;
}

/** The query (only `types`) and the Last-Event-ID header, checked. */
function streamRequest(request: FastifyRequest): StreamRequest {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(query).filter((k) => k !== "types");
  if (unknown.length) {
    throw new UsageError(`${EVENTS_PATH} takes no ${unknown.map((k) => `"${k}"`).join(", ")}.`, "It takes only types=TYPE,TYPE… in the query; the token goes in the Authorization header, never in the URL.");
  }
  const lastId = request.headers["last-event-id"];
  const raw = Array.isArray(lastId) ? lastId[0] : lastId;
  if (raw !== undefined && !/^\d+$/.test(raw.trim())) throw new UsageError(`Last-Event-ID must be the id of an event seen on this stream (a whole number), got "${raw}".`);
  return { types: parseTypes(query.types), after: raw === undefined ? undefined : Number(raw.trim()) };
}

/** `types=sync.done,drift.found` (or repeated): the set, or undefined for every type. */
export function parseTypes(value: unknown): ReadonlySet<EventType> | undefined {
  if (value === undefined) return undefined;
  const given = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(",")).map((t) => t.trim()).filter(Boolean);
  const known = new Set<string>(EVENT_TYPES);
  const bad = given.filter((t) => !known.has(t));
  if (bad.length) throw new UsageError(`Unknown event type${bad.length === 1 ? "" : "s"}: ${bad.join(", ")}.`, `Known types: ${EVENT_TYPES.join(", ")}.`, "unknown-event-type");
  if (!given.length) throw new UsageError("types is empty.", `Name one or more of: ${EVENT_TYPES.join(", ")} (or leave types out for all).`);
  return new Set(given as EventType[]);
}
