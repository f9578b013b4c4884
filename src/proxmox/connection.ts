/**
 * Connection settings: endpoint, API token and TLS trust, from options or
 * from the bpg/proxmox provider's environment variables (PROXMOX_VE_*), so
 * one set of credentials serves both tools.
 */
import { UsageError } from "../core/errors.js";
import { registerSecret } from "../core/redact.js";

/** How the server certificate is trusted. */
export type TlsTrust =
  | { mode: "verify" }
  | { mode: "fingerprint"; fingerprint: string }
  | { mode: "ca"; caPem: string; caFile?: string }
  | { mode: "insecure" };

/** A parsed API token: `user@realm!tokenid=secret`. */
export interface ApiToken {
  /** `user@realm!tokenid` */
  id: string;
  /** `user@realm` */
  user: string;
  secret: string;
}

export interface ConnectionSettings {
  /** Base URL without the API path, e.g. `https://pve1:8006`. */
  baseUrl: string;
  token: ApiToken;
  tls: TlsTrust;
}

/**
 * Normalize an endpoint as users write it: `https://host:8006`, `host:8006`
 * or `host`, with or without `/api2/json`. Returns `https://host:8006`.
 */
export function normalizeEndpoint(raw: string): string {
  const text = raw.trim();
  if (!text) throw new UsageError("The endpoint is empty.", "Give the server as https://HOST:8006 (or set PROXMOX_VE_ENDPOINT).");
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`"${text}" is not a valid endpoint.`, "Give the server as https://HOST:8006, HOST:8006 or HOST.");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UsageError(`Unsupported scheme "${url.protocol}" in endpoint "${text}".`, "Use https://HOST:8006.");
  }
  if (!url.hostname) throw new UsageError(`No host in endpoint "${text}".`, "Use https://HOST:8006.");
  const port = url.port || (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? "" : "8006");
  const path = url.pathname.replace(/\/+$/, "").replace(/\/api2\/json$/, "");
  return `${url.protocol}//${url.hostname}${port ? `:${port}` : ""}${path}`;
}

const TOKEN_ID = /^([^\s@!=]+@[^\s@!=]+)!([A-Za-z][A-Za-z0-9._-]*)$/;

/** Parse `user@realm!tokenid=secret`. The secret is registered for redaction. */
export function parseApiToken(raw: string): ApiToken {
  const text = raw.trim().replace(/^PVEAPIToken=/, "");
  const eq = text.indexOf("=");
  const id = eq === -1 ? text : text.slice(0, eq);
  const secret = eq === -1 ? "" : text.slice(eq + 1);
  registerSecret(secret);
  const match = TOKEN_ID.exec(id);
  if (!match || !secret) {
    throw new UsageError(
      "The API token is not of the form user@realm!tokenid=secret.",
      "Create one in the Proxmox GUI (Datacenter > Permissions > API Tokens) and set PROXMOX_VE_API_TOKEN='root@pam!mpc=xxxxxxxx-…'.",
      "invalid-token-format",
    );
  }
  return hideSecret({ id, user: match[1], secret });
}

/** Make `secret` non-enumerable: absent from JSON.stringify, util.inspect and object spreads of logs. */
export function hideSecret(token: ApiToken): ApiToken {
  const { secret } = token;
  const out = { id: token.id, user: token.user } as ApiToken;
  Object.defineProperty(out, "secret", { value: secret, enumerable: false });
  return out;
}

/** Normalize a SHA-256 fingerprint to uppercase colon hex, or throw UsageError. */
export function normalizeFingerprint(raw: string): string {
  const hex = raw.trim().replace(/^sha256[:=]?/i, "").replace(/[:\s-]/g, "").toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw new UsageError(
      `"${raw}" is not a SHA-256 fingerprint.`,
      "Copy it from the Proxmox GUI (node > System > Certificates > fingerprint): 32 hex pairs separated by colons.",
    );
  }
  return hex.match(/../g)!.join(":");
}

/** True for the values the bpg provider accepts as "true" in PROXMOX_VE_INSECURE. */
export function envFlag(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

export interface ConnectionInput {
  endpoint?: string;
  /** Full token `user@realm!tokenid=secret`. */
  token?: string;
  fingerprint?: string;
  caPem?: string;
  caFile?: string;
  insecure?: boolean;
}

/**
 * Resolve settings from explicit options first, then PROXMOX_VE_ENDPOINT,
 * PROXMOX_VE_API_TOKEN and PROXMOX_VE_INSECURE.
 */
export function resolveConnection(input: ConnectionInput, env: NodeJS.ProcessEnv = process.env): ConnectionSettings {
  const endpoint = input.endpoint ?? env.PROXMOX_VE_ENDPOINT;
  if (!endpoint) {
    throw new UsageError("No Proxmox VE endpoint given.", "Pass --endpoint https://HOST:8006 or set PROXMOX_VE_ENDPOINT.", "no-endpoint");
  }
  const rawToken = input.token ?? env.PROXMOX_VE_API_TOKEN;
  if (!rawToken) {
    throw new UsageError(
      "No API token given.",
      "Set PROXMOX_VE_API_TOKEN='user@realm!tokenid=secret' (Datacenter > Permissions > API Tokens in the Proxmox GUI).",
      "no-token",
    );
  }
  const trustCount = [input.fingerprint, input.caPem, input.insecure || undefined].filter(Boolean).length;
  if (trustCount > 1) throw new UsageError("Give only one of --fingerprint, --ca and --insecure.");
  let tls: TlsTrust = { mode: "verify" };
  if (input.fingerprint) tls = { mode: "fingerprint", fingerprint: normalizeFingerprint(input.fingerprint) };
  else if (input.caPem) tls = { mode: "ca", caPem: input.caPem, caFile: input.caFile };
  else if (input.insecure || (input.insecure === undefined && envFlag(env.PROXMOX_VE_INSECURE))) tls = { mode: "insecure" };
  return { baseUrl: normalizeEndpoint(endpoint), token: parseApiToken(rawToken), tls };
}
