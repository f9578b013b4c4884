/**
 * Turn PVE's HTTP answers and Node's network errors into typed errors with a
 * one-line message and a hint. PVE puts the message in the reason phrase;
 * libpve-http-server >= 5.2 also sends it as a JSON `message` field.
 */
import {
  AuthenticationError,
  LockTimeoutError,
  NetworkError,
  NotFoundError,
  NotImplementedError,
  PermissionError,
  ProxmoxApiError,
  ProxyError,
  ServerError,
  TimeoutError,
  ValidationError,
} from "./errors.js";

/** The `{data, errors, message}` envelope of a PVE answer. */
export interface PveEnvelope {
  data?: unknown;
  errors?: Record<string, string> | null;
  message?: string;
}

/** The message of a failed answer: the JSON `message`, else the reason phrase. */
export function pveMessage(statusText: string | undefined, body: PveEnvelope | undefined): string {
  const fromBody = typeof body?.message === "string" ? body.message.trim() : "";
  return fromBody || (statusText ?? "").trim();
}

/** Build the typed error for an HTTP status >= 400. */
export function errorForStatus(
  status: number,
  statusText: string | undefined,
  body: PveEnvelope | undefined,
  method: string,
  path: string,
  baseUrl: string,
): ProxmoxApiError {
  const msg = pveMessage(statusText, body);
  const where = `${method} ${path}`;
  const info = { method, path, status, pveMessage: msg };
  if (status === 401) {
    return new AuthenticationError(`The server rejected the API token (401 ${msg || "authentication failure"}).`, {
      ...info,
      code: "auth-failed",
      hint: "Check PROXMOX_VE_API_TOKEN (user@realm!tokenid=secret): the token must exist, not be expired, and the secret must match.",
    });
  }
  if (status === 403) {
    return new PermissionError(`Permission denied for ${where}: ${msg || "forbidden"}.`, {
      ...info,
      code: "permission-denied",
      hint: "Give the token's user the needed role on that path (e.g. `pveum acl modify / --tokens 'user@pam!mpc' --roles PVEAdmin`), or turn off privilege separation for the token.",
    });
  }
  if (status === 400) {
    const fields = body?.errors && typeof body.errors === "object" ? body.errors : {};
    const detail = Object.entries(fields)
      .map(([k, v]) => `${k}: ${String(v).trim()}`)
      .join("; ");
    return new ValidationError(
      `The server rejected the parameters of ${where}${detail ? ` (${detail})` : msg ? ` (${msg})` : ""}.`,
      { ...info, code: "invalid-parameters", hint: "Fix the named parameters and try again." },
      Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v).trim()])),
    );
  }
  if (status === 501) {
    return new NotImplementedError(`The server does not support ${where} (${msg || "not implemented"}).`, {
      ...info,
      code: "not-implemented",
      hint: "This Proxmox VE version may be too old for this feature; proxmox-mpc supports PVE 8 and 9.",
    });
  }
  if (status >= 595 && status <= 599) {
    return new ProxyError(`The node could not forward ${where} to another cluster node (${status} ${msg}).`, {
      ...info,
      code: "proxy-error",
      hint: "The target node may be offline or unreachable from the node you connect to; check `pvecm status` and the node's network.",
    });
  }
  if (/can't lock file .*got timeout|got timeout$|got lock request timeout/i.test(msg)) {
    return new LockTimeoutError(`The guest's configuration is locked by another task (${msg}).`, {
      ...info,
      code: "lock-timeout",
      hint: "Another task (backup, migration, another apply) is changing this guest; wait for it to finish and try again.",
    });
  }
  if (/does not exist|no such (vm|ct|node|storage|task|file|snapshot)|not found|unknown (node|storage)|hostname lookup '.*' failed/i.test(msg)) {
    return new NotFoundError(`Not found: ${msg} (${where}).`, {
      ...info,
      code: "not-found",
      hint: "Check the name or vmid; run `sync` if the cluster changed since the last sync.",
    });
  }
  return new ServerError(`The server failed ${where} (${status} ${msg || "error"}).`, {
    ...info,
    code: "server-error",
    hint: status >= 502 && status <= 504 ? "The server or a proxy in front of it is overloaded or restarting; try again shortly." : `Check the task log or the server's journal (journalctl -u pveproxy) on ${baseUrl}.`,
  });
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ECONNRESET: "connection reset by the server",
  EPIPE: "connection closed by the server",
  ETIMEDOUT: "connection timed out",
  ESOCKETTIMEDOUT: "connection timed out",
  ECONNABORTED: "request timed out",
};

/** Build the typed error for a request that got no HTTP answer. */
export function errorForNetwork(code: string | undefined, message: string, method: string, path: string, baseUrl: string, timeoutMs: number): ProxmoxApiError {
  const info = { method, path };
  if (code === "ECONNABORTED" || code === "ETIMEDOUT" || /timeout/i.test(message)) {
    return new TimeoutError(`No answer from ${baseUrl} within ${Math.round(timeoutMs / 1000)} s (${method} ${path}).`, {
      ...info,
      code: "timeout",
      hint: "The server may be overloaded or a firewall drops the traffic; check that port 8006 is reachable.",
    });
  }
  const reason = (code && NETWORK_REASONS[code]) || message || "network error";
  return new NetworkError(`Cannot reach ${baseUrl}: ${reason}.`, {
    ...info,
    code: "network",
    hint: code === "ENOTFOUND" || code === "EAI_AGAIN" ? "Check the host name in the endpoint (PROXMOX_VE_ENDPOINT)." : "Check the endpoint and port (usually 8006), and that the server is up and reachable.",
  });
}
