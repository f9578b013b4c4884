/** Split a console line into words like a shell: quotes group, backslash escapes. */
import { UsageError } from "../core/errors.js";

/** `create vm --name "web 01"` → ["create", "vm", "--name", "web 01"]. */
export function tokenize(line: string): string[] {
  const words: string[] = [];
  let current = "";
  let quote: '"' | "'" | undefined;
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === "\\" && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote) throw new UsageError(`Unclosed ${quote} quote.`, "Close the quote and press Enter again.");
  if (inWord) words.push(current);
  return words;
}

export { distance, suggest } from "../core/suggest.js";
