/**
 * A test-only McpScope over a real workspace: each run is a registered
 * command built by the composition root (createContext, actor `mcp`, a
 * scripted UI), run by runCommand and recorded, its failure logged as the
 * faces log it; and an MCP Client connected in-process to a server with the
 * given registrations. The server's own scope lives in src/mcp/.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { createContext } from "../../src/commands/context.js";
import { COMMANDS, findCommand } from "../../src/commands/registry.js";
import { runCommand } from "../../src/commands/runner.js";
import { asProxmoxMpcError, UsageError } from "../../src/core/errors.js";
import { ScriptedUI } from "../../src/core/ui.js";
import { loadWorkspace } from "../../src/core/workspace.js";
import type { McpPolicy, McpScope } from "../../src/mcp/scope.js";

/** A scope over the workspace at `root`, whose commands see `env`. */
export async function testMcpScope(root: string, env: NodeJS.ProcessEnv, policy: McpPolicy = { allowWrite: false }): Promise<McpScope> {
  const workspace = await loadWorkspace(root);
  const version = "0.0.0-test";
  return {
    workspace,
    version,
    policy,
    async run(name, input, options = {}) {
      const command = findCommand(name);
      if (!command) throw new UsageError(`No command "${name}".`);
      const ui = new ScriptedUI(options.confirm === undefined ? [] : [options.confirm], options.confirm !== undefined);
      const globals = { output: "json" as const, debug: false, color: false, input: false, yes: false };
      const ctx = createContext({ cwd: root, env, globals, ui, signal: new AbortController().signal, actor: "mcp", version, command: name, commands: COMMANDS, workspace });
      try {
        const result = await runCommand(command, ctx, input, { record: true });
        return { result, shown: ui.messages.map((m) => m.text), correlationId: ctx.correlationId };
      } catch (err) {
        ctx.log.error({ err: asProxmoxMpcError(err).toJSON() }, "command failed");
        throw err;
      } finally {
        await ctx.services.close();
      }
    },
  };
}

/** A Client connected through a linked in-memory pair to a server set up by `register`. */
export async function connectClient(register: (server: McpServer) => void): Promise<{ client: Client; close: () => Promise<void> }> {
  const server = new McpServer({ name: "proxmox-mpc-test", version: "0.0.0-test" });
  register(server);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "test-client", version: "0.0.0" });
  await client.connect(clientSide);
  return { client, close: async () => (await client.close(), await server.close()) };
}
