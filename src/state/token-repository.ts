/**
 * The API tokens of `serve` (`token create|list|revoke`). A token is
 * `pmpc_<id>_<secret>`: the id finds its row, the secret is checked against
 * the stored scrypt hash (the secret itself is never stored, and is shown
 * once, by `create`). A verified token is remembered in memory by its SHA-256,
 * so a request costs one indexed query, not one scrypt; revocation and expiry
 * are read from the row on every check. Plain SQL (sql-exec.ts), so the full
 * store and the read store share it.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from "node:crypto";
import { ProxmoxMpcError, UsageError } from "../core/errors.js";
import type { ApiToken } from "./generated/sqlite/client.js";
import { decodeRow } from "./read-rows.js";
import { publicId } from "./webhook-repository.js";
import { stamp, type SqlDatabase } from "./sql-exec.js";

export const API_ROLES = ["viewer", "operator", "admin"] as const;
export type ApiRole = (typeof API_ROLES)[number];

/** A token as listed (never its secret or hash). */
export interface ApiTokenInfo {
  name: string;
  role: ApiRole;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  /** active | expired | revoked */
  state: "active" | "expired" | "revoked";
}

const PREFIX = "pmpc_";
const KEY_LENGTH = 32;

function scrypt(secret: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(secret, salt, KEY_LENGTH, (err, key) => (err ? reject(err) : resolve(key))));
}

/** A token's parts, or undefined when it is not shaped like one. */
export function parseApiToken(token: string): { id: string; secret: string } | undefined {
  const m = /^pmpc_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{32,})$/.exec(token);
  return m ? { id: m[1], secret: m[2] } : undefined;
}

function info(row: ApiToken, now: Date): ApiTokenInfo {
  const state = row.revokedAt ? "revoked" : row.expiresAt && row.expiresAt.getTime() <= now.getTime() ? "expired" : "active";
  return { name: row.name, role: row.role as ApiRole, createdAt: row.createdAt, expiresAt: row.expiresAt, revokedAt: row.revokedAt, lastUsedAt: row.lastUsedAt, state };
}

export class TokenRepository {
  /** sha256(token) → the hash it was verified against. */
  private readonly verified = new Map<string, string>();
  /** Token name → when this process last noted its use. */
  private readonly touched = new Map<string, number>();

  constructor(private readonly sql: SqlDatabase) {}

  /** Make a token; its secret is returned this once. A revoked or expired token of the same name is replaced. */
  async create(name: string, role: ApiRole, options: { expiresAt?: Date; now?: Date } = {}): Promise<{ token: string; info: ApiTokenInfo }> {
    const now = options.now ?? new Date();
    const id = publicId("", 12);
    const secret = randomBytes(24).toString("base64url");
    const salt = randomBytes(16);
    const hash = `scrypt$${salt.toString("base64url")}$${(await scrypt(secret, salt)).toString("base64url")}`;
    await this.sql.guard(() =>
      this.sql.transaction(async (tx) => {
        const [existing] = await tx.rows(`SELECT * FROM "ApiToken" WHERE "name" = ?`, [name]);
        if (existing) {
          if (info(decodeRow("ApiToken", existing, tx.provider), now).state === "active") {
            throw new UsageError(`A token named ${name} exists.`, `Revoke it first (proxmox-mpc token revoke ${name}) or choose another name.`, "token-exists");
          }
          await tx.run(`DELETE FROM "ApiToken" WHERE "name" = ?`, [name]);
        }
        const at = stamp(tx.provider);
        await tx.run(`INSERT INTO "ApiToken" ("id", "name", "role", "hash", "createdAt", "expiresAt") VALUES (?, ?, ?, ?, ${at}, ${at})`, [id, name, role, hash, now, options.expiresAt ?? null]);
      }),
    );
    return { token: `${PREFIX}${id}_${secret}`, info: info({ id, name, role, hash, createdAt: now, expiresAt: options.expiresAt ?? null, revokedAt: null, lastUsedAt: null }, now) };
  }

  /** Every token, oldest first. */
  async list(now = new Date()): Promise<ApiTokenInfo[]> {
    const rows = await this.sql.guard(() => this.sql.rows(`SELECT * FROM "ApiToken" ORDER BY "createdAt", "name"`));
    return rows.map((r) => info(decodeRow("ApiToken", r, this.sql.provider), now));
  }

  /** Revoke a token by name (kept, listed as revoked); false when no active token has that name. */
  async revoke(name: string, now = new Date()): Promise<boolean> {
    return this.sql.guard(async () => {
      const rows = await this.sql.rows(`UPDATE "ApiToken" SET "revokedAt" = ${stamp(this.sql.provider)} WHERE "name" = ? AND "revokedAt" IS NULL RETURNING "name"`, [now, name]);
      return rows.length > 0;
    });
  }

  /** The active token this secret is, or undefined (unknown, wrong secret, expired, revoked). */
  async verify(token: string, now = new Date()): Promise<ApiTokenInfo | undefined> {
    const parts = parseApiToken(token);
    if (!parts) return undefined;
    const [raw] = await this.sql.guard(() => this.sql.rows(`SELECT * FROM "ApiToken" WHERE "id" = ?`, [parts.id]));
    if (!raw) return undefined;
    const row = decodeRow("ApiToken", raw, this.sql.provider);
    const found = info(row, now);
    if (found.state !== "active") return undefined;
    const key = createHash("sha256").update(token).digest("base64url");
    if (this.verified.get(key) !== row.hash) {
      const [scheme, salt, expected] = row.hash.split("$");
      if (scheme !== "scrypt" || !salt || !expected) throw new ProxmoxMpcError(`The stored hash of token ${row.name} is not readable.`, { code: "token-hash", hint: `Revoke it and create a new one: proxmox-mpc token revoke ${row.name}` });
      const actual = await scrypt(parts.secret, Buffer.from(salt, "base64url"));
      const wanted = Buffer.from(expected, "base64url");
      if (actual.length !== wanted.length || !timingSafeEqual(actual, wanted)) return undefined;
      if (this.verified.size > 1000) this.verified.clear();
      this.verified.set(key, row.hash);
    }
    return found;
  }

  /** Note when a token was last used (at most once a minute per token: no write on every request). */
  async touch(name: string, now = new Date()): Promise<void> {
    const last = this.touched.get(name);
    if (last !== undefined && now.getTime() - last < 60_000) return;
    this.touched.set(name, now.getTime());
    const p = stamp(this.sql.provider);
    await this.sql.guard(() => this.sql.run(`UPDATE "ApiToken" SET "lastUsedAt" = ${p} WHERE "name" = ? AND ("lastUsedAt" IS NULL OR "lastUsedAt" < ${p})`, [now, name, new Date(now.getTime() - 60_000)]));
  }
}
