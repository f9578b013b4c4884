/**
 * The command registry: an explicit list. The CLI, the console, help and
 * completion are all derived from it. Command modules stay light: heavy
 * services are imported inside run().
 */
import { applyCommand } from "./apply.js";
import { askCommand } from "./ask.js";
import { backupCommand } from "./backup.js";
import { completeCommand, completionCommand } from "./completion.js";
import { contextCommand } from "./contexts.js";
import { cloneCommand } from "./clone.js";
import { createCommand } from "./create.js";
import { debugCommand } from "./debug.js";
import { deleteCommand } from "./delete.js";
import { demoCommand } from "./demo.js";
import { destroyCommand } from "./destroy.js";
import { planCommand } from "./plan.js";
import { describeCommand } from "./describe.js";
import { getCommand } from "./get.js";
import { healthCommand } from "./health.js";
import { initCommand } from "./init.js";
import { logsCommand } from "./logs.js";
import { auditCommand } from "./audit.js";
import { mcpCommand } from "./mcp.js";
import { migrateCommand } from "./migrate.js";
import { rebootCommand, shutdownCommand, startCommand, stopCommand } from "./power.js";
import { reportIssueCommand } from "./report-issue.js";
import { serveCommand } from "./serve.js";
import { setCommand } from "./set.js";
import { simCommand } from "./sim.js";
import { snapshotCommand } from "./snapshot.js";
import { statusCommand } from "./status.js";
import { syncCommand } from "./sync.js";
import { testConnectionCommand } from "./test-connection.js";
import { testCommand } from "./test.js";
import { tokenCommand } from "./token.js";
import { hookCommand } from "./hook.js";
import { webhookCommand } from "./webhook.js";
import type { Command } from "./types.js";

export const COMMANDS: readonly Command[] = [initCommand, testConnectionCommand, syncCommand, statusCommand, healthCommand, reportIssueCommand, getCommand, describeCommand, createCommand, deleteCommand, setCommand, testCommand, planCommand, applyCommand, destroyCommand, startCommand, stopCommand, shutdownCommand, rebootCommand, snapshotCommand, backupCommand, cloneCommand, migrateCommand, contextCommand, simCommand, demoCommand, logsCommand, auditCommand, mcpCommand, serveCommand, tokenCommand, webhookCommand, hookCommand, askCommand, debugCommand, completionCommand, completeCommand];

/** Find a command by name or alias. */
export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}
