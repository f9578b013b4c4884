/**
 * Sizes as PVE writes them: a number with an optional binary unit
 * (`32G`, `1032M`, `4M`, `1.5T`; a bare number is bytes), the way
 * PVE::JSONSchema::parse_size reads them and format_size prints them.
 */

const UNITS: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };
const STRICT = /^(\d+(?:\.\d+)?)([KMGT]?)$/;
const LOOSE = /^(\d+(?:\.\d+)?)([KMGT]?)$/i;

/** One GiB in bytes. */
export const GIB = 1024 ** 3;

/**
 * Bytes of a size ("32G" → 34359738368, "512" → 512), floored; undefined if
 * `text` is not a size. `strict` accepts exactly what PVE accepts (upper-case
 * units, no spaces: the API's `disk-size` format); by default reading is
 * lenient about spaces around the value and lower-case units.
 */
export function parseSize(text: string | undefined, options: { strict?: boolean } = {}): number | undefined {
  if (text === undefined) return undefined;
  const m = options.strict ? STRICT.exec(text) : LOOSE.exec(text.trim());
  return m ? Math.floor(Number(m[1]) * UNITS[m[2].toUpperCase()]) : undefined;
}

/** PVE::JSONSchema::format_size: bytes → the largest exact unit ("32G", "1032M", "2T", "512"). */
export function printSize(bytes: number): string {
  let value = Math.floor(bytes);
  let unit = "";
  for (const u of ["K", "M", "G", "T"]) {
    if (value === 0 || value % 1024 !== 0) break;
    value /= 1024;
    unit = u;
  }
  return `${value}${unit}`;
}
