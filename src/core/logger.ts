/**
 * Structured logging: pino, JSON lines, one correlation id per operation.
 * Redaction is built in: secret keys are replaced and registered secrets are
 * scrubbed from every string (messages included) before a line is written.
 * pino itself is loaded on the first line logged, so start-up (--help, the
 * console's first prompt) does not pay for it.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type * as Pino from "pino";
import { redactString, redactValue } from "./redact.js";

/** A log method: `log.info("text")` or `log.info({ fields }, "text")`. */
export interface LogFn {
  (message: string): void;
  (fields: object, message?: string): void;
}

/** The logger every service and command uses (a lazily created pino logger). */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  /** Log level; default "info". */
  level?: string;
  /** A file (appended, created with its folder) or a stream; default: discard. */
  destination?: string | Pino.DestinationStream;
  /** Fields on every line (e.g. the workspace). */
  base?: Record<string, unknown>;
}

/** A new short correlation id, e.g. "c-1b2c3d4e5f". */
export function newCorrelationId(): string {
  return `c-${randomUUID().replace(/-/g, "").slice(0, 10)}`;
}

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;

/** Wraps a pino logger made on first use. */
class LazyLogger implements Logger {
  private instance?: Pino.Logger;
  trace: LogFn = this.method("trace");
  debug: LogFn = this.method("debug");
  info: LogFn = this.method("info");
  warn: LogFn = this.method("warn");
  error: LogFn = this.method("error");
  fatal: LogFn = this.method("fatal");

  constructor(private readonly make: () => Pino.Logger) {}

  private get(): Pino.Logger {
    return (this.instance ??= this.make());
  }

  private method(level: (typeof LEVELS)[number]): LogFn {
    return ((a: string | object, b?: string) => {
      const logger = this.get();
      if (typeof a === "string") logger[level](a);
      else logger[level](a, b);
    }) as LogFn;
  }

  child(bindings: Record<string, unknown>): Logger {
    return new LazyLogger(() => this.get().child(bindings));
  }
}

/** The root logger. Use {@link operationLogger} for each command run. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return new LazyLogger(() => {
    const { pino } = createRequire(import.meta.url)("pino") as typeof Pino;
    return pino(
      {
        level: options.level ?? "info",
        base: options.base ?? {},
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: {
          level: (label) => ({ level: label }),
          log: (obj) => redactValue(shapeError(obj)),
        },
        hooks: {
          logMethod(args, method) {
            const scrubbed = args.map((a) => (typeof a === "string" ? redactString(a) : a));
            return method.apply(this, scrubbed as Parameters<typeof method>);
          },
        },
      },
      resolveDestination(pino, options.destination),
    );
  });
}

/** A child logger for one operation: every line carries its correlation id and its operation (the command or tool). */
export function operationLogger(root: Logger, fields: { correlationId?: string; command?: string; actor?: string }): Logger {
  return root.child({ ...fields, ...(fields.command ? { operation: fields.command } : {}), correlationId: fields.correlationId ?? newCorrelationId() });
}

/** The error of a log line (`err`: an Error or a ProxmoxMpcError's JSON) as `error: {type, message, stack, recoveryActions}`. */
export interface LoggedError {
  type: string;
  message: string;
  stack?: string;
  /** Concrete next steps (the error's hint). */
  recoveryActions: string[];
}

function shapeError(obj: Record<string, unknown>): Record<string, unknown> {
  const err = obj.err;
  if (!err || typeof err !== "object") return obj;
  const e = err as { name?: unknown; code?: unknown; message?: unknown; stack?: unknown; hint?: unknown };
  const error: LoggedError = {
    type: String(e.code ?? e.name ?? "Error"),
    message: String(e.message ?? ""),
    ...(typeof e.stack === "string" ? { stack: e.stack } : {}),
    recoveryActions: typeof e.hint === "string" && e.hint ? [e.hint] : [],
  };
  const { err: _err, ...rest } = obj;
  return { ...rest, error };
}

function resolveDestination(pino: typeof Pino.pino, dest: LoggerOptions["destination"]): Pino.DestinationStream {
  if (dest === undefined) return { write: () => undefined };
  if (typeof dest !== "string") return dest;
  mkdirSync(dirname(dest), { recursive: true });
  return pino.destination({ dest, append: true, sync: true, mkdir: true });
}
