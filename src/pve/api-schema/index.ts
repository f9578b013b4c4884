/**
 * The vendored subset of the official Proxmox VE API schema (see README.md
 * next to this file) and a validator with PVE's semantics. Used by the
 * simulator to reject what a real server rejects, and by the client's
 * conformance test to prove that every request it makes is valid.
 */
import subsetJson from "./pve-api-subset.json" with { type: "json" };
import type { EndpointMatch, MethodInfo, ParamValue, PropertySchema, SchemaSubset, VendoredEndpoint } from "./types.js";
import { checkObject, type WireValue } from "./validator.js";

export type * from "./types.js";
export { checkFormat, checkProp, perlPattern } from "./validator.js";
export { NAMED_FORMATS } from "./formats.js";

const subset = subsetJson as unknown as SchemaSubset;

interface CompiledRoute {
  template: string;
  segments: string[];
  statics: number;
  methods: Map<string, MethodInfo>;
}

const routes: CompiledRoute[] = [];
const byTemplate = new Map<string, CompiledRoute>();
for (const ep of subset.endpoints) {
  let route = byTemplate.get(ep.path);
  if (!route) {
    const segments = ep.path.split("/").slice(1);
    route = { template: ep.path, segments, statics: segments.filter((s) => !s.startsWith("{")).length, methods: new Map() };
    byTemplate.set(ep.path, route);
    routes.push(route);
  }
  route.methods.set(ep.method, ep.info);
}
// More literal segments first, so a static segment wins over a parameter.
routes.sort((a, b) => b.statics - a.statics);

/** Where the vendored schema comes from. */
export const schemaSource: SchemaSubset["source"] = subset.source;

/** Every vendored endpoint (method and path template). */
export function vendoredEndpoints(): { method: VendoredEndpoint["method"]; path: string }[] {
  return subset.endpoints.map((e) => ({ method: e.method, path: e.path }));
}

function matchRoute(path: string): { route: CompiledRoute; pathParams: Record<string, string> } | undefined {
  const clean = path.replace(/\?.*$/, "").replace(/\/+$/, "");
  const parts = clean.split("/").slice(1);
  outer: for (const route of routes) {
    if (route.segments.length !== parts.length) continue;
    const pathParams: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) {
      const seg = route.segments[i];
      if (seg.startsWith("{")) {
        let value: string;
        try {
          value = decodeURIComponent(parts[i]);
        } catch {
          continue outer;
        }
        if (value === "") continue outer;
        pathParams[seg.slice(1, -1)] = value;
      } else if (seg !== parts[i]) continue outer;
    }
    return { route, pathParams };
  }
  return undefined;
}

/**
 * Match a concrete API path (without /api2/json, e.g.
 * `/nodes/pve1/qemu/100/config`) and method to its vendored endpoint.
 */
export function findEndpoint(method: string, path: string): EndpointMatch | undefined {
  const m = matchRoute(path);
  const info = m?.route.methods.get(method.toUpperCase());
  if (!m || !info) return undefined;
  return { pathTemplate: m.route.template, pathParams: m.pathParams, info };
}

/** The schema of a concrete key, resolving indexed keys (`net0` → `net[n]`, within PVE's index range). */
export function resolveParameter(properties: Record<string, PropertySchema>, key: string): PropertySchema | undefined {
  if (Object.prototype.hasOwnProperty.call(properties, key)) return properties[key];
  const m = /^([a-z][a-z_-]*?)(\d+)$/i.exec(key);
  if (!m) return undefined;
  const indexed = `${m[1]}[n]`;
  const schema = properties[indexed];
  if (!schema || (m[2].length > 1 && m[2].startsWith("0"))) return undefined;
  const max = subset.indexMax[indexed] ?? Infinity;
  return Number(m[2]) <= max ? schema : undefined;
}

/** Normalise client-side values to wire values (numbers as text; undefined dropped). */
function toWire(params: Record<string, ParamValue>): Record<string, WireValue> {
  const out: Record<string, WireValue> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    out[k] = typeof v === "number" ? String(v) : v;
  }
  return out;
}

/** Validate already matched parameters (path parameters included) against a method's schema. */
export function validateAgainst(info: MethodInfo, params: Record<string, ParamValue>): Record<string, string> {
  const properties = info.parameters?.properties ?? {};
  const errors: Record<string, string> = {};
  checkObject("", properties, toWire(params), info.parameters?.additionalProperties === 1, errors, (key) =>
    resolveParameter(properties, key),
  );
  return errors;
}

/**
 * Validate the parameters of a request like PVE does. `path` is the concrete
 * path (its `{x}` values are added to the parameters). Returns PVE-style
 * messages by parameter name, `{}` when valid. Throws when the endpoint is
 * not vendored (the caller asked about something the schema does not know).
 */
export function validateParameters(method: string, path: string, params: Record<string, ParamValue>): Record<string, string> {
  const match = findEndpoint(method, path);
  if (!match) throw new Error(`Method '${method.toUpperCase()} ${path}' is not in the vendored API schema`);
  return validateAgainst(match.info, { ...params, ...match.pathParams });
}
