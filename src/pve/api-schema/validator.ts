/**
 * Parameter validation with PVE's semantics and messages (a port of the parts
 * of PVE::JSONSchema::check_prop / check_object / check_type that apply to
 * API parameters). Order of checks as in PVE: type, format, pattern,
 * maxLength, minLength, maximum/minimum, enum; the first failure wins.
 */
import { parseSchemaProps } from "../property-string.js";
import { splitList } from "../tags.js";
import { NAMED_FORMATS } from "./formats.js";
import type { PropertySchema } from "./types.js";

/** A value after normalisation: strings as sent on the wire, JS booleans as JSON booleans. */
export type WireValue = string | boolean;

type Errors = Record<string, string>;

const regexCache = new Map<string, RegExp | null>();

/** Compile a Perl pattern from the schema into an anchored JS RegExp (null if not translatable). */
export function perlPattern(pattern: string): RegExp | null {
  let re = regexCache.get(pattern);
  if (re !== undefined) return re;
  const js = pattern
    .replace(/\(\?\^:/g, "(?:")
    .replace(/\{,(\d+)\}/g, "{0,$1}")
    .replace(/\\z/g, "$")
    .replace(/\\A/g, "^");
  try {
    re = new RegExp(`^(?:${js})$`, "s");
  } catch {
    re = null;
  }
  regexCache.set(pattern, re);
  return re;
}

function addError(errors: Errors, path: string, message: string): void {
  const key = path || "_root";
  errors[key] = errors[key] ? `${errors[key]}\n${message}` : message;
}

const isInteger = (v: string): boolean => /^[+-]?\d+$/.test(v);
const isNumber = (v: string): boolean => /^[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?$/.test(v);

function checkType(path: string, type: string | undefined, value: WireValue, errors: Errors): boolean {
  if (!type || type === "any" || type === "string" && typeof value === "string") return true;
  if (typeof value === "boolean") {
    if (type === "boolean") return true;
    addError(errors, path, `type check ('${type}') failed - got JSON::PP::Boolean`);
    return false;
  }
  const ok =
    type === "boolean" ? value === "1" || value === "0" : type === "integer" ? isInteger(value) : type === "number" ? isNumber(value) : true;
  // An array parameter arrives as one string: a JSON array (JSON bodies) or a single item (a form field).
  if (type === "array") return true;
  if (type === "object") {
    addError(errors, path, `type check ('${type}') failed`);
    return false;
  }
  if (!ok) addError(errors, path, `type check ('${type}') failed - got '${value}'`);
  return ok;
}

/** Check a value against a named or property-string format; PVE's error text or undefined. */
export function checkFormat(format: PropertySchema["format"], value: string, path: string): string | undefined {
  if (format === undefined || format === "regex") return undefined;
  if (typeof format === "object") return checkPropertyString(format, value, path);
  const m = /^(.*?)(?:-(list|opt))?$/.exec(format);
  const name = m?.[1] ?? format;
  const kind = m?.[2];
  const named = NAMED_FORMATS[name];
  if (!named) return undefined;
  if (typeof named === "object") return kind ? undefined : checkPropertyString(named, value, path);
  if (kind === "list") {
    for (const item of splitList(value)) {
      const err = named(item);
      if (err) return err;
    }
    return undefined;
  }
  if (kind === "opt" && value === "") return undefined;
  return named(value);
}

function checkPropertyString(format: Record<string, PropertySchema>, value: string, path: string): string | undefined {
  const parsed = parseSchemaProps(format, value);
  if (parsed.error) return parsed.error;
  const errors: Errors = {};
  checkObject(path, format, parsed.values, false, errors);
  const keys = Object.keys(errors);
  if (keys.length === 0) return undefined;
  return `format error\n${keys.map((k) => `${k}: ${errors[k]}`).join("\n")}`;
}

/** check_prop: validate one value (undefined = absent) against its schema. */
export function checkProp(value: WireValue | undefined, schema: PropertySchema, path: string, errors: Errors): void {
  if (value === undefined) {
    if (schema.type === "null") return;
    if (!schema.optional && !schema.alias) addError(errors, path, "property is missing and it is not optional");
    return;
  }
  if (!checkType(path, schema.type, value, errors)) return;
  if (typeof value === "boolean") return;
  if (schema.format !== undefined) {
    const err = checkFormat(schema.format, value, path);
    if (err !== undefined) {
      addError(errors, path, `invalid format - ${err}\n`);
      return;
    }
  }
  if (schema.pattern) {
    const re = perlPattern(schema.pattern);
    if (re && !re.test(value)) {
      addError(errors, path, "value does not match the regex pattern");
      return;
    }
  }
  if (schema.maxLength !== undefined && value.length > schema.maxLength) {
    addError(errors, path, `value may only be ${schema.maxLength} characters long`);
    return;
  }
  if (schema.minLength !== undefined && value.length < schema.minLength) {
    addError(errors, path, `value must be at least ${schema.minLength} characters long`);
    return;
  }
  if (isNumber(value)) {
    const n = Number(value);
    if (schema.maximum !== undefined && n > Number(schema.maximum)) {
      addError(errors, path, `value must have a maximum value of ${schema.maximum}`);
      return;
    }
    if (schema.minimum !== undefined && n < Number(schema.minimum)) {
      addError(errors, path, `value must have a minimum value of ${schema.minimum}`);
      return;
    }
  }
  if (schema.enum && !schema.enum.includes(value)) {
    addError(errors, path, `value '${value}' does not have a value in the enumeration '${schema.enum.join(", ")}'`);
  }
}

/**
 * check_object: every schema property, then every given key that the schema
 * does not define. `resolve` maps a concrete key (net0) to its schema when the
 * schema only has the indexed form (net[n]).
 */
export function checkObject(
  path: string,
  schema: Record<string, PropertySchema>,
  value: Record<string, WireValue>,
  additionalProperties: boolean,
  errors: Errors,
  resolve: (key: string) => PropertySchema | undefined = (k) => schema[k],
): void {
  for (const [key, sub] of Object.entries(schema)) {
    if (key.endsWith("[n]")) continue;
    checkProp(value[key], sub, path ? `${path}.${key}` : key, errors);
  }
  for (const key of Object.keys(value)) {
    if (Object.prototype.hasOwnProperty.call(schema, key)) continue;
    const sub = resolve(key);
    const newPath = path ? `${path}.${key}` : key;
    if (sub) {
      checkProp(value[key], sub, newPath, errors);
      continue;
    }
    if (!additionalProperties) {
      addError(errors, newPath, "property is not defined in schema and the schema does not allow additional properties");
    }
  }
}
