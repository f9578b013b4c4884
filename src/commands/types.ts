/**
 * The command contract shared by every face (CLI, console, MCP, natural
 * language). A command is one object; it never reads process.argv, never
 * calls process.exit and never prints: it gets a context and returns a result
 * that the face renders.
 */
import type { Logger } from "../core/logger.js";
import type { OperationMetrics } from "../core/metrics.js";
import type { EventBus } from "../core/events.js";
import type { UI } from "../core/ui.js";
import type { Actor, CommandResult, GlobalOptions } from "../core/result.js";
import type { Workspace } from "../core/workspace.js";
import type { Completion, OptionSet } from "./options.js";
import type { Services } from "./services.js";

export type { Completion } from "./options.js";
export { OUTPUT_FORMATS, type Actor, type Column, type CommandResult, type GlobalOptions, type OutputFormat } from "../core/result.js";

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
  /** Who called, as the face knows them (recorded with the operation: the audit trail). */
  caller: Caller;
  version: string;
  /** The workspace found from cwd or -C (always set for commands with workspace "required"). */
  workspace?: Workspace;
  /** The API client, the store and the engine, created on first use (see services.ts). */
  services: Services;
  /** The command registry (the face passes it; a command never imports the registry). */
  commands: readonly Command[];
  /** Figures of this run (phases, API requests and bytes, retries, DB time), recorded with the operation. */
  metrics: OperationMetrics;
  /** What happened, for whoever listens in this process (the API's event stream, webhooks, metrics): core/events.ts. */
  events: EventBus;
}

/**
 * Who called, for the audit trail: the API token's name and role and the client's address; `mcp-stdio`
 * / `mcp-http` and `stdio` / the client's address for MCP; the OS user and the host name for a shell run.
 */
export interface Caller {
  principal?: string;
  /** viewer | operator | admin; none where the face has no roles (CLI, console, nl, MCP). */
  role?: string;
  source?: string;
}

/**
 * What a face hands a command: positionals and options by key, as given
 * (strings from a command line, JSON values from a tool call). The command
 * validates them against its declared options (see define.ts).
 */
export interface CommandInput {
  args: string[];
  options: Record<string, unknown>;
}

/** A read-only tool of a mutating command: the command run with `action` as its first argument (see Command.mcp.views). */
export interface ReadView {
  /** The tool's name, e.g. snapshot_list. */
  name: string;
  /** The first argument's value that only reads, e.g. list. */
  action: string;
  summary: string;
}

/** The guests a command's input names (see Command.mcp.guests). */
export interface NamedGuests {
  /** Names or vmids; a name that is not a guest yet (a new vmid) is refused by a --vmids allowlist. */
  names: string[];
  /** The guests are chosen with --selector / --node of this kind (the power commands' select). */
  select?: "qemu" | "lxc";
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
  /** Declared with defineOptions (options.ts): the CLI flags, completion, typed input and tool schema derive from it. */
  options?: OptionSet;
  /** Whether a workspace must be found before run. */
  workspace?: "required" | "optional" | "none";
  /** Also offered as /name in the console. */
  slash?: boolean;
  /** Not listed in help or completion (internal plumbing such as __complete). */
  hidden?: boolean;
  /** Whether a run in a workspace is recorded as an operation (default true; false for commands that do not act on the workspace). */
  record?: boolean;
  /**
   * Parts of the input that are secrets although no option names them so (a webhook URL's path, where
   * chat services keep their token): registered for redaction before the run is logged or recorded.
   */
  secrets?: (input: CommandInput) => string[];
  /**
   * How the MCP face offers the command (every registered command says; a test holds it):
   * `read` a read-only tool; `write` a mutating tool, listed only with --allow-write;
   * `destructive` a mutating tool whose first call only shows what it would do (it asks
   * before acting) and acts on a second call with `confirm: true`; or kept out, with why.
   * `defaults`: option values a tool call gets when it leaves them out (a list's page size).
   * `guests`: which guests an input names, for the MCP allowlists (default: the arguments completed as guests).
   * `views`: read-only tools of a mutating command, one per action that only reads (`snapshot list`), offered read-only too.
   */
  mcp:
    | { tool: "read" | "write" | "destructive"; name?: string; defaults?: Readonly<Record<string, unknown>>; guests?: (input: CommandInput) => NamedGuests; views?: readonly ReadView[] }
    | { tool: false; why: string };
  /** Validates `input.options` (a UsageError, exit 2, names the flag), then runs. Build commands with defineCommand. */
  run(ctx: CommandContext, input: CommandInput): Promise<CommandResult>;
}
