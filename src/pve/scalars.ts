/**
 * Booleans and numbers as PVE writes them: booleans as 0/1 (accepting
 * PVE::JSONSchema::parse_boolean's `on`/`off`, `yes`/`no`, `true`/`false`),
 * numbers as numbers or, on older servers, as numeric strings.
 */

const TRUE = /^(1|on|yes|true)$/i;
const FALSE = /^(0|off|no|false)$/i;

/**
 * A PVE boolean: `1`/`0` (number or text), `on`/`off`, `yes`/`no`,
 * `true`/`false` in any case, or a JSON boolean. Undefined for anything else.
 */
export function parseBool(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value !== "string") return undefined;
  if (TRUE.test(value)) return true;
  if (FALSE.test(value)) return false;
  return undefined;
}

/** A boolean as PVE writes it: "1" or "0". */
export function printBool(value: boolean): "1" | "0" {
  return value ? "1" : "0";
}

/** A number from a number or a numeric string; undefined for "", null, NaN or garbage. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}
