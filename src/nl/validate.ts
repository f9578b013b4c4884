/**
 * Every proposed command line is parsed and checked by the registry before
 * anything runs: the command exists and may be part of a plan, its flags are
 * its own (or the global ones a step may carry), each takes its value, the
 * positional arguments fit, and the option values pass the command's own
 * schemas. The first problem refuses the whole plan and says which step.
 */
import type { Command } from "../commands/types.js";
import { tokenize } from "../commands/tokenize.js";
import { UsageError } from "../core/errors.js";
import { suggest } from "../core/suggest.js";
import { safetyOf, type Safety } from "./types.js";

/** One checked step of a plan. */
export interface PlanStep {
  /** The line as proposed. */
  line: string;
  /** The words the step runs with (command name first). */
  argv: string[];
  command: Command;
  safety: Safety;
}

/** Global flags a step may carry: output and prompts (the workspace is the plan's own). */
const GLOBAL_FLAGS = new Set(["--yes", "-y", "--no-input", "--no-color", "--debug"]);
const GLOBAL_WITH_VALUE = new Set(["-o", "--output"]);

/** A line without a leading `proxmox-mpc` or `/` (engines may write either). */
export function normalizeLine(line: string): string {
  return line.trim().replace(/^proxmox-mpc\s+/, "").replace(/^\//, "");
}

/** Check every line; a refusal names the step and what is wrong with it. */
export async function validatePlan(lines: readonly string[], commands: readonly Command[]): Promise<PlanStep[]> {
  const steps: PlanStep[] = [];
  for (const [i, raw] of lines.entries()) {
    const line = normalizeLine(raw);
    try {
      steps.push(await checkLine(line, commands));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new UsageError(`The plan was refused at step ${i + 1} of ${lines.length} (${line || "an empty line"}): ${reason}`, "Nothing was run. Rephrase the request, or run the commands yourself.", "plan-refused");
    }
  }
  return steps;
}

async function checkLine(line: string, commands: readonly Command[]): Promise<PlanStep> {
  const words = tokenize(line);
  if (!words.length) throw new Error("it is empty.");
  const [name, ...rest] = words;
  const command = commands.find((c) => c.name === name || c.aliases?.includes(name));
  if (!command || command.hidden) {
    const near = suggest(name, commands.filter((c) => !c.hidden).map((c) => c.name));
    throw new Error(`there is no command "${name}".${near.length ? ` Did you mean ${near.join(", ")}?` : ""}`);
  }
  if (command.mcp.tool === false) throw new Error(`${command.name} cannot be part of a plan: it ${command.mcp.why}.`);
  const args: string[] = [];
  const options: Record<string, unknown> = {};
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i];
    if (word === "--") {
      args.push(...rest.slice(i + 1));
      break;
    }
    if (!word.startsWith("-") || word === "-" || /^-\d/.test(word)) {
      args.push(word);
      continue;
    }
    const eq = word.indexOf("=");
    const flag = eq > 0 ? word.slice(0, eq) : word;
    const inline = eq > 0 ? word.slice(eq + 1) : undefined;
    if (flag === "-C" || flag === "--workspace") throw new Error(`${flag} is not allowed: a plan runs in this workspace.`);
    if (GLOBAL_FLAGS.has(flag)) continue;
    if (GLOBAL_WITH_VALUE.has(flag)) {
      if (inline === undefined) i++;
      continue;
    }
    const option = (command.options ?? []).find((o) => o.names.includes(flag));
    if (!option) {
      const known = (command.options ?? []).map((o) => o.long);
      throw new Error(`${command.name} has no option ${flag}.${known.length ? ` Its options: ${known.join(", ")}.` : ""}`);
    }
    if (!option.takesValue) {
      if (inline !== undefined) throw new Error(`${option.long} takes no value.`);
      options[option.key] = !flag.startsWith("--no-");
      continue;
    }
    const value = inline ?? rest[++i];
    if (value === undefined) throw new Error(`${option.long} needs a value.`);
    options[option.key] = option.repeatable ? [...((options[option.key] as string[] | undefined) ?? []), value] : value;
  }
  checkArguments(command, args);
  const { validateOptions } = await import("../commands/schema.js");
  validateOptions(command, options);
  return { line, argv: [command.name, ...rest], command, safety: safetyOf(line, commands) };
}

function checkArguments(command: Command, args: readonly string[]): void {
  const specs = command.arguments ?? [];
  const variadic = specs.some((s) => s.variadic);
  if (!variadic && args.length > specs.length) {
    throw new Error(`${command.name} takes ${specs.length ? `at most ${specs.length} argument${specs.length === 1 ? "" : "s"} (${specs.map((s) => s.name).join(", ")})` : "no arguments"}, got ${args.length}: ${args.join(" ")}.`);
  }
  for (const [i, spec] of specs.entries()) {
    const given = spec.variadic ? args.slice(i) : args[i] === undefined ? [] : [args[i]];
    if (spec.required && !given.length) throw new Error(`${command.name} needs its ${spec.name} argument (${spec.description}).`);
    const wrong = spec.choices ? given.find((g) => !spec.choices!.includes(g)) : undefined;
    if (wrong !== undefined) throw new Error(`${spec.name} must be one of ${spec.choices!.join(", ")}, got "${wrong}".`);
  }
}
