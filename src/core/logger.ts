/**
 * Structured logging: pino, JSON lines, one correlation id per operation.
 * Redaction is built in: secret keys are replaced and registered secrets are
 * scrubbed from every string (messages included) before a line is written.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { pino, type Logger, type DestinationStream } from "pino";
import { redactString, redactValue } from "./redact.js";

export type { Logger } from "pino";

export interface LoggerOptions {
  /** Log level; default "info". */
  level?: string;
  /** A file (appended, created with its folder) or a stream; default: discard. */
  destination?: string | DestinationStream;
  /** Fields on every line (e.g. the workspace). */
  base?: Record<string, unknown>;
}

/** A new short correlation id, e.g. "c-1b2c3d4e5f". */
export function newCorrelationId(): string {
  return `c-${randomUUID().replace(/-/g, "").slice(0, 10)}`;
}

/** The root logger. Use {@link operationLogger} for each command run. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = resolveDestination(options.destination);
  return pino(
    {
      level: options.level ?? "info",
      base: options.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => redactValue(obj),
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === "string" ? redactString(a) : a));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

/** A child logger for one operation: every line carries its correlation id. */
export function operationLogger(root: Logger, fields: { correlationId?: string; command?: string; actor?: string }): Logger {
  return root.child({ ...fields, correlationId: fields.correlationId ?? newCorrelationId() });
}

function resolveDestination(dest: LoggerOptions["destination"]): DestinationStream {
  if (dest === undefined) return { write: () => undefined };
  if (typeof dest !== "string") return dest;
  mkdirSync(dirname(dest), { recursive: true });
  return pino.destination({ dest, append: true, sync: true, mkdir: true });
}
