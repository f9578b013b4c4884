/**
 * Webhooks for runs that own their event bus (a shell command, a console
 * line, the natural-language face, an MCP tool call): the composition root
 * (context.ts) wraps the run's services with `withWebhooks`. Once the run has
 * opened the store (or emits more than its own start and progress) the
 * workspace's active webhooks are read once; with none, the
 * run listens no further and loads nothing more. With some, a dispatcher
 * (observability/webhooks.ts) delivers the run's events in the background.
 * When the run's services close — after the answer was printed — a run that
 * may be followed by the process's end starts no more retries, waits a short
 * bounded time for the attempts in flight (PROXMOX_MPC_WEBHOOK_EXIT_WAIT_MS,
 * 2 s), records what could not be sent as gave-up, then closes the store. A long-lived face that keeps one store
 * (MCP) does not wait: its process goes on, and so do the deliveries.
 */
import type { EventBus, WorkspaceEvent } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import type { Workspace } from "../core/workspace.js";
import type { WebhookDispatcher } from "../observability/webhooks.js";
import type { Services } from "./services.js";

/** The services of a run whose events reach the workspace's webhooks. */
export function withWebhooks(events: EventBus, services: Services, scope: { workspace: Workspace | undefined; log: Logger; env: NodeJS.ProcessEnv; waitAtClose: boolean }): Services {
  const ws = scope.workspace;
  if (!ws) return services;
  let dispatcher: Promise<{ dispatcher: WebhookDispatcher; exitWaitMs: number } | undefined> | undefined;
  const start = async () => {
    const store = await services.store();
    const targets = await store.webhooks.targets();
    if (!targets.length) return undefined;
    const { WebhookDispatcher, webhookSettings } = await import("../observability/webhooks.js");
    const settings = webhookSettings(scope.env);
    const log = { targets: async () => targets, recordDelivery: (d: Parameters<typeof store.webhooks.recordDelivery>[0]) => store.webhooks.recordDelivery(d) };
    return { dispatcher: new WebhookDispatcher({ log, workspace: ws.name, logger: scope.log, settings, refreshMs: Infinity }), exitWaitMs: settings.exitWaitMs };
  };
  // Reading the webhooks costs the store: only a run that opens it anyway (or has more to tell than its own
  // start and progress) reads them; `__complete` on a Tab press, `logs`, `completion` never do.
  let storeUsed = false;
  const queued: WorkspaceEvent[] = [];
  const begin = () => {
    const started = start().catch((err: unknown) => {
      scope.log.warn({ err: err instanceof Error ? err.message : String(err) }, "webhooks could not be read");
      return undefined;
    });
    dispatcher = started;
    void started.then((d) => (d ? undefined : stop()));
    // In the order emitted: each waits for the same one start.
    for (const event of queued.splice(0)) void started.then((d) => d?.dispatcher.handle(event));
  };
  let unsubscribe: (() => void) | undefined = events.subscribe((event: WorkspaceEvent) => {
    if (dispatcher) return void dispatcher.then((d) => d?.dispatcher.handle(event));
    queued.push(event);
    if (storeUsed || !event.type.startsWith("operation.")) begin();
  });
  const stop = () => {
    unsubscribe?.();
    unsubscribe = undefined;
  };
  return {
    ...services,
    store() {
      storeUsed = true;
      return services.store();
    },
    async close() {
      stop();
      if (!dispatcher && storeUsed && queued.length) begin();
      const d = scope.waitAtClose ? await dispatcher : undefined;
      if (d) {
        const unsent = await d.dispatcher.settle(d.exitWaitMs, "the command ended");
        if (unsent) scope.log.warn({ unsent }, "webhook attempts not finished when the run ended (recorded as gave-up)");
      }
      await services.close();
    },
  };
}
