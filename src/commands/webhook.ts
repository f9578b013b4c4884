/**
 * `webhook add|list|remove|deliveries|test`: outbound webhooks (docs/webhooks.md).
 * A webhook receives the workspace's events it subscribed to as signed JSON
 * POSTs, from `serve` and from every shell run (a `sync` from cron too). Its
 * secret comes from an environment variable or is generated and shown once;
 * `--secret S` works but warns (shell history). Removed webhooks are kept,
 * disabled, so their delivery log stays readable.
 */
import { randomUUID } from "node:crypto";
import { ProxmoxMpcError, UsageError } from "../core/errors.js";
import { EVENT_TYPES } from "../core/events.js";
import type { WebhookDeliveryRecord, WebhookInfo } from "../state/webhook-repository.js";
import { requireWorkspace } from "./context.js";
import { defineCommand } from "./define.js";
import { when } from "./named-items.js";
import { flag, defineOptions, number, text } from "./options.js";
import type { CommandContext, CommandResult } from "./types.js";
import { declined } from "../core/result.js";

const ACTIONS = ["add", "list", "remove", "deliveries", "test"] as const;
type Action = (typeof ACTIONS)[number];


/** The URL as shown: a password and query values (tokens of chat services live there) replaced. */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    for (const key of [...u.searchParams.keys()]) u.searchParams.set(key, "***");
    return u.toString();
  } catch {
    return url;
  }
}

/** The parts of a webhook URL that may hold its token: the path with the query, and the password. */
export function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const path = `${u.pathname}${u.search}`;
    return [...(path.length > 1 ? [path] : []), ...(u.password ? [decodeURIComponent(u.password)] : [])];
  } catch {
    return [];
  }
}

/** An http(s) URL, or a UsageError saying what is wrong. */
export function checkUrl(url: string | undefined): string {
  if (!url) throw new UsageError("webhook add needs the receiver's URL.", "e.g. proxmox-mpc webhook add https://ci.example.com/hooks/pmpc --events sync.changed,drift.found");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`"${url}" is not a URL.`, "Give a full http:// or https:// URL, e.g. https://ci.example.com/hooks/pmpc", "webhook-url");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new UsageError(`A webhook URL must be http:// or https://, got ${parsed.protocol}//.`, "e.g. https://ci.example.com/hooks/pmpc", "webhook-url");
  return parsed.toString();
}

/** The event names of --events: known ones or `*`; an unknown one is refused, listing the known. */
export function checkEvents(given: string | undefined): string[] {
  const names = [...new Set((given ?? "").split(",").map((s) => s.trim()).filter(Boolean))];
  const known = `Known events: ${EVENT_TYPES.join(", ")} (or * for all).`;
  if (!names.length) throw new UsageError("webhook add needs --events: the events to send.", `e.g. --events sync.changed,drift.found,apply.done,health.failed. ${known}`);
  const unknown = names.filter((n) => n !== "*" && !(EVENT_TYPES as readonly string[]).includes(n));
  if (unknown.length) throw new UsageError(`Unknown event${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}.`, known, "unknown-event");
  return names.includes("*") ? ["*"] : names;
}

const OPTIONS = defineOptions({
  events: text("--events <names>", "comma-separated events to send, or * (add)"),
  secretEnv: text("--secret-env <VAR>", "sign with the secret in this environment variable (add)"),
  generateSecret: flag("--generate-secret", "sign with a new random secret, shown once (add)"),
  secret: text("--secret <secret>", "sign with this secret (add; it stays in your shell history: prefer --secret-env)"),
  all: flag("--all", "list removed webhooks too (list)"),
  limit: number("--limit <n>", "how many attempts to show, newest (deliveries; default 50)", { int: true, min: 1, max: 10_000 }),
});

