/**
 * Normalization of the quirks real PVE servers send (see tests/fixtures/pve):
 * vmids and counters as strings on older servers, `template: ""`, nextid as a
 * string. Only fields the product relies on are touched; the rest stays raw.
 */

/** A number from a number or numeric string; undefined for "", null, garbage. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}

/** PVE's 0/1/""/"1"/true as a boolean. */
export function toFlag(value: unknown): boolean {
  return value === 1 || value === "1" || value === true;
}

const NUMERIC_KEYS = ["vmid", "pid", "cpus", "maxcpu", "maxmem", "mem", "maxdisk", "disk", "uptime", "netin", "netout", "diskread", "diskwrite", "maxswap", "swap"];

/** Make the numeric fields of a list/status entry numbers and `template` 0/1. */
export function normalizeEntry<T extends object>(entry: T): T {
  const out: Record<string, unknown> = { ...(entry as Record<string, unknown>) };
  for (const key of NUMERIC_KEYS) {
    if (key in out) {
      const n = toNumber(out[key]);
      if (n === undefined) delete out[key];
      else out[key] = n;
    }
  }
  if ("template" in out) out.template = toFlag(out.template) ? 1 : 0;
  return out as T;
}

/** Split PVE's tag list ("a;b", also "a,b" or "a b" from older versions). */
export function splitTags(tags: unknown): string[] {
  if (typeof tags !== "string" || !tags.trim()) return [];
  return tags
    .split(/[;,\s]+/)
    .map((t) => t.trim())
    .filter(Boolean);
}

/**
 * Parse a PVE property string (`virtio=BC:24:11:..,bridge=vmbr0`), naming a
 * bare first value with `defaultKey` (e.g. "volume" for disks).
 */
export function parsePropertyString(value: string, defaultKey?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(",")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    if (eq === -1) {
      if (defaultKey && !(defaultKey in out)) out[defaultKey] = part;
      else out[part] = "1";
    } else out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** Write a property string back, default key first and bare. */
export function formatPropertyString(props: Record<string, string | number | undefined>, defaultKey?: string): string {
  const parts: string[] = [];
  if (defaultKey && props[defaultKey] !== undefined) parts.push(String(props[defaultKey]));
  for (const [key, value] of Object.entries(props)) {
    if (key === defaultKey || value === undefined) continue;
    parts.push(`${key}=${value}`);
  }
  return parts.join(",");
}

/** Parse a PVE size ("32G", "512M", "1T", "1032M", bare number = bytes) into GiB. */
export function sizeToGiB(size: string | undefined): number | undefined {
  if (!size) return undefined;
  const match = /^(\d+(?:\.\d+)?)([KMGT]?)$/i.exec(size.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  const unit = match[2].toUpperCase();
  const factor: Record<string, number> = { "": 1 / 1024 ** 3, K: 1 / 1024 ** 2, M: 1 / 1024, G: 1, T: 1024 };
  return n * factor[unit];
}
