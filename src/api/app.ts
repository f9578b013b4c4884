/**
 * The HTTP server of `serve` (Fastify): the routes of routes.ts, each behind
 * a bearer token of the store with the route's role (401 without a valid
 * token, 403 with too low a role, never data on either), the command run
 * through the one runner (run.ts), its result in one JSON envelope with
 * secrets removed; long runs answer 202 and are followed at
 * /api/v1/operations/{id}; the OpenAPI document and its page.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { COMMANDS } from "../commands/registry.js";
import { remoteDefaults } from "../commands/remote.js";
import { toCommandInput } from "../commands/schema.js";
import { asProxmoxMpcError, UsageError } from "../core/errors.js";
import type { EventBus } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import { redactedJson } from "../core/redact.js";
import type { Workspace } from "../core/workspace.js";
import type { Store } from "../state/store.js";
import { DOCS_PAGE } from "./docs.js";
import { registerEvents } from "./events.js";
import { registerHooks } from "./hooks.js";
import { openApiDocument } from "./openapi.js";
import { allows, roleFor, type Role } from "./roles.js";
import { API_PREFIX, apiRoutes, fastifyPath, fromQuery, routeInputSchema, runsLong, type ApiRoute } from "./routes.js";
import { registerMcp } from "./mcp.js";
import { registerMetrics } from "./metrics.js";
import { registerWeb } from "./web.js";
import { createRunner, NeedsConfirmation, type ApiRun, type ApiRunner } from "./run.js";
import { FailedAuthLimiter } from "./rate-limit.js";

export interface ApiAppInput {
  workspace: Workspace;
  version: string;
  env: NodeJS.ProcessEnv;
  /** Aborted when the server stops: runs in flight end as on Ctrl-C. */
  signal: AbortSignal;
  log: Logger;
  store: () => Promise<Store>;
  /** --context of the run that started the server. */
  context?: string;
  /** The server's one event bus: every run emits on it; the event stream, webhooks and metrics listen. */
  events: EventBus;
  /** serve --cert/--key: HTTPS with this certificate (PEM, its chain after it) and private key. */
  tls?: { cert: Buffer; key: Buffer };
  /** `serve --trust-proxy`: the reverse proxies whose X-Forwarded-For names the client. */
  trustProxy?: string[];
}

/** The answer of every command route. */
export interface Envelope {
  ok: boolean;
  command: string;
  correlationId?: string;
  exitCode?: number;
  data?: unknown;
  text?: string;
  shown?: string[];
  status?: "running" | "ok" | "failed" | "cancelled";
  operation?: string;
  confirmationRequired?: boolean;
  question?: string;
  wouldDo?: string[];
  howToConfirm?: string;
  error?: { code: string; message: string; hint?: string };
}

/** A run answered with 202, kept for GET /api/v1/operations/{id}. */
interface Tracked {
  id: string;
  command: string;
  status: "running" | "ok" | "failed" | "cancelled";
  startedAt: string;
  finishedAt?: string;
  result?: Envelope;
}

const MAX_TRACKED = 500;

/** Who called: the token's name and role, and the client's address. */
export interface ApiCaller {
  role: Role;
  name: string;
  /** The client's address (request.ip). */
  source: string;
}

/**
 * What a part of the server registered beside the command routes (its own file: the event
 * stream, metrics, hooks, the dashboard…) gets: the app's input, the one way to check a token,
 * the one way to answer (JSON, secrets removed), and the runner of commands.
 */
export interface ApiKit {
  input: ApiAppInput;
  /** The caller, or undefined when a 401/403 (or 429: too many wrong tokens) was already sent. */
  authenticate(request: FastifyRequest, reply: FastifyReply, needed: Role): Promise<ApiCaller | undefined>;
  send(reply: FastifyReply, status: number, body: unknown): FastifyReply;
  runner: ApiRunner;
  /** Keep a started run for GET /api/v1/operations/{id} (and for shutdown); the path to answer 202 with. */
  follow(command: string, correlationId: string, done: Promise<ApiRun>): string;
}

