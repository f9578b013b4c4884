/**
 * The composition root: builds the context a command runs in, with its
 * correlation id, logger and lazily created services. Every face (shell,
 * console, and the coming MCP, natural-language and API faces) builds its
 * contexts here; tests build theirs the same way.
 */
import { setMaxListeners } from "node:events";
import { hostname, userInfo } from "node:os";
import { namedContext, type ContextInEffect } from "../core/contexts.js";
import { UsageError } from "../core/errors.js";
import { EventBus } from "../core/events.js";
import { createLogger, newCorrelationId, operationLogger, type Logger } from "../core/logger.js";
import { OperationMetrics } from "../core/metrics.js";
import type { Actor, GlobalOptions } from "../core/result.js";
import type { UI } from "../core/ui.js";
import type { Workspace } from "../core/workspace.js";
import type { Store } from "../state/store.js";
import { DEFAULT_LOG_SETTINGS, isDebugOn, RotatingLogDestination } from "../observability/log-files.js";
import { teeDestination } from "../observability/log-echo.js";
import { createServices } from "./services.js";
import { withWebhooks } from "./webhook-attach.js";
import type { Caller, Command, CommandContext } from "./types.js";

export interface ContextInput {
  cwd: string;
  env: NodeJS.ProcessEnv;
  globals: GlobalOptions;
  ui: UI;
  signal: AbortSignal;
  actor: Actor;
  /** Who called (the audit trail): the face's token holder, role and the client's address; default none. */
  caller?: Caller;
  version: string;
  /** The command being run (logged with every line). */
  command: string;
  /** The registry, for commands that list or parse commands (completion, help). */
  commands: readonly Command[];
  /** The root logger; default: stderr at debug level with --debug, else the workspace's log file, else nothing. */
  rootLogger?: Logger;
  stderr?: NodeJS.WritableStream;
  workspace?: Workspace;
  /** A store a long-lived face keeps open across runs (the MCP server); the run uses it and leaves it open. */
  sharedStore?: () => Promise<Store>;
  /** The bus a long-lived face shares across its runs (the API server); default: one of this run's own. */
  events?: EventBus;
}

/** A context for one command run, with its own correlation id and services. */
export function createContext(input: ContextInput): CommandContext {
  // --context NAME / $PROXMOX_MPC_CONTEXT: that context's server, trust and token replace the workspace's for this run.
  // (Not for `context` itself: PROXMOX_MPC_CONTEXT naming a context not added yet must not stop `context add`.)
  const context = input.command === "context" ? undefined : namedContext(input.globals.context, input.env);
  if (context && input.workspace) input = { ...input, workspace: withContext(input.workspace, context) };
  const root = input.rootLogger ?? defaultLogger(input);
  const correlationId = newCorrelationId();
  // Every request in flight listens for Ctrl-C on this one signal (sync has 16 at a time).
  setMaxListeners(0, input.signal);
  const log = operationLogger(root, { correlationId, command: input.command, actor: input.actor });
  const metrics = new OperationMetrics();
  const events = input.events ?? new EventBus();
  const services = createServices({ cwd: input.cwd, env: input.env, workspace: input.workspace, log, ui: input.ui, signal: input.signal, version: input.version, metrics, sharedStore: input.sharedStore, context, emit: (type, data) => events.emit(type, data, correlationId) });
  return {
    cwd: input.cwd,
    env: input.env,
    globals: input.globals,
    log,
    correlationId,
    ui: input.ui,
    signal: input.signal,
    actor: input.actor,
    caller: input.caller ?? {},
    version: input.version,
    workspace: input.workspace,
    commands: input.commands,
    metrics,
    events,
    // A run with a bus of its own delivers its events to the workspace's webhooks itself (webhook-attach.ts).
    services: input.events ? services : withWebhooks(events, services, { workspace: input.workspace, log, env: input.env, waitAtClose: !input.sharedStore }),
  };
}

/**
 * The caller of a shell run (CLI, console, nl): the OS user, on this host (a shared PostgreSQL
 * store gets rows from several machines); no role (the shell has none).
 */
export function localCaller(env: NodeJS.ProcessEnv): Caller {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    // A uid without a passwd entry (some containers): the environment's name for it.
  }
  return { principal: user || env.USER || env.LOGNAME || env.USERNAME || `uid ${process.getuid?.() ?? "?"}`, source: hostname() };
}

/** The workspace as the run sees it with a context in effect: the context's endpoint, token id and trust. */
function withContext(ws: Workspace, { context }: ContextInEffect): Workspace {
  return { ...ws, config: { ...ws.config, endpoint: context.endpoint, tokenId: context.tokenId, tls: { ...context.tls }, context: context.name } };
}

/** The workspace of a command that requires one. */
export function requireWorkspace(ctx: Pick<CommandContext, "workspace">): Workspace {
  if (!ctx.workspace) {
    throw new UsageError("Not in a proxmox-mpc workspace (no .proxmox-mpc/ here or in a parent folder).", "Run `proxmox-mpc init` here, or pass -C DIR.", "no-workspace");
  }
  return ctx.workspace;
}

/**
 * stderr at debug level with --debug; else the workspace's log files (rotated by day and size, see
 * observability/log-files.ts) at info level, or at debug level with `debug on`, which also draws each
 * line on stderr and turns on stack traces (globals.debug); else nothing.
 */
function defaultLogger(input: ContextInput): Logger {
  const stderr = input.stderr ?? process.stderr;
  if (input.globals.debug) return createLogger({ level: "debug", destination: { write: (s: string) => stderr.write(s) } });
  if (!input.workspace) return createLogger();
  const ws = input.workspace;
  const file = new RotatingLogDestination(ws.paths.logs, { ...DEFAULT_LOG_SETTINGS, ...ws.config.logs });
  const base = { workspace: ws.name, server: hostOf(ws.config.endpoint) };
  if (!isDebugOn(ws.paths.dir)) return createLogger({ level: "info", destination: file, base });
  input.globals.debug = true; // the face then prints stack traces, as with --debug
  return createLogger({ level: "debug", destination: teeDestination(file, (text) => stderr.write(text)), base });
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}
