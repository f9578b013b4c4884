/**
 * A stand-in for HashiCorp Vault in the tests: NOT Vault, a small HTTP(S)
 * server on 127.0.0.1 that answers the one call proxmox-mpc makes — the KV
 * version 2 "Read secret version" read, GET /v1/MOUNT/data/PATH — with the
 * response shapes recorded in HashiCorp's documentation:
 *  - 200: the envelope of every Vault API answer (request_id, lease_id,
 *    renewable, lease_duration, data, wrap_info, warnings, auth) around the
 *    sample of developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2
 *    ("Read secret version"): data.data (the key/value pairs) and
 *    data.metadata {created_time, custom_metadata, deletion_time, destroyed,
 *    version};
 *  - 403 {"errors":["permission denied"]} for a missing or wrong
 *    X-Vault-Token, 404 {"errors":[]} for a path with no secret (Vault's
 *    error shape, developer.hashicorp.com/vault/api-docs "Error response");
 *  - 404 with the same envelope, data.data null and a deletion_time in
 *    data.metadata for a secret whose latest version was deleted (the
 *    documented soft delete: "stop them from being returned from reads").
 * It checks X-Vault-Token (and X-Vault-Namespace when the test sets one) and
 * records each request's path and headers so that tests can assert on them.
 */
import { randomUUID } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

/** One stored secret: its key/value pairs (any JSON values, as Vault keeps them). */
export type VaultSecretData = Record<string, unknown>;

export interface VaultServerOptions {
  /** The token that may read (any other, or none, is answered 403). */
  token: string;
  /** Secrets by "MOUNT/PATH", e.g. {"kv/proxmox": {token: "…"}}. */
  secrets: Record<string, VaultSecretData>;
  /** "MOUNT/PATH"s whose latest version was deleted (soft delete). */
  deleted?: string[];
  /** When set, requests must carry this X-Vault-Namespace (else 403, as Vault answers for a path outside the namespace). */
  namespace?: string;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { keyPem: string; certPem: string };
}

/** A request the server received (the token is not kept, only whether it matched). */
export interface VaultRequest {
  method: string;
  url: string;
  tokenMatched: boolean;
  namespace?: string;
}

export interface RunningVault {
  /** VAULT_ADDR for it, e.g. http://127.0.0.1:41234 */
  addr: string;
  requests: VaultRequest[];
  close(): Promise<void>;
}

/** Start the stand-in on 127.0.0.1 with a random port. */
export async function startVaultServer(options: VaultServerOptions): Promise<RunningVault> {
  const requests: VaultRequest[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const token = req.headers["x-vault-token"];
    const namespace = typeof req.headers["x-vault-namespace"] === "string" ? req.headers["x-vault-namespace"] : undefined;
    const tokenMatched = token === options.token;
    requests.push({ method: req.method ?? "", url: req.url ?? "", tokenMatched, ...(namespace ? { namespace } : {}) });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" });
      res.end(`${JSON.stringify(body)}\n`);
    };
    if (!tokenMatched || (options.namespace !== undefined && namespace !== options.namespace)) return send(403, { errors: ["permission denied"] });
    const m = /^\/v1\/([^/]+)\/data\/(.+?)(\?.*)?$/.exec(req.url ?? "");
    if (req.method !== "GET" || !m) return send(404, { errors: [] });
    const where = `${decodeURIComponent(m[1])}/${m[2].split("/").map(decodeURIComponent).join("/")}`;
    if (options.deleted?.includes(where)) return send(404, readSecretVersionResponse(null, "2018-03-22T02:36:43.986212308Z"));
    const data = options.secrets[where];
    if (!data) return send(404, { errors: [] });
    send(200, readSecretVersionResponse(data));
  };
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.keyPem, cert: options.tls.certPem }, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    addr: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** The 200 answer of "Read secret version", shaped as recorded in HashiCorp's API documentation. */
function readSecretVersionResponse(data: VaultSecretData | null, deletionTime = ""): Record<string, unknown> {
  return {
    request_id: randomUUID(),
    lease_id: "",
    renewable: false,
    lease_duration: 0,
    data: {
      data,
      metadata: {
        created_time: "2018-03-22T02:24:06.945319214Z",
        custom_metadata: { owner: "jdoe", mission_critical: "false" },
        deletion_time: deletionTime,
        destroyed: false,
        version: 2,
      },
    },
    wrap_info: null,
    warnings: null,
    auth: null,
  };
}
