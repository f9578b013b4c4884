/** `plan`: show the difference between the IaC files and the cluster. */
import { driftFingerprint, readDrift, recordDrift } from "../core/drift.js";
import type { EnginePlan } from "../engine/types.js";
import { defineCommand } from "./define.js";
import { ENGINE_OPTION } from "./engine-context.js";
import { defineOptions } from "./options.js";
import type { CommandContext } from "./types.js";

export const planCommand = defineCommand({
  name: "plan",
  summary: "Show what apply would change: the IaC files against the cluster",
  description:
    "With terraform on PATH (or --engine terraform) runs `terraform plan` in terraform/ with live output; otherwise (or --engine native) proxmox-mpc reads the same .tf files and compares them with a fresh read of the cluster. -o json prints {changes: [{action, type, name, vmid, node, diff}], summary} for both engines.",
  examples: ["proxmox-mpc plan", "proxmox-mpc plan --engine native -o json", "proxmox-mpc plan web-01 web-02"],
  arguments: [{ name: "names", description: "only these guests", variadic: true, completion: "guest" }],
  options: defineOptions({ engine: ENGINE_OPTION }),
  workspace: "required",
  mcp: { tool: "read" },
  slash: true,
  async run(ctx, input) {
    const { engine, context } = await ctx.services.engine(input.options.engine);
    const plan = await ctx.metrics.timed("plan", () => engine.plan(context, { targets: input.args.length ? input.args : undefined }));
    noteDrift(ctx, plan, input.args, !input.args.length);
    // terraform's own plan output was streamed while it ran; do not print it twice.
    const text = plan.engine === "terraform" ? planText({ ...plan, text: summaryLine(plan) }) : planText(plan);
    return { kind: "data", data: planJson(plan), text };
  },
});

/** Changes a drift.found event lists at most (its count is always whole). */
const MAX_DRIFT_ITEMS = 50;

/**
 * After a plan (`plan`, and `apply` before it asks): a whole plan (`record`) keeps its drift in
 * drift.json; drift.found is emitted when the plan has changes and they differ (guests, actions)
 * from the drift recorded before it — the same drift planned again is not announced again.
 * `targets`: the guests the plan was limited to.
 */
export function noteDrift(ctx: CommandContext, plan: EnginePlan, targets: string[] | undefined, record: boolean): void {
  const paths = ctx.workspace?.paths;
  const fingerprint = driftFingerprint(plan.changes);
  const previous = paths ? readDrift(paths) : undefined;
  if (paths && record) recordDrift(paths, plan.engine, plan.summary, fingerprint);
  if (plan.changes.length && previous?.fingerprint !== fingerprint) announceDrift(ctx, plan, targets ?? []);
}

/** drift.found: the plan's changes (at most MAX_DRIFT_ITEMS of them). */
function announceDrift(ctx: CommandContext, plan: EnginePlan, targets: string[]): void {
  const items = plan.changes.slice(0, MAX_DRIFT_ITEMS).map((c) => ({ name: c.name, kind: c.type === "qemu" ? "vm" : "ct", what: c.action, fields: Object.keys(c.diff) }));
  const more = plan.changes.length - items.length;
  ctx.events.emit("drift.found", { count: plan.changes.length, items, ...(more ? { more } : {}), summary: plan.summary, engine: plan.engine, ...(targets.length ? { targets } : {}) }, ctx.correlationId);
}

/** `Plan: 1 to add, …` in Terraform's words. */
export function summaryLine(plan: EnginePlan): string {
  const s = plan.summary;
  if (!plan.changes.length) return "No changes.";
  return `Plan: ${s.create + s.replace} to add, ${s.update} to change, ${s.delete + s.replace} to destroy.`;
}

/** The machine form of a plan (`-o json`). */
export function planJson(plan: EnginePlan): Record<string, unknown> {
  return { engine: plan.engine, changes: plan.changes, summary: plan.summary, unsupported: plan.unsupported, warnings: plan.warnings };
}

/** The human form: the engine's text, then what it cannot do. */
export function planText(plan: EnginePlan): string {
  const lines = [plan.text];
  if (plan.unsupported.length) {
    lines.push("", "Not supported by the native engine (these arguments are NOT applied; use --engine terraform):");
    for (const u of plan.unsupported) lines.push(`  ! ${u.name}${u.file ? ` (${u.file})` : ""}: ${u.argument}`);
  }
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  return lines.join("\n");
}
