/**
 * One MCP server over a scope: the tools (tools.ts), the resources and the
 * prompts. The HTTP transport makes one per session; stdio makes one.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { registerPrompts } from "./prompts.js";
import { registerResources } from "./resources.js";
import type { McpScope } from "./scope.js";
import { registerTools } from "./tools.js";

const INSTRUCTIONS = `This server serves one Proxmox VE workspace of proxmox-mpc: its state store (the last sync of the cluster), its IaC (terraform/, ansible/), logs and health.
Lists (get) answer from the store: run sync (when allowed) for fresh data, or pass live: true.
Every tool is the proxmox-mpc command of the same name. Mutating tools are listed only when the server was started with --allow-write; a destructive one (delete, destroy, stop, apply) first returns what it would do (wouldDo) and acts only when called again with confirm: true — show wouldDo to the user before confirming.`;

/** A server with every tool, resource and prompt the scope's policy offers. */
export function createMcpServer(scope: McpScope): McpServer {
  const server = new McpServer({ name: "proxmox-mpc", title: "proxmox-mpc", version: scope.version }, { instructions: INSTRUCTIONS });
  registerTools(server, scope);
  registerResources(server, scope);
  registerPrompts(server, scope);
  return server;
}
