/**
 * The tools: one per registered command the command declares as a tool
 * (`mcp.tool` read | write | destructive), derived from the registry — a
 * command added later is a tool without code here. Its name is `mcp.name`,
 * else the command's name with `-` as `_` (`get`, `test_connection`,
 * `report_issue`); its input is the command's positionals and options
 * (inputSchema), plus `confirm` for the mutating ones; its output is one
 * envelope (TOOL_OUTPUT) as structured content, with a short text summary.
 * Read-only servers list only the read tools. Every failure is an `isError`
 * result with the message and the hint, never a protocol error.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { COMMANDS } from "../commands/registry.js";
import { LOCAL_ONLY_OPTIONS, remoteDefaults, remoteInputSchema } from "../commands/remote.js";
import { toCommandInput } from "../commands/schema.js";
import type { Command, CommandResult, ReadView } from "../commands/types.js";
import { asProxmoxMpcError, UsageError } from "../core/errors.js";
import { renderResult } from "../core/output.js";
import { redactString, redactValue } from "../core/redact.js";
import { correlationOf, toolKind } from "./run.js";
import type { McpPolicy, McpRun, McpScope } from "./scope.js";
import { ConfirmationRequired } from "./ui.js";

/** One tool: its name, the command it runs, and how it is offered. */
export interface ToolEntry {
  name: string;
  command: Command;
  kind: "read" | "write" | "destructive";
  /** A read-only view of a mutating command: its first argument is fixed (snapshot_list runs `snapshot list …`). */
  view?: ReadView;
}

/** Commands that answer from the workspace alone (the store, terraform/, the logs): every other tool may reach the Proxmox server. */
const LOCAL = new Set(["get", "logs", "test", "report-issue"]);

/** Longest text summary; the whole answer is in structuredContent. */
const SUMMARY_CHARS = 4000;

/** The structured output of every tool. */
export const TOOL_OUTPUT = z.object({
  ok: z.boolean().describe("true when the command succeeded (exit code 0)"),
  command: z.string().describe("the proxmox-mpc command that ran"),
  correlationId: z.string().optional().describe("the operation's correlation id: `logs --correlation ID` shows its log lines"),
  exitCode: z.number().describe("0 ok, 1 failed, 2 bad input or refused (nothing was changed)"),
  data: z.unknown().optional().describe("the command's JSON output (what -o json prints)"),
  text: z.string().optional().describe("the command's human output"),
  shown: z.array(z.string()).optional().describe("what the command showed on the way (plan, warnings, progress)"),
  confirmationRequired: z.boolean().optional().describe("the command asks before acting: nothing was done; see wouldDo and howToConfirm"),
  wouldDo: z.array(z.string()).optional().describe("what a confirmed call would do (the plan the command showed)"),
  question: z.string().optional().describe("the confirmation question"),
  howToConfirm: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).optional(),
});
export type ToolOutput = z.infer<typeof TOOL_OUTPUT>;

/** A tool's name: the command's `mcp.name`, else its name with `-` as `_`. */
export function toolName(command: Command): string {
  return (command.mcp.tool !== false && command.mcp.name) || command.name.replace(/-/g, "_");
}

/** The tools a server with this policy lists. */
export function toolEntries(policy: McpPolicy, commands: readonly Command[] = COMMANDS): ToolEntry[] {
  return commands.flatMap((command): ToolEntry[] => {
    const kind = toolKind(command, policy);
    const views = command.mcp.tool !== false ? (command.mcp.views ?? []) : [];
    const offered = (action?: string) => policy.offers?.(command, action) ?? true;
    return [
      ...(kind && offered() ? [{ name: toolName(command), command, kind }] : []),
      ...views.filter((view) => offered(view.action)).map((view) => ({ name: view.name, command, kind: "read" as const, view })),
    ];
  });
}

/** The input a tool takes: the command's arguments and options, and `confirm` for a mutating one. */
export function toolInputSchema(entry: ToolEntry): z.ZodObject {
  const schema = remoteInputSchema(entry.command);
  if (entry.view) {
    const fixed = firstArgument(entry.command);
    return z.strictObject(Object.fromEntries(Object.entries(schema.shape).filter(([key]) => key !== fixed)));
  }
  if (entry.kind === "read") return schema;
  return schema.extend({
    confirm: z
      .boolean()
      .optional()
      .describe("Go ahead when the command asks for confirmation. Leave it out first: the call then only returns what it would do (wouldDo), and nothing is changed."),
  });
}

export function toolAnnotations(entry: ToolEntry): ToolAnnotations {
  return {
    title: entry.view?.summary ?? entry.command.summary,
    readOnlyHint: entry.kind === "read",
    destructiveHint: entry.kind === "destructive",
    ...(entry.kind === "read" ? { idempotentHint: true } : {}),
    openWorldHint: !LOCAL.has(entry.command.name),
  };
}

export function toolDescription(entry: ToolEntry): string {
  const c = entry.command;
  const parts = [entry.view ? `${entry.view.summary} (\`${c.name} ${entry.view.action} …\`; read-only).` : c.summary + "."];
  if (c.description) parts.push(c.description);
  if (entry.kind === "destructive") {
    parts.push("Destructive, in two steps: call it without confirm to get what it would do (wouldDo; nothing is changed), then again with the same arguments and confirm: true to do it.");
  } else if (entry.kind === "write") {
    parts.push("Changes the cluster or the workspace. When it would ask a person first (a batch, an apply), a call without confirm returns what it would do and changes nothing; call again with confirm: true.");
  }
  const defaults = remoteDefaults(c);
  if (defaults) parts.push(`Left out, these are given for you: ${Object.entries(defaults).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(", ")}.`);
  parts.push(`Same as the command line: ${c.examples.join(" | ")}. Tool arguments are the positionals by name and the options by key (--dry-run is dryRun).`);
  return parts.join("\n\n");
}

