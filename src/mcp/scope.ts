/**
 * What the parts of the MCP face share: the workspace it serves, the policy
 * it was started with, and the one way to run a registered command as the
 * `mcp` actor (its own context, correlation id and operation record), so a
 * tool, a resource and a prompt all go through the same code path as the
 * console command of the same name.
 */
import type { CommandResult } from "../core/result.js";
import type { Workspace } from "../core/workspace.js";
import type { Caller, Command, CommandInput } from "../commands/types.js";

/** What `mcp` was started with. */
export interface McpPolicy {
  /** --allow-write: list and run the mutating tools. */
  allowWrite: boolean;
  /** --nodes: only guests on these nodes may be touched (undefined: any). */
  nodes?: readonly string[];
  /** --vmids: only these guests may be touched (undefined: any). */
  vmids?: readonly number[];
  /**
   * Which tools are listed (undefined: all the above allows): the API's /mcp lists only what the
   * token's role may call. A read view is asked with its action (`snapshot`, `list`).
   */
  offers?: (command: Command, viewAction?: string) => boolean;
}

/** A command run by the MCP face. */
export interface McpRun {
  result: CommandResult;
  /** What the command showed on the way (info, warnings, progress), in order, secrets removed. */
  shown: string[];
  correlationId: string;
}

export interface McpScope {
  workspace: Workspace;
  version: string;
  policy: McpPolicy;
  /**
   * Run the registered command `name` as actor `mcp`, recorded as an operation. A failure is
   * thrown as the command threw it (a ProxmoxMpcError with its exit code and hint).
   * `confirm`: the answer to the command's confirmation question; without it a command that
   * asks stops there and the run ends with a ConfirmationRequired error carrying what was shown.
   * `signal`: the client cancelled the call (the run stops as on Ctrl-C).
   * `caller`: who called, recorded with the operation (default: the server's, see ScopeInput.caller).
   */
  run(name: string, input: CommandInput, options?: { confirm?: boolean; signal?: AbortSignal; caller?: Caller }): Promise<McpRun>;
}
