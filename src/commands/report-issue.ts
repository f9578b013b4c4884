/**
 * `report-issue "SUMMARY"`: a diagnostic bundle without secrets (optionally anonymized) and a suggested AI prompt;
 * with --analyze the bundle then goes to Claude through the natural-language face (an `ask` result).
 */
import { resolve } from "node:path";
import { UsageError } from "../core/errors.js";
import { style } from "../core/style.js";
import type { ReportOutcome } from "../observability/report.js";
import { requireWorkspace } from "./context.js";
import { defineCommand } from "./define.js";
import { defineOptions, flag, number, text } from "./options.js";

export const reportIssueCommand = defineCommand({
  name: "report-issue",
  summary: "Write a diagnostic bundle (secrets removed) and a suggested AI prompt",
  description:
    "Writes diagnostics/issue-<time>.json and a readable .md beside it: the summary, versions and tools, health, the operations and log lines of the last 30 minutes (the failing operation's trace first), the logs of failed Proxmox tasks (fetched from the server), the config and IaC files, the last sync and drift, and a classification of the error with what to try. The token secret, passwords, ssh and private keys and cloud-init secrets are removed, not masked; --anonymize also replaces hostnames, IPs, MAC addresses and usernames with consistent placeholders.",
  arguments: [{ name: "summary", description: "what went wrong, in a sentence", required: true }],
  examples: ['proxmox-mpc report-issue "terraform apply failed"', 'proxmox-mpc report-issue "sync is slow" --since 2h --anonymize', 'proxmox-mpc report-issue "plan fails" --copy-prompt | pbcopy', 'proxmox-mpc report-issue "web-01 will not start" --analyze'],
  options: defineOptions({
    since: text("--since <age>", "operations, log lines and failed tasks newer than this (30m, 2h, 1d or an ISO time)", { default: "30m" }),
    out: text("--out <dir>", "folder for the bundle (default: the workspace's diagnostics/)"),
    anonymize: flag("--anonymize", "also replace hostnames, IPs, MAC addresses and usernames with placeholders"),
    copyPrompt: flag("--copy-prompt", "print only the suggested prompt (for piping)"),
    timeout: number("--timeout <seconds>", "time allowed to each health check", { min: 0.1, max: 300, default: 5 }),
    analyze: flag("--analyze", "then hand the bundle and the read-only MCP server to Claude: its diagnosis streams, its fixes come back as proposed commands to confirm"),
  }),
  workspace: "required",
  mcp: { tool: "read" },
  slash: true,
  async run(ctx, input) {
    const ws = requireWorkspace(ctx);
    const summary = input.args.join(" ").trim();
    if (input.options.analyze && ctx.actor === "mcp") throw new UsageError("--analyze hands the bundle to Claude from a terminal; an MCP client reads the bundle itself.", "Leave out --analyze.");
    if (input.options.analyze && input.options.copyPrompt) throw new UsageError("--analyze and --copy-prompt do not go together.", "--copy-prompt prints the prompt for another AI; --analyze asks Claude here.");
    if (!summary) throw new UsageError("Say what went wrong: report-issue needs a SUMMARY.", 'For example: proxmox-mpc report-issue "terraform apply failed".');
    // One after the other: they share modules (jest's ESM loader fails on concurrent imports of one graph).
    const { writeIssueReport } = await import("../observability/report.js");
    const { parseSince } = await import("../observability/log-query.js");
    const { runHealth } = await import("../observability/health.js");
    const since = parseSince(input.options.since);
    if (!since) throw new UsageError(`--since must be an age such as 30m, 2h or 1d, or an ISO time, got "${input.options.since}".`);
    const { timeout } = input.options;
    const spinner = ctx.ui.spinner("🔍 Collecting diagnostic information…");
    // The token (its secret is scrubbed from the bundle); none when it cannot be had (Vault down, no secret).
    const token = await ctx.services.token().catch(() => undefined);
    const outcome = await writeIssueReport({
      summary,
      workspace: ws,
      env: ctx.env,
      version: ctx.version,
      since,
      anonymize: input.options.anonymize === true,
      outDir: input.options.out ? resolve(ctx.cwd, input.options.out) : ws.paths.diagnostics,
      health: () => runHealth({ env: ctx.env, workspace: ws, client: () => ctx.services.proxmox({ retries: 0, connection: { timeout } }), store: () => ctx.services.store(), signal: ctx.signal, timeoutMs: timeout * 1000 }),
      store: () => ctx.services.store(),
      proxmox: () => ctx.services.proxmox({ retries: 0, connection: { timeout } }),
      signal: ctx.signal,
      token: () => token,
    }).finally(() => spinner.stop());
    if (input.options.analyze) {
      // The natural-language face takes over: Claude reads the bundle and the workspace (read-only) and proposes fixes.
      const preface = `📋 Issue report written: ${outcome.json} (readable: ${outcome.markdown}); ${outcome.classification.title} (${outcome.classification.category})`;
      return { kind: "ask", request: { text: summary, dryRun: false, root: ws.paths.root, cwd: ctx.cwd, mode: "diagnose", bundle: outcome.markdown, preface } };
    }
    const data = { json: outcome.json, markdown: outcome.markdown, counts: outcome.counts, taskLogNote: outcome.taskLogNote, classification: outcome.classification, prompt: outcome.prompt };
    return { kind: "data", data, text: input.options.copyPrompt ? `${outcome.prompt}\n` : describe(outcome, input.options.since, ctx.globals.color) };
  },
});

/** What the console shows: where the bundle is, what it holds, and the prompt. */
function describe(o: ReportOutcome, since: string, color: boolean): string {
  const s = style(color);
  const c = o.counts;
  const files = Object.entries(c.files).filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${n}`).join(", ") || "none";
  return [
    s.strong(`📋 Issue Report Generated: ${o.json.split(/[\\/]/).pop()}`),
    "📊 Report Contents:",
    `  • Operations: ${c.operations} (since ${since}), ${c.failing} failed`,
    `  • Log lines: ${c.logLines}${c.traceLines ? ` (${c.traceLines} in the failing operation's trace, first)` : ""}`,
    `  • Task logs: ${c.taskLogs} of failed Proxmox tasks${o.taskLogNote ? `; ${o.taskLogNote.replace(/^task logs: /, "")}` : ""}`,
    `  • Configuration and IaC files: ${files}`,
    `  • Health checks: ${c.healthChecks} (${c.healthFailing} failing, ${c.healthWarnings} warnings)`,
    `  • Error classification: ${o.classification.title} (${o.classification.category})`,
    `  • Secrets removed: ${c.secretsRemoved}`,
    "",
    "🤖 AI Collaboration Ready:",
    `  Report file: ${o.json}`,
    `  Readable:    ${o.markdown}`,
    "",
    "  💡 Suggested AI Prompt:",
    ...o.prompt.split("\n").map((line) => `  ${line ? s.accent(line) : ""}`),
    "",
    "📤 Upload the .json file when asking AI assistants for help; --copy-prompt prints the prompt alone.",
    "",
  ].join("\n");
}
