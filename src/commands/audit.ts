/**
 * `audit`: who did what — the operation log read as an audit trail: each
 * recorded run with its face (actor), who (principal), the role it was
 * allowed with, where from (source), its action, what it named (target), how
 * it ended and its correlation id; newest first, filtered in the database.
 * Append-only: nothing in proxmox-mpc deletes or rewrites an operation.
 */
import { UsageError } from "../core/errors.js";
import type { CommandResult } from "../core/result.js";
import type { OperationActor, OperationQuery, OperationRecord, OperationResult } from "../state/operation-repository.js";
import { actionOf, hasAction } from "./audit-fields.js";
import { requireWorkspace } from "./context.js";
import { isReadView } from "./remote.js";
import { defineCommand } from "./define.js";
import { choice, defineOptions, flag, number, text } from "./options.js";
import type { Command } from "./types.js";

const ACTORS = ["cli", "console", "mcp", "nl", "api"] as const satisfies readonly OperationActor[];
const RESULTS = ["ok", "failed", "cancelled"] as const satisfies readonly OperationResult[];

/** One entry of the trail (`audit -o json`). */
export interface AuditEntry {
  time: string;
  actor: OperationActor;
  principal: string | null;
  role: string | null;
  source: string | null;
  action: string;
  target: string | null;
  /** ok | failed | cancelled, or running (a run not finished, or whose process died). */
  result: OperationResult | "running";
  correlationId: string;
  exitCode: number | null;
  durationMs: number | null;
  error: string | null;
}

export const auditCommand = defineCommand({
  name: "audit",
  summary: "Who did what: every recorded action from the CLI, console, nl, MCP and the API, with principal, role, source, target and result",
  description:
    "The workspace's operation log as an audit trail, newest first: time, actor (the face: cli, console, nl, mcp, api), principal (the API token's name; " +
    "mcp-stdio or mcp-http for MCP; the OS user for a shell run), role (the API token's; none elsewhere), source (the client's address; stdio; " +
    "the host of a shell run), action (the command, with its action: snapshot create), target (what the call named), result and correlation id. " +
    "Filters run in the database. Append-only: nothing deletes or rewrites an entry. Over the API it needs the admin role. See docs/observability.md.",
  examples: [
    "proxmox-mpc audit --changes --since 24h",
    "proxmox-mpc audit --since 24h",
    "proxmox-mpc audit --actor api --result failed",
    'proxmox-mpc audit --action "snapshot create" --since 2026-11-01T00:00Z',
    "proxmox-mpc audit --principal ci --limit 20 -o json",
  ],
  options: defineOptions({
    since: text("--since <when>", "entries since 30m, 24h, 7d or a date (2026-11-01, 2026-11-01T00:00Z)"),
    actor: choice("--actor <face>", "only this face's", ACTORS),
    action: text("--action <name>", 'only this command, or command and action ("snapshot create")'),
    principal: text("--principal <name>", "only this principal's (an API token's name, mcp-stdio, mcp-http, an OS user)"),
    result: choice("--result <result>", "only runs that ended so", RESULTS),
    changes: flag("--changes", "only what changed something: leaves out the runs that only read (get, describe, status, logs, health, plan, audit, snapshot/backup list …)"),
    limit: number("--limit <n>", "the newest N entries", { int: true, min: 1, max: 10_000, default: 100 }),
  }),
  workspace: "required",
  mcp: { tool: "read" },
  slash: true,
  async run(ctx, input) {
    requireWorkspace(ctx);
    const o = input.options;
    const reads = o.changes ? readCommands(ctx.commands) : undefined;
    const query: OperationQuery = { actor: o.actor, principal: o.principal, result: o.result, limit: o.limit, notCommands: reads, ...(await sinceOf(o.since)), ...actionQuery(o.action, ctx.commands) };
    const store = await ctx.services.store();
    let ops = await store.operations.list(query);
    // The read views of mutating commands (snapshot list, backup list) are reads too.
    if (o.changes) ops = ops.filter((op) => !isViewRun(ctx.commands.find((c) => c.name === op.command), op));
    const entries = ops.map((op) => toEntry(op, ctx.commands));
    return auditResult(entries);
  },
});

/** The commands whose every run only reads (offered as read tools). */
function readCommands(commands: readonly Command[]): string[] {
  return commands.filter((c) => c.mcp.tool === "read").map((c) => c.name);
}

/** A run of a mutating command's read view (`snapshot list`). */
function isViewRun(command: Command | undefined, op: OperationRecord): boolean {
  const first = Array.isArray(op.arguments.args) ? op.arguments.args[0] : undefined;
  return command !== undefined && isReadView(command, typeof first === "string" ? first : undefined);
}

async function sinceOf(given: string | undefined): Promise<Pick<OperationQuery, "since">> {
  if (given === undefined) return {};
  const { parseSince } = await import("../observability/log-query.js");
  const since = parseSince(given);
  if (!since) throw new UsageError(`--since must be a duration (30m, 24h, 7d) or a date (2026-11-01, 2026-11-01T00:00Z), got "${given}".`, "Example: proxmox-mpc audit --since 24h");
  return { since };
}

/** `snapshot create` → command snapshot, first argument create; a command without an action takes only its name. */
function actionQuery(given: string | undefined, commands: readonly Command[]): Pick<OperationQuery, "command" | "action"> {
  if (given === undefined) return {};
  const [name, action, ...more] = given.trim().split(/\s+/);
  const command = commands.find((c) => c.name === name);
  if (!name || more.length || (action !== undefined && command && !hasAction(command))) {
    throw new UsageError(`--action takes a command name, or a command and its action ("snapshot create"), got "${given}".`, `e.g. proxmox-mpc audit --action ${name && !hasAction(command) ? name : '"snapshot create"'}`);
  }
  return action === undefined ? { command: name } : { command: name, action };
}

function toEntry(op: OperationRecord, commands: readonly Command[]): AuditEntry {
  const args = Array.isArray(op.arguments.args) ? op.arguments.args : [];
  return {
    time: op.startedAt.toISOString(),
    actor: op.actor,
    principal: op.principal,
    role: op.role,
    source: op.source,
    action: actionOf(commands.find((c) => c.name === op.command), op.command, args),
    target: op.target,
    result: op.result ?? "running",
    correlationId: op.correlationId,
    exitCode: op.exitCode,
    durationMs: op.durationMs,
    error: op.error,
  };
}

function auditResult(entries: AuditEntry[]): CommandResult {
  return {
    kind: "data",
    data: entries,
    text: entries.length ? undefined : "No audit entries match (try --since 7d or fewer filters).",
    table: {
      columns: [
        { key: "time", header: "TIME" },
        { key: "actor", header: "ACTOR" },
        { key: "principal", header: "PRINCIPAL" },
        { key: "role", header: "ROLE" },
        { key: "source", header: "SOURCE" },
        { key: "action", header: "ACTION" },
        { key: "target", header: "TARGET" },
        { key: "result", header: "RESULT" },
        { key: "correlationId", header: "CORRELATION" },
      ],
      rows: entries.map((e) => ({ ...e, time: e.time.replace("T", " ").slice(0, 19), principal: e.principal ?? "-", role: e.role ?? "-", source: e.source ?? "-", target: e.target ?? "-" })),
    },
  };
}
