/**
 * Pages and field choices of a list, for any face: `--limit N` rows a page,
 * `--cursor C` (the opaque `nextCursor` of the previous page) and
 * `--fields a,b` (the keys each row keeps). The cursor is keyset, not an
 * offset: it names the last key of the page (base64url of `after:KEY`), so a
 * row added or removed between two calls neither repeats nor skips another.
 * Rows must come sorted by the key, ascending.
 */
import { UsageError } from "../core/errors.js";

/** One page of a list: what `-o json` prints when paging was asked for. */
export interface Page<T> {
  items: T[];
  /** How many rows the whole list (after filters) has. */
  total: number;
  /** Pass as --cursor for the next page; null on the last one. */
  nextCursor: string | null;
}

const PREFIX = "after:";

/** The cursor that starts after the row whose key is `key`. */
export function encodeCursor(key: number): string {
  return Buffer.from(`${PREFIX}${key}`, "utf8").toString("base64url");
}

/** The key a cursor starts after; a usage error (exit 2) for anything this module did not make. */
export function decodeCursor(cursor: string): number {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  const m = /^after:(\d{1,15})$/.exec(text);
  if (!m) throw new UsageError(`--cursor "${cursor}" is not a cursor of this list.`, "Pass the nextCursor of the previous page as it was, or leave --cursor out to start from the first page.");
  return Number(m[1]);
}

/**
 * The page of `rows` (sorted by `keyOf`, ascending) that starts after the
 * cursor and holds at most `limit` rows (all of the rest when no limit).
 */
export function pageOf<T>(rows: readonly T[], keyOf: (row: T) => number, request: { limit?: number; cursor?: string }): Page<T> {
  const after = request.cursor === undefined ? undefined : decodeCursor(request.cursor);
  const start = after === undefined ? 0 : firstAfter(rows, keyOf, after);
  const end = request.limit === undefined ? rows.length : Math.min(rows.length, start + request.limit);
  const items = rows.slice(start, end);
  const nextCursor = end < rows.length && items.length > 0 ? encodeCursor(keyOf(items[items.length - 1])) : null;
  return { items, total: rows.length, nextCursor };
}

/** Index of the first row whose key is greater than `after` (binary search: rows are sorted). */
function firstAfter<T>(rows: readonly T[], keyOf: (row: T) => number, after: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyOf(rows[mid]) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `--fields vmid,name status` → the keys, each checked against `known` (a usage error names the unknown ones and the choice). */
export function parseFields(text: string, known: readonly string[]): string[] {
  const fields = [...new Set(text.split(/[\s,]+/).filter(Boolean))];
  if (fields.length === 0) throw new UsageError("--fields needs at least one field.", `Choose from: ${known.join(", ")}.`);
  const unknown = fields.filter((f) => !known.includes(f));
  if (unknown.length) throw new UsageError(`Unknown field${unknown.length === 1 ? "" : "s"} for --fields: ${unknown.join(", ")}.`, `Choose from: ${known.join(", ")}.`);
  return fields;
}

/** The row with only the chosen keys, in the order chosen (a key the row lacks stays out). */
export function pickFields<T extends Record<string, unknown>>(row: T, fields: readonly string[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f in row) out[f] = row[f];
  return out as Partial<T>;
}
