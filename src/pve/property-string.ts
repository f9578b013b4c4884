/**
 * PVE "property strings": `key=value,key=value` with at most one bare value
 * for the format's default key (`virtio=BC:24:11:00:00:01,bridge=vmbr0`,
 * `local-lvm:vm-100-disk-0,size=32G`).
 *
 * - parseProps / printProps: the pair every reader and writer uses, without
 *   a schema (the caller names the bare key, `lead`).
 * - parseSchemaProps: PVE::JSONSchema::parse_property_string against a
 *   format's schema, with aliases (`virtio=MAC` stores MAC under `macaddr`
 *   and "virtio" under `model`) and PVE's error texts; for validation.
 */
import type { PropertySchema } from "./api-schema/types.js";
import { parseBool, printBool } from "./scalars.js";

/** Options of a property string to print; undefined values are left out. */
export type PropsInput = Record<string, string | number | undefined>;

/**
 * Split a property string into its options. The bare part is stored under
 * `lead` (the first one only); a bare part without a lead, or a second one,
 * is stored as a key of its own with the value "1".
 */
export function parseProps(text: string, lead?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(",")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    if (eq === -1) {
      if (lead && !(lead in out)) out[lead] = part;
      else out[part] = "1";
    } else out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/**
 * Print options as PVE::JSONSchema::print_property_string does: the `lead`
 * option bare first, then the `required` keys sorted, then the others sorted.
 */
export function printProps(options: PropsInput, lead?: string, required: readonly string[] = []): string {
  const parts: string[] = [];
  const done = new Set<string>();
  if (lead !== undefined && options[lead] !== undefined) {
    parts.push(String(options[lead]));
    done.add(lead);
  }
  const keys = Object.keys(options).sort();
  for (const key of [...keys.filter((k) => required.includes(k)), ...keys]) {
    if (done.has(key) || options[key] === undefined) continue;
    done.add(key);
    parts.push(`${key}=${options[key]}`);
  }
  return parts.join(",");
}

/** What parseSchemaProps returns: values by canonical key, or the first parse error (PVE's text). */
export interface ParsedPropertyString {
  values: Record<string, string>;
  error?: string;
}

/** Parse `text` against a property-string format (the object form of a schema's `format`). */
export function parseSchemaProps(format: Record<string, PropertySchema>, text: string): ParsedPropertyString {
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
      if (schema.type === "boolean") {
        const flag = parseBool(value);
        if (flag !== undefined) value = printBool(flag);
      }
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
