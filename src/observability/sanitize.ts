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
const API_TOKEN = /(\b[\w.-]+@[\w.-]+![\w.-]+)(=|%3D)([^\s,;"'&)\]}]+)/g;
const PVE_AUTH = /(PVEAPIToken[= ])(\S+)/g;
/** `key = `, `key: `, `key=` of a secret-named key (also inside PVE property strings); the value is read by `readValue`. */
const ASSIGNMENT_KEY = /(["']?)([\w.-]*?(pass(word|wd|phrase)?|secret|token|private_?key|api_?key|sshkeys|ssh_?keys)(?![_-]?id\b)[\w.-]*)\1([ \t]*[:=][ \t]*)/gi;
/** A YAML block scalar's indicator (`|`, `>-` …): the value is on the lines below. */
const BLOCK = /^[|>][-+]?\d?[-+]?[ \t]*(#[^\n]*)?(?=\n|$)/;

/**
 * Whether a value is no secret: a template or lookup expression (`{{ … }}`,
 * `${…}`, `$VAR`, `var.x`, `lookup(…)`), an angle-bracket placeholder, a
 * word that stands for a secret (secret, SECRET, xxxx, changeme …), the
 * documented token form `user@realm!tokenid=secret`, or what was removed already.
 */
export function isPlaceholderValue(value: string): boolean {
  const t = unquote(value.trim()).trim().replace(/[)\]}.,;:'"`]+$/, "");
  if (!t) return true;
  if (t.startsWith(REMOVED)) return true;
  if (/\{\{[\s\S]*\}\}|\{%|\$\{[^}]*\}|^\$[A-Za-z_]\w*$|\blookup\(|^env\(|^(var|local|data|module)\.[\w.[\]"-]+$/.test(t)) return true;
  if (/^<[^<>]*>$/.test(t)) return true;
  if (/^(your[_-]?)?(secret|password|passwd|passphrase|token|tokenid|token[_-]?secret|api[_-]?key|changeme|change[_-]?me|redacted|removed|hidden|none|null|undefined|true|false|uuid|\*{3,}|x{3,}|\.{3}|…)$/i.test(t)) return true;
  const token = /^[^@\s]+@[^!\s]+![^=\s]+=(.*)$/.exec(t);
  return token !== null && isPlaceholderValue(token[1]);
}

/** One secret-named assignment in a text: where its value starts and ends, and the value. */
interface Assignment {
  start: number;
  /** Where the value starts (after `key: `) and ends (a block's last line included). */
  valueStart: number;
  end: number;
  value: string;
}

/** The secret-named assignments of a text, each value read whole (quoted across lines, a YAML block, a template). */
function assignments(input: string): Assignment[] {
  const found: Assignment[] = [];
  for (const m of input.matchAll(ASSIGNMENT_KEY)) {
    const valueStart = m.index + m[0].length;
    const end = readValue(input, valueStart, m.index);
    if (end > valueStart && (found.length === 0 || m.index >= found[found.length - 1].end)) found.push({ start: m.index, valueStart, end, value: input.slice(valueStart, end) });
  }
  return found;
}

/** Where a value starting at `at` ends. */
function readValue(text: string, at: number, lineAt: number): number {
  const rest = text.slice(at);
  const closing = (open: string, close: string): number => {
    const i = rest.indexOf(close, open.length);
    return i < 0 ? -1 : at + i + close.length;
  };
  if (rest.startsWith("{{")) return closing("{{", "}}") > 0 ? closing("{{", "}}") : lineEnd(text, at);
  if (/^<[^<>\n]*>/.test(rest)) return at + /^<[^<>\n]*>/.exec(rest)![0].length;
  if (rest.startsWith("${")) return closing("${", "}") > 0 ? Math.min(closing("${", "}"), lineEnd(text, at)) : lineEnd(text, at);
  if (rest[0] === '"' || rest[0] === "'") {
    const q = rest[0];
    for (let i = 1; i < rest.length; i++) {
      if (q === '"' && rest[i] === "\\") i++;
      else if (rest[i] === q && !(q === "'" && rest[i + 1] === "'")) return at + i + 1;
      else if (q === "'" && rest[i] === "'") i++;
      // A quoted value goes on only onto more-indented lines (YAML); otherwise it ends with its line.
      else if (rest[i] === "\n" && !(indentAt(text, at + i + 1) > indentAt(text, lineStart(text, lineAt)))) return at + i;
    }
    return text.length;
  }
  const block = BLOCK.exec(rest);
  if (block || /^[ \t]*(\n|$)/.test(rest)) {
    // A block scalar, or a plain value continued on more-indented lines; a nested mapping or list is not a value.
    const indent = indentAt(text, lineStart(text, lineAt));
    let end = lineEnd(text, at);
    let taken = false;
    while (end < text.length) {
      const next = end + 1;
      const lineText = text.slice(next, lineEnd(text, next));
      if (lineText.trim() === "" && block) {
        end = lineEnd(text, next);
        continue;
      }
      if (lineText.trim() === "" || indentAt(text, next) <= indent) break;
      if (!block && !taken && /^\s*(- |-$|[\w"'.-]+\s*:(\s|$)|#)/.test(lineText)) return at;
      taken = true;
      end = lineEnd(text, next);
    }
    // Trailing blank lines belong to what follows.
    while (end > at && /\s/.test(text[end - 1])) end--;
    return block || taken ? end : at;
  }
  return at + (/^[^\s,;&]+/.exec(rest)?.[0].length ?? 0);
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf("\n", at - 1) + 1;
}

function lineEnd(text: string, at: number): number {
  const i = text.indexOf("\n", at);
  return i < 0 ? text.length : i;
}

function indentAt(text: string, start: number): number {
  return /^[ \t]*/.exec(text.slice(start, lineEnd(text, start)))![0].length;
}

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
    for (const a of assignments(text)) if (!isPlaceholderValue(a.value) && !BLOCK.test(a.value)) this.add(unquote(a.value));
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
    out = out.replace(API_TOKEN, (all, id: string, eq: string, secret: string) => (isPlaceholderValue(secret) ? all : (this.removed++, `${id}${eq}${REMOVED}`)));
    out = out.replace(PVE_AUTH, (all, prefix: string, value: string) => (isPlaceholderValue(value) ? all : (this.removed++, `${prefix}${REMOVED}`)));
    let kept = "";
    let from = 0;
    for (const a of assignments(out)) {
      if (isPlaceholderValue(BLOCK.test(a.value) ? a.value.replace(BLOCK, "") : a.value)) continue;
      this.removed++;
      // The whole value goes (a block's lines and a quoted value's continuation lines too): the file keeps its structure.
      const quote = a.value.startsWith('"') ? '"' : a.value.startsWith("'") ? "'" : "";
      kept += `${out.slice(from, a.valueStart)}${quote}${REMOVED}${quote}`;
      from = a.end;
    }
    out = kept + out.slice(from);
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
        const secret = isSecretName(key) && v !== null && v !== undefined && typeof v !== "boolean" && !(typeof v === "string" && isPlaceholderValue(v));
        if (secret) this.removed++;
        out[this.text(key)] = secret ? REMOVED : typeof v === "string" && isSecretName(key) ? v : this.value(v, depth + 1);
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
