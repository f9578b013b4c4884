/**
 * The command contract shared by every face (CLI, console, MCP, natural
 * language). A command is one object; it never reads process.argv, never
 * calls process.exit and never prints: it gets a context and returns a result
 * that the face renders.
 */
import type { Logger } from "../core/logger.js";
import type { UI } from "../core/ui.js";
import type { Actor, CommandResult, GlobalOptions } from "../core/result.js";
import type { Workspace } from "../core/workspace.js";
import type { Services } from "./services.js";

export { OUTPUT_FORMATS, type Actor, type Column, type CommandResult, type GlobalOptions, type OutputFormat } from "../core/result.js";

/** An option in commander's flag syntax, e.g. "-p, --port <port>". */
export interface OptionSpec {
  flags: string;
  description: string;
  default?: string | number | boolean;
  /** Allowed values; the face rejects others with exit code 2. */
  choices?: readonly string[];
  /** Parse the value as a number (rejected with exit 2 if it is not one). */
  type?: "int" | "float";
  /** Repeatable option collecting an array ("--tag a --tag b"). */
  repeatable?: boolean;
  /** What the console's Tab completion offers as the value. */
  completion?: Completion;
}

/** A positional argument. */
export interface ArgumentSpec {
  name: string;
  description: string;
  required?: boolean;
  variadic?: boolean;
  /** Allowed values (e.g. the noun of `get`). */
  choices?: readonly string[];
  /** What the console's Tab completion offers here (when not `choices`). */
  completion?: Completion;
}

/** Tab-completion source: fixed words, or names from the store. */
export type Completion = readonly string[] | "guest" | "node" | "storage" | "tag";

/** Everything a command may use; built once per run by the composition root. */
export interface CommandContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  globals: GlobalOptions;
  /** Child logger of this run: carries the correlation id. */
  log: Logger;
  correlationId: string;
  ui: UI;
  /** Aborted on Ctrl-C: long work stops cleanly between steps. */
  signal: AbortSignal;
  actor: Actor;
  version: string;
  /** The workspace found from cwd or -C (always set for commands with workspace "required"). */
  workspace?: Workspace;
  /** The API client, the store and the engine, created on first use (see services.ts). */
  services: Services;
  /** The command registry (the face passes it; a command never imports the registry). */
  commands: readonly Command[];
}

/** What a command got from the face: positionals and parsed options. */
export interface CommandInput {
  args: string[];
  options: Record<string, unknown>;
}

/** One entry of the registry. */
export interface Command {
  /** Name as typed: "test-connection", "get", "sim". */
  name: string;
  aliases?: readonly string[];
  /** One line for listings. */
  summary: string;
  /** Longer help text (optional). */
  description?: string;
  /** At least one example command line, shown by --help. */
  examples: readonly string[];
  arguments?: readonly ArgumentSpec[];
  options?: readonly OptionSpec[];
  /** Whether a workspace must be found before run. */
  workspace?: "required" | "optional" | "none";
  /** Also offered as /name in the console. */
  slash?: boolean;
  /** Not listed in help or completion (internal plumbing such as __complete). */
  hidden?: boolean;
  /** Whether a run in a workspace is recorded as an operation (default true; false for commands that do not act on the workspace). */
  record?: boolean;
  run(ctx: CommandContext, input: CommandInput): Promise<CommandResult>;
}
