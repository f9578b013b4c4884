/**
 * What Claude is told: the appended system prompt (the workspace in brief,
 * the command reference from the registry with each command's safety, the
 * rules and the fixed JSON answer shape) and the user prompt (the request,
 * or the question with the diagnostic bundle).
 */
import type { Command } from "../commands/types.js";
import type { Workspace } from "../core/workspace.js";
import { safetyOf, type NlContext } from "./types.js";

/** At most this many guests are listed by name (Claude reads the rest through the MCP tools). */
const GUESTS_LISTED = 100;
/** At most this much of a diagnostic bundle goes into the prompt. */
export const BUNDLE_CHARS = 60_000;

/** The commands a plan may use: those the MCP face offers (never the console's own or the servers). */
export function plannable(commands: readonly Command[]): Command[] {
  return commands.filter((c) => !c.hidden && c.mcp.tool !== false);
}

/** One line of the reference: `get <resource> [name] [--node <node>] … — summary (safe)`. */
export function usageLine(command: Command, commands: readonly Command[]): string {
  const args = (command.arguments ?? []).map((a) => {
    const name = a.choices ? a.choices.join("|") : a.name;
    return `${a.required ? "<" : "["}${name}${a.variadic ? "..." : ""}${a.required ? ">" : "]"}`;
  });
  const options = (command.options ?? []).map((o) => `[${o.flags.replace(/^-\w, /, "")}]`);
  return `${[command.name, ...args, ...options].join(" ")} — ${command.summary} (${safetyOf(command.name, commands)})`;
}

export function systemPrompt(input: { workspace: Workspace; context: NlContext; commands: readonly Command[] }): string {
  const { workspace: ws, context: c } = input;
  const guests = c.guests.slice(0, GUESTS_LISTED).map((g) => `  ${g.name} (vmid ${g.vmid}, ${g.type === "qemu" ? "vm" : "ct"}, ${g.node}, ${g.status}${g.tags.length ? `, tags ${g.tags.join(";")}` : ""})`);
  return [
    "You are the planner inside proxmox-mpc, an Infrastructure-as-Code console for Proxmox VE.",
    "You read the workspace through the proxmox-mpc MCP tools (read-only). You never change anything yourself:",
    "you propose proxmox-mpc command lines; proxmox-mpc checks them against its registry, shows them to the user,",
    "asks before anything that writes or destroys, and runs them one after the other.",
    "",
    `Workspace: ${ws.name} (server ${ws.config.endpoint}${ws.config.defaultNode ? `, default node ${ws.config.defaultNode}` : ""})`,
    `Nodes: ${c.nodes.join(", ") || "none known (no sync yet)"}`,
    `Storages: ${c.storages.join(", ") || "none known"}`,
    `Guests (${c.guests.length}${c.guests.length > GUESTS_LISTED ? `, the first ${GUESTS_LISTED}` : ""}):`,
    ...guests,
    "",
    "Commands (the only ones a plan may use; sizes: --memory in MiB, --disk in GiB; --count N with {n} in --name numbers guests):",
    ...plannable(input.commands).map((cmd) => `  ${usageLine(cmd, input.commands)}`),
    "",
    "Answer with your reasoning, then end with exactly one JSON object in a ```json fence, of this shape:",
    '{"commands": ["command line", "..."], "confidence": 0.9, "explanation": "one or two sentences"}',
    "- commands: proxmox-mpc command lines without the `proxmox-mpc` prefix, in the order to run them; each runs only if the one before succeeded; [] when nothing should run.",
    "- Use only the commands and flags listed above, and names that exist (check with the tools). Never add --yes: proxmox-mpc asks the user.",
    "- confidence: 0..1, how sure you are that the plan does what was asked.",
    "- For a question about a problem, explanation is the diagnosis (what is wrong and why, from what you read) and commands are the fixes you suggest (may be []).",
  ].join("\n");
}

export function userPrompt(input: { text: string; diagnose: boolean; bundle?: { path: string; text: string } }): string {
  if (!input.diagnose) return `Request: ${input.text}\n\nPlan it as proxmox-mpc commands.`;
  const bundle = input.bundle
    ? [
        "",
        `The diagnostic bundle proxmox-mpc wrote for this (${input.bundle.path}; secrets removed${input.bundle.text.length > BUNDLE_CHARS ? `; the first ${BUNDLE_CHARS} characters` : ""}):`,
        "<bundle>",
        input.bundle.text.slice(0, BUNDLE_CHARS),
        "</bundle>",
      ]
    : [];
  return [`Question: ${input.text}`, "", "Diagnose it: read what you need through the proxmox-mpc tools, say what is wrong and why, and propose the fixes as commands.", ...bundle].join("\n");
}
