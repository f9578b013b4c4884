/**
 * The readable side of a bundle: the suggested AI prompt (built from the
 * classification, the failing and the last successful operation) and the
 * Markdown file written beside the JSON. Both are made from the bundle after
 * its secrets were removed.
 */
import type { IssueBundle } from "./report.js";
import type { TaskLog } from "./report-tasks.js";

/** The prompt to paste into an AI assistant along with the bundle. */
export function buildPrompt(b: IssueBundle): string {
  const failed = b.failure?.operation;
  const lastOk = [...b.operations].reverse().find((o) => o.result === "ok" && o.command !== "report-issue" && o.command !== "health");
  const lines = [
    `I'm having issues with my proxmox-mpc setup: ${b.summary}`,
    "Here's my diagnostic report: [attach the issue-….json file]",
    "",
    `Error summary: ${b.classification.title}${failed ? ` — \`${failed.command}\` failed${failed.error ? `: ${oneLine(failed.error)}` : ""}` : ""}`,
    `Last successful operation: ${lastOk ? `\`${lastOk.command}\` at ${String(lastOk.startedAt)}` : "none in the report's window"}`,
  ];
  const failing = b.health.checks.filter((c) => c.status === "fail");
  if (failing.length) lines.push(`Failing health checks: ${failing.map((c) => `${c.name} (${c.figure})`).join(", ")}`);
  const tasks = b.taskLogs.tasks.filter((t) => t.exitstatus !== null && t.exitstatus !== "OK");
  if (tasks.length) lines.push(`Failed Proxmox tasks: ${tasks.map((t) => `${taskName(t)} (${oneLine(t.exitstatus ?? "")})`).join(", ")}`);
  if (b.classification.category !== "none") lines.push(`It looks like: ${b.classification.category} (${b.classification.suggestions[0]})`);
  lines.push("", "Please analyze the logs and suggest fixes.");
  return lines.join("\n");
}

/** The Markdown file beside the JSON: the same facts, for a person. */
export function renderMarkdown(b: IssueBundle, prompt: string): string {
  const out: string[] = [
    `# proxmox-mpc issue report`,
    "",
    `**Summary:** ${b.summary}`,
    "",
    `Created ${b.createdAt}; window from ${b.window.since}${b.anonymized ? "; hostnames, IPs, MACs and usernames anonymized" : ""}; ${b.removed.secrets} secrets removed.`,
    "",
    `## Classification: ${b.classification.title} (${b.classification.category})`,
    "",
    ...b.classification.suggestions.map((s) => `- ${s}`),
    "",
  ];
  if (b.failure) {
    const op = b.failure.operation;
    out.push(`## Failing operation: \`${op.command}\` (${op.correlationId})`, "", `Exit ${op.exitCode ?? "?"}: ${op.error ?? "no message"}`, "", "```", ...b.failure.trace.map((l) => JSON.stringify(l)), "```", "");
  }
  out.push("## Environment", "", "```json", JSON.stringify(b.environment, null, 2), "```", "");
  out.push(`## Health: ${b.health.status}`, "", "| check | status | figure | message |", "|---|---|---|---|");
  for (const c of b.health.checks) out.push(`| ${c.name} | ${c.status} | ${cell(c.figure)} | ${cell(c.message)} |`);
  out.push("", `## Operations (${b.operations.length})`, "", "| started | command | result | exit | error |", "|---|---|---|---|---|");
  for (const o of b.operations) out.push(`| ${String(o.startedAt)} | ${o.command} | ${o.result ?? "running"} | ${o.exitCode ?? ""} | ${cell(o.error ?? "")} |`);
  out.push("", `## Task logs (${b.taskLogs.tasks.length})`, "");
  if (b.taskLogs.note) out.push(`Note — ${b.taskLogs.note}`, "");
  for (const t of b.taskLogs.tasks) {
    const shown = t.lines.length < t.totalLines ? ` (last ${t.lines.length} of ${t.totalLines} lines)` : "";
    out.push(`### ${taskName(t)}: ${t.status === "running" ? "running" : (t.exitstatus ?? "?")}`, "", `\`${t.upid}\`, started ${t.startedAt}, ${SOURCES[t.source]}${shown}`, "", "```", ...t.lines.map((l) => l.replace(/```/g, "ʼʼʼ")), "```", "");
  }
  const sync = b.lastSync.completed;
  out.push("", "## Last sync", "", sync ? `#${sync.id} finished ${String(sync.finishedAt)}: ${sync.guests} guests (+${sync.added} ~${sync.changed} -${sync.removed})` : "never");
  if (b.drift) out.push("", `Drift (plan of ${b.drift.at}): ${b.drift.create} to create, ${b.drift.update} to update, ${b.drift.delete} to delete, ${b.drift.replace} to replace`);
  out.push("", `## Files (${b.files.length})`, "");
  for (const f of b.files) out.push(`### ${f.path}${f.truncated ? ` (first ${f.content.length} of ${f.bytes} bytes)` : ""}`, "", "```", f.content.replace(/```/g, "ʼʼʼ"), "```", "");
  out.push(`## Log lines (${b.logs.length})`, "", "```", ...b.logs.map((l) => JSON.stringify(l)), "```", "", "## Suggested AI prompt", "", ...prompt.split("\n").map((l) => `> ${l}`), "");
  return out.join("\n");
}

const SOURCES: Record<TaskLog["source"], string> = {
  "failing operation": "named by the failing operation's log lines",
  "log lines": "named by a log line of the window",
  "cluster tasks": "among the cluster's recent failed tasks",
};

function taskName(t: TaskLog): string {
  return `${t.type}${t.id ? ` ${t.id}` : ""} on ${t.node}`;
}

function oneLine(text: string): string {
  const first = text.split("\n")[0];
  return first.length > 200 ? `${first.slice(0, 199)}…` : first;
}

function cell(text: string): string {
  return oneLine(text).replace(/\|/g, "\\|");
}
