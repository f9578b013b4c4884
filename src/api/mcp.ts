/**
 * The MCP Streamable HTTP endpoint at `/mcp` of `serve`, behind the API's
 * own tokens: a viewer's session offers the read-only tools (as `mcp`), an
 * operator's or admin's the write tools too (as `mcp --allow-write`;
 * destructive ones keep their two-step confirmation). A call needs the role
 * the same call needs over REST (roles.ts): an operator's `delete` or
 * `apply` is refused as a tool error, before anything runs. Without a valid token:
 * 401 and nothing else, as on every route. The sessions are those of
 * `mcp --http` (src/mcp/serve.ts), on the server's logger, store and event
 * bus; each call is recorded as actor `mcp` with the token's name, role and
 * the client's address. A session answers only the token that opened it.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { findCommand } from "../commands/registry.js";
import { NotAllowed } from "../mcp/guard.js";
import type { Command } from "../commands/types.js";
import { createScope, withCaller, type ServerScope } from "../mcp/run.js";
import type { McpScope } from "../mcp/scope.js";
import { createMcpSessions, type McpSessions } from "../mcp/serve.js";
import type { ApiCaller, ApiKit } from "./app.js";
import { allows, roleFor, viewRole, type Role } from "./roles.js";

export const MCP_PATH = "/mcp";

/** Register GET/POST/DELETE /mcp. */
export function registerMcp(app: FastifyInstance, kit: ApiKit): void {
  const { input } = kit;
  // One scope per role: it lists only the tools that role may call (the lowest role of the command, or of the view's action).
  const scope = (role: Role) => {
    const offers = (command: Command, viewAction?: string) => {
      const needed = viewRole(command, viewAction);
      return needed !== undefined && allows(role, needed);
    };
    const policy = { allowWrite: allows(role, "operator"), offers };
    return createScope({ workspace: input.workspace, version: input.version, policy, env: input.env, signal: input.signal, stderr: process.stderr, host: { log: input.log, store: input.store, events: input.events } });
  };
  const scopes: Record<Role, ServerScope> = { viewer: scope("viewer"), operator: scope("operator"), admin: scope("admin") };
  let sessions: Promise<McpSessions> | undefined;
  const callers = new WeakMap<FastifyRequest, ApiCaller>();

  app.route({
    method: ["GET", "POST", "DELETE"],
    url: MCP_PATH,
    // The token is checked as the request arrives, before its body is read (as the command routes do).
    onRequest: async (request, reply) => {
      const caller = await kit.authenticate(request, reply, "viewer");
      if (caller) callers.set(request, caller);
      return reply.sent ? reply : undefined;
    },
    handler: async (request, reply) => {
      const caller = callers.get(request);
      if (!caller) return reply; // onRequest answered already
      const scope = withCaller(scopes[caller.role], { principal: caller.name, role: caller.role, source: caller.source });
      const open = { scope: withRole(scope, caller), owner: `${caller.name}/${caller.role}` };
      reply.hijack(); // the SDK's transport writes the answer (JSON or an SSE stream) on the raw response
      try {
        sessions ??= createMcpSessions();
        await (await sessions).handle(request.raw, reply.raw, open, request.body);
      } catch (err) {
        input.log.error({ err }, "mcp request failed");
        if (!reply.raw.headersSent) reply.raw.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32603, message: "Internal error." }, id: null }));
        else reply.raw.end();
      }
    },
  });
  // Sessions end before the server closes (an open SSE stream would hold it), the scopes after.
  app.addHook("preClose", async () => {
    if (sessions) await (await sessions).close();
  });
  app.addHook("onClose", async () => {
    for (const open of Object.values(scopes)) await open.close();
  });
}

/** The scope, each call refused unless the token's role allows it as the REST route would. */
function withRole(scope: McpScope, caller: ApiCaller): McpScope {
  return {
    ...scope,
    run(name, commandInput, options) {
      const command = findCommand(name);
      const needed = command ? (roleFor(command, commandInput) ?? "admin") : "viewer";
      if (!allows(caller.role, needed)) {
        return Promise.reject(new NotAllowed(`This call needs the ${needed} role; the token ${caller.name} is ${caller.role}.`, "Ask for a token with that role (proxmox-mpc token create NAME --role admin)."));
      }
      return scope.run(name, commandInput, options);
    },
  };
}
