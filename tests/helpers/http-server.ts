/**
 * A real HTTP server on 127.0.0.1 for client tests that replay recorded PVE
 * answers (tests/fixtures/pve) or script failures. Not a mock of the client:
 * the client talks real HTTP to it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Reply {
  status?: number;
  /** The HTTP reason phrase: where PVE puts its error message. */
  reason?: string;
  /** Raw body text, or a value sent as JSON. */
  body?: unknown;
  delayMs?: number;
  /** Destroy the socket instead of answering. */
  drop?: boolean;
}

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  headers: IncomingMessage["headers"];
}

export interface TestServer {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** Start a server whose answers come from `handler`. */
export async function startTestServer(handler: (req: SeenRequest) => Reply | Promise<Reply>): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const request: SeenRequest = { method: req.method ?? "GET", path: decodeURIComponent(url.pathname), query: url.searchParams, body, headers: req.headers };
      seen.push(request);
      const reply = await handler(request);
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (reply.drop) {
        req.socket.destroy();
        return;
      }
      const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body ?? { data: null });
      res.writeHead(reply.status ?? 200, reply.reason ?? "OK", { "Content-Type": "application/json;charset=UTF-8" });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then closed): a receiver or a server that is down. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
