/**
 * What the resources and prompts read, and how they hand it out: the data of
 * a registered command run through the scope (the same code path as the
 * console, no second query), with secrets removed, as MCP resource contents.
 */
import type { ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import { redactString, redactValue } from "../core/redact.js";
import type { McpScope } from "./scope.js";

/** A command's machine-readable answer and what it showed on the way (warnings, hints). */
export interface CommandData<T> {
  data: T;
  shown: string[];
}

/**
 * Run `name args options` as the `mcp` actor and return its data (`-o json`'s answer),
 * secrets removed. A command that answers with a message gives `{ message }`.
 */
export async function commandData<T = unknown>(scope: McpScope, name: string, args: string[] = [], options: Record<string, unknown> = {}): Promise<CommandData<T>> {
  const { result, shown } = await scope.run(name, { args, options });
  const data = result.kind === "data" ? result.data : result.kind === "message" ? { message: result.text } : null;
  // As -o json prints it (dates as ISO strings), then redacted.
  const json: unknown = data === undefined ? null : JSON.parse(JSON.stringify(data));
  return { data: redactValue(json) as T, shown: shown.map(redactString) };
}

/** A guest as `get vms|cts -o json` gives it (the fields the resources and prompts use). */
export interface GuestRow {
  vmid: number;
  name: string;
  node: string;
  type: "qemu" | "lxc";
  status: string;
  cores: number;
  memory: number;
  disk: number;
  template: boolean;
}

/** VMs then containers, as `get vms` and `get cts` give them. */
export async function listGuests(scope: McpScope): Promise<CommandData<GuestRow[]>> {
  const [vms, cts] = await Promise.all([commandData<GuestRow[]>(scope, "get", ["vms"]), commandData<GuestRow[]>(scope, "get", ["cts"])]);
  return { data: [...vms.data, ...cts.data], shown: [...new Set([...vms.shown, ...cts.shown])] };
}

/** JSON contents of a resource; what the command showed (e.g. "nothing synced yet") follows as a text note. */
export function jsonContents(uri: string, value: CommandData<unknown>): ReadResourceResult {
  const contents: ReadResourceResult["contents"] = [{ uri, mimeType: "application/json", text: JSON.stringify(value.data, null, 2) }];
  if (value.shown.length) contents.push({ uri, mimeType: "text/plain", text: value.shown.join("\n") });
  return { contents };
}
