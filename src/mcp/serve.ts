/**
 * `proxmox-mpc mcp` as a process: the workspace served over stdio (nothing
 * but the protocol on stdout; logs in the workspace's log files, trouble on
 * stderr) or over Streamable HTTP on 127.0.0.1 behind a bearer token
 * (compared in constant time; a request without it gets 401 and no data).
 * Runs until the signal (SIGINT/SIGTERM) or, on stdio, until the client
 * closes stdin; then closes every session cleanly.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { ServeOptions } from "../core/result.js";
import { registerSecret } from "../core/redact.js";
import { loadWorkspace } from "../core/workspace.js";
import { createScope, withCaller, type ServerScope } from "./run.js";
import type { McpScope } from "./scope.js";
import { createMcpServer } from "./server.js";

export interface McpServeRequest {
  root: string;
  options: ServeOptions;
  env: NodeJS.ProcessEnv;
  globals: { debug: boolean };
  version: string;
  signal: AbortSignal;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Serve until the signal ends it; the exit code. */
export async function serveMcp(request: McpServeRequest): Promise<number> {
  const workspace = await loadWorkspace(request.root);
  const o = request.options;
  const scope = createScope({
    workspace,
    version: request.version,
    policy: { allowWrite: o.allowWrite, nodes: o.nodes, vmids: o.vmids },
    env: request.env,
    signal: request.signal,
    stderr: request.stderr,
    debug: request.globals.debug,
  });
  scope.log.info({ transport: o.transport, allowWrite: o.allowWrite, nodes: o.nodes, vmids: o.vmids }, "mcp server starting");
  try {
    return o.transport === "http" ? await serveHttp(scope, request) : await serveStdio(scope, request);
  } finally {
    scope.log.info("mcp server stopped");
    await scope.close();
  }
}

async function serveStdio(scope: ServerScope, request: McpServeRequest): Promise<number> {
  const { StdioServerTransport } = await import("@modelcontextprotocol/sdk/server/stdio.js");
  const server = createMcpServer(scope);
  const transport = new StdioServerTransport(request.stdin as NodeJS.ReadStream, request.stdout as NodeJS.WriteStream);
  const ended = new Promise<void>((resolve) => {
    if (request.signal.aborted) resolve();
    request.signal.addEventListener("abort", () => resolve(), { once: true });
    request.stdin.once("end", () => resolve());
    request.stdin.once("close", () => resolve());
    transport.onclose = () => resolve();
  });
  await server.connect(transport);
  await ended;
  await server.close().catch(() => undefined);
  return 0;
}

async function serveHttp(scope: ServerScope, request: McpServeRequest): Promise<number> {
  const o = request.options;
  const token = o.token ?? randomBytes(24).toString("base64url");
  registerSecret(token); // never echoed by a tool, a log line or an error
  const expected = digest(token);
  let allowedHosts: string[] | undefined;
  const sessions = await createMcpSessions({ allowedHosts: () => allowedHosts });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== "/mcp") return plain(res, 404, "Not found: the MCP endpoint is /mcp.");
    // Nothing, not even whether a session exists, before the token is checked.
    if (!authorized(req.headers.authorization, expected)) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="proxmox-mpc"');
      return plain(res, 401, "Unauthorized: send Authorization: Bearer TOKEN (the token `proxmox-mpc mcp --http` printed).");
    }
    // The session's calls are recorded as the token holder's, from the address that opened it (the audit trail).
    return sessions.handle(req, res, { scope: withCaller(scope, { principal: "mcp-http", source: req.socket.remoteAddress ?? "unknown" }) });
  };

  const http: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      scope.log.error({ err }, "mcp http request failed");
      if (!res.headersSent) rpcError(res, 500, "Internal error.");
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(o.port ?? 0, o.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const host = o.host.includes(":") ? `[${o.host}]` : o.host;
  if (o.host === "127.0.0.1" || o.host === "localhost" || o.host === "::1") allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  const url = `http://${host}:${port}/mcp`;
  scope.log.info({ url }, "mcp http server listening");
  request.stdout.write(`listening on ${url} token ${token}\n`);

  await new Promise<void>((resolve) => {
    if (request.signal.aborted) resolve();
    request.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await sessions.close();
  await new Promise<void>((resolve) => {
    http.close(() => resolve());
    http.closeAllConnections();
  });
  return 0;
}

/** The MCP sessions of one Streamable HTTP endpoint: `mcp --http`'s, and `/mcp` of `serve` (src/api/mcp.ts). */
export interface McpSessions {
  /**
   * Answer one request whose caller is already authenticated: to the session it names (only
   * if `owner` opened it; any other gets 404, as for an unknown one), or, for an initialize
   * request, to a new session of an MCP server over `scope`, owned by `owner`. `body`: the
   * JSON body, when the caller's framework has read it already.
   */
  handle(req: IncomingMessage, res: ServerResponse, open: { scope: McpScope; owner?: string }, body?: unknown): Promise<void>;
  /** Close every session (the server is stopping). */
  close(): Promise<void>;
}

/** `allowedHosts`: the Host headers accepted (DNS-rebinding protection), when known. */
export async function createMcpSessions(options: { allowedHosts?: () => string[] | undefined } = {}): Promise<McpSessions> {
  const { StreamableHTTPServerTransport } = await import("@modelcontextprotocol/sdk/server/streamableHttp.js");
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: McpServer; owner?: string }>();
  return {
    async handle(req, res, open, body) {
      const id = req.headers["mcp-session-id"];
      const existing = typeof id === "string" ? sessions.get(id) : undefined;
      if (existing && existing.owner === open.owner) return existing.transport.handleRequest(req, res, body);
      if (id !== undefined) return rpcError(res, 404, "Session not found: initialize a new one.");
      const server = createMcpServer(open.scope);
      const allowedHosts = options.allowedHosts?.();
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => void sessions.set(sid, { transport, server, owner: open.owner }),
        onsessionclosed: (sid) => void sessions.delete(sid),
        enableDnsRebindingProtection: allowedHosts !== undefined,
        allowedHosts,
      });
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
      };
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
      // Not an initialize request: no session was made, and nothing stays open.
      if (!transport.sessionId) await server.close().catch(() => undefined);
    },
    async close() {
      for (const { transport, server } of sessions.values()) {
        await transport.close().catch(() => undefined);
        await server.close().catch(() => undefined);
      }
      sessions.clear();
    },
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** `Bearer TOKEN` with the right token, compared in constant time (digests of equal length). */
function authorized(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  const given = digest(match ? match[1] : "");
  return timingSafeEqual(given, expected) && match !== null;
}

function plain(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ error: message }));
}

function rpcError(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }));
}
