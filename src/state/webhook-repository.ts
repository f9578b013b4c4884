/**
 * Outbound webhooks (`webhook add|list|remove|deliveries|test`), their
 * delivery log, and inbound hooks (`hook add|list|remove`, `POST
 * /api/v1/hooks/{id}`). A secret is stored because signing and checking need
 * it (a hash would not do); it leaves this file only through `targets()` and
 * `hookForCall()`, for the dispatcher and the inbound route, never in a listed
 * row. Removed ones are kept, disabled, so their deliveries stay readable.
 * Plain SQL (sql-exec.ts): the full store and the read store share it.
 */
import { randomBytes } from "node:crypto";
import { UsageError } from "../core/errors.js";
import { decodeRow } from "./read-rows.js";
import { stamp, type SqlDatabase } from "./sql-exec.js";

/** A webhook as listed: never its secret. */
export interface WebhookInfo {
  id: string;
  url: string;
  events: string[];
  /** Whether deliveries are signed. */
  signed: boolean;
  createdAt: Date;
  disabledAt: Date | null;
}

/** What the dispatcher needs of an active webhook: the secret too. */
export interface WebhookTarget {
  id: string;
  url: string;
  events: string[];
  secret: string | null;
}

/** One delivery attempt, as written and as listed. */
export interface WebhookDeliveryRecord {
  webhookId: string;
  eventId: string;
  event: string;
  attempt: number;
  /** ok | failed (will be retried) | gave-up */
  status: "ok" | "failed" | "gave-up";
  httpStatus: number | null;
  error: string | null;
  durationMs: number | null;
  createdAt: Date;
}

export const HOOK_ACTIONS = ["sync", "plan", "apply"] as const;
export type HookAction = (typeof HOOK_ACTIONS)[number];

/** An inbound hook as listed: never its secret. */
export interface InboundHookInfo {
  id: string;
  name: string;
  action: HookAction;
  allowApply: boolean;
  createdAt: Date;
  lastCalledAt: Date | null;
}

/** A random public id: prefix + letters and digits. */
export function publicId(prefix: string, length: number): string {
  return prefix + randomBytes(length * 2).toString("base64url").replace(/[-_]/g, "").slice(0, length);
}

/** A new random signing secret (for --generate-secret and `hook add`). */
export function newSecret(): string {
  return randomBytes(32).toString("hex");
}

export class WebhookRepository {
  constructor(private readonly sql: SqlDatabase) {}

  /** A new webhook; its id. */
  async add(input: { url: string; events: string[]; secret: string | null; now?: Date }): Promise<WebhookInfo> {
    const id = publicId("wh_", 10);
    const now = input.now ?? new Date();
    await this.sql.guard(() => this.sql.run(`INSERT INTO "Webhook" ("id", "url", "events", "secret", "createdAt") VALUES (?, ?, ?, ?, ${stamp(this.sql.provider)})`, [id, input.url, input.events.join(","), input.secret, now]));
    return { id, url: input.url, events: input.events, signed: input.secret !== null, createdAt: now, disabledAt: null };
  }

  /** Webhooks, oldest first; the removed ones only with `all`. */
  async list(options: { all?: boolean } = {}): Promise<WebhookInfo[]> {
    const rows = await this.sql.guard(() => this.sql.rows(`SELECT * FROM "Webhook"${options.all ? "" : ` WHERE "disabledAt" IS NULL`} ORDER BY "createdAt", "id"`));
    return rows.map((raw) => this.info(raw));
  }

  /** One webhook (removed ones too), or undefined. */
  async get(id: string): Promise<WebhookInfo | undefined> {
    const [raw] = await this.sql.guard(() => this.sql.rows(`SELECT * FROM "Webhook" WHERE "id" = ?`, [id]));
    return raw ? this.info(raw) : undefined;
  }

  /** A row as listed: never its secret. */
  private info(raw: Record<string, unknown>): WebhookInfo {
    const r = decodeRow("Webhook", raw, this.sql.provider);
    return { id: r.id, url: r.url, events: splitEvents(r.events), signed: r.secret !== null, createdAt: r.createdAt, disabledAt: r.disabledAt };
  }

  /** The active webhooks with their secrets: for the dispatcher only. */
  async targets(): Promise<WebhookTarget[]> {
    const rows = await this.sql.guard(() => this.sql.rows(`SELECT * FROM "Webhook" WHERE "disabledAt" IS NULL ORDER BY "createdAt", "id"`));
    return rows.map((raw) => {
      const r = decodeRow("Webhook", raw, this.sql.provider);
      return { id: r.id, url: r.url, events: splitEvents(r.events), secret: r.secret };
    });
  }

  /** Disable a webhook (kept for its deliveries); false when no active one has that id. */
  async disable(id: string, now = new Date()): Promise<boolean> {
    const rows = await this.sql.guard(() => this.sql.rows(`UPDATE "Webhook" SET "disabledAt" = ${stamp(this.sql.provider)} WHERE "id" = ? AND "disabledAt" IS NULL RETURNING "id"`, [now, id]));
    return rows.length > 0;
  }