export const webhookCommand = defineCommand({
  name: "webhook",
  summary: "Send the workspace's events to other systems: add, list, remove webhooks, their deliveries, a test",
  description:
    "A webhook receives the events it names (sync.changed, drift.found, apply.done, health.failed … or *) as JSON POSTs signed with HMAC-SHA256 (X-Proxmox-MPC-Signature-256), from `serve` and from shell runs. `serve` retries failed deliveries with backoff (a shell run makes one attempt per event and does not wait for retries at exit); every attempt is logged (`webhook deliveries`). See docs/webhooks.md.",
  examples: [
    "proxmox-mpc webhook add https://ci.example.com/hooks/pmpc --events sync.changed,drift.found,apply.done,health.failed --generate-secret",
    "WEBHOOK_SECRET=… proxmox-mpc webhook add https://chat.example.com/in --events '*' --secret-env WEBHOOK_SECRET",
    "proxmox-mpc webhook list",
    "proxmox-mpc webhook test wh_3kQ9x2LmPa",
    "proxmox-mpc webhook deliveries wh_3kQ9x2LmPa --limit 20 -o json",
    "proxmox-mpc webhook remove wh_3kQ9x2LmPa --yes",
  ],
  arguments: [
    { name: "action", description: "add, list, remove, deliveries or test", required: true, choices: ACTIONS },
    { name: "target", description: "the URL (add) or the webhook's id (remove, test, deliveries)" },
  ],
  options: OPTIONS,
  workspace: "required",
  mcp: { tool: false, why: "manages where the workspace's events go; a generated secret is shown once, to the person who makes it at a terminal" },
  // Chat services (Slack, Discord, Teams) keep the token in the URL's path: never in a log line, an operation or the audit.
  secrets: (input) => (input.args[0] === "add" && input.args[1] ? urlSecrets(input.args[1]) : []),
  async run(ctx, input) {
    requireWorkspace(ctx);
    const [action, target] = input.args as [Action, string | undefined];
    const o = input.options;
    const addOnly = o.events !== undefined || o.secretEnv !== undefined || o.generateSecret || o.secret !== undefined;
    if (action !== "add" && addOnly) throw new UsageError("--events and the secret options are for `webhook add`.");
    if (action !== "list" && o.all) throw new UsageError("--all is for `webhook list`.");
    if (action !== "deliveries" && o.limit !== undefined) throw new UsageError("--limit is for `webhook deliveries`.");
    if ((action === "remove" || action === "test") && !target) throw new UsageError(`webhook ${action} needs the webhook's id.`, "`proxmox-mpc webhook list` shows them.");
    if (action === "list" && target) throw new UsageError("webhook list takes no argument.");
    switch (action) {
      case "add":
        return add(ctx, target, o);
      case "list":
        return list(ctx, o.all === true);
      case "remove":
        return remove(ctx, target as string);
      case "deliveries":
        return deliveries(ctx, target, o.limit ?? 50);
      case "test":
        return test(ctx, target as string);
    }
  },
});

type Options = { events?: string; secretEnv?: string; generateSecret?: boolean; secret?: string };

/** The signing secret the options ask for: from the environment, generated, or given (with a warning). */
async function secretFrom(ctx: CommandContext, o: Options): Promise<{ secret: string | null; generated: boolean }> {
  const given = [o.secretEnv !== undefined, o.generateSecret === true, o.secret !== undefined].filter(Boolean).length;
  if (given > 1) throw new UsageError("Give one of --secret-env, --generate-secret and --secret.");
  if (o.secretEnv !== undefined) {
    const value = ctx.env[o.secretEnv];
    if (!value) throw new UsageError(`The environment variable ${o.secretEnv} is not set (or empty).`, `e.g. export ${o.secretEnv}=$(openssl rand -hex 32), then run again.`, "webhook-secret");
    return { secret: value, generated: false };
  }
  if (o.generateSecret) {
    const { newSecret } = await import("../state/webhook-repository.js");
    return { secret: newSecret(), generated: true };
  }
  if (o.secret !== undefined) {
    if (o.secret.length < 8) throw new UsageError("A webhook secret needs 8 characters or more.", "--generate-secret makes a strong one.", "webhook-secret");
    ctx.ui.warn("--secret puts the secret in your shell history and the process list; prefer --secret-env VAR or --generate-secret.");
    return { secret: o.secret, generated: false };
  }
  ctx.ui.warn("No secret: deliveries will not be signed, and the receiver cannot tell them from forged ones (--generate-secret or --secret-env VAR).");
  return { secret: null, generated: false };
}

async function add(ctx: CommandContext, url: string | undefined, o: Options): Promise<CommandResult> {
  const checked = checkUrl(url);
  const events = checkEvents(o.events);
  const { secret, generated } = await secretFrom(ctx, o);
  const store = await ctx.services.store();
  const made = await store.webhooks.add({ url: checked, events, secret });
  const lines = [`Webhook ${made.id} → ${shownUrl(made.url)} (${events.join(", ")}${secret ? ", signed" : ", unsigned"}).`];
  if (generated) lines.push("Signing secret (shown this once: give it to the receiver now):", secret as string);
  lines.push(`Try it: proxmox-mpc webhook test ${made.id}`);
  return { kind: "data", data: { ...info(made), ...(generated ? { signingSecret: secret } : {}) }, text: lines.join("\n") };
}

/** A webhook as answered: its URL as shown, never its secret. */
function info(w: WebhookInfo): Record<string, unknown> {
  return { id: w.id, url: shownUrl(w.url), events: w.events, signed: w.signed, createdAt: w.createdAt, state: w.disabledAt ? "removed" : "active", removedAt: w.disabledAt };
}

