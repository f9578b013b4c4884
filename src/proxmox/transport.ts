/**
 * One HTTP transport per client: token auth, TLS trust, a concurrency limit
 * shared by all calls, timeouts, and retries with jittered backoff where a
 * retry cannot repeat a change:
 *  - GET: on network errors, timeouts and 502/503/504/596 (with
 *    `serverErrors`, also on any other 5xx that is not "does not exist");
 *  - any method: on a lock timeout (PVE refused before starting the change);
 *  - never a 401 (PVE delays each on purpose), 403 or 400, never any other
 *    POST/PUT/DELETE failure.
 * How often and how patiently is a RetryPolicy: the transport's default, or
 * one per request (sync reads with more attempts and a shared RetryBudget).
 */
import http from "node:http";
import type { Logger } from "../core/logger.js";
import type { ConnectionSettings } from "./connection.js";
import { AbortedError, LockTimeoutError, ProxmoxApiError, ServerError, TlsError } from "./errors.js";
import { errorForNetwork, errorForStatus, type PveEnvelope } from "./http-errors.js";
import { send } from "./http.js";
import { Semaphore } from "./semaphore.js";
import { TrustingAgent } from "./tls.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";
export type ParamValue = string | number | boolean | undefined | null;
export type Params = Record<string, ParamValue>;

/** One finished HTTP exchange, reported to `onRequest` (conformance tests, benchmarks). */
export interface RequestRecord {
  method: HttpMethod;
  /** API path without /api2/json, e.g. /nodes/pve1/qemu/100/config */
  path: string;
  params: Params;
  status: number | undefined;
  attempt: number;
  durationMs: number;
  /** Response body bytes (0 when none arrived). */
  bytesIn: number;
  /** Request body bytes (the form of a POST/PUT; 0 for GET/DELETE, whose parameters are in the URL). */
  bytesOut: number;
}

export interface TransportOptions {
  settings: ConnectionSettings;
  /** Requests in flight at most (default 8). */
  concurrency?: number;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 3). */
  retries?: number;
  /** First backoff delay (default 250 ms), doubled each time, with jitter. */
  retryBaseMs?: number;
  /** This transport's retry policy (its fields win over `retries` and `retryBaseMs`). */
  retry?: RetryPolicy;
  log?: Logger;
  onRequest?: (record: RequestRecord) => void;
  userAgent?: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Retry policy of this request; its fields win over the transport's. */
  retry?: RetryPolicy;
}

/**
 * How failed requests are retried. Which failures may be retried is fixed
 * (see the module comment); the policy says how often and how patiently.
 */
export interface RetryPolicy {
  /** Attempts per request, the first included (default 4: `retries` + 1). */
  attempts?: number;
  /** First backoff delay in ms (default 250), doubled each attempt. */
  baseMs?: number;
  /** Cap of the backoff before jitter (default 5000 ms); a wait is 50–150 % of the capped value. */
  maxDelayMs?: number;
  /** Also retry a GET answered with any other 5xx that is not "does not exist" (default false). */
  serverErrors?: boolean;
  /** Retries shared by every request that carries it (one sync); once spent, failures are final. */
  budget?: RetryBudget;
}

/**
 * Retries shared by many requests: `min` + `ratio` × the requests started so
 * far. Under scattered faults every failure gets its retries; when most
 * requests fail (a server in trouble) retrying stops instead of multiplying
 * the load, and the caller gets the errors.
 */
export class RetryBudget {
  private started = 0;
  private spent = 0;
  /** Retries refused because the budget was spent. */
  refused = 0;

  constructor(private readonly limits: { min?: number; ratio?: number } = {}) {}

  /** Retries allowed so far. */
  get allowed(): number {
    return Math.floor((this.limits.min ?? 20) + (this.limits.ratio ?? 0.2) * this.started);
  }

  /** Retries taken so far. */
  get used(): number {
    return this.spent;
  }

  /** Count a request's first attempt (each widens the budget by `ratio`). */
  noteRequest(): void {
    this.started++;
  }

  /** Take one retry; false (and counted as refused) when none is left. */
  take(): boolean {
    if (this.spent >= this.allowed) {
      this.refused++;
      return false;
    }
    this.spent++;
    return true;
  }
}

const RETRY_GET_STATUSES = new Set([502, 503, 504, 596]);

/** Sends API requests; see the module comment for the retry policy. */
export class Transport {
  private readonly limit: Semaphore;
  private readonly agent: http.Agent;
  readonly timeoutMs: number;
  /** HTTP requests sent so far (retries included). */
  requests = 0;

  constructor(private readonly opts: TransportOptions) {
    this.limit = new Semaphore(opts.concurrency ?? 8);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    const maxSockets = opts.concurrency ?? 8;
    this.agent = opts.settings.baseUrl.startsWith("https:") ? new TrustingAgent(opts.settings.tls, { maxSockets }) : new http.Agent({ keepAlive: true, maxSockets });
  }

  get baseUrl(): string {
    return this.opts.settings.baseUrl;
  }

  /** Requests this transport sends at once at most. */
  get concurrency(): number {
    return this.opts.concurrency ?? 8;
  }