/** The name of a command's first positional argument (the one a read view fixes). */
function firstArgument(command: Command): string {
  const first = command.arguments?.[0];
  if (!first) throw new Error(`${command.name} declares read views but has no argument to fix.`);
  return first.name;
}

/** Register every tool the scope's policy offers. */
export function registerTools(server: McpServer, scope: McpScope): void {
  for (const entry of toolEntries(scope.policy)) {
    server.registerTool(
      entry.name,
      { title: entry.view?.summary ?? entry.command.summary, description: toolDescription(entry), inputSchema: toolInputSchema(entry), outputSchema: TOOL_OUTPUT, annotations: toolAnnotations(entry) },
      async (args: Record<string, unknown>, extra) => callTool(scope, entry, args, extra.signal),
    );
  }
}

/** Run one tool call: the command's own run, its result or its failure as a tool result. */
export async function callTool(scope: McpScope, entry: ToolEntry, args: Record<string, unknown>, signal?: AbortSignal): Promise<CallToolResult> {
  const { confirm, ...rest } = args;
  try {
    const local = Object.keys(args).filter((key) => LOCAL_ONLY_OPTIONS.has(key));
    if (local.length) throw new UsageError(`${local.join(", ")}: not offered over MCP.`, "Streaming, another server or trust, and files on the server's disk are for a person at the command line.");
    const given = entry.kind === "read" ? args : rest;
    const input = toCommandInput(entry.command, { ...remoteDefaults(entry.command), ...given, ...(entry.view ? { [firstArgument(entry.command)]: entry.view.action } : {}) });
    const run = await scope.run(entry.command.name, input, { confirm: confirm === true, signal });
    return await success(entry, run);
  } catch (err) {
    if (err instanceof ConfirmationRequired) return confirmationNeeded(entry, err);
    return failure(entry, err);
  }
}

async function success(entry: ToolEntry, run: McpRun): Promise<CallToolResult> {
  const exitCode = run.result.exitCode ?? 0;
  const out: ToolOutput = { ok: exitCode === 0, command: entry.command.name, correlationId: run.correlationId, exitCode, ...payload(run.result), shown: run.shown.length ? run.shown : undefined };
  const rendered = await renderResult(forSummary(run.result), { format: "table", color: false });
  const head = exitCode === 0 ? `${entry.name}: ok` : `${entry.name}: finished with exit code ${exitCode}`;
  const lines = [head, ...(run.shown.length && exitCode !== 0 ? run.shown.slice(-5) : []), rendered.trimEnd()].filter(Boolean);
  return answer(out, lines.join("\n"), exitCode !== 0);
}

/** Rows drawn in the text summary at most (the summary is cut at SUMMARY_CHARS anyway; drawing 10,000 rows to cut them costs ~20 ms). */
const SUMMARY_ROWS = 60;

/** The result as the summary draws it: a long table cut to its first rows, with how many more there are. */
function forSummary(result: CommandResult): CommandResult {
  if (result.kind !== "data" || !result.table || result.table.rows.length <= SUMMARY_ROWS) return result;
  const rows = result.table.rows;
  const more = { [result.table.columns[0]?.key ?? "more"]: `… ${rows.length - SUMMARY_ROWS} more rows in the structured content` };
  return { ...result, table: { columns: result.table.columns, rows: [...rows.slice(0, SUMMARY_ROWS), more] } };
}

function payload(result: CommandResult): Pick<ToolOutput, "data" | "text"> {
  switch (result.kind) {
    case "data":
      return { data: result.data, text: result.text };
    case "message":
      return { text: result.text };
    default:
      return {};
  }
}

function confirmationNeeded(entry: ToolEntry, err: ConfirmationRequired): CallToolResult {
  const how = `Nothing was done. To go ahead, call ${entry.name} again with the same arguments and "confirm": true.`;
  const out: ToolOutput = {
    ok: false,
    command: entry.command.name,
    correlationId: correlationOf(err),
    exitCode: err.exitCode,
    confirmationRequired: true,
    question: err.question,
    wouldDo: err.wouldDo,
    howToConfirm: how,
  };
  return answer(out, [`${entry.name}: confirmation required — ${err.question}`, ...err.wouldDo, how].join("\n"), false);
}

function failure(entry: ToolEntry, err: unknown): CallToolResult {
  const error = asProxmoxMpcError(err);
  const out: ToolOutput = {
    ok: false,
    command: entry.command.name,
    correlationId: correlationOf(err),
    exitCode: error.exitCode,
    error: { code: error.code, message: error.message, hint: error.hint },
  };
  return answer(out, [`error: ${error.message}`, ...(error.hint ? [`hint: ${error.hint}`] : [])].join("\n"), true);
}

/** The tool result, secrets removed from every string in it. */
function answer(out: ToolOutput, summary: string, isError: boolean): CallToolResult {
  const text = summary.length > SUMMARY_CHARS ? `${summary.slice(0, SUMMARY_CHARS)}\n… (cut; the whole answer is in the structured content)` : summary;
  const structured = redactValue(JSON.parse(JSON.stringify(out)) as Record<string, unknown>);
  return { content: [{ type: "text", text: redactString(text) }], structuredContent: structured, isError };
}
