/**
 * Surgical edits of HCL text: find a resource, a nested block and an
 * attribute line by scanning the text (strings, comments, heredocs and
 * brackets are followed, so a brace inside a string does not count), and
 * change, insert or remove just that line. Every other byte of the file stays
 * as it was. Where a change cannot be made safely — the value is an
 * expression, the line holds more than the attribute, the block is missing
 * or there twice — an EditRefusal says why, and nothing is changed.
 */

/** Why a file cannot be edited safely (the caller turns it into a usage error). */
export class EditRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EditRefusal";
  }
}

/** A literal value set can write. */
export type LiteralValue = number | string | string[];

/** One line of the text with the bracket depth where it starts and whether it starts in code. */
interface ScannedLine {
  text: string;
  depth: number;
  /** False when the line starts inside a string, a heredoc or a block comment. */
  code: boolean;
}

/** A block (or the resource) found in the text: its lines `start` (the `{` line) to `end` (the `}` line). */
export interface BlockRange {
  start: number;
  end: number;
  /** Depth of the block's own items. */
  depth: number;
}

/** An attribute line found in a block. */
export interface AttrLine {
  line: number;
  name: string;
  /** The value text as written (without a trailing comment). */
  raw: string;
  /** The literal it holds; undefined when it is an expression (or spans several lines). */
  value?: LiteralValue;
}

const IDENT = /^[A-Za-z_][\w-]*$/;
const STRING_LITERAL = /^"((?:[^"\\$%]|\\.|\$(?!\{)|%(?!\{)|\$\$\{|%%\{)*)"$/;

/** Bracket depth at the start of every line, following strings, comments and heredocs. */
export function scanLines(text: string): ScannedLine[] {
  const lines = text.split("\n");
  const out: ScannedLine[] = [];
  let depth = 0;
  // Stack of string/interpolation contexts: "s" inside a quoted string, "i" inside ${…} (with its own brace depth).
  const stack: { kind: "s" | "i"; braces: number }[] = [];
  let blockComment = false;
  let heredoc: string | undefined;
  for (const line of lines) {
    out.push({ text: line, depth, code: !blockComment && heredoc === undefined && stack.length === 0 });
    if (heredoc !== undefined) {
      if (line.trim() === heredoc) heredoc = undefined;
      continue;
    }
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      const next = line[i + 1];
      const top = stack[stack.length - 1];
      if (blockComment) {
        if (ch === "*" && next === "/") {
          blockComment = false;
          i++;
        }
        continue;
      }
      if (top?.kind === "s") {
        if (ch === "\\") i++;
        else if ((ch === "$" || ch === "%") && next === "{" && line[i - 1] !== ch) {
          stack.push({ kind: "i", braces: 0 });
          i++;
        } else if (ch === '"') stack.pop();
        continue;
      }
      if (ch === "#" || (ch === "/" && next === "/")) break;
      if (ch === "/" && next === "*") {
        blockComment = true;
        i++;
        continue;
      }
      if (ch === '"') {
        stack.push({ kind: "s", braces: 0 });
        continue;
      }
      if (ch === "<" && next === "<" && !top) {
        const m = /^<<-?([A-Za-z_]\w*)\s*$/.exec(line.slice(i));
        if (m) {
          heredoc = m[1];
          break;
        }
      }
      if (top?.kind === "i") {
        if (ch === "{") top.braces++;
        else if (ch === "}") {
          if (top.braces === 0) stack.pop();
          else top.braces--;
        }
        continue;
      }
      if (ch === "{" || ch === "[" || ch === "(") depth++;
      else if (ch === "}" || ch === "]" || ch === ")") depth--;
    }
  }
  return out;
}

/** The code part of a line (a trailing `#`/`//` comment cut off), trimmed. */
function codeOf(line: string): { code: string; comment: string } {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "#" || (ch === "/" && line[i + 1] === "/")) return { code: line.slice(0, i).trimEnd(), comment: line.slice(i) };
  }
  return { code: line.trimEnd(), comment: "" };
}

