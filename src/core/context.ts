/**
 * The composition root: builds the context a command runs in. Heavy services
 * are not created here; commands load them lazily when they need them.
 */
import { setMaxListeners } from "node:events";
import { join } from "node:path";
import type { Actor, CommandContext, GlobalOptions } from "../commands/types.js";
import { createLogger, newCorrelationId, operationLogger, type Logger } from "./logger.js";
import type { UI } from "./ui.js";
import type { Workspace } from "./workspace.js";

export interface ContextInput {
  cwd: string;
  env: NodeJS.ProcessEnv;
  globals: GlobalOptions;
  ui: UI;
  signal: AbortSignal;
  actor: Actor;
  version: string;
  command: string;
  /** The root logger; default: stderr at debug level with --debug, else discarded. */
  rootLogger?: Logger;
  stderr?: NodeJS.WritableStream;
  workspace?: Workspace;
}

/** A context for one command run, with its own correlation id. */
export function createContext(input: ContextInput): CommandContext {
  const root = input.rootLogger ?? defaultLogger(input);
  const correlationId = newCorrelationId();
  // Every request in flight listens for Ctrl-C on this one signal (sync has 16 at a time).
  setMaxListeners(0, input.signal);
  return {
    cwd: input.cwd,
    env: input.env,
    globals: input.globals,
    log: operationLogger(root, { correlationId, command: input.command, actor: input.actor }),
    correlationId,
    ui: input.ui,
    signal: input.signal,
    actor: input.actor,
    version: input.version,
    workspace: input.workspace,
  };
}

/** stderr at debug level with --debug; else the workspace's daily log file; else nothing. */
function defaultLogger(input: ContextInput): Logger {
  if (input.globals.debug) return createLogger({ level: "debug", destination: { write: (s: string) => (input.stderr ?? process.stderr).write(s) } });
  if (input.workspace) {
    const day = new Date().toISOString().slice(0, 10);
    return createLogger({ level: "info", destination: join(input.workspace.paths.logs, `${day}.jsonl`), base: { workspace: input.workspace.name } });
  }
  return createLogger();
}
