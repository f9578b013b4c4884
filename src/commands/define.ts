/**
 * `defineCommand`: a registry entry whose `run` gets its options validated
 * and typed from the command's declaration (options.ts). Every face calls the
 * same `run(ctx, {args, options})`, the options just as it got them; the wrapper checks
 * them against the declarations and hands the command `input.options` typed
 * by `z.infer` of their zod schemas, with defaults applied. A bad value is a
 * UsageError (exit 2) worded by the schema; zod loads only then.
 */
import { acceptOptions, type OptionSet, type OptionShape, type OptionValues } from "./options.js";
import type { Command, CommandContext, CommandInput, CommandResult } from "./types.js";

/** What a defined command's run gets: positionals and validated, typed options. */
export interface ParsedInput<O> {
  args: string[];
  options: O;
}

/** A command as written in its file: the registry entry, with typed options and run. */
export interface CommandSpec<S extends OptionShape> extends Omit<Command, "options" | "run"> {
  options?: OptionSet<S>;
  run(ctx: CommandContext, input: ParsedInput<OptionValues<S>>): Promise<CommandResult>;
}

/**
 * Make a registry entry from a command whose options are declared with
 * defineOptions; `input.options` in its run is typed from them.
 *
 * @example
 * export const syncCommand = defineCommand({
 *   name: "sync", summary: "…", examples: ["proxmox-mpc sync"],
 *   options: defineOptions({ dryRun: flag("--dry-run", "write nothing"), wait: number("--wait <seconds>", "…", { default: 30, min: 0 }) }),
 *   async run(ctx, input) { input.options.wait; … }, // number
 * });
 */
export function defineCommand<S extends OptionShape = Record<never, never>>(spec: CommandSpec<S>): Command {
  const { run, ...entry } = spec;
  return {
    ...entry,
    async run(ctx: CommandContext, input: CommandInput): Promise<CommandResult> {
      return run(ctx, { args: input.args, options: await parseOptions(spec, input.options) });
    },
  };
}

/** Validate options against the command's declaration; zod loads only to word a refusal (see acceptOptions). */
async function parseOptions<S extends OptionShape>(spec: CommandSpec<S>, raw: Record<string, unknown>): Promise<OptionValues<S>> {
  const values = acceptOptions(spec.options, raw) ?? (await import("./schema.js")).validateOptions(spec, raw);
  // The one place where values meet their type: the schema that checked them was built from these very declarations.
  return values as OptionValues<S>;
}
