/**
 * Password login as PVE does it: POST /access/ticket trades a user and
 * password for a ticket (sent back as the `PVEAuthCookie` cookie) and a CSRF
 * token (the `CSRFPreventionToken` header, required on every request but GET).
 * Tickets are `PVE:user@realm:HEXTIME::signature` and live two hours; here
 * they are signed with an HMAC key made per simulator run.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { ALL_PRIVILEGES, Principal, type TokenStore } from "./auth.js";
import { PveHttpError } from "./pve-error.js";
import type { TokenPrivileges } from "./types.js";

/** A user who may log in with a password. */
export interface SimUser {
  /** `user@realm`, e.g. `root@pam`. */
  userid: string;
  password: string;
  privileges: TokenPrivileges;
}

/** What POST /access/ticket answers. */
export interface LoginResult {
  username: string;
  ticket: string;
  CSRFPreventionToken: string;
  clustername: string;
  cap: Record<string, Record<string, number>>;
}

/** The request headers that carry credentials. */
export interface Credentials {
  method: string;
  authorization?: string;
  cookie?: string;
  csrfToken?: string;
}

const TICKET_LIFETIME = 7200;
const CLOCK_SKEW = 300;
const hex8 = (n: number): string => n.toString(16).toUpperCase().padStart(8, "0");

/** The groups of the login answer's `cap` (what the GUI uses to show or hide things). */
const CAP_GROUPS: Record<string, (priv: string) => boolean> = {
  vms: (p) => p.startsWith("VM.") || p === "Permissions.Modify",
  storage: (p) => p.startsWith("Datastore.") || p === "Permissions.Modify",
  access: (p) => ["User.Modify", "Group.Allocate", "Permissions.Modify", "Realm.Allocate", "Realm.AllocateUser"].includes(p),
  nodes: (p) => p.startsWith("Sys.") || p === "Permissions.Modify",
  dc: (p) => ["Sys.Audit", "Sys.Modify", "SDN.Audit", "SDN.Allocate", "SDN.Use"].includes(p),
  sdn: (p) => p.startsWith("SDN.") || p === "Permissions.Modify",
  mapping: (p) => p.startsWith("Mapping.") || p === "Permissions.Modify",
};

/** Cookie value by name (`uri_unescape`d, as PVE does). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\s|;)${name}=([^;]*)`).exec(header ?? "");
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/** Issues and checks tickets and CSRF tokens. */
export class TicketAuthority {
  private readonly key = randomBytes(32);
  private readonly users = new Map<string, { password: string; principal: Principal }>();

  constructor(
    users: SimUser[],
    private readonly clusterName: string,
  ) {
    for (const u of users) this.users.set(u.userid, { password: u.password, principal: new Principal(u.userid, u.privileges) });
  }

  private sign(text: string): string {
    return createHmac("sha256", this.key).update(text).digest("base64");
  }

  /** A ticket for a user, issued at unix second `now`. */
  private ticket(userid: string, now: number): string {
    const plain = `PVE:${userid}:${hex8(now)}`;
    return `${plain}::${this.sign(plain)}`;
  }

  /** PVE's CSRF token: `HEXTIME:base64(hmac("HEXTIME:user"))` without padding. */
  private csrf(userid: string, time: string): string {
    return `${time}:${this.sign(`csrf:${time}:${userid}`).replace(/=+$/, "")}`;
  }

  /** POST /access/ticket: a valid password (or a valid ticket of the same user, to renew) gives a new ticket. */
  login(username: string, password: string, realm: string | undefined, now: number): LoginResult {
    const userid = username.includes("@") || realm === undefined ? username : `${username}@${realm}`;
    const user = this.users.get(userid);
    const renewal = password.startsWith("PVE:") && this.verifyTicket(password, now)?.tokenId === userid;
    if (!user || !(renewal || safeEqual(password, user.password))) throw new PveHttpError(401, "authentication failure");
    const cap: LoginResult["cap"] = {};
    for (const [group, member] of Object.entries(CAP_GROUPS)) {
      const privs = ALL_PRIVILEGES.filter((p) => member(p) && user.principal.has("/", p));
      if (privs.length) cap[group] = Object.fromEntries(privs.map((p) => [p, 1]));
    }
    const time = hex8(now);
    return { username: userid, ticket: this.ticket(userid, now), CSRFPreventionToken: this.csrf(userid, time), clustername: this.clusterName, cap };
  }

  /** The user of a valid, unexpired ticket. */
  verifyTicket(ticket: string, now: number): Principal | undefined {
    const m = /^PVE:([^:]+):([0-9A-F]{8})::(\S+)$/.exec(ticket);
    if (!m || !safeEqual(m[3], this.sign(`PVE:${m[1]}:${m[2]}`))) return undefined;
    const age = now - parseInt(m[2], 16);
    if (age < -CLOCK_SKEW || age > TICKET_LIFETIME) return undefined;
    return this.users.get(m[1])?.principal;
  }

  /** Whether a CSRF token belongs to the user and is not older than a ticket may be. */
  verifyCsrf(userid: string, token: string | undefined, now: number): boolean {
    const time = /^([0-9A-F]{8}):/.exec(token ?? "")?.[1];
    if (!time || !safeEqual(token!, this.csrf(userid, time))) return false;
    const age = now - parseInt(time, 16);
    return age >= -CLOCK_SKEW && age <= TICKET_LIFETIME;
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** API tokens and tickets together, checked in PVE's order. */
export class SimAuth {
  constructor(
    readonly tokens: TokenStore,
    readonly tickets: TicketAuthority,
  ) {}

  /**
   * The caller of a request: a `PVEAuthCookie` ticket (cookie first, then the
   * Authorization header) wins over an API token; ticket callers need the CSRF
   * token on everything but GET. Returns the principal or PVE's 401 reason.
   */
  authenticate(c: Credentials, nowMs: number): Principal | { reason: string } {
    const ticket = cookieValue(c.cookie, "PVEAuthCookie") ?? cookieValue(c.authorization, "PVEAuthCookie");
    if (ticket === undefined) return this.tokens.authenticate(c.authorization);
    const now = Math.floor(nowMs / 1000);
    const principal = this.tickets.verifyTicket(ticket, now);
    if (!principal) return { reason: "permission denied - invalid PVE ticket" };
    if (c.method.toUpperCase() !== "GET" && !this.tickets.verifyCsrf(principal.tokenId, c.csrfToken, now)) {
      return { reason: "Permission denied - invalid csrf token" };
    }
    return principal;
  }
}
