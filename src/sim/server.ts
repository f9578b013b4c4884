/**
 * The HTTP(S) face of the simulator: reads requests under /api2/json, adds
 * latency, injects faults, hands the request to the router and writes PVE's
 * envelope ({"data": …}, errors in the reason phrase and `message`).
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { SimCluster } from "./cluster.js";
import type { FaultInjector } from "./faults.js";
import { PveHttpError, reasonPhrase } from "./pve-error.js";
import type { ApiOutcome, Router } from "./router.js";

/** Counters of served requests. */
export interface ServerStats {
  requests: number;
  handlerMicros: number;
}

/** What the HTTP layer needs. */
export interface HttpDeps {
  router: Router;
  cluster: SimCluster;
  faults: FaultInjector;
  latencyMs: number;
  authFailDelayMs: number;
  stats: ServerStats;
}

const API_PREFIX = "/api2/json";
const MAX_BODY = 4 * 1024 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new PveHttpError(413, "Request Entity Too Large"));
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Query string and body (form or JSON) as wire values; the body wins. */
export function parseParams(query: URLSearchParams, body: string, contentType: string | undefined): Record<string, string | boolean> {
  const params: Record<string, string | boolean> = {};
  for (const [k, v] of query) params[k] = v;
  if (!body.trim()) return params;
  if (/application\/json/i.test(contentType ?? "")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new PveHttpError(400, "malformed JSON string");
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new PveHttpError(400, "malformed JSON string - expected an object");
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (v === null || v === undefined) continue;
      params[k] = typeof v === "boolean" ? v : typeof v === "string" ? v : typeof v === "number" ? String(v) : JSON.stringify(v);
    }
    return params;
  }
  for (const [k, v] of new URLSearchParams(body)) params[k] = v;
  return params;
}

function send(res: http.ServerResponse, status: number, message: string | undefined, body: Record<string, unknown> | string): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.statusCode = status;
  if (message !== undefined) res.statusMessage = reasonPhrase(message);
  res.setHeader("Content-Type", "application/json;charset=UTF-8");
  res.setHeader("Content-Length", Buffer.byteLength(text));
  res.setHeader("Cache-Control", "max-age=0");
  res.setHeader("Pragma", "no-cache");
  res.setHeader("Server", "pve-api-daemon/3.0");
  res.end(text);
}

function sendOutcome(res: http.ServerResponse, outcome: ApiOutcome): void {
  if (outcome.ok) {
    if (outcome.raw !== undefined) send(res, 200, "OK", `{"data":${outcome.raw}}`);
    else send(res, 200, "OK", { ...(outcome.extra ?? {}), data: outcome.data });
    return;
  }
  const err = outcome.error;
  const body: Record<string, unknown> = { data: null, message: `${err.message}\n` };
  if (err.errors) body.errors = err.errors;
  send(res, err.status, err.message, body);
}

const header = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The request listener. */
export function createListener(deps: HttpDeps): http.RequestListener {
  return (req, res) => {
    void (async () => {
      deps.stats.requests++;
      try {
        const body = await readBody(req);
        if (deps.latencyMs > 0) await sleep(deps.latencyMs);
        const started = process.hrtime.bigint();
        try {
          const fault = deps.faults.next(deps.cluster.takeFault(req.url));
          if (fault?.kind === "drop") {
            req.socket.destroy();
            return;
          }
          if (fault) {
            send(res, fault.kind as number, fault.message, { data: null, message: `${fault.message}\n` });
            return;
          }
          const url = new URL(req.url ?? "/", "http://sim");
          if (url.pathname !== API_PREFIX && !url.pathname.startsWith(`${API_PREFIX}/`)) {
            send(res, 404, "Not Found", { data: null, message: "Not Found\n" });
            return;
          }
          const outcome = await deps.router.handle({
            method: req.method ?? "GET",
            path: url.pathname.slice(API_PREFIX.length) || "/",
            authorization: req.headers.authorization,
            cookie: req.headers.cookie,
            csrfToken: header(req.headers.csrfpreventiontoken),
            params: parseParams(url.searchParams, body, req.headers["content-type"]),
          });
          if (!outcome.ok && outcome.authFailure && deps.authFailDelayMs > 0) await sleep(deps.authFailDelayMs);
          sendOutcome(res, outcome);
        } finally {
          deps.stats.handlerMicros += Number(process.hrtime.bigint() - started) / 1000;
        }
      } catch (err) {
        const e = err instanceof PveHttpError ? err : new PveHttpError(500, err instanceof Error ? err.message : String(err));
        if (!res.headersSent) sendOutcome(res, { ok: false, error: e });
      }
    })();
  };
}

/** Create and start the server; resolves with the bound port. */
export async function listen(
  listener: http.RequestListener,
  opts: { host: string; port: number; tls?: { key: string; cert: string } },
): Promise<{ server: http.Server; port: number }> {
  const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, listener) : http.createServer(listener);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
