/**
 * What the audit trail says a run did: its action (the command, and for a
 * command with an action argument that too: `snapshot create`) and its
 * target (what the call names: its positional arguments after the action and
 * the options that pick guests or name a new one — `vm web-01 pre`,
 * `vm --selector tag=web`, `--name qa-01`; else the guests the command says
 * it names, for the MCP allowlists), as a short text. The runner records the target with the operation;
 * `audit` derives the action from the recorded command and arguments.
 */
import type { Command, CommandInput } from "./types.js";

/** The longest target recorded (a long selection is cut with …). */
export const TARGET_MAX = 160;

/** Options that name what a call acts on (a new guest's name, a selection, a node to drain). */
const NAMING_OPTIONS = ["name", "vmid", "selector", "node", "from"] as const;

/** The names a first argument that is an action goes by (`hook`'s is `subcommand`: its --action option is the hook's own). */
const ACTION_ARGUMENTS = new Set(["action", "subcommand"]);

/** Whether the command's first argument is an action (snapshot, backup, token, hook …). */
export function hasAction(command: Pick<Command, "arguments"> | undefined): boolean {
  return ACTION_ARGUMENTS.has(command?.arguments?.[0]?.name ?? "");
}

/** `snapshot create` for a command with an action argument, else the command's name. */
export function actionOf(command: Pick<Command, "name" | "arguments"> | undefined, name: string, args: readonly unknown[]): string {
  const first = args[0];
  return hasAction(command) && typeof first === "string" && first ? `${name} ${first}` : name;
}

/** What the call names, or null when it names nothing in particular (sync, status). */
export function targetOf(command: Command, input: CommandInput): string | null {
  const positional = hasAction(command) ? input.args.slice(1) : input.args;
  // The arguments say more than the guests alone (a snapshot's name, a backup's volume): the guests only when they are all.
  const parts: string[] = [...positional];
  for (const key of NAMING_OPTIONS) {
    const value = input.options[key];
    if (typeof value === "string" || typeof value === "number") parts.push(`--${key} ${value}`);
  }
  if (!parts.length && command.mcp.tool !== false) parts.push(...(command.mcp.guests?.(input).names ?? []));
  const text = parts.join(" ").trim();
  if (!text) return null;
  return text.length > TARGET_MAX ? `${text.slice(0, TARGET_MAX - 1)}…` : text;
}
