/**
 * Errors the simulator answers with, shaped like PVE's: the message is the
 * HTTP reason phrase and, like libpve-http-server ≥ 5.2, also the body's
 * `message` field; parameter errors carry an `errors` object.
 */

/** An error that becomes an HTTP error response. */
export class PveHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, string>,
  ) {
    super(message);
    this.name = "PveHttpError";
  }
}

/** 400 "Parameter verification failed." with per-parameter messages. */
export function paramError(errors: Record<string, string>): PveHttpError {
  return new PveHttpError(400, "Parameter verification failed.", errors);
}

/** 500 with PVE's message (what `die "...\n"` in a handler gives). */
export function serverError(message: string): PveHttpError {
  return new PveHttpError(500, message);
}

/** 403 "Permission check failed (path, priv)". */
export function permissionError(path: string, privs: string): PveHttpError {
  return new PveHttpError(403, `Permission check failed (${path}, ${privs})`);
}

/** A reason phrase Node accepts: one line, printable, not too long. */
export function reasonPhrase(message: string): string {
  const line = message.replace(/[\r\n\t]+/g, " ").replace(/[^\x20-\x7e]/g, "?").trim();
  return line.length > 512 ? `${line.slice(0, 509)}...` : line || "Error";
}
