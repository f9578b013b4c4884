/**
 * The webhook dispatcher: listens on a workspace event bus and POSTs each
 * event a webhook subscribed to (by name, or `*`) as JSON
 * `{id, type, at, correlationId, workspace, data}`, signed with the webhook's
 * secret: `X-Proxmox-MPC-Signature-256: sha256=<hex HMAC-SHA256(secret,
 * timestamp + "." + body)>` with the timestamp (Unix seconds) in
 * `X-Proxmox-MPC-Timestamp` (docs/webhooks.md). Each attempt has a timeout;
 * 2xx is delivered, 408/429/5xx and network failures are retried with
 * exponential backoff, any other answer gives up at once; every attempt is
 * written to the delivery log. Nothing here ever makes the emitter wait:
 * `handle` only starts a delivery. `settle` (a shell run about to exit, a
 * server stopping) starts no more retries, gives the attempts in flight a
 * short bounded time, and records what could not be sent as gave-up.
 */
import { createHmac } from "node:crypto";
import type { WorkspaceEvent } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import { redactString, registerSecret } from "../core/redact.js";
import type { WebhookDeliveryRecord, WebhookTarget } from "../state/webhook-repository.js";

/** How deliveries are tried. */
export interface WebhookSettings {
  /** Per attempt (default 10 s; PROXMOX_MPC_WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  /** Attempts in all (default 5; PROXMOX_MPC_WEBHOOK_ATTEMPTS). */
  attempts: number;
  /** Wait before the 2nd attempt, doubled before each next (default 1 s; PROXMOX_MPC_WEBHOOK_BACKOFF_MS, meant for tests). */
  backoffMs: number;
  /** How long a shell run (or `serve` stopping) waits at its end for the attempts in flight (default 2 s; PROXMOX_MPC_WEBHOOK_EXIT_WAIT_MS). */
  exitWaitMs: number;
}

/** The settings, from the environment where given (positive whole numbers; anything else keeps the default). */
export function webhookSettings(env: NodeJS.ProcessEnv): WebhookSettings {
  const read = (name: string, fallback: number, min: number): number => {
    const n = Number(env[name]);
    return env[name] !== undefined && Number.isInteger(n) && n >= min ? n : fallback;
  };
  return {
    timeoutMs: read("PROXMOX_MPC_WEBHOOK_TIMEOUT_MS", 10_000, 1),
    attempts: read("PROXMOX_MPC_WEBHOOK_ATTEMPTS", 5, 1),
    backoffMs: read("PROXMOX_MPC_WEBHOOK_BACKOFF_MS", 1_000, 0),
    exitWaitMs: read("PROXMOX_MPC_WEBHOOK_EXIT_WAIT_MS", 2_000, 0),
  };
}

/** What the dispatcher needs of the store (the webhook repository). */
export interface DeliveryLog {
  targets(): Promise<WebhookTarget[]>;
  recordDelivery(record: WebhookDeliveryRecord): Promise<void>;
}

/** An event as delivered: a workspace event, or the ping of `webhook test`. */
export type Deliverable = Pick<WorkspaceEvent, "id" | "at" | "correlationId" | "data"> & { type: string };

/** The result of one attempt. */
export interface AttemptResult {
  status: WebhookDeliveryRecord["status"];
  httpStatus: number | null;
  error: string | null;
  durationMs: number;
}

/** `sha256=<hex>` of HMAC-SHA256(secret, signed) — the one signature of both directions. */
export function signature(secret: string, signed: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(signed).digest("hex")}`;
}

/** What ended the deliveries: a shell run's command, or the server. */
export type Ending = "the command ended" | "the server stopped";

/** Why an attempt was not made, or not finished, when the deliveries ended (and what to do about it). */
function notSent(ending: Ending, target: WebhookTarget): string {
  const retries = ending === "the command ended" ? "a shell run makes no retries after its command; `serve` retries" : "the server makes no retries while it stops";
  return `not sent: ${ending} (${retries}); check the receiver with \`webhook test ${target.id}\``;
}

export class WebhookDispatcher {
  private readonly jobs = new Set<Promise<void>>();
  /** Aborted when settling starts: no more retries (their waits end at once). */
  private readonly ending = new AbortController();
  private endedBy: Ending = "the command ended";
  /** Aborted when settling's wait is over: the attempts still in flight are cut. */
  private readonly stop = new AbortController();
  private cached: { at: number; targets: Promise<WebhookTarget[]> } | undefined;

  constructor(
    private readonly options: {
      log: DeliveryLog;
      /** The workspace's name (in every payload). */
      workspace: string;
      logger: Logger;
      settings: WebhookSettings;
      /** How long the list of webhooks is reused (a server re-reads it; a shell run reads it once). */
      refreshMs: number;
    },
  ) {}

  /** Start delivering `event` to every webhook that wants it; returns at once. */
  handle(event: Deliverable): void {
    if (this.stop.signal.aborted) return;
    // A run another process made, read back from the store by the API server (api/store-watch.ts):
    // the process that ran it delivered its own events; delivering it here too would send it twice.
    if (event.data.origin === "store") return;
    const job = this.targets()
      .then((targets) => Promise.all(targets.filter((t) => t.events.includes("*") || t.events.includes(event.type)).map((t) => this.deliver(t, event))))
      .then(() => undefined)
      .catch((err: unknown) => this.options.logger.warn({ err: redactString(err instanceof Error ? err.message : String(err)), event: event.type }, "webhook deliveries could not start"));
    this.jobs.add(job);
    void job.finally(() => this.jobs.delete(job));
  }

