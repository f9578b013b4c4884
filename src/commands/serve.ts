/**
 * `serve`: the workspace as a REST API (docs/api.md). Like `mcp`, the command
 * only checks its options and returns a `serve` result; the shell face hands
 * it to the HTTP face (src/api/serve.ts) that the entry point loads.
 */
import { UsageError } from "../core/errors.js";
import { requireWorkspace } from "./context.js";
import { defineCommand } from "./define.js";
import { defineOptions, number, text } from "./options.js";

export const serveCommand = defineCommand({
  name: "serve",
  summary: "Serve this workspace as a REST API (/api/v1, OpenAPI at /api/openapi.json, docs at /api/docs)",
  description:
    "Every command of the registry over HTTP, behind bearer tokens with roles (viewer, operator, admin; see `token`). The first start creates an admin token and prints it once: the first line is `listening on URL token TOKEN` (later starts: `token (existing)`). Plain HTTP: put a TLS reverse proxy in front of it when it leaves this host. See docs/api.md.",
  examples: ["proxmox-mpc serve", "proxmox-mpc serve --port 0", "proxmox-mpc serve --host 0.0.0.0 --port 8080"],
  options: defineOptions({
    host: text("--host <address>", "address to listen on", { default: "127.0.0.1" }),
    port: number("--port <port>", "port to listen on (0: a free one)", { int: true, min: 0, max: 65535, default: 8080 }),
  }),
  workspace: "required",
  mcp: { tool: false, why: "is the REST API server itself" },
  record: false,
  async run(ctx, input) {
    const ws = requireWorkspace(ctx);
    if (ctx.actor === "console") throw new UsageError("The API server runs in its own process: run it from a shell: proxmox-mpc serve");
    const { host, port } = input.options;
    if (!(host === "localhost" || host === "::1" || host.startsWith("127."))) {
      ctx.ui.warn(`Listening on ${host}: plain HTTP carries tokens in clear text. Put a TLS reverse proxy in front of it (docs/api.md).`);
    }
    return { kind: "serve", face: "api", cwd: ctx.cwd, root: ws.paths.root, options: { transport: "http", host, port, allowWrite: true } };
  },
});
