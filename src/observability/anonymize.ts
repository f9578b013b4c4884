/**
 * `--anonymize`: hostnames, IP addresses, MAC addresses, usernames (and API
 * token names) become consistent placeholders throughout a bundle — the same
 * name is the same placeholder in every file, log line and message (`host-1`,
 * `10.0.0.1`, `02:00:00:00:00:01`, `user-1@pam!token-1`), so a reader can
 * still follow the story. The workspace's folder becomes `<workspace>`.
 *
 * Precise, not greedy: a hostname is what the bundle knows as one (node and
 * guest names, the endpoint host, this machine) or an FQDN-looking string;
 * words of the tool's own vocabulary (vm, ct, command names …) are never
 * replaced as words, only where a field holds exactly a hostname. Usernames
 * are replaced wherever they are used as one (`user@realm`, `user@host`,
 * `username = …`), and as whole words unless they are generic (root, debian …).
 */

const IPV4 = /(?<![\d.])(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(?![\d]|\.\d)/g;
const MAC = /(?<![0-9A-Fa-f:-])[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}(?![0-9A-Fa-f:-])/g;
/** `user@realm!tokenid` (a PVE API token id), `user@realm` and `user@host` (ssh key comments, e-mail addresses). */
const USER_AT = /(?<![\w.@-])([A-Za-z_][\w.-]*)@([A-Za-z][\w.-]*)(?:!([A-Za-z][\w.-]*))?/g;
/** `username = "deploy"`, `ansible_user: deploy`, `ciuser=deploy`, `user: root@pam`: usernames assigned in IaC, configs and logs. */
const USER_ASSIGNMENT = /(\b(?:username|user_?name|user|ansible_user|ansible_ssh_user|remote_user|become_user|ciuser|login)["']?[ \t]*[:=][ \t]*["']?)([A-Za-z_][\w.-]*)/gi;
/** `token_id: mpc` (the dynamic inventory's token name). */
const TOKEN_ASSIGNMENT = /(\btoken_?id["']?[ \t]*[:=][ \t]*["']?)([A-Za-z][\w.-]*)(?![\w.@!-])/gi;
/** FQDN-looking strings: two or more labels ending in a top-level domain used for hosts. */
const FQDN = /(?<![\w.-])((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:com|net|org|io|dev|app|cloud|local|lan|internal|intranet|intra|home|corp|localdomain|private|arpa|eu|de|fr|uk|nl|ch|at|be|se|no|fi|dk|it|es|us|ca|au|jp|info|biz|xyz|tech|online|site|me))(?![\w-]|\.[A-Za-z0-9])/g;
const FQDN_ONLY = new RegExp(`^${FQDN.source.replace("(?<![\\w.-])", "").replace("(?![\\w-]|\\.[A-Za-z0-9])", "")}$`);
/** Public names that identify nothing about a setup (documentation, registries, key types). */
const PUBLIC_DOMAINS = /(^|\.)(github\.com|githubusercontent\.com|terraform\.io|hashicorp\.com|ansible\.com|proxmox\.com|openssh\.com|debian\.org|ubuntu\.com|anthropic\.com|claude\.ai|npmjs\.org|npmjs\.com|nodejs\.org|example\.com|example\.org|example\.net)$/i;
/** Users that name a role or a distribution's default, not a person: replaced where used as a username, never as a bare word. */
const GENERIC_USERS = new Set(["root", "admin", "administrator", "nobody", "debian", "ubuntu", "centos", "fedora", "rocky", "almalinux", "alpine", "arch", "cloud-user", "ec2-user", "pi", "ansible", "proxmox", "terraform"]);
/** Names in documentation's examples (`user@realm!tokenid=secret`): placeholders already, kept as they are. */
const PLACEHOLDER_NAMES = new Set(["user", "username", "realm", "tokenid", "token", "tokenname", "name", "you", "me", "your", "host", "hostname", "node", "example"]);
/** The tool's own vocabulary: never replaced as a word, even when a host has that name. */
const VOCABULARY = new Set([
  "vm", "vms", "ct", "cts", "qemu", "lxc", "guest", "guests", "node", "nodes", "host", "hosts", "all", "any", "none", "local", "localhost", "server", "cluster",
  "storage", "pool", "template", "templates", "snapshot", "snapshots", "backup", "backups", "running", "stopped", "paused", "online", "offline", "true", "false",
  "init", "sync", "status", "health", "get", "describe", "create", "delete", "set", "test", "plan", "apply", "destroy", "start", "stop", "shutdown", "reboot",
  "clone", "migrate", "context", "sim", "demo", "logs", "mcp", "serve", "token", "ask", "debug", "completion", "complete", "rollback", "list", "report-issue",
  "proxmox", "pve", "pam", "terraform", "ansible", "default", "yes", "no", "json", "yaml", "text", "table",
]);
/** Object keys whose string value is a hostname (replaced when it is exactly a known one, even a vocabulary word). */
const HOST_KEYS = /^(host|hostname|node|node_?name|nodeName|server|name|target|proxmox_node|defaultNode)$/i;

/** Replaces identifying names with placeholders, the same one each time. */
export class Anonymizer {
  private readonly hosts = new Map<string, string>();
  /** Hostnames replaced wherever they appear as a whole word (not vocabulary words). */
  private readonly wordHosts = new Set<string>();
  private readonly ips = new Map<string, string>();
  private readonly macs = new Map<string, string>();
  private readonly users = new Map<string, string>();
  /** Usernames replaced wherever they appear as a whole word (not generic ones). */
  private readonly wordUsers = new Set<string>();
  private readonly tokens = new Map<string, string>();
  /** Paths (the workspace, the home folder) and their placeholders, longest first. */
  private paths: [string, string][] = [];
  private readonly folders = new Map<string, string>();
  private hostCount = 0;
  private hostPattern?: RegExp;
  private userPattern?: RegExp;
  private pathPattern?: RegExp;

  /**
   * Hostnames the bundle knows (nodes, guests, the endpoint host): replaced as
   * whole words. With `{ words: false }` (this machine, the host a sync ran on)
   * only where a field holds exactly that name, or where it looks like an FQDN.
   */
  addHostnames(names: Iterable<string | undefined>, options: { words?: boolean } = {}): void {
    for (const name of names) {
      if (!name || name.length < 2 || /^\d+$/.test(name) || isPlaceholder(name, "host")) continue;
      if (options.words === false && !FQDN_ONLY.test(name)) {
        if (!this.hosts.has(name)) this.hosts.set(name, `host-${++this.hostCount}`);
        continue;
      }
      this.host(name);
      // Terraform resource names and file names spell `web-01` as `web_01`.
      if (name.includes("-") && !VOCABULARY.has(name)) this.alias(name.replace(/-/g, "_"), this.host(name).replace(/-/g, "_"));
    }
    this.hostPattern = this.wordHosts.size ? wordPattern([...this.wordHosts]) : undefined;
  }

  /** Usernames to replace (the token's user, the local login). */
  addUsernames(names: Iterable<string | undefined>): void {
    for (const name of names) if (name && !PLACEHOLDER_NAMES.has(name.toLowerCase()) && !isPlaceholder(name, "user")) this.user(name);
  }

  /** The workspace's folder: its path becomes `<workspace>` and its name, as a path part or a `workspace` value, too. */
  addWorkspace(root: string | undefined, name?: string): void {
    if (root && root.length > 1) this.paths.push([root.replace(/\/+$/, ""), "<workspace>"]);
    const folder = name ?? root?.split("/").filter(Boolean).at(-1);
    if (folder) this.folders.set(folder, "<workspace>");
    this.rebuildPaths();
  }

  /** The home folder: its path becomes `<home>`. */
  addHome(home: string | undefined): void {
    if (home && home.length > 1 && home !== "/") this.paths.push([home.replace(/\/+$/, ""), "<home>"]);
    this.rebuildPaths();
  }

  /** Learn the usernames a text assigns (`username = "deploy"`), to replace them everywhere. */
  learnUsernames(text: string): void {
    for (const m of text.matchAll(USER_ASSIGNMENT)) this.addUsernames([m[2]]);
  }

  /** The placeholders given so far, for the bundle's notes (never the originals). */
  counts(): { hostnames: number; ips: number; macs: number; usernames: number } {
    return { hostnames: this.hostCount, ips: this.ips.size, macs: this.macs.size, usernames: this.users.size };
  }

  /** A text with every known and recognisable identifier replaced. */
  text(input: string): string {
    let out = input;
    if (this.pathPattern) out = out.replace(this.pathPattern, (path) => this.paths.find(([p]) => p === path)?.[1] ?? path);
    if (this.folders.size) out = out.replace(FOLDER, (all, pre: string, name: string) => (this.folders.has(name) ? `${pre}${this.folders.get(name)}` : all));
    out = out.replace(MAC, (mac) => this.placeholder(this.macs, mac.toLowerCase().replace(/-/g, ":"), (n) => `02:00:00:00:${hex(n >> 8)}:${hex(n & 255)}`));
    out = out.replace(IPV4, (ip) => this.placeholder(this.ips, ip, (n) => `10.0.${n >> 8}.${n & 255}`));
    out = out.replace(USER_AT, (all, user: string, at: string, token: string | undefined) => {
      if (isPlaceholder(user, "user") || PLACEHOLDER_NAMES.has(user.toLowerCase())) return all;
      const host = token === undefined && this.hosts.has(at) ? this.hosts.get(at)! : at;
      return `${this.user(user)}@${host}${token === undefined ? "" : `!${this.token(token)}`}`;
    });
    out = out.replace(USER_ASSIGNMENT, (all, pre: string, user: string) => (this.users.has(user) ? `${pre}${this.users.get(user)}` : all));
    out = out.replace(TOKEN_ASSIGNMENT, (all, pre: string, token: string) => (this.tokens.has(token) ? `${pre}${this.tokens.get(token)}` : all));
    if (this.userPattern) out = out.replace(this.userPattern, (name) => this.users.get(name) ?? name);
    out = out.replace(FQDN, (name) => (PUBLIC_DOMAINS.test(name) || isPlaceholder(name, "host") ? name : this.host(name)));
    if (this.hostPattern) out = out.replace(this.hostPattern, (name) => this.hosts.get(name) ?? name);
    return out;
  }

  /** A deep copy with every string (and key) anonymized; a host field's value that is exactly a known hostname is replaced even when it is a common word. */
  value<T>(input: T, depth = 0, key?: string): T {
    if (depth > 40) return input;
    if (typeof input === "string") {
      if (key !== undefined && HOST_KEYS.test(key) && this.hosts.has(input)) return this.hosts.get(input) as T;
      if (key !== undefined && /^workspace$/i.test(key) && this.folders.has(input)) return this.folders.get(input) as T;
      return this.text(input) as T;
    }
    if (Array.isArray(input)) return input.map((v) => this.value(v, depth + 1)) as T;
    if (input && typeof input === "object" && !(input instanceof Date)) {
      return Object.fromEntries(Object.entries(input as Record<string, unknown>).map(([k, v]) => [this.text(k), this.value(v, depth + 1, k)])) as T;
    }
    return input;
  }

  private host(name: string): string {
    const known = this.hosts.get(name);
    if (known) return known;
    if (/^host[-_]\d+$/.test(name)) return name;
    const placeholder = `host-${++this.hostCount}`;
    this.hosts.set(name, placeholder);
    if (!VOCABULARY.has(name.toLowerCase())) {
      this.wordHosts.add(name);
      this.hostPattern = wordPattern([...this.wordHosts]);
    }
    return placeholder;
  }

  private alias(name: string, placeholder: string): void {
    if (this.hosts.has(name) || VOCABULARY.has(name.toLowerCase())) return;
    this.hosts.set(name, placeholder);
    this.wordHosts.add(name);
  }

  private user(name: string): string {
    if (/^user-\d+$/.test(name)) return name;
    let placeholder = this.users.get(name);
    if (!placeholder) {
      placeholder = `user-${this.users.size + 1}`;
      this.users.set(name, placeholder);
      if (!GENERIC_USERS.has(name.toLowerCase()) && !VOCABULARY.has(name.toLowerCase())) {
        this.wordUsers.add(name);
        this.userPattern = wordPattern([...this.wordUsers]);
      }
    }
    return placeholder;
  }

  private token(name: string): string {
    if (/^token-\d+$/.test(name) || PLACEHOLDER_NAMES.has(name.toLowerCase())) return name;
    let placeholder = this.tokens.get(name);
    if (!placeholder) {
      placeholder = `token-${this.tokens.size + 1}`;
      this.tokens.set(name, placeholder);
    }
    return placeholder;
  }

  private rebuildPaths(): void {
    this.paths = [...new Map(this.paths).entries()].sort((a, b) => b[0].length - a[0].length);
    this.pathPattern = this.paths.length ? new RegExp(`(?<![\\w.~-])(${this.paths.map(([p]) => escape(p)).join("|")})(?![\\w.-])`, "g") : undefined;
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

/** A folder name as a path part: after a `/`, before a `/` or the end of the path. */
const FOLDER = /(\/)([\w.-]+)(?=\/|$|[\s"'`),;:\]])/g;

/** Obvious placeholders of examples (`<user>`, `{{ … }}`, `xxxx`, `host-1`). */
function isPlaceholder(name: string, kind: "host" | "user"): boolean {
  return /^<.*>$|\{\{|\$\{|^x{3,}$/i.test(name) || (kind === "host" ? /^host[-_]\d+$/ : /^user-\d+$/).test(name);
}

function hex(n: number): string {
  return n.toString(16).padStart(2, "0");
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Whole words: not inside a longer name (letters, digits, `_` and `-` around
 * it) — except an inventory group's `node_` prefix — and not a PVE realm
 * (`@pve`) or `/etc/pve`.
 */
function wordPattern(words: string[]): RegExp {
  const escaped = words.sort((a, b) => b.length - a.length).map(escape);
  return new RegExp(`(?<![A-Za-z0-9-])(?<!(?<!\\bnode)_)(?<!@(?=(pve|pam)\\b))(?<!/etc/(?=pve\\b))(${escaped.join("|")})(?![A-Za-z0-9_-])`, "g");
}