/** A literal value of HCL text, or undefined for anything else (references, functions, templates). */
export function parseLiteral(raw: string): LiteralValue | undefined {
  const text = raw.trim();
  if (/^-?\d+$/.test(text)) return Number(text);
  const s = STRING_LITERAL.exec(text);
  if (s) return unquote(s[1]);
  const list = /^\[(.*)\]$/.exec(text);
  if (list) {
    const items: string[] = [];
    let rest = list[1].trim();
    while (rest) {
      const m = /^"((?:[^"\\$%]|\\.|\$(?!\{)|%(?!\{)|\$\$\{|%%\{)*)"\s*(,\s*)?/.exec(rest);
      if (!m) return undefined;
      items.push(unquote(m[1]));
      rest = rest.slice(m[0].length);
      if (!m[2] && rest) return undefined;
    }
    return items;
  }
  return undefined;
}

function unquote(body: string): string {
  return body
    .replace(/\\(["\\nrt])/g, (_, c: string) => ({ n: "\n", r: "\r", t: "\t" })[c] ?? c)
    .replace(/\$\$\{/g, "${")
    .replace(/%%\{/g, "%{");
}

/** HCL text of a literal (strings quoted the HCL way). */
export function printLiteral(value: LiteralValue): string {
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return `[${value.map(quoteString).join(", ")}]`;
  return quoteString(value);
}

function quoteString(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\$\{/g, "$${").replace(/%\{/g, "%%{")}"`;
}

/** The text of a file as lines, with the edits that find and change blocks and attributes. */
export class HclDocument {
  readonly lines: ScannedLine[];

  constructor(
    text: string,
    /** The file's name for messages ("terraform/web_01.tf"). */
    readonly file: string,
  ) {
    this.lines = scanLines(text);
  }

  get text(): string {
    return this.lines.map((l) => l.text).join("\n");
  }

  /** The `resource "TYPE" "NAME" {` block. */
  resource(type: string, name: string): BlockRange {
    const found: BlockRange[] = [];
    this.lines.forEach((l, i) => {
      if (!l.code || l.depth !== 0) return;
      const m = /^\s*resource\s+"([^"]+)"\s+"([^"]+)"\s*\{\s*$/.exec(codeOf(l.text).code);
      if (m && m[1] === type && m[2] === name) found.push(this.rangeFrom(i, 1));
    });
    if (found.length !== 1) throw new EditRefusal(found.length ? `${this.file} defines ${type}.${name} more than once.` : `${this.file} has no resource ${type}.${name} written as \`resource "${type}" "${name}" {\` on its own line.`);
    return found[0];
  }

  private rangeFrom(start: number, depth: number): BlockRange {
    for (let j = start + 1; j < this.lines.length; j++) {
      if (this.lines[j].depth < depth) return { start, end: j - 1, depth };
    }
    // The block closes on the last line (a file without a final newline).
    if (/\}\s*$/.test(codeOf(this.lines[this.lines.length - 1].text).code)) return { start, end: this.lines.length - 1, depth };
    throw new EditRefusal(`${this.file}: the block at line ${start + 1} is not closed.`);
  }

  /** Lines of a block that start one of its own items (attributes, nested blocks, comments). */
  private itemLines(block: BlockRange): number[] {
    const out: number[] = [];
    for (let i = block.start + 1; i <= block.end; i++) if (this.lines[i].code && this.lines[i].depth === block.depth) out.push(i);
    return out;
  }

  /** Nested blocks `type {` directly inside `block`, in order. */
  blocks(block: BlockRange, type: string): BlockRange[] {
    const out: BlockRange[] = [];
    for (const i of this.itemLines(block)) {
      const { code } = codeOf(this.lines[i].text);
      const m = /^\s*([A-Za-z_][\w-]*)((?:\s+(?:"[^"]*"|[A-Za-z_][\w-]*))*)\s*\{(.*)$/.exec(code);
      if (!m || m[1] !== type) continue;
      if (m[3].trim() !== "") throw new EditRefusal(`${this.file}:${i + 1}: the ${type} block is written on one line; write it over several lines to let set change it.`);
      out.push(this.rangeFrom(i, block.depth + 1));
    }
    return out;
  }

  /** The single nested block of a type; refuses when it is missing or there more than once. */
  block(parent: BlockRange, type: string, what: string): BlockRange {
    const found = this.blocks(parent, type);
    if (found.length === 1) return found[0];
    throw new EditRefusal(found.length ? `${this.file} has ${found.length} ${type} blocks in ${what}; set changes only a file with one.` : `${this.file} has no ${type} block in ${what}.`);
  }

  /** An attribute of a block (undefined when absent). */
  attr(block: BlockRange, name: string): AttrLine | undefined {
    for (const i of this.itemLines(block)) {
      const { code } = codeOf(this.lines[i].text);
      const m = /^\s*([A-Za-z_][\w-]*)\s*=\s*(.*)$/.exec(code);
      if (!m || m[1] !== name) continue;
      const multiline = i < block.end && this.lines[i + 1].depth > block.depth;
      return { line: i, name, raw: m[2], value: multiline ? undefined : parseLiteral(m[2]) };
    }
    return undefined;
  }

  /** Comment lines directly inside a block. */
  comments(block: BlockRange): { line: number; text: string }[] {
    return this.itemLines(block)
      .filter((i) => /^\s*(#|\/\/)/.test(this.lines[i].text))
      .map((i) => ({ line: i, text: this.lines[i].text }));
  }

  /** Replace the value of an attribute line, keeping its indentation, alignment and trailing comment. */
  replaceValue(attr: AttrLine, value: LiteralValue, what: string): void {
    if (attr.value === undefined) {
      throw new EditRefusal(`${this.file}:${attr.line + 1}: ${what} is not a literal value (${attr.raw.trim()}); set changes literal values only. Edit the file by hand.`);
    }
    const line = this.lines[attr.line].text;
    const { code, comment } = codeOf(line);
    const eq = code.indexOf("=");
    const lead = code.slice(0, eq + 1) + (code.slice(eq + 1).match(/^\s*/)?.[0] ?? " ");
    this.lines[attr.line] = { ...this.lines[attr.line], text: `${lead}${printLiteral(value)}${comment ? ` ${comment}` : ""}` };
  }

  /** Remove an attribute line (a single-line attribute only). */
  removeLine(attr: AttrLine): void {
    this.lines.splice(attr.line, 1);
    this.realign(attr.line);
  }

  /**
   * Insert `name = value` into a block after the attribute `after` (the first
   * of these names found), else as the block's first line; the `=` of the
   * run of attributes around it is aligned the way terraform fmt does when
   * the run already was.
   */
  insertAttr(block: BlockRange, name: string, value: LiteralValue, after: string[]): void {
    if (!IDENT.test(name)) throw new Error(`internal: ${name} is not an identifier`);
    let at = block.start + 1;
    for (const a of after) {
      const found = this.attr(block, a);
      if (found && found.value !== undefined) {
        at = found.line + 1;
        break;
      }
    }
    const indentOf = (i: number): string | undefined => (i >= 0 && i < this.lines.length && this.lines[i].text.trim() ? /^\s*/.exec(this.lines[i].text)?.[0] : undefined);
    const indent = indentOf(at - 1 > block.start ? at - 1 : -1) ?? indentOf(at <= block.end ? at : -1) ?? `${/^\s*/.exec(this.lines[block.start].text)?.[0] ?? ""}  `;
    this.lines.splice(at, 0, { text: `${indent}${name} = ${printLiteral(value)}`, depth: block.depth, code: true });
    this.realign(at);
  }

  /** Align `=` across the run of one-line attributes around line `at` when the rest of the run is aligned. */
  private realign(at: number): void {
    const isAttr = (i: number): boolean => {
      const l = this.lines[i];
      if (!l || !l.code) return false;
      const { code } = codeOf(l.text);
      if (!/^\s*[A-Za-z_][\w-]*\s*=/.test(code)) return false;
      const next = this.lines[i + 1];
      return !next || next.depth <= l.depth;
    };
    const depth = this.lines[at]?.depth ?? this.lines[at - 1]?.depth;
    let from = at;
    while (from - 1 >= 0 && isAttr(from - 1) && this.lines[from - 1].depth === depth) from--;
    let to = at;
    while (isAttr(to) && this.lines[to].depth === depth) to++;
    const run = Array.from({ length: to - from }, (_, k) => from + k);
    if (run.length < 2) return;
    const parts = run.map((i) => /^(\s*)([A-Za-z_][\w-]*)(\s*)=(.*)$/.exec(this.lines[i].text)!);
    const others = parts.filter((_, k) => run[k] !== at);
    const columns = new Set(others.map((p) => p[1].length + p[2].length + p[3].length));
    if (columns.size > 1) return; // the user's own layout: leave it
    const width = Math.max(...parts.map((p) => p[2].length));
    run.forEach((i, k) => {
      const p = parts[k];
      this.lines[i] = { ...this.lines[i], text: `${p[1]}${p[2].padEnd(width)} =${p[4]}` };
    });
  }
}
