/**
 * Typed errors. Every error a user can see is a ProxmoxMpcError: one clear
 * sentence (`message`), what to do next (`hint`), a stable `code`, and the
 * process exit code the CLI face uses (0 ok, 1 failed, 2 bad usage/input).
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface ErrorDetails {
  code: string;
  hint?: string;
  exitCode?: number;
  cause?: unknown;
}

export class ProxmoxMpcError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly exitCode: number;

  constructor(message: string, details: ErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = details.code;
    this.hint = details.hint;
    this.exitCode = details.exitCode ?? EXIT_FAILED;
  }

  /** A plain object safe to log or print as JSON (no cause chain, no stack). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, hint: this.hint, exitCode: this.exitCode };
  }
}

/** Bad usage or bad input: exit code 2, nothing was changed. */
export class UsageError extends ProxmoxMpcError {
  constructor(message: string, hint?: string, code = "usage") {
    super(message, { code, hint, exitCode: EXIT_USAGE });
  }
}

/** The operation was cancelled by the user (Ctrl-C, "no" at a confirmation). */
export class CancelledError extends ProxmoxMpcError {
  constructor(message = "Cancelled.") {
    super(message, { code: "cancelled", exitCode: EXIT_FAILED });
  }
}

/** Any thrown value as a ProxmoxMpcError, keeping the original as `cause`. */
export function asProxmoxMpcError(err: unknown): ProxmoxMpcError {
  if (err instanceof ProxmoxMpcError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ProxmoxMpcError(message || "Unexpected error.", {
    code: "internal",
    hint: "Run again with --debug for the details, or read this run in the workspace log (.proxmox-mpc/logs/): `proxmox-mpc logs --level error --since 10m`. To ask for help, `proxmox-mpc report-issue \"SUMMARY\"` writes a diagnostic bundle without secrets.",
    cause: err,
  });
}
