/**
 * API tokens and privileges. A token is `user@realm!tokenid=secret`; its
 * privileges are all of PVE's, or lists granted on ACL paths (propagating to
 * sub-paths, as PVE ACLs with propagate=1). Permission checks of the schema
 * (`["perm", "/vms/{vmid}", ["VM.Audit"], "any", 1]`, "and", "or") are
 * evaluated with PVE's 403 message.
 */
import { permissionError } from "./pve-error.js";
import type { SimToken, TokenPrivileges } from "./types.js";

/** Every privilege of PVE 8, plus PVE 9's guest-agent privileges (the vendored schema's checks use them). */
export const ALL_PRIVILEGES = [
  "Datastore.Allocate", "Datastore.AllocateSpace", "Datastore.AllocateTemplate", "Datastore.Audit",
  "Group.Allocate", "Mapping.Audit", "Mapping.Modify", "Mapping.Use", "Permissions.Modify",
  "Pool.Allocate", "Pool.Audit", "Realm.Allocate", "Realm.AllocateUser",
  "SDN.Allocate", "SDN.Audit", "SDN.Use", "Sys.AccessNetwork", "Sys.Audit", "Sys.Console",
  "Sys.Incoming", "Sys.Modify", "Sys.PowerMgmt", "Sys.Syslog", "User.Modify",
  "VM.Allocate", "VM.Audit", "VM.Backup", "VM.Clone", "VM.Config.CDROM", "VM.Config.CPU",
  "VM.Config.Cloudinit", "VM.Config.Disk", "VM.Config.HWType", "VM.Config.Memory",
  "VM.Config.Network", "VM.Config.Options", "VM.Console", "VM.GuestAgent.Audit", "VM.GuestAgent.FileRead",
  "VM.GuestAgent.FileSystemMgmt", "VM.GuestAgent.FileWrite", "VM.GuestAgent.Unrestricted", "VM.Migrate", "VM.Monitor",
  "VM.PowerMgmt", "VM.Replicate", "VM.Snapshot", "VM.Snapshot.Rollback",
] as const;

/** An authenticated caller. */
export class Principal {
  /** ACL path → privileges granted there. */
  private readonly acl: Map<string, Set<string>>;

  constructor(
    /** `user@realm!tokenid` for API tokens, `user@realm` for ticket (password) logins. */
    readonly tokenId: string,
    privileges: TokenPrivileges,
  ) {
    this.acl = new Map();
    if (privileges === "all") this.acl.set("/", new Set(ALL_PRIVILEGES));
    else if (Array.isArray(privileges)) this.acl.set("/", new Set(privileges));
    else for (const [path, privs] of Object.entries(privileges)) this.acl.set(normalize(path), new Set(privs));
  }

  /** The user part (`root@pam`). */
  get user(): string {
    return this.tokenId.split("!")[0];
  }

  /** Whether the privilege is granted on the path or a parent of it. */
  has(path: string, priv: string): boolean {
    let p = normalize(path);
    for (;;) {
      if (this.acl.get(p)?.has(priv)) return true;
      if (p === "/") return false;
      p = p.slice(0, p.lastIndexOf("/")) || "/";
    }
  }

  /** Throws PVE's 403 unless all (or, with any, one) of the privileges are granted. */
  require(path: string, privs: readonly string[], any = false): void {
    if (any) {
      if (!privs.some((p) => this.has(path, p))) throw permissionError(path, privs.join("|"));
      return;
    }
    for (const p of privs) if (!this.has(path, p)) throw permissionError(path, p);
  }

  /** The map of GET /access/permissions: path → { priv: 1 }. */
  permissions(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    const paths = new Set([...this.acl.keys()]);
    if (this.acl.has("/")) for (const p of ["/access", "/nodes", "/pool", "/sdn", "/storage", "/vms"]) paths.add(p);
    for (const path of [...paths].sort()) {
      const privs: Record<string, number> = {};
      for (const priv of ALL_PRIVILEGES) if (this.has(path, priv)) privs[priv] = 1;
      out[path] = privs;
    }
    return out;
  }

  /** Evaluate a schema permission check with the request's parameters. */
  check(expr: readonly unknown[], params: Record<string, unknown>): void {
    const [op, ...rest] = expr;
    if (op === "perm") {
      const [rawPath, privs, ...opts] = rest as [string, string[], ...unknown[]];
      const reqParamAt = opts.indexOf("require_param");
      if (reqParamAt >= 0 && params[String(opts[reqParamAt + 1])] === undefined) {
        throw permissionError(String(rawPath), privs.join("|"));
      }
      const path = rawPath.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ""));
      const anyAt = opts.indexOf("any");
      this.require(path, privs, anyAt >= 0 && Boolean(opts[anyAt + 1]));
    } else if (op === "and") {
      for (const sub of rest) this.check(sub as unknown[], params);
    } else if (op === "or") {
      let first: unknown;
      for (const sub of rest) {
        try {
          this.check(sub as unknown[], params);
          return;
        } catch (err) {
          first ??= err;
        }
      }
      if (first) throw first;
    }
    // userid-param, userid-group, admin: not modelled (allowed).
  }
}

function normalize(path: string): string {
  const p = `/${path.split("/").filter(Boolean).join("/")}`;
  return p;
}

/** Split `user@realm!tokenid=secret`; undefined when malformed. */
export function parseToken(token: string): { tokenId: string; secret: string } | undefined {
  const m = /^([^\s:/]+@[A-Za-z][A-Za-z0-9.\-_]+![A-Za-z][A-Za-z0-9.\-_]+)=(\S+)$/.exec(token);
  return m ? { tokenId: m[1], secret: m[2] } : undefined;
}

/** Known tokens, looked up by the Authorization header. */
export class TokenStore {
  private readonly byId = new Map<string, { secret: string; principal: Principal }>();

  constructor(tokens: SimToken[]) {
    for (const t of tokens) this.add(t);
  }

  /** Add (or replace) a token; throws on a malformed token. */
  add(t: SimToken): void {
    const parsed = parseToken(t.token);
    if (!parsed) throw new Error("token must look like user@realm!tokenid=secret");
    this.byId.set(parsed.tokenId, { secret: parsed.secret, principal: new Principal(parsed.tokenId, t.privileges) });
  }

  /**
   * Authenticate an Authorization header. Returns the principal, or the 401
   * reason: "No ticket" without credentials, "invalid token value!" otherwise.
   */
  authenticate(header: string | undefined): Principal | { reason: string } {
    if (!header) return { reason: "No ticket" };
    const m = /^PVEAPIToken[= ](\S+)$/.exec(header.trim());
    if (!m) return { reason: "No ticket" };
    const parsed = parseToken(m[1]);
    const known = parsed && this.byId.get(parsed.tokenId);
    if (!parsed || !known || known.secret !== parsed.secret) return { reason: "invalid token value!" };
    return known.principal;
  }
}
