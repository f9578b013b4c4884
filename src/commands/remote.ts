import { z } from "zod";
import { inputSchema } from "./schema.js";
import type { Command } from "./types.js";

/**
 * Options a remote caller — an MCP client, an HTTP API call — may not give, whatever its rights:
 * following or watching (they stream until a person presses Ctrl-C) and handing over to another
 * face; another server, trust or context for the connection (a caller must not point the server,
 * with the workspace's Proxmox token, at a host of its choosing); paths on the server's own disk
 * (a caller must not make it read a file — an ssh key file's text would land in a .tf anyone can
 * read — or write one). The faces leave them out of the input they accept, so a call naming one
 * is refused as an unknown key.
 */
export const LOCAL_ONLY_OPTIONS: ReadonlySet<string> = new Set([
  ...["follow", "watch", "interval", "copyPrompt", "analyze"],
  ...["endpoint", "fingerprint", "ca", "insecure", "allContexts"],
  ...["sshKey", "out"],
]);

const remoteSchemas = new WeakMap<Command, z.ZodObject>();

/** What a remote caller may give a command: its input (inputSchema) without the local-only options. */
export function remoteInputSchema(command: Command): z.ZodObject {
  let schema = remoteSchemas.get(command);
  if (!schema) {
    const full = inputSchema(command);
    schema = z.strictObject(Object.fromEntries(Object.entries(full.shape).filter(([key]) => !LOCAL_ONLY_OPTIONS.has(key))));
    remoteSchemas.set(command, schema);
  }
  return schema;
}

/** The option values a remote call gets when it leaves them out (the command's `mcp.defaults`). */
export function remoteDefaults(command: Command): Readonly<Record<string, unknown>> | undefined {
  return command.mcp.tool !== false ? command.mcp.defaults : undefined;
}

/** Whether `action` is one the command declares as only reading (mcp.views). */
export function isReadView(command: Command, action: string | undefined): boolean {
  return command.mcp.tool !== false && action !== undefined && (command.mcp.views ?? []).some((view) => view.action === action);
}
