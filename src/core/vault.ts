/**
 * A secret from HashiCorp Vault's KV version 2 engine over its HTTP API:
 * `vault://MOUNT/PATH#KEY` is read with GET $VAULT_ADDR/v1/MOUNT/data/PATH
 * (X-Vault-Token: $VAULT_TOKEN, X-Vault-Namespace: $VAULT_NAMESPACE when set,
 * the CA in $VAULT_CACERT for a private one), and the secret is
 * `data.data[KEY]` of the answer. Every failure is a clear error (exit 2)
 * that names what to fix and never holds the Vault token or a secret; both
 * are registered for redaction as soon as they are read.
 */
import { readFileSync } from "node:fs";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { ProxmoxMpcError } from "./errors.js";
import { createHash } from "node:crypto";
import { registerSecret } from "./redact.js";

/** `vault://MOUNT/PATH#KEY`, taken apart. */
export interface VaultReference {
  /** The KV v2 mount (the first path segment), e.g. `kv` or `secret`. */
  mount: string;
  /** The secret's path inside the mount (may hold `/`). */
  path: string;
  /** The key in the secret's data whose value is wanted. */
  key: string;
}

/** How long a read may take before Vault counts as unreachable. */
export const VAULT_TIMEOUT_MS = 10_000;

const REFERENCE = /^vault:\/\/([^/#?\s]+)\/([^#?\s]+)#([^#\s]+)$/;

/** True when a value is meant as a Vault reference (it may still be malformed). */
export function isVaultReference(value: string): boolean {
  return value.startsWith("vault://");
}

/** Take `vault://MOUNT/PATH#KEY` apart; undefined when it is not of that form. */
export function parseVaultReference(value: string): VaultReference | undefined {
  const m = REFERENCE.exec(value);
  if (!m) return undefined;
  const path = m[2].replace(/\/+$/, "");
  if (!path || path.split("/").some((s) => s === "" || s === "." || s === "..")) return undefined;
  return { mount: m[1], path, key: m[3] };
}

/** What a malformed reference is told (the expected form and an example). */
export const VAULT_REFERENCE_HINT = "Write it as vault://MOUNT/PATH#KEY, e.g. vault://kv/proxmox#token for the key `token` of the secret `proxmox` in the KV v2 mount `kv`.";

/**
 * Read the value of a Vault reference. `what` starts each error message (e.g. "The token secret of
 * context lab"). The value and $VAULT_TOKEN are registered for redaction.
 */
export async function readVaultSecret(reference: string, env: NodeJS.ProcessEnv, what: string, options: { timeoutMs?: number } = {}): Promise<string> {
  // A long-lived process (serve, the console, an MCP server) asks Vault again only after VAULT_CACHE_SECONDS.
  const seconds = cacheSeconds(env);
  const key = createHash("sha256").update(JSON.stringify([env.VAULT_ADDR, env.VAULT_NAMESPACE, env.VAULT_TOKEN, env.VAULT_CACERT, reference])).digest("hex");
  const known = seconds > 0 ? readCache.get(key) : undefined;
  if (known && known.until > Date.now()) return known.value;
  const value = await readVaultSecretNow(reference, env, what, options);
  if (seconds > 0) readCache.set(key, { value, until: Date.now() + seconds * 1000 });
  return value;
}

/** Values read lately, by a digest of where they were read from and with which token (never the token itself). */
const readCache = new Map<string, { value: string; until: number }>();

/** How long a value read from Vault is used again: PROXMOX_MPC_VAULT_CACHE_SECONDS (default 60; 0: ask every time). */
function cacheSeconds(env: NodeJS.ProcessEnv): number {
  const given = env.PROXMOX_MPC_VAULT_CACHE_SECONDS;
  const n = given === undefined || given.trim() === "" ? 60 : Number(given);
  return Number.isFinite(n) && n >= 0 ? n : 60;
}

async function readVaultSecretNow(reference: string, env: NodeJS.ProcessEnv, what: string, options: { timeoutMs?: number }): Promise<string> {
  const fail = (problem: string, hint: string, code = "vault-secret"): never => {
    throw new ProxmoxMpcError(`${what}: ${problem}.`, { code, hint, exitCode: 2 });
  };
  const ref = parseVaultReference(reference) ?? fail(`"${reference}" is not a Vault reference`, VAULT_REFERENCE_HINT, "vault-reference");
  const where = `${ref.mount}/${ref.path}`;
  const addr = env.VAULT_ADDR?.trim();
  if (!addr) fail(`VAULT_ADDR is not set (the Vault server to read ${reference} from)`, "Set VAULT_ADDR to the Vault server, e.g. export VAULT_ADDR=https://vault.example.com:8200, and VAULT_TOKEN to a token that may read it.", "vault-config");
  let base: URL;
  try {
    base = new URL(addr!);
  } catch {
    return fail(`VAULT_ADDR (${addr}) is not a URL`, "Set VAULT_ADDR to the Vault server's URL, e.g. https://vault.example.com:8200.", "vault-config");
  }
  if (base.protocol !== "https:" && base.protocol !== "http:") fail(`VAULT_ADDR (${addr}) must start with https:// or http://`, "Set VAULT_ADDR to the Vault server's URL, e.g. https://vault.example.com:8200.", "vault-config");
  const token = env.VAULT_TOKEN?.trim();
  registerSecret(token);
  if (!token) fail(`VAULT_TOKEN is not set (needed to read ${reference} from ${base.origin})`, `Set VAULT_TOKEN to a token whose policy may read ${ref.mount}/data/${ref.path} (after \`vault login\`: export VAULT_TOKEN=$(vault print token)).`, "vault-config");
  let ca: string | undefined;
  if (env.VAULT_CACERT) {
    try {
      ca = readFileSync(env.VAULT_CACERT, "utf8");
    } catch {
      fail(`cannot read VAULT_CACERT (${env.VAULT_CACERT})`, "Point VAULT_CACERT at the PEM file of the CA that signed Vault's certificate, or unset it to use the system CAs.", "vault-config");
    }
  }
  const url = new URL(`v1/${encodePath(ref.mount)}/data/${encodePath(ref.path)}`, base.href.endsWith("/") ? base.href : `${base.href}/`);
  const headers: Record<string, string> = { "X-Vault-Token": token!, Accept: "application/json" };
  if (env.VAULT_NAMESPACE) headers["X-Vault-Namespace"] = env.VAULT_NAMESPACE;

  let answer: { status: number; body: string };
  try {
    answer = await get(url, headers, ca, options.timeoutMs ?? VAULT_TIMEOUT_MS);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const tls = /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|SSL/i.test(e.code ?? "") || /certificate/i.test(e.message);
    if (tls) fail(`Vault's certificate at ${base.origin} is not trusted (${e.code ?? e.message})`, "Set VAULT_CACERT to the PEM file of the CA that signed it.", "vault-unreachable");
    const why = e.code === "VAULT_TIMEOUT" ? `no answer within ${Math.round((options.timeoutMs ?? VAULT_TIMEOUT_MS) / 1000)} s` : (e.code ?? e.message);
    return fail(`Vault at ${base.origin} is unreachable (${why})`, "Check VAULT_ADDR and that Vault is running and reachable from here (vault status).", "vault-unreachable");
  }
  const parsed = parseJson(answer.body);
  const errors = Array.isArray(parsed?.errors) ? parsed.errors.filter((x): x is string => typeof x === "string") : [];
  if (answer.status === 403) {
    fail(`Vault refused VAULT_TOKEN for ${where} (HTTP 403${errors.length ? `: ${errors.join("; ")}` : ""})`, `Check VAULT_TOKEN: it must be valid, not expired, and its policy must allow read on ${ref.mount}/data/${ref.path}.`, "vault-denied");
  }
  if (answer.status === 404) {
    const meta = record(record(parsed?.data)?.metadata);
    if (meta && (meta.destroyed === true || (typeof meta.deletion_time === "string" && meta.deletion_time !== ""))) {
      fail(`the latest version of ${where} in Vault was ${meta.destroyed === true ? "destroyed" : "deleted"}`, `Write the secret again (vault kv put -mount=${ref.mount} ${ref.path} ${ref.key}=…), or undelete it.`, "vault-not-found");
    }
    fail(`Vault has no secret at ${where} (HTTP 404)`, `Check the mount and the path (vault kv get -mount=${ref.mount} ${ref.path}); the mount must be a KV version 2 engine.`, "vault-not-found");
  }
  if (answer.status === 503) fail(`Vault at ${base.origin} is not ready (HTTP 503${errors.length ? `: ${errors.join("; ")}` : ""})`, "Unseal Vault or wait until it is active (vault status).", "vault-unreachable");
  if (answer.status < 200 || answer.status >= 300) {
    fail(`Vault answered HTTP ${answer.status} for ${where}${errors.length ? ` (${errors.join("; ")})` : ""}`, "Check VAULT_ADDR, VAULT_NAMESPACE and the reference.", "vault-error");
  }
  const data = record(record(parsed?.data)?.data);
  if (!data) fail(`Vault's answer for ${where} holds no KV version 2 data (data.data)`, `Check that ${ref.mount} is a KV version 2 mount (vault secrets list -detailed).`, "vault-error");
  if (!Object.prototype.hasOwnProperty.call(data, ref.key)) {
    const keys = Object.keys(data!);
    fail(`the secret ${where} in Vault has no key "${ref.key}" (${keys.length ? `its keys: ${keys.join(", ")}` : "it has no keys"})`, `Name one of its keys after # in the reference, e.g. vault://${where}#${keys[0] ?? "token"}.`, "vault-no-key");
  }
  const value = data![ref.key];
  if (typeof value !== "string") {
    fail(`the value of "${ref.key}" in ${where} is ${value === null ? "null" : Array.isArray(value) ? "a list" : `a ${typeof value}`}, not a string`, `Store the token secret as a string (vault kv patch -mount=${ref.mount} ${ref.path} ${ref.key}=…).`, "vault-not-string");
  }
  const secret = (value as string).trim();
  registerSecret(secret);
  if (!secret) fail(`the value of "${ref.key}" in ${where} is empty`, `Store the token secret there (vault kv patch -mount=${ref.mount} ${ref.path} ${ref.key}=…).`, "vault-not-string");
  return secret;
}

/** Each segment percent-encoded, the slashes kept. */
function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/** One GET; the body read whole (a KV answer is small: at most 1 MiB is kept). */
function get(url: URL, headers: Record<string, string>, ca: string | undefined, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (body.length < 1 << 20) body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    };
    const req = url.protocol === "https:" ? httpsRequest(url, { method: "GET", headers, ...(ca ? { ca } : {}) }, onResponse) : httpRequest(url, { method: "GET", headers }, onResponse);
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error("timeout"), { code: "VAULT_TIMEOUT" })));
    req.on("error", reject);
    req.end();
  });
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    return record(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