export interface ApiApp {
  app: FastifyInstance;
  /** Runs answered with 202 still going (the server waits for them, or cancels them, when it stops). */
  running(): Promise<unknown>[];
}

export function createApiApp(input: ApiAppInput): ApiApp {
  // Behind a trusted reverse proxy, request.ip is the client X-Forwarded-For names (audit, rate limits).
  const options = { logger: false, bodyLimit: 1 << 20, ...(input.trustProxy?.length ? { trustProxy: input.trustProxy } : {}) };
  // With TLS the raw server is an https.Server; its requests and replies are node:http's as without: one instance type.
  const app = input.tls ? (Fastify({ ...options, https: input.tls }) as unknown as FastifyInstance) : Fastify(options);
  const runner = createRunner({ ...input, commands: COMMANDS });
  const tracked = new Map<string, Tracked>();
  const inFlight = new Set<Promise<unknown>>();
  const routes = apiRoutes(COMMANDS);
  let spec: unknown;

  const send = (reply: FastifyReply, status: number, body: unknown) => reply.code(status).type("application/json; charset=utf-8").send(redactedJson(body));
  const refuse = (reply: FastifyReply, status: 401 | 403, message: string) => {
    if (status === 401) reply.header("www-authenticate", 'Bearer realm="proxmox-mpc"');
    return send(reply, status, { ok: false, error: { code: status === 401 ? "unauthorized" : "forbidden", message } });
  };

  const limiter = new FailedAuthLimiter();
  /** The token's role, or the refusal already sent. */
  const authenticate = async (request: FastifyRequest, reply: FastifyReply, needed: Role): Promise<ApiCaller | undefined> => {
    const header = request.headers.authorization ?? "";
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    // Wrong tokens from this address: one sent again is refused from memory; after too many, none is checked until the window passes (rate-limit.ts).
    const verdict = m ? limiter.before(request.ip, m[1]) : { check: true as const };
    if (!verdict.check && verdict.status === 429) {
      const wait = verdict.retryAfter;
      await send(reply.header("retry-after", String(wait)), 429, { ok: false, error: { code: "rate-limited", message: `Too many wrong tokens from ${request.ip}: try again in ${wait} s.`, hint: "Check the token you send (proxmox-mpc token list)." } });
      return undefined;
    }
    const store = await input.store();
    const token = m && verdict.check ? await store.tokens.verify(m[1]) : undefined;
    if (!token) {
      if (m && verdict.check) limiter.failed(request.ip, m[1]);
      const inUrl = !m && /[?&](token|access_token|bearer)=/i.test(request.url);
      await refuse(
        reply,
        401,
        m
          ? "The token is not valid (unknown, expired or revoked)."
          : inUrl
            ? "A token in the URL is never accepted (URLs end up in logs and proxies): send it in the header Authorization: Bearer TOKEN."
            : "Send a token: Authorization: Bearer TOKEN (`proxmox-mpc token create NAME --role viewer`).",
      );
      return undefined;
    }
    if (m) limiter.succeeded(m[1]);
    void store.tokens.touch(token.name).catch(() => undefined);
    if (!allows(token.role, needed)) {
      await refuse(reply, 403, `This needs the ${needed} role; the token ${token.name} is ${token.role}.`);
      return undefined;
    }
    return { role: token.role, name: token.name, source: request.ip };
  };
  const follow = (command: string, correlationId: string, done: Promise<ApiRun>): string => {
    const entry: Tracked = { id: correlationId, command, status: "running", startedAt: new Date().toISOString() };
    remember(entry);
    const followed = done.then((run) => {
      const [, body] = answer(command, run);
      const code = run.error === undefined ? undefined : asProxmoxMpcError(run.error).code;
      entry.status = body.ok ? "ok" : code === "cancelled" || code === "aborted" ? "cancelled" : "failed";
      entry.finishedAt = new Date().toISOString();
      entry.result = body;
    });
    inFlight.add(followed);
    void followed.finally(() => inFlight.delete(followed));
    return `${API_PREFIX}/operations/${correlationId}`;
  };
  const kit: ApiKit = { input, authenticate, send, runner, follow };
  // Parts beside the command routes, each in its own file, registered with the kit (one line each).
  registerMetrics(app, kit);
  registerMcp(app, kit);
  registerEvents(app, kit);
  registerWeb(app, kit);
  registerHooks(app, kit);

  app.setNotFoundHandler((request, reply) => send(reply, 404, { ok: false, error: { code: "not-found", message: `No route ${request.method} ${request.url.split("?")[0]}.`, hint: "The routes are listed in /api/openapi.json and at /api/docs." } }));
  app.setErrorHandler((err: { statusCode?: number; message: string; code?: string }, _request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) input.log.error({ err }, "api request failed");
    return send(reply, status, { ok: false, error: { code: status === 500 ? "internal" : "bad-request", message: status === 500 ? "The server failed; see its log." : err.message } });
  });

  app.get("/api/openapi.json", async (_request, reply) => {
    spec ??= openApiDocument(routes, input.version);
    return send(reply, 200, spec);
  });
  app.get("/api/docs", async (_request, reply) => reply.type("text/html; charset=utf-8").header("content-security-policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'").send(DOCS_PAGE));

  app.get(`${API_PREFIX}/operations/:id`, async (request, reply) => {
    if (!(await authenticate(request, reply, "viewer"))) return reply;
    const { id } = request.params as { id: string };
    const known = tracked.get(id);
    if (known) return send(reply, 200, known);
    const store = await input.store();
    const [op] = await store.operations.list({ correlationId: id, limit: 1 });
    if (!op) return send(reply, 404, { ok: false, error: { code: "not-found", message: `No operation ${id}.`, hint: "GET /api/v1/operations lists them." } });
    const status = op.finishedAt === null ? "running" : op.result === "ok" ? "ok" : op.result === "cancelled" ? "cancelled" : "failed";
    return send(reply, 200, { id, command: op.command, status, startedAt: op.startedAt.toISOString(), finishedAt: op.finishedAt?.toISOString(), exitCode: op.exitCode, error: op.error ?? undefined });
  });

  // The token is checked as the request arrives, before its body is read: nothing but 401/403 without it.
  const callers = new WeakMap<FastifyRequest, ApiCaller>();
  for (const route of routes) {
    app.route({
      method: route.method,
      url: fastifyPath(route.path),
      onRequest: async (request, reply) => {
        const caller = await authenticate(request, reply, route.role);
        if (caller) callers.set(request, caller);
        return reply.sent ? reply : undefined;
      },
      handler: async (request, reply) => {
        const caller = callers.get(request);
        if (!caller) return refuse(reply, 401, "Send a token: Authorization: Bearer TOKEN.");
        return handle(route, caller, request, reply);
      },
    });
  }

  const handle = async (route: ApiRoute, caller: ApiCaller, request: FastifyRequest, reply: FastifyReply) => {
    const command = route.command;
    const given = route.method === "GET" ? fromQuery(route, (request.query ?? {}) as Record<string, unknown>) : (request.body ?? {});
    if (typeof given !== "object" || given === null || Array.isArray(given)) return send(reply, 400, { ok: false, command: command.name, error: { code: "usage", message: "The body must be a JSON object: the command's input (see /api/openapi.json)." } });
    let toolInput: Record<string, unknown>;
    let confirm = false;
    let commandInput;
    try {
      const params = (request.params ?? {}) as Record<string, string>;
      const fromPath = Object.fromEntries(Object.entries(route.params).map(([param, key]) => [key, (command.arguments ?? []).find((a) => a.name === key)?.variadic ? [params[param]] : params[param]]));
      const { confirm: c, ...rest } = checkInput(route, given as Record<string, unknown>, { ...route.fixed, ...fromPath });
      confirm = c === true;
      toolInput = { ...remoteDefaults(command), ...rest, ...route.fixed, ...fromPath };
      commandInput = toCommandInput(command, toolInput);
    } catch (err) {
      const e = asProxmoxMpcError(err);
      return send(reply, 400, { ok: false, command: command.name, exitCode: 2, error: { code: e.code, message: e.message, hint: e.hint } });
    }
    const needed = roleFor(command, commandInput) ?? "admin";
    if (!allows(caller.role, needed)) return refuse(reply, 403, `This call needs the ${needed} role; the token ${caller.name} is ${caller.role}.`);

    const long = route.kind !== "read" && runsLong(command, toolInput) && (route.kind !== "destructive" || confirm);
    const { ctx, done } = runner.start(command, commandInput, { confirm, read: route.kind === "read", caller: { principal: caller.name, role: caller.role, source: caller.source } });
    if (!long) {
      const [status, body] = answer(command.name, await done);
      return send(reply, status, body);
    }
    const where = follow(command.name, ctx.correlationId, done);
    reply.header("location", where);
    return send(reply, 202, { ok: true, command: command.name, correlationId: ctx.correlationId, status: "running", operation: where } satisfies Envelope);
  };

  const remember = (entry: Tracked) => {
    tracked.set(entry.id, entry);
    if (tracked.size > MAX_TRACKED) {
      for (const [id, t] of tracked) {
        if (t.status !== "running") {
          tracked.delete(id);
          break;
        }
      }
    }
  };

  return { app, running: () => [...inFlight] };
}

