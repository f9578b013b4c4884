/**
 * Routing a console line: a registered command runs as a command; a typo of
 * a command (one edit away, in a short or flagged line) gets "Did you mean";
 * anything else — and a line that starts with a command word but reads as a
 * sentence the command cannot take ("create 3 web VMs with 4 cores") — is
 * English for the natural-language face.
 */
import type { Command } from "../commands/types.js";

export type Route = { kind: "command"; command: Command } | { kind: "typo" } | { kind: "english" };

/** English words one edit away from a command name ("set" ~ get, "step" ~ stop): never typos. */
const ENGLISH = new Set(["set", "let", "yet", "net", "got", "bet", "best", "rest", "text", "step", "shop", "top", "smart", "play", "plain", "clan", "lots", "dogs", "legs", "log", "him", "aim", "six", "sum", "as", "memo", "unit", "asks", "is", "it", "in", "an"]);

/**
 * Where a console line (not a slash command, not a builtin) goes. `words` is
 * the line split like a shell (or on spaces when its quotes do not close);
 * `builtins` are the console's own words (help, exit …), typos of which are typos too.
 */
export function routeLine(words: readonly string[], commands: readonly Command[], builtins: readonly string[] = []): Route {
  const first = words[0] ?? "";
  const command = commands.find((c) => c.name === first || c.aliases?.includes(first));
  if (command) return readsAsSentence(command, words) ? { kind: "english" } : { kind: "command", command };
  if (first.startsWith("-")) return { kind: "typo" };
  const lower = first.toLowerCase();
  const names = [...commands.filter((c) => !c.hidden).flatMap((c) => [c.name, ...(c.aliases ?? [])]), ...builtins];
  const oneEditAway = !ENGLISH.has(lower) && names.some((n) => oneEdit(lower, n));
  const commandLike = words.length <= 3 || words.some((w) => w.startsWith("-"));
  return oneEditAway && commandLike ? { kind: "typo" } : { kind: "english" };
}

/** Whether `a` becomes `b` by one insertion, deletion, substitution or swap of neighbours ("gte" → get). */
export function oneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/**
 * A line led by a command word that the command cannot take as its arguments
 * and that has no flags: "create 3 web VMs …", "start web-01 and web-02".
 * A missing argument or a bad flag stays the command's own usage error.
 */
function readsAsSentence(command: Command, words: readonly string[]): boolean {
  const rest = words.slice(1);
  if (rest.length < 2 || rest.some((w) => w.startsWith("-"))) return false;
  const specs = command.arguments ?? [];
  if (!specs.some((a) => a.variadic) && rest.length > specs.length) return true;
  return specs.some((spec, i) => spec.choices !== undefined && rest[i] !== undefined && !spec.choices.includes(rest[i]));
}

/** Whether a request is a question about a problem ("why is web-01 down?"): it asks for a diagnosis. */
export function isQuestion(text: string): boolean {
  const t = text.trim().toLowerCase();
  return /^(why|how come|what'?s wrong|what is wrong|what happened|what went wrong|diagnose|troubleshoot|explain why|is there (a|any) problem|is something wrong)\b/.test(t) || (/\?\s*$/.test(t) && /\b(why|wrong|down|fail(ed|ing|s)?|broken|error|slow|problem|crash(ed|ing)?)\b/.test(t));
}