  /** Send one request and return PVE's `data`. */
  async request<T>(method: HttpMethod, path: string, params: Params = {}, options: RequestOptions = {}): Promise<T> {
    const policy = this.policy(options.retry);
    policy.budget?.noteRequest();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.limit.run(() => this.once<T>(method, path, params, attempt, options.signal));
      } catch (err) {
        const error = err as ProxmoxApiError;
        if (attempt >= policy.attempts || !shouldRetry(method, error, policy.serverErrors) || policy.budget?.take() === false) throw error;
        const delay = retryDelay(attempt, policy.baseMs, policy.maxDelayMs);
        this.opts.log?.debug({ method, path, attempt, delayMs: delay, error: error.code }, "retrying request");
        await sleep(delay, options.signal, method, path);
      }
    }
  }

  /** The effective policy: the request's fields, else the transport's, else the defaults. */
  private policy(request: RetryPolicy | undefined): Required<Omit<RetryPolicy, "budget">> & Pick<RetryPolicy, "budget"> {
    const base = this.opts.retry;
    return {
      attempts: request?.attempts ?? base?.attempts ?? (this.opts.retries ?? 3) + 1,
      baseMs: request?.baseMs ?? base?.baseMs ?? this.opts.retryBaseMs ?? 250,
      maxDelayMs: request?.maxDelayMs ?? base?.maxDelayMs ?? 5_000,
      serverErrors: request?.serverErrors ?? base?.serverErrors ?? false,
      budget: request?.budget ?? base?.budget,
    };
  }

  /** Release sockets (keep-alive). */
  close(): void {
    this.agent.destroy();
  }

  private async once<T>(method: HttpMethod, path: string, params: Params, attempt: number, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw new AbortedError(`Cancelled before ${method} ${path}.`, { method, path, code: "aborted" });
    this.requests++;
    const started = performance.now();
    const encoded = encodeParams(params).toString();
    const inQuery = method === "GET" || method === "DELETE";
    const url = new URL(`${this.opts.settings.baseUrl}/api2/json${encodePath(path)}${inQuery && encoded ? `?${encoded}` : ""}`);
    // Built per request and never stored: the header carries the token secret.
    const headers: Record<string, string> = {
      Authorization: `PVEAPIToken=${this.opts.settings.token.id}=${this.opts.settings.token.secret}`,
      "User-Agent": this.opts.userAgent ?? "proxmox-mpc",
      Accept: "application/json",
    };
    if (!inQuery) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      headers["Content-Length"] = String(Buffer.byteLength(encoded));
    }
    let status: number | undefined;
    let bytesIn = 0;
    try {
      const response = await send({ url, method, headers, body: inQuery ? undefined : encoded, agent: this.agent, timeoutMs: this.timeoutMs, signal });
      status = response.status;
      bytesIn = response.bytes;
      const body = parseBody(response.body);
      if (status >= 400 || status < 200) {
        throw errorForStatus(status, response.statusText, body, method, path, this.baseUrl);
      }
      return (body?.data ?? null) as T;
    } catch (err) {
      if (err instanceof ProxmoxApiError) throw err;
      throw this.translate(err, method, path, signal);
    } finally {
      const durationMs = performance.now() - started;
      this.opts.onRequest?.({ method, path, params, status, attempt, durationMs, bytesIn, bytesOut: inQuery ? 0 : Buffer.byteLength(encoded) });
      // Names of the parameters only, never their values or the headers (the token).
      this.opts.log?.debug({ phase: "api.request", method, path, params: Object.keys(params), status, attempt, durationMs: Math.round(durationMs) }, "api request");
    }
  }

  private translate(err: unknown, method: string, path: string, signal?: AbortSignal): ProxmoxApiError {
    if (signal?.aborted) return new AbortedError(`Cancelled: ${method} ${path} was abandoned.`, { method, path, code: "aborted" });
    let cause: unknown = err;
    for (let i = 0; i < 5 && cause; i++) {
      if (cause instanceof ProxmoxApiError) {
        if (cause instanceof TlsError) return new TlsError(cause.message, { method, path, code: cause.code, hint: cause.hint }, cause.serverFingerprint);
        return cause;
      }
      cause = (cause as { cause?: unknown }).cause;
    }
    const e = err as { code?: string; message?: string };
    return errorForNetwork(e.code, e.message ?? String(err), method, path, this.baseUrl, this.timeoutMs);
  }
}

function shouldRetry(method: HttpMethod, error: ProxmoxApiError, serverErrors: boolean): boolean {
  if (error instanceof LockTimeoutError) return true;
  if (method !== "GET") return false;
  // ServerError is a 5xx that is not "does not exist" (NotFoundError), 501 or a proxy error.
  if (serverErrors && error instanceof ServerError) return true;
  if (error.status !== undefined) return RETRY_GET_STATUSES.has(error.status);
  return error.code === "network" || error.code === "timeout";
}

/** The wait after failed attempt `attempt` (1-based): base × 2^(attempt-1), capped at maxDelayMs, then jittered to 50–150 %. */
export function retryDelay(attempt: number, baseMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const exp = Math.min(baseMs * 2 ** (attempt - 1), maxDelayMs);
  return Math.round(exp * (0.5 + random()));
}

function sleep(ms: number, signal: AbortSignal | undefined, method: string, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError(`Cancelled: ${method} ${path}.`, { method, path, code: "aborted" }));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError(`Cancelled: ${method} ${path}.`, { method, path, code: "aborted" }));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Form/query encoding as PVE expects: booleans as 1/0, absent values skipped. */
export function encodeParams(params: Params): URLSearchParams {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    out.append(key, typeof value === "boolean" ? (value ? "1" : "0") : String(value));
  }
  return out;
}

/** Encode each path segment (UPIDs contain ':' and '@', volids contain ':' and '/'). */
function encodePath(path: string): string {
  return path
    .split("/")
    .map((segment) => encodeURIComponent(decodeURIComponent(segment)))
    .join("/");
}

function parseBody(text: string | undefined): PveEnvelope | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as PveEnvelope;
  } catch {
    return undefined;
  }
}
