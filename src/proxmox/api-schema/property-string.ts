/**
 * PVE "property strings": `key=value,key=value` with at most one bare value
 * for the format's default key (`virtio=BC:24:11:00:00:01,bridge=vmbr0`,
 * `local-lvm:vm-100-disk-0,size=32G`). Parsing follows
 * PVE::JSONSchema::parse_property_string, including aliases (`virtio=MAC`
 * stores MAC under `macaddr` and "virtio" under `model`).
 */
import type { PropertySchema } from "./types.js";

/** The result of parsing: values by canonical key, or the first parse error (PVE's text). */
export interface ParsedPropertyString {
  values: Record<string, string>;
  error?: string;
}

/** PVE::JSONSchema::parse_boolean */
export function parseBoolean(text: string): 0 | 1 | undefined {
  if (/^(1|on|yes|true)$/i.test(text)) return 1;
  if (/^(0|off|no|false)$/i.test(text)) return 0;
  return undefined;
}

/** Parse `text` against a property-string format (the object form of `format`). */
export function parsePropertyString(format: Record<string, PropertySchema>, text: string): ParsedPropertyString {
  const values: Record<string, string> = {};
  let defaultKey: string | undefined;
  for (const part of text.split(",")) {
    if (/^\s*$/.test(part)) continue;
    const kv = /^([^=]+)=(.+)$/s.exec(part);
    if (kv) {
      let key = kv[1];
      let value = kv[2];
      if (values[key] !== undefined) return { values, error: `duplicate key in comma-separated list property: ${key}` };
      let schema = format[key];
      if (schema?.alias) {
        if (schema.keyAlias) {
          if (values[schema.keyAlias] !== undefined) return { values, error: `key alias '${schema.keyAlias}' is already defined` };
          values[schema.keyAlias] = key;
        }
        key = schema.alias;
        schema = format[key];
      }
      if (!schema) return { values, error: `invalid key in comma-separated list property: ${key}` };
      if (schema.type === "boolean") value = String(parseBoolean(value) ?? value);
      values[key] = value;
    } else if (!part.includes("=")) {
      if (defaultKey) return { values, error: `duplicate key in comma-separated list property: ${defaultKey}` };
      defaultKey = Object.keys(format).find((k) => format[k].default_key);
      if (!defaultKey) return { values, error: "value without key, but schema does not define a default key" };
      if (values[defaultKey]) return { values, error: `duplicate key in comma-separated list property: ${defaultKey}` };
      values[defaultKey] = part;
    } else {
      return { values, error: "missing key in comma-separated list property" };
    }
  }
  return { values };
}

/**
 * Split a property string without a schema: the bare part (if any) under
 * `defaultKey`, every `k=v` under k. For values the simulator itself wrote.
 */
export function splitPropertyString(text: string, defaultKey = "_default"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(",")) {
    if (part === "") continue;
    const i = part.indexOf("=");
    if (i < 0) out[defaultKey] = part;
    else out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}
