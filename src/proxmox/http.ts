/**
 * One HTTP(S) exchange on Node's own client: the request is written only when
 * the agent hands over a socket (after the TLS trust check), the whole body is
 * read as text, and a silent socket times out. Errors keep Node's codes
 * (ECONNREFUSED, ECONNRESET, ETIMEDOUT…) for the transport to translate.
 */
import http from "node:http";
import https from "node:https";

export interface RawResponse {
  status: number;
  /** The reason phrase: where PVE puts its error message. */
  statusText: string;
  body: string;
  /** Bytes of the body as received. */
  bytes: number;
}

export interface SendOptions {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string;
  agent: http.Agent;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Send one request; resolves with any HTTP status, rejects on network errors. */
export function send(options: SendOptions): Promise<RawResponse> {
  const lib = options.url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(options.url, { method: options.method, headers: options.headers, agent: options.agent, signal: options.signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? "", body: body.toString("utf8"), bytes: body.length });
      });
      res.on("error", reject);
    });
    req.setTimeout(options.timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end(options.body);
  });
}
