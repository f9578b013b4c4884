/**
 * Secret removal for diagnostic bundles, safe by construction: a secret is
 * removed whole (never partly masked), found four ways — every value known
 * to be secret (the token secret, secret-named environment variables, values
 * assigned to secret-named keys anywhere in the bundle's files), values under
 * secret-named keys of objects, secret-named assignments inside text
 * (`password = "…"`, `cipassword=…`, `token_secret: …`), and material that
 * looks secret wherever it is (PEM private keys, ssh keys, API tokens).
 */
import { isSecretKey } from "../core/redact.js";

/** What replaces a removed secret. */
export const REMOVED = "[REMOVED]";

/** Key names whose values are secret (matched as a part of the key). Ids are not: `tokenId`, `token_id`. */
const SECRET_NAME = /(pass(word|wd|phrase)?|secret|token|private_?key|privkey|api_?key|sshkeys|ssh_?keys|credential|cookie|authorization)(?![_-]?id\b)/i;
const PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
const SSH_KEY = /\b(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp\d+|sk-ssh-ed25519@openssh\.com)(\s+|%20)[A-Za-z0-9+/=%]{16,}/g;
const API_TOKEN = /(\b[\w.-]+@[\w.-]+![\w.-]+)(=|%3D)[^\s,;"'&)\]}]+/g;
const PVE_AUTH = /(PVEAPIToken[= ])\S+/g;
/** `key = "value"`, `key: value`, `key=value` (also inside PVE property strings, up to a comma). */
const ASSIGNMENT = /(["']?)([\w.-]*?(pass(word|wd|phrase)?|secret|token|private_?key|api_?key|sshkeys|ssh_?keys)(?![_-]?id\b)[\w.-]*)\1(\s*[:=]\s*)("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s,;&]+)/gi;

/** Whether an object key names a secret. */
export function isSecretName(key: string): boolean {
  return isSecretKey(key) || SECRET_NAME.test(key);
}

/** Removes secrets from the strings and objects of one bundle. */
export class SecretScrubber {
  private readonly known = new Set<string>();
  /** How many secrets were removed (for the report's counts). */
  removed = 0;

  /** Remember a secret value: it is removed wherever it appears, labelled or not. */
  add(secret: string | undefined): void {
    const value = secret?.trim();
    if (value && value.length >= 4 && value !== REMOVED) {
      this.known.add(value);
      const encoded = encodeURIComponent(value);
      if (encoded !== value) this.known.add(encoded);
    }
  }

  /** Remember the secret values of an environment (the token secret, *PASSWORD*, *SECRET* …). */
  addEnvironment(env: NodeJS.ProcessEnv): void {
    for (const [key, value] of Object.entries(env)) {
      if (!value || !isSecretName(key)) continue;
      this.add(value);
      const tokenSecret = /^[^=\s]+@[^=\s]+![^=\s]+=(.+)$/.exec(value)?.[1];
      this.add(tokenSecret);
    }
  }

  /** Remember the values assigned to secret-named keys in a text (an IaC file, a log line). */
  learnFrom(text: string): void {
    for (const m of text.matchAll(ASSIGNMENT)) this.add(unquote(m[6]));
  }

  /** A text without the known secrets (the last pass over a serialized bundle: no patterns, which could break its syntax). */
  knownOnly(input: string): string {
    let out = input;
    for (const secret of [...this.known].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) {
        this.removed += out.split(secret).length - 1;
        out = out.split(secret).join(REMOVED);
      }
    }
    return out;
  }

  /** A text without secrets: known ones, then whatever looks secret. */
  text(input: string): string {
    let out = this.knownOnly(input);
    const count = (replacement: string) => (): string => (this.removed++, replacement);
    out = out.replace(PEM, count(`${REMOVED} (private key)`));
    out = out.replace(SSH_KEY, count(`${REMOVED} (ssh key)`));
    out = out.replace(API_TOKEN, (_all, id: string, eq: string) => (this.removed++, `${id}${eq}${REMOVED}`));
    out = out.replace(PVE_AUTH, (_all, prefix: string) => (this.removed++, `${prefix}${REMOVED}`));
    out = out.replace(ASSIGNMENT, (all, q: string, key: string, _a, _b, sep: string, value: string) => {
      if (unquote(value) === REMOVED || value.startsWith(`"${REMOVED}`)) return all;
      this.removed++;
      const quote = value.startsWith('"') ? '"' : value.startsWith("'") ? "'" : "";
      return `${q}${key}${q}${sep}${quote}${REMOVED}${quote}`;
    });
    return out;
  }

  /** A deep copy without secrets: secret-named keys lose their values, every string is scrubbed. */
  value<T>(input: T, depth = 0): T {
    if (depth > 40) return REMOVED as T;
    if (typeof input === "string") return this.text(input) as T;
    if (Array.isArray(input)) return input.map((v) => this.value(v, depth + 1)) as T;
    if (input instanceof Date) return input.toISOString() as T;
    if (input && typeof input === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(input as Record<string, unknown>)) {
        const secret = isSecretName(key) && v !== null && v !== undefined && v !== "" && typeof v !== "boolean";
        if (secret) this.removed++;
        out[this.text(key)] = secret ? REMOVED : this.value(v, depth + 1);
      }
      return out as T;
    }
    return input;
  }

  /** Whether a final text still holds a known secret (the bundle writer refuses to write it). */
  leaks(text: string): boolean {
    return [...this.known].some((secret) => text.includes(secret) || text.includes(JSON.stringify(secret).slice(1, -1)));
  }
}

function unquote(value: string): string {
  return /^(["']).*\1$/s.test(value) ? value.slice(1, -1) : value;
}
