/**
 * Secret redaction shared by the logger, error rendering, diagnostics and MCP
 * output. Two mechanisms:
 *  - key based: values under keys that name secrets are replaced;
 *  - value based: every secret registered at run time (the API token secret)
 *    is scrubbed from any string, wherever it appears.
 */
export const REDACTED = "[REDACTED]";

/** Keys whose values are always secret (PVE parameter names included). */
export const SECRET_KEYS = [
  "token",
  "tokenSecret",
  "secret",
  "password",
  "cipassword",
  "sshkeys",
  "authorization",
  "Authorization",
  "apiToken",
  "PROXMOX_VE_API_TOKEN",
  "PROXMOX_VE_PASSWORD",
];

const SECRET_KEY_SET = new Set(SECRET_KEYS.map((k) => k.toLowerCase()));
/** A secret key as a key of JSON text (`"password":`). */
const SECRET_KEY_IN_JSON = new RegExp(`"(?:${SECRET_KEYS.join("|")})"\\s*:`, "i");
/** Registered secrets, each with its URL-encoded form (scrubbed too). */
const registered = new Map<string, string>();

/** Remember a secret so that redactString() scrubs it everywhere from now on. */
export function registerSecret(secret: string | undefined): void {
  if (!secret || secret.length < 4 || registered.has(secret)) return;
  registered.set(secret, encodeURIComponent(secret));
  // Longest first: a secret that holds another (a URL path holding a token) is scrubbed whole.
  longestFirst = [...registered].sort(([a], [b]) => b.length - a.length);
}

/** The registered secrets, longest first. */
let longestFirst: Array<[string, string]> = [];

/** True when a key names a secret value. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY_SET.has(key.toLowerCase());
}

/** `scheme://user:password@`: group 1 is all before the password. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:"']*:)[^\s/?#@"']+@/gi;
/** A query parameter that holds a secret: group 1 is `?name=` or `&name=`. */
const QUERY_SECRET = /([?&](?:token|access_token|auth_token|api_key|apikey|key|secret|client_secret|password|passwd|pwd|sig|signature|auth)=)[^&#\s"']+/gi;

/** Words that stand for a secret in help texts; not secrets themselves. */
const PLACEHOLDERS = /^(secret|SECRET|\[REDACTED\]|x{4,}.*|…|\.\.\.)[.:]?$/;

/** Scrub registered secrets and token-looking material from a string. */
export function redactString(text: string): string {
  let out = text;
  for (const [secret, encoded] of longestFirst) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(REDACTED);
  }
  // A password in a URL (`https://user:pw@host`): the user stays, the password goes.
  if (out.includes("://")) out = out.replace(URL_PASSWORD, (_all, head: string) => `${head}${REDACTED}@`);
  // `user@realm!tokenid=<uuid-like secret>` and `PVEAPIToken=…` forms: both need a "=" (most strings have none).
  if (!out.includes("=")) return out;
  // Secrets in a URL's query (`?token=…`, `&api_key=…`).
  out = out.replace(QUERY_SECRET, (_all, head: string) => `${head}${REDACTED}`);
  out = out.replace(/(PVEAPIToken[= ]\S+?=)[^\s,;"']+/g, `$1${REDACTED}`);
  out = out.replace(/(\b[\w.-]+@[\w.-]+![\w.-]+=)([^\s,;"')]+)/g, (all, prefix: string, value: string) => (PLACEHOLDERS.test(value) ? all : `${prefix}${REDACTED}`));
  return out;
}

/** Deep copy of a value with secret keys and registered secrets redacted. */
export function redactValue<T>(value: T, depth = 0): T {
  if (depth > 20) return value;
  if (typeof value === "string") return redactString(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1)) as T;
  // A date holds no secret and must stay a date (JSON prints it as an ISO string, not {}).
  if (value instanceof Date) return value;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = isSecretKey(k) && v !== undefined && v !== null && v !== "" ? REDACTED : redactValue(v, depth + 1);
    }
    return out as T;
  }
  return value;
}

/**
 * JSON text of a value with secret keys and registered secrets redacted: what
 * `JSON.stringify(redactValue(value))` gives, in one pass and without a copy
 * (the API's answers are serialized this way).
 */
export function redactedJson(value: unknown): string {
  const plain = JSON.stringify(value);
  // Most answers name no secret key: then scrubbing the text once is the same as scrubbing each string.
  if (plain === undefined || !SECRET_KEY_IN_JSON.test(plain)) return plain === undefined ? plain : redactString(plain);
  return JSON.stringify(value, (key, v: unknown) => {
    if (key !== "" && isSecretKey(key) && v !== undefined && v !== null && v !== "") return REDACTED;
    return typeof v === "string" ? redactString(v) : v;
  });
}
