/**
 * The `expect:` keys of user specs, each compiled into a test. Offline keys
 * look at a guest's desired state (its .tf file); live keys (`status`,
 * `agent: responds`, `uptime`) ask the cluster and run only with --live.
 */
import type { GuestFacts } from "./guest-facts.js";
import { compare, matchesAny, parseComparison, parseGlobs, parseSubnet, type Unit } from "./spec-values.js";

/** What a live expectation can ask about one guest. */
export interface LiveGuest {
  status: string;
  /** Seconds. */
  uptime: number;
  /** Undefined when the QEMU guest agent answers; else why not. */
  agent(): Promise<string | undefined>;
}

/** One compiled expectation: returns a description of the actual value when it does not hold. */
export type Expectation =
  | { key: string; line: number; live: false; test: (g: GuestFacts) => string | undefined }
  | { key: string; line: number; live: true; test: (g: LiveGuest, facts: GuestFacts) => Promise<string | undefined> };

const NUMBERS: Record<string, { unit: Unit; of: (g: GuestFacts) => number; suffix: string }> = {
  cores: { unit: "none", of: (g) => g.cores, suffix: "" },
  memory: { unit: "mib", of: (g) => g.memory, suffix: " MiB" },
  disk: { unit: "gib", of: (g) => g.disk, suffix: " GiB" },
};
const BOOLEANS: Record<string, (g: GuestFacts) => boolean> = {
  started: (g) => g.started,
  on_boot: (g) => g.onBoot,
  protection: (g) => g.protection,
  template: (g) => g.template,
};
const LIVE_KEYS = ["status", "uptime"];

/** All keys `expect:` understands. */
export const EXPECT_KEYS = [...Object.keys(NUMBERS), ...Object.keys(BOOLEANS), "name", "node", "tags", "ip", "bridge", "storage", "agent", ...LIVE_KEYS];

function list(raw: unknown): string[] | undefined {
  const items = Array.isArray(raw) ? raw : [raw];
  return items.every((i) => typeof i === "string" || typeof i === "number") ? items.map(String) : undefined;
}

/** Compile `key: raw`; a string explains why it cannot be. */
export function compileExpect(key: string, raw: unknown, live: boolean, line: number): Expectation | string {
  if (!EXPECT_KEYS.includes(key)) return `unknown expectation (use ${EXPECT_KEYS.join(", ")})`;
  const isLiveKey = LIVE_KEYS.includes(key) || (key === "agent" && raw === "responds");
  if (isLiveKey && !live) return `${key === "agent" ? "agent: responds" : key} asks the cluster: put it in a spec with live: true`;
  if (!isLiveKey && live) return `${key} is checked against the files: put it in a spec without live: true`;
  if (isLiveKey) return compileLive(key, raw, line);
  const offline = (test: (g: GuestFacts) => string | undefined): Expectation => ({ key, line, live: false, test });

  const number = NUMBERS[key];
  if (number) {
    const c = parseComparison(raw, number.unit);
    if (typeof c === "string") return c;
    return offline((g) => (compare(number.of(g), c) ? undefined : `${key} ${number.of(g)}${number.suffix}, expected ${c.text}`));
  }
  const flag = BOOLEANS[key];
  if (flag) {
    if (typeof raw !== "boolean") return "expected true or false";
    return offline((g) => (flag(g) === raw ? undefined : `${key} is ${flag(g)}`));
  }
  if (key === "name" || key === "node") {
    const globs = parseGlobs(raw);
    if (typeof globs === "string") return globs;
    return offline((g) => (matchesAny(g[key], globs) ? undefined : `${key} is ${g[key]}`));
  }
  if (key === "bridge" || key === "storage") {
    const globs = parseGlobs(raw);
    if (typeof globs === "string") return globs;
    const of = (g: GuestFacts): string[] => (key === "bridge" ? g.bridges : g.datastores);
    return offline((g) => {
      const wrong = of(g).filter((v) => !matchesAny(v, globs));
      return wrong.length ? `${key} ${wrong.join(", ")}` : of(g).length ? undefined : `no ${key === "bridge" ? "network interface" : "disk"}`;
    });
  }
  if (key === "agent") {
    const enabled = raw === true || raw === "enabled" ? true : raw === false || raw === "disabled" ? false : undefined;
    if (enabled === undefined) return "expected enabled or disabled (or responds, with live: true)";
    return offline((g) => (g.agent === enabled ? undefined : `the QEMU guest agent is ${g.agent ? "enabled" : g.type === "lxc" ? "not available (a container)" : "disabled"}`));
  }
  if (key === "tags") return compileTags(raw, offline);
  return compileIp(raw, offline);
}

