/**
 * `proxmox-mpc serve` as a process: the workspace's REST API on host:port.
 * The first start makes an admin token and prints it once, on the first
 * line: `listening on URL token TOKEN` (later starts: `token (existing)`).
 * Runs until the signal (SIGINT/SIGTERM): runs in flight are cancelled as on
 * Ctrl-C (they stop between steps, recorded as cancelled), the server waits
 * for them and for the answers in flight, then closes the store and the log.
 */
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { UsageError } from "../core/errors.js";
import { EventBus } from "../core/events.js";
import { registerSecret } from "../core/redact.js";
import type { ServeOptions } from "../core/result.js";
import { databaseUrl, loadWorkspace } from "../core/workspace.js";
import { faceLogger } from "../observability/log-files.js";
import { WebhookDispatcher, webhookSettings } from "../observability/webhooks.js";
import type { Store } from "../state/store.js";
import { createApiApp } from "./app.js";
import { watchStore, type StoreWatch } from "./store-watch.js";

export interface ApiServeRequest {
  root: string;
  options: ServeOptions;
  env: NodeJS.ProcessEnv;
  globals: { debug: boolean; context?: string };
  version: string;
  signal: AbortSignal;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** The name of the token the first start makes. */
export const FIRST_TOKEN = "admin";

/** Serve until the signal ends it; the exit code. */
export async function serveApi(request: ApiServeRequest): Promise<number> {
  const ws = await loadWorkspace(request.root);
  const { log, file } = faceLogger(ws, "api", request.globals.debug, request.stderr);
  const { openStore } = await import("../state/store.js");
  let store: Store | undefined;
  let watch: StoreWatch | undefined;
  try {
    store = await openStore({ url: databaseUrl(ws, request.env), readOnly: true });
    const opened = store;
    const events = new EventBus();
    // Outbound webhooks: one dispatcher on the server's one bus (the list of webhooks re-read at most once a second).
    const hookSettings = webhookSettings(request.env);
    const webhooks = new WebhookDispatcher({ log: opened.webhooks, workspace: ws.name, logger: log, settings: hookSettings, refreshMs: 1000 });
    webhooks.attach(events);
    // serve --cert/--key (checked by the command): HTTPS.
    const given = request.options.tls;
    const tls = given ? { cert: readFileSync(given.cert), key: readFileSync(given.key) } : undefined;
    const { app, running } = createApiApp({ workspace: ws, version: request.version, env: request.env, signal: request.signal, log, store: async () => opened, context: request.globals.context, events, tls, trustProxy: request.options.trustProxy });
    // Other processes' runs on this workspace (CLI, console, cron, another serve) read from the store onto the bus.
    watch = watchStore({ store: async () => opened, events, log });
    try {
      await app.listen({ host: request.options.host, port: request.options.port ?? 8080 });
    } catch (err) {
      throw listenError(err, request.options.host, request.options.port ?? 8080);
    }
    // The first admin token is made once the server listens: a start that fails never swallows it unseen.
    let token = "(existing)";
    if (!(await opened.tokens.list()).length) {
      const made = await opened.tokens.create(FIRST_TOKEN, "admin");
      registerSecret(made.token); // printed once, below; never in a log line or an answer
      token = made.token;
    }
    const port = (app.server.address() as AddressInfo).port;
    const host = request.options.host.includes(":") ? `[${request.options.host}]` : request.options.host;
    const url = `${tls ? "https" : "http"}://${host}:${port}`;
    log.info({ url }, "api server listening");
    request.stdout.write(`listening on ${url} token ${token}\n`);
    await new Promise<void>((resolve) => {
      if (request.signal.aborted) resolve();
      request.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    const inFlight = running().length;
    log.info({ running: inFlight }, "api server stopping");
    request.stderr.write(inFlight ? `Stopping: ${inFlight} run${inFlight === 1 ? "" : "s"} in flight stop between steps (recorded as cancelled)…\n` : "Stopping…\n");
    await Promise.allSettled(running());
    await app.close();
    await webhooks.settle(hookSettings.exitWaitMs, "the server stopped");
    log.info("api server stopped");
    request.stderr.write("Stopped.\n");
    return 0;
  } finally {
    await watch?.stop(); // before the store closes: a read in flight finishes first
    await store?.close();
    file.close();
  }
}

/** A port in use or not allowed: a usage error naming it (exit 2), not a failure to report. */
function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") return new UsageError(`Port ${port} on ${host} is in use by another program.`, "Stop it, or choose another port: --port 8081 (or --port 0 for a free one).", "port-in-use");
  if (code === "EACCES") return new UsageError(`Listening on port ${port} is not allowed for this user.`, "Use a port above 1023 (e.g. --port 8080), or put a reverse proxy in front (docs/api.md).", "port-not-allowed");
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") return new UsageError(`${host} is not an address of this machine.`, "Use --host 127.0.0.1, 0.0.0.0 or one of this host's addresses.", "bad-host");
  return err;
}
