/**
 * The MCP prompts: `troubleshoot` (a symptom, with health, recent errors and
 * drift), `optimize` (capacity, memory overcommit, stopped guests, storage)
 * and `plan` (a requested change, with the current state and the commands
 * there are). Each is filled in when rendered, through the same commands the
 * console runs, and tells the assistant to act through proxmox-mpc's
 * commands (its tools), never through raw Proxmox API calls.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { GetPromptResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { COMMANDS } from "../commands/registry.js";
import { redactString } from "../core/redact.js";
import type { HealthReport } from "../observability/health-types.js";
import type { LogEntry } from "../observability/log-query.js";
import {
  capacityLines,
  guestLines,
  guestsPart,
  healthLines,
  logLines,
  part,
  section,
  statusLines,
  storageLines,
  type NodeRow,
  type Part,
  type StatusData,
  type StorageRow,
} from "./resource-summary.js";
import type { GuestRow } from "./resource-data.js";
import type { McpScope } from "./scope.js";

/** How every prompt ends: act through proxmox-mpc, show before changing, confirm what destroys. */
const HOW_TO_ACT = [
  "## How to act",
  "- Propose proxmox-mpc commands (the proxmox-mpc tools of this server, or `proxmox-mpc …` lines for the user to run). Do not make raw Proxmox API calls, and do not suggest pvesh, qm, pct or curl against the API: changes go through the workspace's IaC so they stay reviewable and recorded.",
  "- Read before you change: `get`, `describe`, `logs`, `health`, `status`, and the resources proxmox-mpc://… (guests, IaC files).",
  "- A change is made in the IaC (`create vm|ct`, or an edit of terraform/*.tf), checked with `plan`, and only then `apply`. Stopping, deleting or destroying asks for confirmation: say what it will do first.",
].join("\n");

/** Register the troubleshoot, optimize and plan prompts on `server`. */
export function registerPrompts(server: McpServer, scope: McpScope): void {
  server.registerPrompt(
    "troubleshoot",
    {
      title: "Troubleshoot",
      description: "Diagnose a symptom with the workspace's health checks, the errors of the last 2 hours and the drift filled in.",
      argsSchema: { symptom: z.string().min(1).describe("what is wrong, e.g. \"web-01 is unreachable since this morning\"") },
    },
    async ({ symptom }) => message("Troubleshoot a Proxmox VE problem", await troubleshootText(scope, symptom)),
  );
  server.registerPrompt(
    "optimize",
    {
      title: "Optimize",
      description: "Find wasted or short capacity: node load, memory overcommit, stopped guests and nearly full storage, from the last sync and the health checks.",
    },
    async () => message("Optimize the cluster's capacity", await optimizeText(scope)),
  );
  server.registerPrompt(
    "plan",
    {
      title: "Plan a change",
      description: "Turn a requested change into proxmox-mpc commands, with the current state and the available commands as context.",
      argsSchema: { change: z.string().min(1).describe("the change wanted, e.g. \"add a 4-core VM db-02 on pve2 with 8 GiB\"") },
    },
    async ({ change }) => message("Plan a change to the cluster", await planText(scope, change)),
  );
}

async function troubleshootText(scope: McpScope, symptom: string): Promise<string> {
  const [health, errors, status, guests] = await Promise.all([
    part<HealthReport>(scope, "health"),
    part<LogEntry[]>(scope, "logs", [], { level: "error", since: "2h", limit: 50 }),
    part<StatusData>(scope, "status"),
    guestsPart(scope),
  ]);
  const mentioned = guests.ok ? guests.data.filter((g) => symptom.includes(g.name) || new RegExp(`\\b${g.vmid}\\b`).test(symptom)) : [];
  return [
    `You are troubleshooting the Proxmox VE cluster of the proxmox-mpc workspace "${scope.workspace.name}".`,
    "",
    "## Symptom",
    symptom,
    ...(mentioned.length ? ["", "## Guests named in the symptom", ...guestLines(mentioned)] : []),
    "",
    "## Health checks (now)",
    ...section(health, healthLines),
    "",
    "## Errors in the logs (last 2 hours)",
    ...section(errors, logLines),
    "",
    "## Last sync and drift",
    ...section(status, statusLines),
    "",
    "## What to do",
    "Find the most likely cause from the evidence above; say which facts support it and what is still unknown. Suggest the next read-only checks (for example `logs --correlation ID`, `describe vm NAME`, `health`, `sync`) before any fix, then the fix as proxmox-mpc commands.",
    "",
    HOW_TO_ACT,
  ].join("\n");
}

