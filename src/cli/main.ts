/**
 * The commander face: builds the program from the registry, parses argv,
 * runs one command with a context, renders its result, and maps errors to
 * exit codes (0 ok, 1 failed, 2 bad usage). One top-level catch.
 */
import { Command as Commander, CommanderError, Option } from "commander";
import { COMMANDS } from "../commands/registry.js";
import type { AskRequest } from "../core/result.js";
import { resolveWorkspace, runCommand } from "../commands/runner.js";
import { OUTPUT_FORMATS, type Actor, type Command, type CommandContext, type CommandResult, type GlobalOptions } from "../commands/types.js";
import { createContext, localCaller } from "../commands/context.js";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, asProxmoxMpcError } from "../core/errors.js";
import { parseOutputFormat, renderResult } from "../core/output.js";
import { redactString } from "../core/redact.js";
import { colorWanted, style } from "../core/style.js";
import { StreamsUI } from "../core/ui.js";
import { packageVersion } from "../core/version.js";

/** Streams and environment of one CLI run (injected so tests drive the real CLI). */
export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** stdin and stdout are terminals. */
  isTTY: boolean;
  columns?: number;
  signal?: AbortSignal;
  /** Who runs the command (default "cli"). */
  actor?: Actor;
  /** Answers confirmations (the console passes its own). */
  ask?: (question: string) => Promise<string>;
  /**
   * Opens the console a command asked for (demo) and returns its exit code.
   * The entry point (src/main.ts) passes it; this face never loads the console itself.
   */
  openConsole?: (request: ConsoleRequest) => Promise<number>;
  /**
   * Runs the long-running face a command asked for (`mcp`: the MCP server) until `signal` ends it,
   * and returns its exit code. The entry point passes it; the console does not (it refuses `mcp`).
   */
  serve?: (request: ServeRequest) => Promise<number>;
  /**
   * Runs a request in plain English a command handed over (`ask`, `report-issue --analyze`): the
   * natural-language face proposes, confirms and runs the steps, and returns the exit code. The
   * entry point and the console pass it; this face never loads it itself.
   */
  naturalLanguage?: (request: NlRequest) => Promise<number>;
}

/** A command's request to the natural-language face, with what the face needs of the run. */
export interface NlRequest extends AskRequest {
  env: NodeJS.ProcessEnv;
  globals: GlobalOptions;
  version: string;
  signal: AbortSignal;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  isTTY: boolean;
  columns?: number;
  /** Who asked (cli or console); the steps run as actor "nl". */
  actor: Actor;
}

/** A command's request to serve the workspace (mcp), with what the server needs of the run. */
export interface ServeRequest {
  face: Extract<CommandResult, { kind: "serve" }>["face"];
  cwd: string;
  root: string;
  options: Extract<CommandResult, { kind: "serve" }>["options"];
  env: NodeJS.ProcessEnv;
  globals: GlobalOptions;
  version: string;
  signal: AbortSignal;
}

/** A command's request to continue in the console (demo), with the global flags of the run. */
export interface ConsoleRequest {
  cwd: string;
  env: NodeJS.ProcessEnv;
  argv: string[];
}

const EXIT_CODES_HELP = `
Run proxmox-mpc without a command to open the console (proxmox-mpc demo to try it on a simulator).

Exit codes:
  0  success
  1  the operation failed (server error, task failed, …)
  2  bad usage or bad input (nothing was changed)

Environment:
  PROXMOX_VE_ENDPOINT   API endpoint, e.g. https://pve1:8006
  PROXMOX_VE_API_TOKEN  API token, user@realm!tokenid=secret
  PROXMOX_VE_INSECURE   true to skip certificate verification (not recommended)
  PROXMOX_MPC_ENGINE    terraform or native: the default engine of plan/apply/destroy
  PROXMOX_MPC_CONTEXT   the context to use (like --context NAME; see proxmox-mpc context)
  XDG_CONFIG_HOME       where contexts.yaml lives (default ~/.config/proxmox-mpc/)
  DATABASE_URL          the state database (overrides the workspace's database.url)
  NO_COLOR              turn colour off`;

