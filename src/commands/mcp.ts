/**
 * `mcp`: serve the workspace to AI clients over the Model Context Protocol
 * (stdio by default, Streamable HTTP with --http). A command never loads a
 * face: this one checks its options and returns a `serve` result, which the
 * shell face hands to the MCP server (src/mcp/serve.ts) that the entry point
 * loads. `--print-config` prints the client configuration instead.
 */
import { fileURLToPath } from "node:url";
import { UsageError } from "../core/errors.js";
import type { ServeOptions } from "../core/result.js";
import { requireWorkspace } from "./context.js";
import { defineCommand } from "./define.js";
import { defineOptions, flag, number, text } from "./options.js";

/** The environment variable that may hold the HTTP bearer token (instead of --token). */
export const MCP_TOKEN_ENV = "PROXMOX_MPC_MCP_TOKEN";

export const mcpCommand = defineCommand({
  name: "mcp",
  summary: "Serve this workspace to AI clients (Claude Code, Claude Desktop …) as an MCP server",
  description:
    "Stdio by default (the client starts `proxmox-mpc mcp`); --http PORT serves Streamable HTTP on 127.0.0.1 with a bearer token (--token, else $PROXMOX_MPC_MCP_TOKEN, else a new one) and prints `listening on URL token TOKEN` first. Read-only unless --allow-write; destructive tools (delete, destroy, stop, apply) act only on a second call with confirm: true. --nodes / --vmids limit the guests the mutating tools may touch. See docs/mcp.md.",
  examples: ["proxmox-mpc mcp", "proxmox-mpc mcp --http 8765", "proxmox-mpc mcp --allow-write --vmids 100,101", "proxmox-mpc mcp --print-config"],
  options: defineOptions({
    http: number("--http <port>", "serve Streamable HTTP on this port instead of stdio (0: a free port)", { int: true, min: 0, max: 65535 }),
    host: text("--host <address>", "address to listen on with --http", { default: "127.0.0.1" }),
    token: text("--token <token>", "bearer token HTTP clients must send (default: $PROXMOX_MPC_MCP_TOKEN, else a new one)"),
    allowWrite: flag("--allow-write", "also offer the mutating tools (sync, create, start, delete, apply …)"),
    nodes: text("--nodes <nodes>", "mutating tools may touch only guests on these nodes (comma-separated)", { completion: "node" }),
    vmids: text("--vmids <vmids>", "mutating tools may touch only these guests (comma-separated vmids)"),
    printConfig: flag("--print-config", "print how to add this server to Claude Code and Claude Desktop, and exit"),
  }),
  workspace: "required",
  mcp: { tool: false, why: "is the MCP server itself" },
  record: false,
  async run(ctx, input) {
    const ws = requireWorkspace(ctx);
    const o = input.options;
    if (ctx.actor === "console" && !o.printConfig) {
      throw new UsageError("The MCP server runs in its own process: run it from a shell: proxmox-mpc mcp", "An MCP client starts it by itself; `proxmox-mpc mcp --print-config` shows how to add it.");
    }
    if (o.http === undefined && o.token !== undefined) throw new UsageError("--token is for --http.", "Over stdio the client starts the server itself and needs no token.");
    if (o.http === undefined && o.host !== "127.0.0.1") throw new UsageError("--host is for --http.");
    const token = o.token ?? (ctx.env[MCP_TOKEN_ENV] || undefined);
    if (token !== undefined && (token.length < 16 || /\s/.test(token))) {
      throw new UsageError("The MCP token must be at least 16 characters, without spaces.", "Leave it out and one is generated at start (e.g. `openssl rand -hex 24` makes a good one).");
    }
    const options: ServeOptions = {
      transport: o.http === undefined ? "stdio" : "http",
      host: o.host,
      port: o.http,
      token,
      allowWrite: Boolean(o.allowWrite),
      nodes: o.nodes === undefined ? undefined : parseList(o.nodes, "--nodes", (s) => (/^[A-Za-z0-9][\w.-]*$/.test(s) ? s : undefined)),
      vmids: o.vmids === undefined ? undefined : parseList(o.vmids, "--vmids", (s) => (/^\d+$/.test(s) && Number(s) >= 100 ? Number(s) : undefined)),
    };
    if (o.printConfig) {
      const config = clientConfig({ node: process.execPath, bin: fileURLToPath(new URL("../../bin/proxmox-mpc.js", import.meta.url)), root: ws.paths.root, options });
      return { kind: "data", data: config, text: configText(config) };
    }
    if (options.transport === "http" && !isLoopback(options.host)) {
      ctx.ui.warn(`Listening on ${options.host}: anyone who can reach it and has the token can use this workspace, and plain HTTP carries the token in clear text. Put a TLS proxy in front of it.`);
    }
    return { kind: "serve", face: "mcp", cwd: ctx.cwd, root: ws.paths.root, options };
  },
});

function parseList<T>(value: string, flagName: string, parse: (item: string) => T | undefined): T[] {
  const items = value.split(",").map((s) => s.trim()).filter(Boolean);
  if (!items.length) throw new UsageError(`${flagName} needs at least one value.`, `e.g. ${flagName === "--nodes" ? "--nodes pve1,pve2" : "--vmids 100,101"}`);
  return items.map((item) => {
    const parsed = parse(item);
    if (parsed === undefined) throw new UsageError(`${flagName}: "${item}" is not a ${flagName === "--nodes" ? "node name" : "vmid (a whole number from 100)"}.`, `e.g. ${flagName === "--nodes" ? "--nodes pve1,pve2" : "--vmids 100,101"}`);
    return parsed;
  });
}

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}

/** What --print-config prints (as data for -o json). */
export interface McpClientConfig {
  /** `claude mcp add …` for the stdio server. */
  claudeCode: string;
  /** `claude mcp add --transport http …` for a server started with `mcp --http PORT`. */
  claudeCodeHttp: string;
  /** Claude Desktop's claude_desktop_config.json entry. */
  claudeDesktop: { mcpServers: Record<string, { command: string; args: string[] }> };
}

/** The snippets that add this workspace's server to Claude Code and Claude Desktop. */
export function clientConfig(input: { node: string; bin: string; root: string; options: ServeOptions }): McpClientConfig {
  const o = input.options;
  const flags = [...(o.allowWrite ? ["--allow-write"] : []), ...(o.nodes ? ["--nodes", o.nodes.join(",")] : []), ...(o.vmids ? ["--vmids", o.vmids.join(",")] : [])];
  const args = [input.bin, "-C", input.root, "mcp", ...flags];
  const url = `http://${o.host.includes(":") ? `[${o.host}]` : o.host}:${o.port ?? 8765}/mcp`;
  return {
    claudeCode: `claude mcp add proxmox-mpc -- ${[input.node, ...args].map(shellQuote).join(" ")}`,
    claudeCodeHttp: `claude mcp add --transport http proxmox-mpc ${url} --header ${shellQuote(`Authorization: Bearer ${o.token ?? "TOKEN"}`)}`,
    claudeDesktop: { mcpServers: { "proxmox-mpc": { command: input.node, args } } },
  };
}

function configText(config: McpClientConfig): string {
  return [
    "Claude Code (stdio: Claude starts the server):",
    `  ${config.claudeCode}`,
    "",
    "Claude Code over HTTP (start `proxmox-mpc mcp --http PORT` first; TOKEN is the one it prints, or --token / $PROXMOX_MPC_MCP_TOKEN):",
    `  ${config.claudeCodeHttp}`,
    "",
    "Claude Desktop (claude_desktop_config.json):",
    JSON.stringify(config.claudeDesktop, null, 2),
    "",
  ].join("\n");
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