  /** Write one attempt. */
  async recordDelivery(d: WebhookDeliveryRecord): Promise<void> {
    await this.sql.guard(() =>
      this.sql.run(
        `INSERT INTO "WebhookDelivery" ("webhookId", "eventId", "event", "attempt", "status", "httpStatus", "error", "durationMs", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ${stamp(this.sql.provider)})`,
        [d.webhookId, d.eventId, d.event, d.attempt, d.status, d.httpStatus, d.error, d.durationMs, d.createdAt],
      ),
    );
  }

  /** The newest attempts (of one webhook, or all), returned oldest first. */
  async deliveries(options: { webhookId?: string; limit?: number } = {}): Promise<WebhookDeliveryRecord[]> {
    const where = options.webhookId ? ` WHERE "webhookId" = ?` : "";
    const params = options.webhookId ? [options.webhookId, options.limit ?? 50] : [options.limit ?? 50];
    const rows = await this.sql.guard(() => this.sql.rows(`SELECT * FROM "WebhookDelivery"${where} ORDER BY "id" DESC LIMIT ?`, params));
    return rows
      .map((raw) => {
        const r = decodeRow("WebhookDelivery", raw, this.sql.provider);
        return { webhookId: r.webhookId, eventId: r.eventId, event: r.event, attempt: r.attempt, status: r.status as WebhookDeliveryRecord["status"], httpStatus: r.httpStatus, error: r.error, durationMs: r.durationMs, createdAt: r.createdAt };
      })
      .reverse();
  }
}

export class InboundHookRepository {
  constructor(private readonly sql: SqlDatabase) {}

  /** A new hook; its secret is returned this once. A removed hook of the same name is replaced. */
  async add(input: { name: string; action: HookAction; allowApply: boolean; now?: Date }): Promise<{ info: InboundHookInfo; secret: string }> {
    const id = publicId("ih_", 20);
    const secret = newSecret();
    const now = input.now ?? new Date();
    await this.sql.guard(() =>
      this.sql.transaction(async (tx) => {
        const [existing] = await tx.rows(`SELECT "disabledAt" FROM "InboundHook" WHERE "name" = ?`, [input.name]);
        if (existing && existing.disabledAt === null) {
          throw new UsageError(`A hook named ${input.name} exists.`, `Remove it first (proxmox-mpc hook remove ${input.name}) or choose another name.`, "hook-exists");
        }
        if (existing) await tx.run(`DELETE FROM "InboundHook" WHERE "name" = ?`, [input.name]);
        await tx.run(`INSERT INTO "InboundHook" ("id", "name", "action", "secret", "allowApply", "createdAt") VALUES (?, ?, ?, ?, ?, ${stamp(tx.provider)})`, [id, input.name, input.action, secret, input.allowApply, now]);
      }),
    );
    return { info: { id, name: input.name, action: input.action, allowApply: input.allowApply, createdAt: now, lastCalledAt: null }, secret };
  }

  /** The active hooks, oldest first. */
  async list(): Promise<InboundHookInfo[]> {
    const rows = await this.sql.guard(() => this.sql.rows(`SELECT * FROM "InboundHook" WHERE "disabledAt" IS NULL ORDER BY "createdAt", "name"`));
    return rows.map((raw) => {
      const r = decodeRow("InboundHook", raw, this.sql.provider);
      return { id: r.id, name: r.name, action: r.action as HookAction, allowApply: r.allowApply, createdAt: r.createdAt, lastCalledAt: r.lastCalledAt };
    });
  }

  /** An active hook by id with its secret: for the inbound route only. */
  async hookForCall(id: string): Promise<(InboundHookInfo & { secret: string }) | undefined> {
    const [raw] = await this.sql.guard(() => this.sql.rows(`SELECT * FROM "InboundHook" WHERE "id" = ? AND "disabledAt" IS NULL`, [id]));
    if (!raw) return undefined;
    const r = decodeRow("InboundHook", raw, this.sql.provider);
    return { id: r.id, name: r.name, action: r.action as HookAction, allowApply: r.allowApply, createdAt: r.createdAt, lastCalledAt: r.lastCalledAt, secret: r.secret };
  }

  /** Note a verified call. */
  async called(id: string, now = new Date()): Promise<void> {
    await this.sql.guard(() => this.sql.run(`UPDATE "InboundHook" SET "lastCalledAt" = ${stamp(this.sql.provider)} WHERE "id" = ?`, [now, id]));
  }

  /** Disable a hook by name (its URL answers 404 from now on); false when no active hook has that name. */
  async remove(name: string, now = new Date()): Promise<boolean> {
    const rows = await this.sql.guard(() => this.sql.rows(`UPDATE "InboundHook" SET "disabledAt" = ${stamp(this.sql.provider)} WHERE "name" = ? AND "disabledAt" IS NULL RETURNING "id"`, [now, name]));
    return rows.length > 0;
  }
}

function splitEvents(text: string): string[] {
  return text.split(",").filter(Boolean);
}
