/**
 * Routing a console line: a registered command runs as a command; a typo of
 * a command (one edit away, in a short or flagged line) gets "Did you mean";
 * anything else — and a line that starts with a command word but reads as a
 * sentence the command cannot take ("create 3 web VMs with 4 cores") — is
 * English for the natural-language face.
 */
import type { Command } from "../commands/types.js";
import { distance } from "../core/suggest.js";

export type Route = { kind: "command"; command: Command } | { kind: "typo" } | { kind: "english" };

/** English words one edit away from a command name ("set" ~ get, "step" ~ stop): never typos. */
const ENGLISH = new Set(["set", "let", "yet", "net", "got", "bet", "best", "rest", "text", "step", "shop", "top", "smart", "play", "plain", "clan", "lots", "dogs", "legs", "log", "him", "aim", "six", "sum", "as", "memo", "unit", "asks", "is", "it", "in", "an"]);

/**
 * Where a console line (not a slash command, not a builtin) goes. `words` is
 * the line split like a shell (or on spaces when its quotes do not close).
 */
export function routeLine(words: readonly string[], commands: readonly Command[]): Route {
  const first = words[0] ?? "";
  const command = commands.find((c) => c.name === first || c.aliases?.includes(first));
  if (command) return readsAsSentence(command, words) ? { kind: "english" } : { kind: "command", command };
  if (first.startsWith("-")) return { kind: "typo" };
  const lower = first.toLowerCase();
  const oneEditAway = !ENGLISH.has(lower) && commands.some((c) => !c.hidden && [c.name, ...(c.aliases ?? [])].some((n) => distance(lower, n) <= 1));
  const commandLike = words.length <= 3 || words.some((w) => w.startsWith("-"));
  return oneEditAway && commandLike ? { kind: "typo" } : { kind: "english" };
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
