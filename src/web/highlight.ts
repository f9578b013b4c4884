/**
 * A small highlighter for the IaC editor: HCL (.tf) and YAML (Ansible),
 * one token list per line, each token a class name and its text. Enough for
 * comments, strings with ${…} interpolation, numbers, booleans, block types
 * and attribute names; never a parser (validation is the server's `test`).
 */

export interface Token {
  kind: "" | "comment" | "string" | "interp" | "number" | "keyword" | "block" | "attr" | "punct";
  text: string;
}

const HCL_BLOCKS = new Set(["resource", "data", "variable", "output", "locals", "module", "provider", "terraform", "import", "moved", "required_providers", "backend"]);
const KEYWORDS = new Set(["true", "false", "null", "for", "in", "if", "yes", "no"]);

/** HCL: the tokens of each line (block comments may span lines). */
export function highlightHcl(text: string): Token[][] {
  const lines: Token[][] = [];
  let inComment = false;
  for (const line of text.split("\n")) {
    const tokens: Token[] = [];
    let i = 0;
    const push = (kind: Token["kind"], t: string) => t && tokens.push({ kind, text: t });
    if (inComment) {
      const end = line.indexOf("*/");
      if (end < 0) {
        push("comment", line);
        lines.push(tokens);
        continue;
      }
      push("comment", line.slice(0, end + 2));
      i = end + 2;
      inComment = false;
    }
    const firstWord = /^\s*([A-Za-z_][\w-]*)/.exec(line)?.[1];
    while (i < line.length) {
      const rest = line.slice(i);
      let m: RegExpExecArray | null;
      if (rest.startsWith("#") || rest.startsWith("//")) {
        push("comment", rest);
        break;
      }
      if (rest.startsWith("/*")) {
        const end = rest.indexOf("*/", 2);
        if (end < 0) {
          push("comment", rest);
          inComment = true;
          break;
        }
        push("comment", rest.slice(0, end + 2));
        i += end + 2;
        continue;
      }
      if (rest[0] === '"') {
        i += stringToken(rest, tokens);
        continue;
      }
      if ((m = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(rest))) {
        push("number", m[0]);
        i += m[0].length;
        continue;
      }
      if ((m = /^[A-Za-z_][\w-]*/.exec(rest))) {
        const word = m[0];
        const after = line.slice(i + word.length);
        const kind = KEYWORDS.has(word) ? "keyword" : i === line.indexOf(word) && word === firstWord && HCL_BLOCKS.has(word) ? "block" : /^\s*=(?!=)/.test(after) ? "attr" : /^\s*\{/.test(after) && word === firstWord ? "block" : "";
        push(kind, word);
        i += word.length;
        continue;
      }
      if ((m = /^[{}[\]()=,.:?]+/.exec(rest))) {
        push("punct", m[0]);
        i += m[0].length;
        continue;
      }
      m = /^[^"#/{}[\]()=,.:?A-Za-z_\d]+|^./.exec(rest)!;
      push("", m[0]);
      i += m[0].length;
    }
    lines.push(tokens);
  }
  return lines;
}

/** A quoted string from its opening quote, ${…} parts apart; the characters used. */
function stringToken(rest: string, tokens: Token[]): number {
  let j = 1;
  let start = 0;
  while (j < rest.length) {
    if (rest[j] === "\\") {
      j += 2;
      continue;
    }
    if (rest.startsWith("${", j)) {
      const close = rest.indexOf("}", j);
      const end = close < 0 ? rest.length : close + 1;
      tokens.push({ kind: "string", text: rest.slice(start, j) }, { kind: "interp", text: rest.slice(j, end) });
      start = end;
      j = end;
      continue;
    }
    if (rest[j] === '"') {
      j++;
      break;
    }
    j++;
  }
  if (j > start) tokens.push({ kind: "string", text: rest.slice(start, j) });
  return j;
}

/** YAML (and ansible.cfg): comments, keys, strings, numbers and booleans. */
export function highlightYaml(text: string): Token[][] {
  return text.split("\n").map((line) => {
    const tokens: Token[] = [];
    const comment = /(^|\s)[#;].*$/.exec(line);
    const body = comment ? line.slice(0, comment.index + comment[1].length) : line;
    const key = /^(\s*-?\s*)([^:#\s][^:#]*?)(:)(\s|$)/.exec(body);
    let rest = body;
    if (key) {
      tokens.push({ kind: "", text: key[1] }, { kind: "attr", text: key[2] }, { kind: "punct", text: key[3] });
      rest = body.slice(key[1].length + key[2].length + 1);
    }
    const value = rest.trim();
    const kind: Token["kind"] = /^(["']).*\1$/.test(value) ? "string" : /^-?\d+(\.\d+)?$/.test(value) ? "number" : KEYWORDS.has(value.toLowerCase()) ? "keyword" : "";
    if (rest) tokens.push({ kind, text: rest });
    if (comment) tokens.push({ kind: "comment", text: line.slice(comment.index + comment[1].length) });
    return tokens;
  });
}

export function highlight(path: string, text: string): Token[][] {
  return path.endsWith(".tf") ? highlightHcl(text) : highlightYaml(text);
}