/** Run the CLI with argv (without node and script) and return the exit code. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const version = packageVersion();
  let exitCode = EXIT_OK;
  const program = new Commander("proxmox-mpc")
    .description("Interactive Infrastructure-as-Code console for Proxmox VE")
    .version(version, "-V, --version", "print the version")
    .option("-C, --workspace <dir>", "use the workspace in DIR instead of the one found from the current directory")
    .addOption(new Option("-o, --output <format>", "output format").choices([...OUTPUT_FORMATS]).default("table"))
    .option("--debug", "verbose logs on stderr and stack traces on errors")
    .option("--no-color", "turn colour off (also NO_COLOR)")
    .option("--no-input", "never prompt; fail instead of asking")
    .option("-y, --yes", "answer yes to confirmations")
    .option("--context <name>", "use this context's server, trust and token for this run (also PROXMOX_MPC_CONTEXT; see `context`)")
    .addHelpText("after", EXIT_CODES_HELP)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error: /, "error: ")),
    });

  for (const command of COMMANDS) {
    addCommand(program, command, async (globals, args, options) => {
      exitCode = await execute(command, globals, args, options, io, version);
    });
  }

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return EXIT_OK;
      if (err.code === "commander.executeSubCommandAsync") return EXIT_FAILED;
      const hint = usageHint(err, argv);
      if (hint) io.stderr.write(`hint: ${hint}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
  return exitCode;
}

/**
 * What to try after commander refused a command line: for a kind (`stop web-01`) the line with
 * `vm` put in; for a missing or wrong argument the command's first example.
 */
function usageHint(err: CommanderError, argv: string[]): string | undefined {
  const words = argv.filter((w) => !w.startsWith("-"));
  const command = words.length ? COMMANDS.find((c) => c.name === words[0] || c.aliases?.includes(words[0])) : undefined;
  if (!command) return undefined;
  const kind = command.arguments?.[0]?.name === "kind" || command.arguments?.[1]?.name === "kind";
  const bad = /value '([^']+)' is invalid for argument 'kind'/.exec(err.message)?.[1];
  if (kind && bad !== undefined) {
    const at = argv.indexOf(bad);
    const fixed = [...argv.slice(0, at), "vm", ...argv.slice(at)].join(" ");
    return `name the kind first: \`proxmox-mpc ${fixed}\` (vm for a VM, ct for a container).`;
  }
  if (err.code === "commander.missingArgument" || err.code === "commander.invalidArgument" || err.code === "commander.excessArguments") {
    return `e.g. \`${command.examples[0]}\` (see \`proxmox-mpc ${command.name} --help\`).`;
  }
  return undefined;
}

type Action = (globals: GlobalOptions, args: string[], options: Record<string, unknown>) => Promise<void>;

function addCommand(program: Commander, command: Command, action: Action): void {
  const sub = program.command(command.name, { hidden: command.hidden }).summary(command.summary).description(command.description ?? command.summary);
  for (const alias of command.aliases ?? []) sub.alias(alias);
  for (const arg of command.arguments ?? []) {
    const name = `${arg.name}${arg.variadic ? "..." : ""}`;
    const a = sub.createArgument(arg.required ? `<${name}>` : `[${name}]`, arg.description);
    if (arg.choices) a.choices([...arg.choices]);
    sub.addArgument(a);
  }
  // Flags from the command's declared options; their values are checked by the command's schema (one message for every face).
  const declared = (command.options ?? []).map((spec) => {
    const option = new Option(spec.flags, spec.description);
    if (spec.choices) option.argChoices = [...spec.choices]; // listed by --help; not checked here
    if (spec.repeatable) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    if (spec.default !== undefined && !option.negate) option.default(spec.default); // commander defaults --no-X itself
    sub.addOption(option);
    return { key: spec.key, attribute: option.attributeName() };
  });
  sub.addHelpText("after", `\nExamples:\n${command.examples.map((e) => `  $ ${e}`).join("\n")}\n`);
  sub.action(async (...received: unknown[]) => {
    const cmd = received[received.length - 1] as Commander;
    const parsed = cmd.opts();
    const args = (received.slice(0, -2) as (string | string[] | undefined)[]).flatMap((a) => (a === undefined ? [] : Array.isArray(a) ? a : [a]));
    const g = cmd.optsWithGlobals() as Record<string, unknown>;
    const globals: GlobalOptions = {
      workspace: g.workspace as string | undefined,
      output: parseOutputFormat(g.output as string | undefined),
      debug: Boolean(g.debug),
      color: g.color !== false,
      input: g.input !== false,
      yes: Boolean(g.yes),
      ...(typeof g.context === "string" ? { context: g.context } : {}),
    };
    // By declared key (commander names --no-refresh "refresh"; the key is the command's own name for it).
    const options = Object.fromEntries(declared.filter((d) => parsed[d.attribute] !== undefined).map((d) => [d.key, parsed[d.attribute]]));
    await action(globals, args, options);
  });
}