async function list(ctx: CommandContext, all: boolean): Promise<CommandResult> {
  const store = await ctx.services.store();
  const hooks = await store.webhooks.list({ all });
  return {
    kind: "data",
    data: hooks.map(info),
    table: {
      columns: [
        { key: "id", header: "ID" },
        { key: "url", header: "URL" },
        { key: "events", header: "EVENTS" },
        { key: "signed", header: "SIGNED" },
        { key: "state", header: "STATE" },
        { key: "created", header: "CREATED" },
      ],
      rows: hooks.map((w) => ({ id: w.id, url: shownUrl(w.url), events: w.events.join(","), signed: w.signed ? "yes" : "no", state: w.disabledAt ? "removed" : "active", created: when(w.createdAt) })),
    },
  };
}

async function findActive(ctx: CommandContext, id: string): Promise<WebhookInfo> {
  const store = await ctx.services.store();
  const found = await store.webhooks.get(id);
  if (!found) throw new UsageError(`No webhook ${id}.`, "`proxmox-mpc webhook list` shows them.", "webhook-not-found");
  if (found.disabledAt) throw new UsageError(`Webhook ${id} was removed on ${when(found.disabledAt)}.`, `Its deliveries are still readable: proxmox-mpc webhook deliveries ${id}`, "webhook-not-found");
  return found;
}

async function remove(ctx: CommandContext, id: string): Promise<CommandResult> {
  const found = await findActive(ctx, id);
  const question = `Remove webhook ${id} (${shownUrl(found.url)}, ${found.events.join(", ")})? It gets no more events; its deliveries stay readable.`;
  if (!(await ctx.ui.confirm(question))) return declined();
  const store = await ctx.services.store();
  await store.webhooks.disable(id);
  return { kind: "message", level: "success", text: `Webhook ${id} removed: it gets no more events (\`webhook deliveries ${id}\` still shows its log).` };
}

async function deliveries(ctx: CommandContext, id: string | undefined, limit: number): Promise<CommandResult> {
  const store = await ctx.services.store();
  if (id && !(await store.webhooks.get(id))) throw new UsageError(`No webhook ${id}.`, "`proxmox-mpc webhook list --all` shows them.", "webhook-not-found");
  const rows = await store.webhooks.deliveries({ webhookId: id, limit });
  const cell = (d: WebhookDeliveryRecord) => ({ at: when(d.createdAt), webhook: d.webhookId, event: d.event, eventId: d.eventId, attempt: d.attempt, status: d.status, http: d.httpStatus ?? "-", ms: d.durationMs ?? "-", error: d.error ?? "" });
  return {
    kind: "data",
    data: rows,
    table: {
      columns: [
        { key: "at", header: "AT" },
        { key: "webhook", header: "WEBHOOK" },
        { key: "event", header: "EVENT" },
        { key: "eventId", header: "EVENT ID" },
        { key: "attempt", header: "ATTEMPT" },
        { key: "status", header: "STATUS" },
        { key: "http", header: "HTTP" },
        { key: "ms", header: "MS" },
        { key: "error", header: "ERROR" },
      ],
      rows: rows.map(cell),
    },
  };
}

/** One signed ping, its attempt recorded; exit 1 when it was not delivered. */
async function test(ctx: CommandContext, id: string): Promise<CommandResult> {
  await findActive(ctx, id);
  const ws = requireWorkspace(ctx);
  const store = await ctx.services.store();
  const target = (await store.webhooks.targets()).find((t) => t.id === id);
  if (!target) throw new UsageError(`No active webhook ${id}.`, "`proxmox-mpc webhook list` shows them.", "webhook-not-found");
  const { WebhookDispatcher, webhookSettings } = await import("../observability/webhooks.js");
  const dispatcher = new WebhookDispatcher({ log: store.webhooks, workspace: ws.name, logger: ctx.log, settings: webhookSettings(ctx.env), refreshMs: 0 });
  const event = { id: randomUUID(), type: "ping", at: new Date().toISOString(), correlationId: ctx.correlationId, data: { webhook: id, message: "A test from proxmox-mpc webhook test." } };
  const result = await dispatcher.ping(target, event);
  if (result.status !== "ok") {
    throw new ProxmoxMpcError(`The ping to webhook ${id} was not delivered: ${result.error}.`, { code: "webhook-test-failed", hint: `Check that ${shownUrl(target.url)} answers POSTs with 2xx; the attempt is in \`proxmox-mpc webhook deliveries ${id}\`.` });
  }
  return { kind: "message", level: "success", text: `Ping delivered to ${id}: HTTP ${result.httpStatus} in ${result.durationMs} ms (event ${event.id}).` };
}
