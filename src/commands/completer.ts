/**
 * Tab completion derived from the registry: commands and slash commands,
 * subcommand words, flags, and names from the store (guests, nodes, storage,
 * tags) wherever an argument or option says it takes one.
 */
import type { Command, Completion } from "./types.js";
import { OUTPUT_FORMATS } from "./types.js";
import { tokenize } from "./tokenize.js";
import type { QuickState } from "../state/quick-state.js";

export const BUILTINS = ["help", "clear", "history", "exit", "quit"] as const;
const GLOBAL_FLAGS = ["--output", "--debug", "--no-color", "--no-input", "--yes", "--help"];

/** The completion candidates for the last word of `line`, readline-style. */
export function complete(line: string, commands: readonly Command[], names: QuickState["names"]): [string[], string] {
  let words: string[];
  try {
    words = tokenize(line);
  } catch {
    return [[], line];
  }
  const endsWithSpace = /\s$/.test(line) || line === "";
  const current = endsWithSpace ? "" : (words.pop() ?? "");
  const match = (candidates: readonly string[]): [string[], string] => {
    const hits = [...new Set(candidates)].filter((c) => c.startsWith(current)).sort();
    return [hits.length ? hits : [], current];
  };

  if (words.length === 0) {
    if (current.startsWith("/")) {
      return match([...BUILTINS.map((b) => `/${b}`), ...commands.filter((c) => c.slash).map((c) => `/${c.name}`)]);
    }
    return match(commands.map((c) => c.name));
  }
  const name = words[0].replace(/^\//, "");
  if (BUILTINS.includes(name as (typeof BUILTINS)[number])) return match(name === "help" ? commands.map((c) => c.name) : []);
  const command = commands.find((c) => c.name === name || c.aliases?.includes(name));
  if (!command) return [[], current];

  const previous = words[words.length - 1];
  const option = command.options?.find((o) => o.takesValue && o.names.includes(previous));
  if (option) return match(source(option.completion, names));
  if (previous === "-o" || previous === "--output") return match(OUTPUT_FORMATS);
  if (current.startsWith("-")) return match([...(command.options ?? []).flatMap((o) => o.names.filter((f) => f.startsWith("--"))), ...GLOBAL_FLAGS]);

  // Positional: count the words after the command that are not flags or flag values.
  let position = 0;
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if (w.startsWith("-")) {
      const takesValue = command.options?.some((o) => o.takesValue && o.names.includes(w)) || w === "-o" || w === "--output";
      if (takesValue) i++;
      continue;
    }
    position++;
  }
  const args = command.arguments ?? [];
  const arg = args[Math.min(position, args.length - 1)];
  if (!arg || (position >= args.length && !arg.variadic)) return [[], current];
  return match(arg.choices ?? source(arg.completion, names));
}

function source(completion: Completion | undefined, names: QuickState["names"]): readonly string[] {
  if (!completion) return [];
  if (typeof completion !== "string") return completion;
  return { guest: names.guests, node: names.nodes, storage: names.storage, tag: names.tags }[completion];
}
