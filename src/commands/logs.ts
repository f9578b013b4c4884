/** `logs`: query the workspace's log files (every face's operations), or follow them. */
import type { LogEntry } from "../observability/log-query.js";
import { UsageError } from "../core/errors.js";
import type { MetricsSnapshot } from "../core/metrics.js";
import type { CommandResult } from "../core/result.js";
import type { Store } from "../state/store.js";
import { describeMetrics, formatBytes, slowestPhase } from "../observability/operation-figures.js";
import { style, type Style } from "../core/style.js";
import { requireWorkspace } from "./context.js";
import { defineCommand } from "./define.js";
import { choice, defineOptions, flag, number, text } from "./options.js";

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;

export const logsCommand = defineCommand({
  name: "logs",
  summary: "Query the workspace's logs (by time, level, operation, correlation id, resource, text) or follow them",
  description:
    "Reads .proxmox-mpc/logs/*.jsonl: one JSON line per event of every operation run from the CLI, the console, MCP or natural language. " +
    "-o json prints an array of entries (timestamp, level, correlationId, operation, phase, message, durationMs, context). " +
    "API calls are debug events: turn them on with `proxmox-mpc debug on`. See docs/observability.md.",
  examples: [
    "proxmox-mpc logs --since 30m",
    "proxmox-mpc logs --level error --since 2d",
    "proxmox-mpc logs --op sync --limit 20 -o json",
    "proxmox-mpc logs --correlation c-1b2c3d4e5f --level debug",
    "proxmox-mpc logs --resource web-01 --grep timeout",
    "proxmox-mpc logs --follow",
    "proxmox-mpc logs --operations --since 1d",
  ],
  options: defineOptions({
    since: text("--since <when>", "entries since 30m, 2h, 7d or a date (2026-11-28, an ISO time)"),
    level: choice("--level <level>", "this level and more severe (default: info, debug with --correlation; debug shows API calls)", LEVELS),
    op: text("--op <operation>", "one operation (command or tool), e.g. sync"),
    correlation: text("--correlation <id>", "one operation run, by its correlation id (or its beginning)"),
    resource: text("--resource <name>", "entries mentioning a guest name, vmid or other resource", { completion: "guest" }),
    grep: text("--grep <text>", "entries containing the text (case-insensitive)"),
    limit: number("--limit <n>", "the last N matching entries", { int: true, min: 1, default: 100 }),
    follow: flag("-f, --follow", "keep printing new entries until Ctrl-C"),
    operations: flag("--operations", "list recorded operations from the store with their figures (duration, API requests, bytes, retries, DB time, slowest phase)"),
  }),
  workspace: "required",
  mcp: { tool: "read" },
  slash: true,
  record: false,
  async run(ctx, input) {
    const ws = requireWorkspace(ctx);
    const { parseSince, queryLogs } = await import("../observability/log-query.js");
    const o = input.options;
    const since = o.since === undefined ? undefined : parseSince(o.since);
    if (o.since !== undefined && !since) throw new UsageError(`--since must be a duration (30m, 2h, 7d) or a date (2026-11-28), got "${o.since}".`, "Example: proxmox-mpc logs --since 2h");
    const query = { since, level: o.level ?? (o.correlation ? "debug" : "info"), operation: o.op, correlation: o.correlation, resource: o.resource, grep: o.grep, limit: o.limit };
    const s = style(ctx.globals.color);
    if (o.operations) {
      if (o.follow || o.level || o.resource || o.grep) throw new UsageError("--operations takes only --since, --op, --correlation and --limit.", "Example: proxmox-mpc logs --operations --since 1d");
      return listOperations(await ctx.services.store(), { since, command: o.op, correlation: o.correlation, limit: o.limit });
    }
    if (o.follow) {
      const { followLogs } = await import("../observability/log-follow.js");
      const json = ctx.globals.output === "json";
      ctx.ui.info("Following the workspace's logs (Ctrl-C to stop)…");
      await followLogs(ws.paths.logs, query, (entry) => ctx.ui.emit(json ? JSON.stringify(entry) : formatEntry(entry, s)), { signal: ctx.signal });
      return { kind: "none", exitCode: 0 };
    }
    const entries = queryLogs(ws.paths.logs, query);
    const lines = entries.length ? [header(s), ...entries.map((e) => formatEntry(e, s))] : ["No log entries match (try --since 7d, --level debug, or fewer filters)."];
    return { kind: "data", data: entries, text: lines.join("\n") };
  },
});