async function execute(command: Command, globals: GlobalOptions, args: string[], options: Record<string, unknown>, io: CliIO, version: string): Promise<number> {
  const color = colorWanted(globals.color, io.env, io.isTTY);
  globals.color = color;
  const ui = new StreamsUI({ stdout: io.stdout, stderr: io.stderr, color, interactive: io.isTTY && globals.input, yes: globals.yes, ask: io.ask });
  const signal = io.signal ?? new AbortController().signal;
  let ctx: CommandContext | undefined;
  try {
    const workspace = await resolveWorkspace(command, globals, io.cwd);
    // CLI, console and nl alike: the OS user on this host (the audit trail's principal and source).
    ctx = createContext({ cwd: io.cwd, env: io.env, globals, ui, signal, actor: io.actor ?? "cli", caller: localCaller(io.env), version, command: command.name, commands: COMMANDS, stderr: io.stderr, workspace });
    const result = await runCommand(command, ctx, { args, options });
    if (result.kind === "console") return await continueInConsole(result, io, globals);
    if (result.kind === "serve") {
      if (!io.serve) throw new UsageError(`The ${result.face === "api" ? "API" : "MCP"} server runs in its own process: run it from a shell: proxmox-mpc ${result.face === "api" ? "serve" : "mcp"}`);
      await ctx.services.close();
      return await io.serve({ face: result.face, cwd: result.cwd, root: result.root, options: result.options, env: withContextEnv(io.env, globals), globals, version, signal });
    }
    if (result.kind === "ask") {
      if (!io.naturalLanguage) throw new UsageError("Natural language needs the proxmox-mpc program or its console: run it from a shell: proxmox-mpc ask \"…\"");
      await ctx.services.close();
      return await io.naturalLanguage({ ...result.request, env: withContextEnv(io.env, globals), globals, version, signal, stdout: io.stdout, stderr: io.stderr, isTTY: io.isTTY, columns: io.columns, actor: io.actor ?? "cli" });
    }
    const text = await renderResult(result, { format: globals.output, width: io.isTTY ? io.columns : undefined, color });
    if (text) io.stdout.write(text);
    return result.exitCode ?? EXIT_OK;
  } catch (err) {
    const error = asProxmoxMpcError(err);
    // The log file keeps the stack (redacted) for logs and report-issue; the terminal shows it only with --debug.
    const stack = err instanceof Error && err.stack ? redactString(err.stack) : undefined;
    ctx?.log.error({ err: { ...error.toJSON(), stack } }, "command failed");
    io.stderr.write(`${style(color).error("error:")} ${redactString(error.message)}\n`);
    if (error.hint) io.stderr.write(`hint: ${redactString(error.hint)}\n`);
    if (globals.debug && err instanceof Error && err.stack) io.stderr.write(`${redactString(err.stack)}\n`);
    if (globals.output === "json") io.stdout.write(`${JSON.stringify({ error: error.toJSON() }, null, 2)}\n`);
    return error.exitCode;
  } finally {
    await ctx?.services.close();
  }
}

/** The environment of a face a command hands over to (mcp, ask): --context NAME carries on as PROXMOX_MPC_CONTEXT. */
function withContextEnv(env: NodeJS.ProcessEnv, globals: GlobalOptions): NodeJS.ProcessEnv {
  return globals.context ? { ...env, PROXMOX_MPC_CONTEXT: globals.context } : env;
}

/** Hand over to the console a command asked for (demo), then let the command clean up. */
async function continueInConsole(result: Extract<CommandResult, { kind: "console" }>, io: CliIO, globals: GlobalOptions): Promise<number> {
  try {
    if (!io.openConsole) throw new UsageError("This command opens the console; run it from a shell.");
    const argv = [...(globals.color ? [] : ["--no-color"]), ...(globals.yes ? ["--yes"] : []), ...(globals.input ? [] : ["--no-input"])];
    return await io.openConsole({ cwd: result.cwd, env: result.env, argv });
  } finally {
    await result.close();
  }
}
