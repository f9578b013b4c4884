/**
 * The command registry: an explicit list. The CLI, the console, help and
 * completion are all derived from it. Command modules stay light: heavy
 * services are imported inside run().
 */
import { simCommand } from "./sim.js";
import { testConnectionCommand } from "./test-connection.js";
import type { Command } from "./types.js";

export const COMMANDS: readonly Command[] = [testConnectionCommand, simCommand];

/** Find a command by name or alias. */
export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}
