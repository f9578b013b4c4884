/**
 * Drive the real MCP server: `node bin/proxmox-mpc.js -C WS mcp …` as a child
 * process, with the SDK's own Client over stdio or Streamable HTTP (needs
 * `npm run build`, which `npm test` runs first).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { BIN } from "./cli.js";

export interface McpSession {
  client: Client;
  /** Every text and structured answer of every call so far (for secret checks). */
  transcript: string[];
  /** Call a tool; the result as the server sent it. */
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult & { structuredContent?: Record<string, unknown> }>;
  /** What the server wrote on stderr. */
  stderr(): string;
  close(): Promise<void>;
}

function session(client: Client, stderr: () => string, close: () => Promise<void>): McpSession {
  const transcript: string[] = [];
  return {
    client,
    transcript,
    stderr,
    close,
    async call(name, args = {}) {
      const result = (await client.callTool({ name, arguments: args }, undefined, { timeout: 60_000 })) as CallToolResult & { structuredContent?: Record<string, unknown> };
      transcript.push(JSON.stringify(result));
      return result;
    },
  };
}

/** `proxmox-mpc -C DIR mcp ARGS` over stdio, connected. */
export async function mcpStdio(dir: string, env: NodeJS.ProcessEnv, args: string[] = []): Promise<McpSession> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, "-C", dir, "mcp", ...args], env: env as Record<string, string>, cwd: dir, stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: "proxmox-mpc-tests", version: "1.0.0" });
  await client.connect(transport);
  return session(client, () => stderr, () => client.close());
}

export interface HttpServer {
  url: string;
  token: string;
  child: ChildProcess;
  /** The first line the server printed. */
  firstLine: string;
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** `proxmox-mpc -C DIR mcp --http 0 ARGS` as a child process; resolves once it printed its first line. */
export function mcpHttpServer(dir: string, env: NodeJS.ProcessEnv, args: string[] = []): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "-C", dir, "mcp", "--http", "0", ...args], { env, cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
    const timer = setTimeout(() => (child.kill("SIGKILL"), reject(new Error(`mcp --http printed nothing: ${stderr}`))), 20_000);
    child.once("exit", (code) => reject(new Error(`mcp --http exited (${code}): ${stderr}`)));
    createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timer);
      const m = /^listening on (\S+) token (\S+)$/.exec(line);
      if (!m) return reject(new Error(`unexpected first line: ${line}`));
      resolve({
        url: m[1],
        token: m[2],
        child,
        firstLine: line,
        stderr: () => stderr,
        stop: async () => {
          child.kill("SIGTERM");
          return exited;
        },
      });
    });
  });
}

/** A Client over Streamable HTTP with the bearer token. */
export async function mcpHttpClient(server: Pick<HttpServer, "url" | "token">): Promise<McpSession> {
  const transport = new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { Authorization: `Bearer ${server.token}` } } });
  const client = new Client({ name: "proxmox-mpc-tests", version: "1.0.0" });
  await client.connect(transport);
  return session(client, () => "", () => client.close());
}

/** The structured answer of a call (every tool has one). */
export function structured(result: { structuredContent?: Record<string, unknown> }): Record<string, unknown> {
  if (!result.structuredContent) throw new Error("no structured content");
  return result.structuredContent;
}

/** The text summary of a call. */
export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}
