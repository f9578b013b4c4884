/**
 * The small value languages of user specs: comparisons (`">= 2"`, `"<= 8G"`),
 * globs (`"web-*"`), VMID ranges (`"100-199"`) and IPv4 subnets.
 */

/** A numeric comparison, e.g. `>= 2048`. */
export interface Comparison {
  op: ">=" | ">" | "<=" | "<" | "==" | "!=";
  value: number;
  /** As written, for messages. */
  text: string;
}

/** Units a value may carry; the number is converted into the field's base unit. */
export type Unit = "none" | "mib" | "gib";

const SCALE: Record<Exclude<Unit, "none">, Record<string, number>> = {
  mib: { "": 1, K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 },
  gib: { "": 1, K: 1 / 1024 ** 2, M: 1 / 1024, G: 1, T: 1024 },
};

const COMPARISON = /^\s*(>=|<=|==|!=|=|>|<)?\s*(\d+(?:\.\d+)?)\s*([KMGT])?(?:i?B)?\s*$/i;

/** Parse `2`, `">= 2"`, `"< 8G"`; a string explaining the problem when it cannot. */
export function parseComparison(raw: unknown, unit: Unit): Comparison | string {
  if (typeof raw === "number" && Number.isFinite(raw)) return { op: "==", value: raw, text: String(raw) };
  if (typeof raw !== "string") return `expected a number or a comparison like ">= 2", found ${JSON.stringify(raw)}`;
  const m = COMPARISON.exec(raw);
  if (!m) return `"${raw}" is not a comparison like ">= 2"${unit === "none" ? "" : ' or "<= 8G"'}`;
  const suffix = (m[3] ?? "").toUpperCase();
  if (suffix && unit === "none") return `"${raw}" takes no unit`;
  const value = Number(m[2]) * (unit === "none" ? 1 : SCALE[unit][suffix]);
  const op = (m[1] === "=" ? "==" : (m[1] ?? "==")) as Comparison["op"];
  return { op, value, text: raw.trim() };
}

/** Whether `value` satisfies the comparison. */
export function compare(value: number, c: Comparison): boolean {
  switch (c.op) {
    case ">=":
      return value >= c.value;
    case ">":
      return value > c.value;
    case "<=":
      return value <= c.value;
    case "<":
      return value < c.value;
    case "==":
      return value === c.value;
    case "!=":
      return value !== c.value;
  }
}

/** A glob (`*` any run, `?` one character, `[ab]` a class) as an anchored, case-insensitive RegExp. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end > i + 1) {
        re += `[${glob.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\")}]`;
        i = end;
      } else re += "\\[";
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "i");
}

/** One glob or a list of them (any may match); a problem string for other values. */
export function parseGlobs(raw: unknown): RegExp[] | string {
  const list = Array.isArray(raw) ? raw : [raw];
  if (!list.length) return "expected a pattern or a list of patterns, found an empty list";
  const out: RegExp[] = [];
  for (const item of list) {
    if (typeof item !== "string" && typeof item !== "number") return `expected a pattern like "web-*", found ${JSON.stringify(item)}`;
    out.push(globToRegExp(String(item)));
  }
  return out;
}

/** Whether any pattern matches. */
export function matchesAny(value: string, patterns: RegExp[]): boolean {
  return patterns.some((p) => p.test(value));
}

/** VMIDs: `105`, `"100-199"`, or a list of those. */
export function parseVmids(raw: unknown): ((vmid: number) => boolean) | string {
  const list = Array.isArray(raw) ? raw : [raw];
  const ranges: [number, number][] = [];
  for (const item of list) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(String(item));
    if (!m || (typeof item !== "number" && typeof item !== "string")) return `expected a vmid or a range like "100-199", found ${JSON.stringify(item)}`;
    ranges.push([Number(m[1]), Number(m[2] ?? m[1])]);
  }
  return (vmid) => ranges.some(([from, to]) => vmid >= from && vmid <= to);
}

/** An IPv4 subnet `10.0.0.0/24` as a membership test for addresses (CIDR or plain). */
export function parseSubnet(raw: string): ((address: string) => boolean) | undefined {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(raw.trim());
  const base = m ? ipv4(m[1]) : undefined;
  if (!m || base === undefined || Number(m[2]) > 32) return undefined;
  const bits = Number(m[2]);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (address) => {
    const ip = ipv4(address.split("/")[0]);
    return ip !== undefined && (ip & mask) >>> 0 === (base & mask) >>> 0;
  };
}

function ipv4(text: string): number | undefined {
  const parts = text.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}
