/**
 * The natural-language contract shared by both engines (local, claude) and
 * the face that routes English to them: what an engine is given (NlContext,
 * filled from the store) and what it returns (NlPlan). Whether a proposed
 * command reads, writes or destroys is never the model's call: `safetyOf`
 * reads it from the registry's own metadata (each command's `mcp.tool`).
 */
import { tokenize } from "../commands/tokenize.js";
import type { Command } from "../commands/types.js";

/** What an engine proposes: proxmox-mpc command lines (without the `proxmox-mpc` prefix), in order. */
export interface NlPlan {
  engine: "local" | "claude";
  /** Each a command line the registry parses (`create vm --name web-{n} --count 3`); empty when the request was not understood. */
  commands: string[];
  /** 0…1: how sure the engine is of the whole plan. */
  confidence: number;
  /** One or two sentences: what the plan does, or what was not understood and the nearest commands. */
  explanation: string;
  /** Whether any command writes or destroys (from `safetyOf`, not from the model). */
  requiresConfirmation: boolean;
}

/** One guest as the store knows it. */
export interface NlGuest {
  name: string;
  vmid: number;
  type: "qemu" | "lxc";
  node: string;
  tags: string[];
  status: string;
  /** A template (power commands never select one). */
  template?: boolean;
  /** From the store, for relative changes ("two more cores", "add 4GB of RAM"). */
  cores?: number;
  /** MiB. */
  memory?: number;
}

/** What the engines may match names against: the store's guests, nodes and storages. */
export interface NlContext {
  guests: NlGuest[];
  nodes: string[];
  storages: string[];
}

/** How much a command line can change: `read` tools are safe, `write` ask first, `destructive` are dangerous. */
export type Safety = "safe" | "requires-confirmation" | "dangerous";

const RANK: Record<Safety, number> = { safe: 0, "requires-confirmation": 1, dangerous: 2 };

/**
 * The safety of one command line, from its command's MCP metadata in the
 * registry. A line that names no known command, or a command kept out of
 * MCP, is "requires-confirmation" at least (never silently safe).
 */
export function safetyOf(commandLine: string, commands: readonly Command[]): Safety {
  const [name, action] = tokenize(commandLine);
  const command = commands.find((c) => c.name === name || c.aliases?.includes(name));
  if (!command || command.mcp.tool === false) return "requires-confirmation";
  // An action the command declares as only reading (snapshot list, backup list: mcp.views).
  if (command.mcp.views?.some((view) => view.action === action)) return "safe";
  return command.mcp.tool === "read" ? "safe" : command.mcp.tool === "write" ? "requires-confirmation" : "dangerous";
}

/** The most dangerous level of a plan's lines ("safe" for none). */
export function planSafety(commandLines: readonly string[], commands: readonly Command[]): Safety {
  return commandLines.reduce<Safety>((worst, line) => {
    const s = safetyOf(line, commands);
    return RANK[s] > RANK[worst] ? s : worst;
  }, "safe");
}