async function optimizeText(scope: McpScope): Promise<string> {
  const [nodes, guests, storage, health] = await Promise.all([part<NodeRow[]>(scope, "get", ["nodes"]), guestsPart(scope), part<StorageRow[]>(scope, "get", ["storage"]), part<HealthReport>(scope, "health")]);
  const guestRows = guests.ok ? guests.data : [];
  const stopped = guestRows.filter((g) => g.status === "stopped" && !g.template);
  const stoppedPart: Part<GuestRow[]> = guests.ok ? { ok: true, data: stopped, shown: [] } : guests;
  const clusterChecks: Part<HealthReport> = health.ok ? { ...health, data: { ...health.data, checks: health.data.checks.filter((c) => c.group === "cluster" || c.group === "state") } } : health;
  return [
    `You are reviewing the capacity of the Proxmox VE cluster of the proxmox-mpc workspace "${scope.workspace.name}" (data from its last sync).`,
    "",
    "## Nodes: load and what their running guests are given",
    ...section(nodes, (rows) => capacityLines(rows, guestRows)),
    "",
    `## Stopped guests (${stopped.length}, templates left out): candidates to remove or to shrink`,
    ...section(stoppedPart, (rows) => guestLines(rows)),
    "",
    "## Storage usage (fullest first)",
    ...section(storage, storageLines),
    "",
    "## Cluster and state health checks",
    ...section(clusterChecks, healthLines),
    "",
    "## What to do",
    "Point out memory overcommit, nodes out of balance, stopped guests that hold resources, and storage that is nearly full. For each finding give the evidence and a concrete change (move, resize, stop, delete, free space) as proxmox-mpc commands or IaC edits, the safest first.",
    "",
    HOW_TO_ACT,
  ].join("\n");
}

async function planText(scope: McpScope, change: string): Promise<string> {
  const [status, nodes, storage, guests] = await Promise.all([part<StatusData>(scope, "status"), part<NodeRow[]>(scope, "get", ["nodes"]), part<StorageRow[]>(scope, "get", ["storage"]), guestsPart(scope)]);
  const guestRows = guests.ok ? guests.data : [];
  return [
    `You are planning a change to the Proxmox VE cluster of the proxmox-mpc workspace "${scope.workspace.name}".`,
    "",
    "## The change requested",
    change,
    "",
    "## Current state",
    ...section(status, statusLines),
    "",
    "Nodes:",
    ...section(nodes, (rows) => capacityLines(rows, guestRows)),
    "",
    "Storage:",
    ...section(storage, storageLines),
    "",
    `Guests (${guestRows.length}):`,
    ...section(guests, (rows) => guestLines(rows, 30)),
    "",
    `## proxmox-mpc commands (this server is ${scope.policy.allowWrite ? "started with --allow-write: the mutating tools are available" : "read-only: propose mutating commands for the user to run, or to run after restarting it with --allow-write"})`,
    ...commandLines(),
    "",
    "## What to do",
    "Write the plan as numbered steps: what to check first, the IaC files to create or edit, the proxmox-mpc commands in order (with their flags), then `plan` to review the diff and `apply` to make it real. Say what could go wrong (capacity, names or vmids in use, drift that the apply would also change) and how to roll back.",
    "",
    HOW_TO_ACT,
  ].join("\n");
}

/** Every command of the registry a person or a tool may run, with its kind for MCP and an example. */
function commandLines(): string[] {
  return COMMANDS.filter((c) => !c.hidden).map((c) => {
    const kind = c.mcp.tool === false ? "not a tool" : `${c.mcp.tool} tool`;
    return `- ${c.name} (${kind}): ${c.summary} — e.g. \`${c.examples[0]}\``;
  });
}


/** One user message, secrets removed. */
function message(description: string, text: string): GetPromptResult {
  return { description, messages: [{ role: "user", content: { type: "text", text: redactString(text) } }] };
}
