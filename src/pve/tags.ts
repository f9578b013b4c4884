/**
 * Lists and tags as PVE writes them. PVE::Tools::split_list reads a list
 * separated by `;`, `,`, spaces (or NULs); guest tags are such a list, which
 * PVE stores de-duplicated (case-insensitively), sorted and joined with `;`.
 */

/** PVE::Tools::split_list: the items of a `-list` value ("a;b", "a,b", "a b"). */
export function splitList(text: string): string[] {
  return text
    .trim()
    .split(/[\0;,\s]+/)
    .filter((s) => s !== "");
}

/** The tags of a `tags` value as written; [] for anything that is not a non-empty string. */
export function parseTags(value: unknown): string[] {
  return typeof value === "string" ? splitList(value) : [];
}

/** Tags as PVE keeps them: the first spelling of each (compared case-insensitively), sorted. */
export function uniqueTags(tags: Iterable<string>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const tag of tags) {
    const folded = tag.toLowerCase();
    if (seen.has(folded)) continue;
    seen.add(folded);
    out.push(tag);
  }
  return out.sort();
}

/** A `tags` value as PVE stores it: uniqueTags joined with ";" ("" for none). */
export function printTags(tags: Iterable<string>): string {
  return uniqueTags(tags).join(";");
}
