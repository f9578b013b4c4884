/**
 * A minimal HCL writer that emits exactly what `terraform fmt` would: two
 * spaces per level, `=` aligned across a run of one-line attributes (a
 * comment, a blank line or a block ends the run), `[a, b]` lists, and
 * strings escaped the HCL way (`$${` and `%%{` for literal template marks).
 * @cdktf/hcl-tools format() is the oracle in the tests; at run time it is
 * not needed (one WASM call per file would cost ~5 ms per guest).
 */

/** A reference or other expression written as is (`clone`, `operating_system[0].template_file_id`). */
export interface HclExpression {
  expr: string;
}

/** An attribute value. */
export type HclValue = string | number | boolean | HclExpression | (string | HclExpression)[];

/** A line of a body. */
export type HclItem =
  | { kind: "attr"; name: string; value: HclValue }
  | { kind: "block"; type: string; labels: string[]; items: HclItem[] }
  | { kind: "comment"; text: string }
  | { kind: "blank" };

/** An attribute (skipped by `body()` when the value is undefined). */
export function attr(name: string, value: HclValue | undefined): HclItem | undefined {
  return value === undefined ? undefined : { kind: "attr", name, value };
}

/** A block with its items (undefined items are dropped). */
export function block(type: string, items: (HclItem | undefined)[], labels: string[] = []): HclItem {
  return { kind: "block", type, labels, items: items.filter((i): i is HclItem => i !== undefined) };
}

/** A `# text` comment line. */
export function comment(text: string): HclItem {
  return { kind: "comment", text };
}

/** An empty line. */
export const BLANK: HclItem = { kind: "blank" };

/** An expression value. */
export function expr(text: string): HclExpression {
  return { expr: text };
}

/** A quoted HCL string. */
export function quote(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const code = ch.charCodeAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if ((ch === "$" || ch === "%") && text[i + 1] === "{") out += ch + ch;
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out + '"';
}

function valueText(value: HclValue): string {
  if (typeof value === "string") return quote(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : quote(String(value));
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) return `[${value.map((v) => (typeof v === "string" ? quote(v) : v.expr)).join(", ")}]`;
  return value.expr;
}

/** Render body items at an indentation level, as lines. */
export function renderItems(items: HclItem[], level: number, out: string[] = []): string[] {
  const pad = "  ".repeat(level);
  let i = 0;
  while (i < items.length) {
    const item = items[i];
    if (item.kind === "attr") {
      let j = i;
      while (j < items.length && items[j].kind === "attr") j++;
      const run = items.slice(i, j) as { kind: "attr"; name: string; value: HclValue }[];
      const width = Math.max(...run.map((a) => a.name.length));
      for (const a of run) out.push(`${pad}${a.name.padEnd(width)} = ${valueText(a.value)}`);
      i = j;
      continue;
    }
    if (item.kind === "block") {
      const head = [item.type, ...item.labels.map(quote)].join(" ");
      if (item.items.length === 0) out.push(`${pad}${head} {}`);
      else {
        out.push(`${pad}${head} {`);
        renderItems(item.items, level + 1, out);
        out.push(`${pad}}`);
      }
    } else if (item.kind === "comment") out.push(item.text ? `${pad}# ${item.text}` : `${pad}#`);
    else out.push("");
    i++;
  }
  return out;
}

/** Render top-level items as file text (ends with one newline). */
export function renderFile(items: HclItem[]): string {
  return renderItems(items, 0).join("\n") + "\n";
}
