/**
 * The composition root: builds the context a command runs in. Heavy services
 * are not created here; commands load them lazily when they need them.
 */
import type { Actor, CommandContext, GlobalOptions } from "../commands/types.js";
import { createLogger, newCorrelationId, operationLogger, type Logger } from "./logger.js";
import type { UI } from "./ui.js";

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
}

/** A context for one command run, with its own correlation id. */
export function createContext(input: ContextInput): CommandContext {
  const root =
    input.rootLogger ??
    createLogger(input.globals.debug ? { level: "debug", destination: { write: (s: string) => (input.stderr ?? process.stderr).write(s) } } : {});
  const correlationId = newCorrelationId();
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
  };
}
