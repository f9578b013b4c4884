/**
 * `ask "ENGLISH"`: natural language → proxmox-mpc commands, shown before they
 * run. A command never loads a face: this one checks its input and returns an
 * `ask` result, which the shell face hands to the natural-language face
 * (src/nl/face.ts) that the entry point or the console injects. The face
 * picks the engine (claude | local), validates every proposed command against
 * the registry, asks before anything that writes, and runs the steps.
 */
import { UsageError } from "../core/errors.js";
import { requireWorkspace } from "./context.js";
import { defineCommand } from "./define.js";
import { choice, defineOptions, flag } from "./options.js";

export const askCommand = defineCommand({
  name: "ask",
  summary: "Plain English → proxmox-mpc commands: shown, confirmed, then run step by step",
  description:
    "The request goes to an engine: claude (Claude Code headless, reading the workspace through the read-only MCP server) or local (offline). --engine picks one; else the workspace's ai.engine; else claude when `claude` is on PATH, else local. Every proposed command is checked by the registry before anything runs; the plan is shown with each step's safety; anything that writes or destroys asks first (--yes answers). A question (\"why is web-01 down?\") asks Claude for a diagnosis. See docs/natural-language.md.",
  arguments: [{ name: "request", description: "what you want, in English (quote it)", required: true, variadic: true }],
  examples: ['proxmox-mpc ask "list the running vms on pve1"', 'proxmox-mpc ask --dry-run -o json "create 3 web VMs with 4 cores and 8GB RAM"', 'proxmox-mpc ask --engine claude "why is web-01 down?"'],
  options: defineOptions({
    engine: choice("--engine <engine>", "which engine answers (default: ai.engine, else claude when on PATH, else local)", ["local", "claude"]),
    dryRun: flag("--dry-run", "show the plan; run nothing (-o json prints the plan object)"),
  }),
  workspace: "required",
  mcp: { tool: false, why: "is the natural-language face itself; an MCP client is the AI and calls the tools directly" },
  record: false,
  async run(ctx, input) {
    const ws = requireWorkspace(ctx);
    const text = input.args.join(" ").trim();
    if (!text) throw new UsageError("Say what you want: ask needs a request in English.", 'For example: proxmox-mpc ask "list the running vms".');
    return { kind: "ask", request: { text, engine: input.options.engine, dryRun: input.options.dryRun === true, root: ws.paths.root, cwd: ctx.cwd, mode: "auto" } };
  },
});
