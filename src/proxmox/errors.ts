/**
 * Errors of the Proxmox VE API, typed by what the user can do about them.
 * Messages never contain the token: they are built from the HTTP status, the
 * reason phrase / `message` PVE sent, the method and the path only.
 */
import { ProxmoxMpcError } from "../core/errors.js";
import { redactString } from "../core/redact.js";

export interface ApiErrorInfo {
  method?: string;
  path?: string;
  status?: number;
  /** The message PVE sent (reason phrase or JSON `message`). */
  pveMessage?: string;
  hint?: string;
  code?: string;
}

/** Base class of every error the client throws. */
export class ProxmoxApiError extends ProxmoxMpcError {
  readonly method?: string;
  readonly path?: string;
  readonly status?: number;
  readonly pveMessage?: string;
  /** Whether repeating the same request may succeed (client-internal retry policy). */
  readonly retryable: boolean = false;

  constructor(message: string, info: ApiErrorInfo = {}) {
    super(redactString(message), { code: info.code ?? "api-error", hint: info.hint });
    this.method = info.method;
    this.path = info.path;
    this.status = info.status;
    this.pveMessage = info.pveMessage === undefined ? undefined : redactString(info.pveMessage);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status, method: this.method, path: this.path, pveMessage: this.pveMessage };
  }
}

/** 401: the token is wrong, unknown or expired. Never retried. */
export class AuthenticationError extends ProxmoxApiError {}
/** 403: the token lacks a privilege. */
export class PermissionError extends ProxmoxApiError {}
/** The guest, node, storage or task does not exist (PVE often says so with a 500). */
export class NotFoundError extends ProxmoxApiError {}
/** 400: parameters rejected; `fields` holds PVE's per-parameter messages. */
export class ValidationError extends ProxmoxApiError {
  constructor(
    message: string,
    info: ApiErrorInfo,
    readonly fields: Record<string, string>,
  ) {
    super(message, info);
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), fields: this.fields };
  }
}
/** 500 "can't lock file … got timeout": the change did not start; safe to retry. */
export class LockTimeoutError extends ProxmoxApiError {
  override readonly retryable = true;
}
/** 595–599: a node could not forward the request to another node. */
export class ProxyError extends ProxmoxApiError {
  override readonly retryable = true;
}
/** Any other 5xx. */
export class ServerError extends ProxmoxApiError {
  override readonly retryable: boolean;
  constructor(message: string, info: ApiErrorInfo) {
    super(message, info);
    this.retryable = info.status === 502 || info.status === 503 || info.status === 504;
  }
}
/** 501: the server does not know this method/path (older PVE?). */
export class NotImplementedError extends ProxmoxApiError {}
/** The server could not be reached or dropped the connection. */
export class NetworkError extends ProxmoxApiError {
  override readonly retryable = true;
}
/** The certificate is not trusted (or does not match the pinned fingerprint). */
export class TlsError extends ProxmoxApiError {
  constructor(
    message: string,
    info: ApiErrorInfo,
    /** The SHA-256 fingerprint the server presented, when known. */
    readonly serverFingerprint?: string,
  ) {
    super(message, info);
  }
}
/** No answer in time (a request or a task wait). */
export class TimeoutError extends ProxmoxApiError {}
/** The request was abandoned because the operation was cancelled. */
export class AbortedError extends ProxmoxApiError {}

/** A task (UPID) ended with an exit status other than OK. */
export class TaskFailedError extends ProxmoxApiError {
  constructor(
    message: string,
    info: ApiErrorInfo,
    readonly upid: string,
    readonly exitStatus: string,
    readonly logTail: string[],
  ) {
    super(message, info);
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), upid: this.upid, exitStatus: this.exitStatus, logTail: this.logTail };
  }
}