function compileTags(raw: unknown, offline: (test: (g: GuestFacts) => string | undefined) => Expectation): Expectation | string {
  const show = (g: GuestFacts): string => `tags [${g.tags.join(", ")}]`;
  if (Array.isArray(raw)) {
    const want = list(raw);
    if (!want) return "expected a list of tags";
    const sorted = [...new Set(want)].sort().join(",");
    return offline((g) => ([...g.tags].sort().join(",") === sorted ? undefined : `${show(g)}, expected exactly [${want.join(", ")}]`));
  }
  if (typeof raw === "string") raw = { contains: raw };
  if (typeof raw !== "object" || raw === null) return "expected a tag, a list of tags, or { contains: …, excludes: … }";
  const spec = raw as Record<string, unknown>;
  const unknown = Object.keys(spec).filter((k) => k !== "contains" && k !== "excludes");
  if (unknown.length) return `unknown key ${unknown[0]} (use contains, excludes)`;
  const contains = spec.contains === undefined ? [] : list(spec.contains);
  const excludes = spec.excludes === undefined ? [] : list(spec.excludes);
  if (!contains || !excludes) return "contains and excludes take a tag or a list of tags";
  return offline((g) => {
    const missing = contains.filter((t) => !g.tags.includes(t));
    const present = excludes.filter((t) => g.tags.includes(t));
    if (missing.length) return `${show(g)}, missing ${missing.join(", ")}`;
    return present.length ? `${show(g)}, must not have ${present.join(", ")}` : undefined;
  });
}

function compileIp(raw: unknown, offline: (test: (g: GuestFacts) => string | undefined) => Expectation): Expectation | string {
  if (raw === "static") return offline((g) => (g.addresses.length ? undefined : "no static address"));
  if (raw === "dhcp") return offline((g) => (g.dhcp && !g.addresses.length ? undefined : g.addresses.length ? `static ${g.addresses.map((a) => a.cidr).join(", ")}` : "no DHCP interface"));
  const inside = typeof raw === "string" ? parseSubnet(raw) : undefined;
  if (!inside) return 'expected static, dhcp, or an IPv4 subnet like "10.0.10.0/24"';
  return offline((g) => {
    const v4 = g.addresses.filter((a) => /^\d/.test(a.cidr));
    if (!v4.length) return "no static IPv4 address";
    const outside = v4.filter((a) => !inside(a.cidr));
    return outside.length ? `ip ${outside.map((a) => a.cidr).join(", ")} is outside ${String(raw)}` : undefined;
  });
}

function compileLive(key: string, raw: unknown, line: number): Expectation | string {
  const live = (test: (l: LiveGuest, g: GuestFacts) => Promise<string | undefined>): Expectation => ({ key, line, live: true, test });
  if (key === "agent") {
    return live(async (l, g) => {
      if (g.type === "lxc") return "agent: containers have no QEMU guest agent";
      const why = await l.agent();
      return why ? `the guest agent does not answer (${why})` : undefined;
    });
  }
  if (key === "uptime") {
    const c = parseComparison(raw, "none");
    if (typeof c === "string") return c;
    return live(async (l) => (compare(l.uptime, c) ? undefined : `uptime ${l.uptime} s, expected ${c.text}`));
  }
  const globs = parseGlobs(raw);
  if (typeof globs === "string") return globs;
  return live(async (l) => (matchesAny(l.status, globs) ? undefined : `status is ${l.status}`));
}