/** Recorded operations, newest first, with their figures. */
async function listOperations(store: Store, query: { since?: Date; command?: string; correlation?: string; limit: number }): Promise<CommandResult> {
  // A correlation id may be given by its beginning, as for log lines.
  const found = await store.operations.list({ since: query.since, command: query.command, limit: query.correlation ? 10_000 : query.limit });
  const operations = (query.correlation ? found.filter((op) => op.correlationId.startsWith(query.correlation!)) : found).slice(0, query.limit);
  const rows = operations.map((op) => {
    const m = op.metrics;
    const slowest = m ? slowestPhase(m) : undefined;
    return {
      time: op.startedAt.toISOString().replace("T", " ").slice(0, 19),
      correlationId: op.correlationId,
      actor: op.actor,
      command: op.command,
      result: op.result ?? "running",
      durationMs: op.durationMs,
      apiRequests: m?.api.requests ?? "",
      apiIn: m ? formatBytes(m.api.bytesIn) : "",
      retries: m?.api.retries ?? "",
      dbMs: m?.db.ms ?? "",
      slowestPhase: slowest ? `${slowest.name} ${slowest.ms} ms` : "",
      figures: m ? describeMetrics(m) : "",
    };
  });
  return {
    kind: "data",
    // Who and from where is the audit trail's (`audit`, admin over the API): a viewer's operations say what happened.
    data: operations.map(({ principal: _p, role: _r, source: _s, target: _t, ...op }) => op),
    text: rows.length ? undefined : "No recorded operations match (try --since 7d or fewer filters).",
    table: {
      columns: [
        { key: "time", header: "STARTED" },
        { key: "correlationId", header: "CORRELATION" },
        { key: "actor", header: "ACTOR" },
        { key: "command", header: "OPERATION" },
        { key: "result", header: "RESULT" },
        { key: "durationMs", header: "MS", align: "right" },
        { key: "apiRequests", header: "API", align: "right" },
        { key: "apiIn", header: "IN", align: "right" },
        { key: "retries", header: "RETRIES", align: "right" },
        { key: "dbMs", header: "DB MS", align: "right" },
        { key: "slowestPhase", header: "SLOWEST PHASE" },
      ],
      rows,
    },
  };
}

function header(s: Style): string {
  return s.strong(`${"TIME".padEnd(23)} ${"LEVEL".padEnd(5)} ${"CORRELATION".padEnd(12)} ${"OPERATION".padEnd(14)} ${"PHASE".padEnd(22)} ${"MS".padStart(6)} MESSAGE`);
}

/** One entry as a table row: time, level, correlation id, operation, phase, duration, message (with the error and its next step). */
function formatEntry(e: LogEntry, s: Style): string {
  const time = e.timestamp.replace("T", " ").replace("Z", "").slice(0, 23).padEnd(23);
  const ms = e.durationMs === undefined ? "" : String(Math.round(e.durationMs));
  const api = e.phase === "api.request" ? ` ${String(e.context.method ?? "")} ${String(e.context.path ?? "")} → ${String(e.context.status ?? "-")}` : "";
  const err = describeError(e.context) + describeFigures(e.context);
  const row = `${time} ${e.level.padEnd(5)} ${(e.correlationId ?? "-").padEnd(12)} ${(e.operation ?? "-").padEnd(14)} ${(e.phase ?? "-").padEnd(22)} ${ms.padStart(6)} ${e.message}${api}${err}`;
  if (e.level === "error" || e.level === "fatal") return s.error(row);
  if (e.level === "warn") return s.warning(row);
  return e.level === "debug" || e.level === "trace" ? s.faint(row) : row;
}

/** The figures a `command finished` line carries (see runner.ts), in words. */
function describeFigures(context: Record<string, unknown>): string {
  const m = context.metrics as MetricsSnapshot | undefined;
  if (!m || typeof m !== "object" || !m.api || !m.db || !m.phases) return "";
  const words = describeMetrics(m);
  return words ? ` · ${words}` : "";
}

function describeError(context: Record<string, unknown>): string {
  const error = (context.error ?? context.err) as Record<string, unknown> | string | undefined;
  if (!error) return "";
  if (typeof error === "string") return `: ${error}`;
  const next = Array.isArray(error.recoveryActions) ? error.recoveryActions[0] : error.hint;
  return `: ${String(error.message ?? "")}${next ? ` (next: ${String(next)})` : ""}`;
}