/** The route's input checked against its schema; a refusal worded as the command line words it. */
function checkInput(route: ApiRoute, given: Record<string, unknown>, fromPath: Record<string, unknown>): Record<string, unknown> {
  const checked = routeInputSchema(route).safeParse(given);
  if (checked.success) return checked.data as Record<string, unknown>;
  const issue = checked.error.issues[0];
  if (issue?.code === "unrecognized_keys") {
    const known = Object.keys(routeInputSchema(route).shape);
    throw new UsageError(`${route.method} ${route.path} takes no ${issue.keys.map((k) => `"${k}"`).join(", ")}.`, known.length ? `It takes: ${known.join(", ")}.` : "It takes no input.");
  }
  const { confirm: _confirm, ...asTool } = given;
  toCommandInput(route.command, { ...asTool, ...fromPath }); // throws the command's own wording when it has one
  throw new UsageError(issue?.message ?? `Invalid input for ${route.command.name}.`);
}

/** The HTTP status and envelope of a finished run. */
function answer(command: string, run: ApiRun): [number, Envelope] {
  const base = { command, correlationId: run.correlationId };
  if (run.result) {
    const exitCode = run.result.exitCode ?? 0;
    const r = run.result;
    const shown = run.shown.length ? run.shown : undefined;
    return [200, { ok: exitCode === 0, ...base, exitCode, data: r.kind === "data" ? r.data : undefined, text: r.kind === "data" || r.kind === "message" ? r.text : undefined, shown }];
  }
  if (run.error instanceof NeedsConfirmation) {
    const how = 'Nothing was done. Send the same request again with "confirm": true to go ahead.';
    return [409, { ok: false, ...base, exitCode: 2, confirmationRequired: true, question: run.error.question, wouldDo: run.error.wouldDo, howToConfirm: how }];
  }
  const e = asProxmoxMpcError(run.error);
  const status = e.exitCode === 2 ? (/not-found$|^unknown-/.test(e.code) ? 404 : e.code === "not-allowed" ? 403 : 400) : e.code === "cancelled" ? 503 : 500;
  return [status, { ok: false, ...base, exitCode: e.exitCode, shown: run.shown.length ? run.shown : undefined, error: { code: e.code, message: e.message, hint: e.hint } }];
}