  /** Listen on a bus until the returned function is called. */
  attach(bus: { subscribe(listener: (event: WorkspaceEvent) => void): () => void }): () => void {
    return bus.subscribe((event) => this.handle(event));
  }

  /** One attempt of a ping to `target`, recorded as attempt 1 (`webhook test`). */
  async ping(target: WebhookTarget, event: Deliverable): Promise<AttemptResult> {
    if (target.secret) registerSecret(target.secret);
    const result = await this.attempt(target, event, 1, true);
    await this.record(target, event, 1, result);
    return result;
  }

  /**
   * The end (`ending` says whose): no retry is started from now on (a delivery that failed is
   * recorded as gave-up at its next attempt); the attempts in flight get up to `waitMs`, then are
   * cut and recorded as gave-up. Later events are not delivered. The number of deliveries cut.
   */
  async settle(waitMs: number, ending: Ending = "the command ended"): Promise<number> {
    this.endedBy = ending;
    this.ending.abort();
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      Promise.allSettled([...this.jobs]).then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), waitMs))),
    ]);
    clearTimeout(timer);
    const left = waited ? 0 : this.jobs.size;
    this.stop.abort();
    await Promise.allSettled([...this.jobs]);
    return left;
  }

  private targets(): Promise<WebhookTarget[]> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > this.options.refreshMs) {
      const targets = this.options.log.targets().then((list) => {
        for (const t of list) registerSecret(t.secret ?? undefined); // never in a log line, an error or an answer
        return list;
      });
      this.cached = { at: now, targets };
      // A failed read is tried again by the next event.
      targets.catch(() => (this.cached?.targets === targets ? (this.cached = undefined) : undefined));
    }
    return this.cached.targets;
  }

  private async deliver(target: WebhookTarget, event: Deliverable): Promise<void> {
    const { attempts, backoffMs } = this.options.settings;
    for (let n = 1; n <= attempts; n++) {
      // The first attempt of an event handed over before the end is made (within the wait); no retry after it.
      if ((n > 1 && this.ending.signal.aborted) || this.stop.signal.aborted) return this.record(target, event, n, { status: "gave-up", httpStatus: null, error: notSent(this.endedBy, target), durationMs: 0 });
      const result = await this.attempt(target, event, n, n === attempts);
      await this.record(target, event, n, result);
      if (result.status !== "failed") return;
      await pause(backoffMs * 2 ** (n - 1), this.ending.signal);
    }
  }

  /** One POST; never throws. */
  private async attempt(target: WebhookTarget, event: Deliverable, n: number, last: boolean): Promise<AttemptResult> {
    const body = JSON.stringify({ id: event.id, type: event.type, at: event.at, correlationId: event.correlationId ?? null, workspace: this.options.workspace, data: event.data });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "proxmox-mpc-webhook",
      "x-proxmox-mpc-event": event.type,
      "x-proxmox-mpc-delivery": event.id,
      "x-proxmox-mpc-timestamp": timestamp,
      "x-proxmox-mpc-attempt": String(n),
    };
    if (target.secret) headers["x-proxmox-mpc-signature-256"] = signature(target.secret, `${timestamp}.${body}`);
    const started = performance.now();
    const took = () => Math.round(performance.now() - started);
    const timeout = AbortSignal.timeout(this.options.settings.timeoutMs);
    try {
      const res = await fetch(target.url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.any([timeout, this.stop.signal]) });
      await res.body?.cancel().catch(() => undefined);
      const code = res.status;
      if (code >= 200 && code < 300) return { status: "ok", httpStatus: code, error: null, durationMs: took() };
      const retry = code === 408 || code === 429 || code >= 500;
      const error = code >= 300 && code < 400 ? `HTTP ${code}: redirects are not followed` : `HTTP ${code}`;
      return { status: retry && !last ? "failed" : "gave-up", httpStatus: code, error, durationMs: took() };
    } catch (err) {
      if (this.stop.signal.aborted && !timeout.aborted) return { status: "gave-up", httpStatus: null, error: notSent(this.endedBy, target), durationMs: took() };
      const error = timeout.aborted ? `no answer within ${this.options.settings.timeoutMs} ms` : networkError(err);
      return { status: last ? "gave-up" : "failed", httpStatus: null, error, durationMs: took() };
    }
  }

  private async record(target: WebhookTarget, event: Deliverable, attempt: number, result: AttemptResult): Promise<void> {
    const { logger } = this.options;
    const level = result.status === "ok" ? "info" : "warn";
    logger[level]({ webhook: target.id, event: event.type, eventId: event.id, attempt, status: result.status, httpStatus: result.httpStatus ?? undefined, error: result.error ?? undefined }, "webhook delivery");
    try {
      await this.options.log.recordDelivery({ webhookId: target.id, eventId: event.id, event: event.type, attempt, ...result, createdAt: new Date() });
    } catch (err) {
      logger.warn({ webhook: target.id, err: redactString(err instanceof Error ? err.message : String(err)) }, "could not record a webhook delivery");
    }
  }
}

/** A network failure in a few words (the cause's code: ECONNREFUSED, ENOTFOUND …), secrets removed. */
function networkError(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  const text = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  return redactString(`network: ${text}`);
}

/** Wait `ms`, or less when the signal ends it. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
