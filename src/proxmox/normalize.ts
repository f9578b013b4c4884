/**
 * Normalization of the quirks real PVE servers send in list and status
 * entries (see tests/fixtures/pve): vmids and counters as strings on older
 * servers, `template: ""`. Only fields the product relies on are touched; the
 * rest stays raw. Reading PVE values (property strings, sizes, tags,
 * booleans) is src/pve/'s job.
 */
import { parseBool, toNumber } from "../pve/scalars.js";

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
  if ("template" in out) out.template = parseBool(out.template) === true ? 1 : 0;
  return out as T;
}
