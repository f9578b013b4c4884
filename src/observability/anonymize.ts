/**
 * `--anonymize`: hostnames, IP addresses, MAC addresses and usernames become
 * consistent placeholders throughout a bundle — the same name is the same
 * placeholder in every file, log line and message (`host-1`, `10.0.0.1`,
 * `02:00:00:00:00:01`, `user-1`), so a reader can still follow the story.
 */

const IPV4 = /(?<![\d.])(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(?![\d]|\.\d)/g;
const MAC = /(?<![0-9A-Fa-f:-])[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}(?![0-9A-Fa-f:-])/g;
/** `user@realm` of PVE (pam, pve, or a named realm) and e-mail addresses. */
const USER_AT = /(?<![\w.-])([A-Za-z_][\w.-]*)@(?=[A-Za-z][\w.-]*)/g;
/** `username = "deploy"`, `ansible_user: deploy`, `ciuser=deploy`: usernames assigned in IaC, configs and logs. */
const USER_ASSIGNMENT = /\b(username|user_?name|ansible_user|ansible_ssh_user|remote_user|ciuser|login)["']?\s*[:=]\s*["']?([A-Za-z_][\w.-]*)/gi;
/** Users that name a role, not a person. */
const KEEP_USERS = new Set(["root", "admin", "nobody"]);

/** Replaces identifying names with placeholders, the same one each time. */
export class Anonymizer {
  private readonly hosts = new Map<string, string>();
  private readonly ips = new Map<string, string>();
  private readonly macs = new Map<string, string>();
  private readonly users = new Map<string, string>();
  private hostPattern?: RegExp;
  private userPattern?: RegExp;

  /** Names to replace wherever they appear as a whole word (nodes, guests, the server, this machine). */
  addHostnames(names: Iterable<string | undefined>): void {
    for (const name of names) {
      if (name && name.length >= 2 && !/^\d+$/.test(name) && !this.hosts.has(name)) this.hosts.set(name, `host-${this.hosts.size + 1}`);
    }
    this.hostPattern = this.hosts.size ? wordPattern([...this.hosts.keys()]) : undefined;
  }

  /** Usernames to replace wherever they appear as a whole word (the token's user, the local login). */
  addUsernames(names: Iterable<string | undefined>): void {
    for (const name of names) if (name && !KEEP_USERS.has(name)) this.user(name);
  }

  /** Learn the usernames a text assigns (`username = "deploy"`), to replace them everywhere. */
  learnUsernames(text: string): void {
    for (const m of text.matchAll(USER_ASSIGNMENT)) this.addUsernames([m[2]]);
  }

  /** The placeholders given so far, for the bundle's notes (never the originals). */
  counts(): { hostnames: number; ips: number; macs: number; usernames: number } {
    return { hostnames: this.hosts.size, ips: this.ips.size, macs: this.macs.size, usernames: this.users.size };
  }

  /** A text with every known and recognisable identifier replaced. */
  text(input: string): string {
    let out = input.replace(MAC, (mac) => this.placeholder(this.macs, mac.toLowerCase().replace(/-/g, ":"), (n) => `02:00:00:00:${hex(n >> 8)}:${hex(n & 255)}`));
    out = out.replace(IPV4, (ip) => this.placeholder(this.ips, ip, (n) => `10.0.${n >> 8}.${n & 255}`));
    out = out.replace(USER_AT, (all, user: string) => (KEEP_USERS.has(user) ? all : `${this.user(user)}@`));
    if (this.userPattern) out = out.replace(this.userPattern, (name) => this.users.get(name) ?? name);
    if (this.hostPattern) out = out.replace(this.hostPattern, (name) => this.hosts.get(name) ?? name);
    return out;
  }

  /** A deep copy with every string (and key) anonymized. */
  value<T>(input: T, depth = 0): T {
    if (depth > 40) return input;
    if (typeof input === "string") return this.text(input) as T;
    if (Array.isArray(input)) return input.map((v) => this.value(v, depth + 1)) as T;
    if (input && typeof input === "object" && !(input instanceof Date)) {
      return Object.fromEntries(Object.entries(input as Record<string, unknown>).map(([k, v]) => [this.text(k), this.value(v, depth + 1)])) as T;
    }
    return input;
  }

  private user(name: string): string {
    let placeholder = this.users.get(name);
    if (!placeholder) {
      placeholder = `user-${this.users.size + 1}`;
      this.users.set(name, placeholder);
      this.userPattern = wordPattern([...this.users.keys()]);
    }
    return placeholder;
  }

  private placeholder(map: Map<string, string>, key: string, make: (n: number) => string): string {
    // A placeholder met again (a second pass) stays itself.
    if ([...map.values()].includes(key)) return key;
    let value = map.get(key);
    if (!value) {
      value = make(map.size + 1);
      map.set(key, value);
    }
    return value;
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(2, "0");
}

/** Whole words: not inside a longer name (letters, digits, `_` and `-` around it). */
function wordPattern(words: string[]): RegExp {
  const escaped = words.sort((a, b) => b.length - a.length).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`(?<![A-Za-z0-9_-])(${escaped.join("|")})(?![A-Za-z0-9_-])`, "g");
}
