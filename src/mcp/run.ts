/**
 * The MCP face's one way to run a command (the McpScope of scope.ts): a
 * context of its own per call (actor `mcp`, a new correlation id, the
 * server's logger), the UI that answers confirmations from the call
 * (ui.ts), the policy's guard (guard.ts), and a record of the operation —
 * every call, read or write, is recorded. The same `run` as the console's.
 */
import { createContext } from "../commands/context.js";
import { COMMANDS, findCommand } from "../commands/registry.js";
import { runCommand } from "../commands/runner.js";
import type { Caller, Command, GlobalOptions } from "../commands/types.js";
import type { EventBus } from "../core/events.js";
import { progressEvents } from "../core/recording-ui.js";
import { isReadView } from "../commands/remote.js";
import type { Logger } from "../core/logger.js";
import { asProxmoxMpcError, UsageError } from "../core/errors.js";
import { databaseUrl, type Workspace } from "../core/workspace.js";
import type { Store } from "../state/store.js";
import { faceLogger } from "../observability/log-files.js";
import { guardedCommand, NotAllowed } from "./guard.js";
import type { McpPolicy, McpScope } from "./scope.js";
import { ConfirmationRequired, McpUI } from "./ui.js";

export interface ScopeInput {
  workspace: Workspace;
  version: string;
  policy: McpPolicy;
  env: NodeJS.ProcessEnv;
  /** Ends every call in flight (the server is stopping). */
  signal: AbortSignal;
  /** Where debug lines go besides the log files (never stdout: stdio carries the protocol). */
  stderr: NodeJS.WritableStream;
  /** --debug of the `mcp` command: every line also on stderr. */
  debug?: boolean;
  /** A scope inside `serve` (its /mcp): the server's logger, store and event bus instead of its own. */
  host?: { log: Logger; store: () => Promise<Store>; events: EventBus };
}

/** The caller of an MCP server over stdio: whoever started it, through its pipe. */
export const STDIO_CALLER: Caller = { principal: "mcp-stdio", source: "stdio" };

/** The same scope, its calls recorded as this caller's (a session over HTTP: its token holder and address). */
export function withCaller(scope: McpScope, caller: Caller): McpScope {
  return { ...scope, run: (name, commandInput, options = {}) => scope.run(name, commandInput, { ...options, caller }) };
}

export interface ServerScope extends McpScope {
  /** The server's root logger (the workspace's log files). */
  log: Logger;
  /** Close the store kept open across calls and the log file. */
  close(): Promise<void>;
}

const correlations = new WeakMap<object, string>();

/** The correlation id of the call a thrown error came from (when it came from a call). */
export function correlationOf(err: unknown): string | undefined {
  return typeof err === "object" && err !== null ? correlations.get(err) : undefined;
}

/** Whether a command is offered under the policy, and how. */
export function toolKind(command: Command, policy: McpPolicy): "read" | "write" | "destructive" | undefined {
  if (command.mcp.tool === false) return undefined;
  if (command.mcp.tool !== "read" && !policy.allowWrite) return undefined;
  return command.mcp.tool;
}

export function createScope(input: ScopeInput): ServerScope {
  const ws = input.workspace;
  const { log, file } = input.host ? { log: input.host.log.child({ face: "mcp" }), file: undefined } : faceLogger(input.workspace, "mcp", input.debug === true, input.stderr);
  // One store for every call (opened on the first): a call costs a query, not an open (bench:mcp).
  let shared: Promise<Store> | undefined;
  const sharedStore = input.host?.store ?? ((): Promise<Store> => {
    if (shared) return shared;
    const opening = import("../state/store.js").then(({ openStore }) => openStore({ url: databaseUrl(ws, input.env), readOnly: true }));
    shared = opening;
    // A store that failed to open is tried again by the next call (a database back up, a fixed URL).
    opening.catch(() => {
      if (shared === opening) shared = undefined;
    });
    return opening;
  });
  return {
    workspace: ws,
    version: input.version,
    policy: input.policy,
    log,
    async close() {
      const open = shared;
      shared = undefined;
      if (open) await (await open.catch(() => undefined))?.close();
      file?.close();
    },
    async run(name, commandInput, options = {}) {
      const command = findCommand(name);
      if (!command || command.mcp.tool === false) throw new UsageError(`${name} is not offered over MCP.`, command?.mcp.tool === false ? `It ${command.mcp.why}.` : undefined, "unknown-tool");
      // An action the command declares read-only (snapshot list) runs as a read tool, also on a read-only server.
      const kind = isReadView(command, commandInput.args[0]) ? "read" : toolKind(command, input.policy);
      if (!kind) throw new NotAllowed(`${name} changes the cluster or the workspace, and this MCP server is read-only.`, "Whoever starts the server may allow it with `proxmox-mpc mcp --allow-write`.");
      const events = input.host?.events;
      // On the API server (/mcp) the bus is the server's: what a tool call shows goes to the event stream too.
      const ui = new McpUI(options.confirm === true, events && progressEvents(events, command.name, () => ctx.correlationId));
      const globals: GlobalOptions = { workspace: ws.paths.root, output: "json", debug: false, color: false, input: true, yes: false };
      const signal = options.signal ? AbortSignal.any([input.signal, options.signal]) : input.signal;
      const ctx = createContext({ cwd: ws.paths.root, env: input.env, globals, ui, signal, actor: "mcp", caller: options.caller ?? STDIO_CALLER, version: input.version, command: command.name, commands: COMMANDS, rootLogger: log, stderr: input.stderr, workspace: ws, sharedStore, events });
      const runnable = kind === "read" ? command : guardedCommand(command, input.policy);
      try {
        const result = await runCommand(runnable, ctx, commandInput, { record: true });
        return { result, shown: ui.shown, correlationId: ctx.correlationId };
      } catch (err) {
        if (typeof err === "object" && err !== null) correlations.set(err, ctx.correlationId);
        // Asking for confirmation is the two-step working, not a failure; a refusal (exit 2) changed nothing.
        if (err instanceof ConfirmationRequired) ctx.log.info({ question: err.question }, "tool call needs confirmation");
        else if (asProxmoxMpcError(err).exitCode === 2) ctx.log.warn({ err }, "tool call refused");
        else ctx.log.error({ err }, "tool call failed");
        throw err;
      } finally {
        await ctx.services.close();
      }
    },
  };
}
