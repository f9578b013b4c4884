/**
 * The zod side of the command declarations, loaded on first validation (not
 * at start-up): one strict zod object per command's options, the check of
 * the options a face passes on, and the input schema a tool (MCP) takes —
 * positional arguments and options in one flat object — with the way back
 * to a command's input.
 */
import { z } from "zod";
import { UsageError } from "../core/errors.js";
import { declarations, type OptionSet } from "./options.js";
import type { ArgumentSpec, Command, CommandInput } from "./types.js";

const schemas = new WeakMap<OptionSet, z.ZodObject>();
const EMPTY = z.strictObject({});

/** The options of a set as one strict zod object (built once per set). */
export function optionsSchema(set: OptionSet | undefined): z.ZodObject {
  if (!set) return EMPTY;
  let schema = schemas.get(set);
  if (!schema) {
    const shape = Object.fromEntries(Object.entries(declarations(set)).map(([key, decl]) => [key, decl.schema(z)]));
    schema = z.strictObject(shape);
    schemas.set(set, schema);
  }
  return schema;
}

/**
 * Check the options a face passes on (text from a command line, JSON values
 * from a tool call) and return them with defaults applied. The first problem
 * is a one-line UsageError naming the flag and what it takes.
 */
export function validateOptions(command: Pick<Command, "name" | "options">, raw: Record<string, unknown>): Record<string, unknown> {
  const given: Record<string, unknown> = { ...raw };
  for (const option of command.options ?? []) {
    const value = given[option.key];
    if (typeof value === "string" && option.fromText) given[option.key] = option.fromText(value);
  }
  const result = optionsSchema(command.options).safeParse(given);
  if (result.success) return result.data;
  throw usageError(command, result.error.issues[0]);
}

/**
 * The input an MCP tool running `command` takes: its positional arguments
 * (by name; a variadic one is an array) and its options (by key), each
 * described, with defaults. `.shape` is the raw shape a tool registration
 * takes; `z.toJSONSchema(schema, { io: "input" })` the JSON Schema.
 */
export function inputSchema(command: Command): z.ZodObject {
  let schema = inputSchemas.get(command);
  if (!schema) inputSchemas.set(command, (schema = buildInputSchema(command)));
  return schema;
}

/** Built once per command: a zod schema compiles its checks on first use, so every call after that is fast. */
const inputSchemas = new WeakMap<Command, z.ZodObject>();

function buildInputSchema(command: Command): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const arg of command.arguments ?? []) shape[arg.name] = argumentSchema(arg);
  for (const [key, schema] of Object.entries(optionsSchema(command.options).shape)) {
    if (key in shape) throw new Error(`${command.name}: the option ${key} has the name of a positional argument.`);
    shape[key] = schema;
  }
  return z.strictObject(shape);
}

/** A tool's input (see inputSchema), checked, as the command's positionals and options. */
export function toCommandInput(command: Command, input: Record<string, unknown>): CommandInput {
  const result = inputSchema(command).safeParse(input);
  if (!result.success) throw usageError(command, result.error.issues[0]);
  const args: string[] = [];
  const names = new Set<string>();
  let gap: string | undefined;
  for (const arg of command.arguments ?? []) {
    names.add(arg.name);
    const value = result.data[arg.name];
    if (value === undefined) {
      gap ??= arg.name;
      continue;
    }
    // Positionals fill from the left: one cannot follow a missing one.
    if (gap) throw new UsageError(`${arg.name} is given without ${gap}.`, `${command.name} takes its arguments in order: ${(command.arguments ?? []).map((a) => a.name).join(", ")}.`);
    args.push(...(Array.isArray(value) ? value.map(String) : [String(value)]));
  }
  const options = Object.fromEntries(Object.entries(result.data).filter(([key]) => !names.has(key)));
  return { args, options };
}

function argumentSchema(arg: ArgumentSpec): z.ZodType {
  const error = (iss: { input?: unknown }): string =>
    iss.input === undefined
      ? `${arg.name} is required.`
      : arg.choices
        ? `${arg.name} must be one of ${arg.choices.join(", ")}, got ${JSON.stringify(iss.input)}.`
        : `${arg.name} must be text, got ${JSON.stringify(iss.input)}.`;
  const one = arg.choices ? z.enum(arg.choices, { error }) : z.string({ error });
  const value = arg.variadic ? z.array(one, { error: `${arg.name} must be a list.` }).min(arg.required ? 1 : 0, { error: `${arg.name} needs at least one value.` }) : one;
  return (arg.required ? value : value.optional()).describe(arg.description);
}

function usageError(command: Pick<Command, "name" | "options">, issue: z.core.$ZodIssue | undefined): UsageError {
  if (issue?.code === "unrecognized_keys") {
    const known = (command.options ?? []).map((o) => `${o.key} (${o.long})`).join(", ");
    return new UsageError(`${command.name} has no option ${issue.keys.map((k) => `"${k}"`).join(", ")}.`, known ? `Its options: ${known}.` : `${command.name} takes no options.`);
  }
  // The options' and arguments' schemas word their own messages ("--wait must be a number 0 or more, got "x".").
  return new UsageError(issue?.message ?? `Invalid input for ${command.name}.`);
}
