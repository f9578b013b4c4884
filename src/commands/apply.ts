/**
 * `apply`: plan, show the plan, confirm, carry it out, then refresh the store
 * and the IaC (a sync). One apply at a time per workspace.
 */
import { recordDrift } from "../core/drift.js";
import { ENGINE_OPTION, engineContext, pickEngine } from "./engine-context.js";
import { planJson, planText } from "./plan.js";
import { getStore, requireWorkspace } from "./services.js";
import type { Command, CommandContext, CommandResult } from "./types.js";

export interface ApplyRequest {
  targets?: string[];
  destroy?: boolean;
  engine?: unknown;
  /** Skip the refresh (sync) after a successful apply. */
  noRefresh?: boolean;
}

export const applyCommand: Command = {
  name: "apply",
  summary: "Carry out the plan: create, change and delete guests so the cluster matches the IaC",
  description:
    "Shows the plan and asks for confirmation (--yes skips it; --no-input without --yes refuses). A failed step stops the apply and reports what was done; run apply again to continue. Afterwards the store and the IaC files are refreshed with a sync.",
  examples: ["proxmox-mpc apply", "proxmox-mpc apply --yes", "proxmox-mpc apply web-01 --engine native"],
  arguments: [{ name: "names", description: "only these guests", variadic: true, completion: "guest" }],
  options: [ENGINE_OPTION, { flags: "--no-refresh", description: "do not sync after applying" }],
  workspace: "required",
  slash: true,
  run: (ctx, input) => runApply(ctx, { targets: input.args.length ? input.args : undefined, engine: input.options.engine, noRefresh: input.options.refresh === false }),
};

/** Plan → confirm → apply → refresh, under the workspace's apply lock (also used by destroy, create --apply, delete --apply). */
export async function runApply(ctx: CommandContext, request: ApplyRequest): Promise<CommandResult> {
  requireWorkspace(ctx);
  const store = await getStore(ctx);
  const lock = await store.locks.acquire("apply", { correlationId: ctx.correlationId });
  try {
    const engine = await pickEngine(ctx, request.engine);
    const ectx = engineContext(ctx);
    const plan = await engine.plan(ectx, { targets: request.targets, destroy: request.destroy });
    const total = plan.changes.length;
    if (!request.targets && !request.destroy) recordDrift(requireWorkspace(ctx).paths, plan.engine, plan.summary);
    if (total === 0) return { kind: "data", data: { ...planJson(plan), applied: false }, text: planText(plan) };
    // terraform streamed its plan already; the native engine's plan is shown here.
    ctx.ui.info(plan.engine === "terraform" ? planText({ ...plan, text: "" }).trim() : planText(plan));
    const verb = request.destroy ? "Destroy" : "Apply";
    const deletes = plan.summary.delete + plan.summary.replace;
    const what = total === 1 ? "this change" : `these ${total} changes`;
    const question = `${verb} ${what}${deletes ? ` (${deletes} guest${deletes === 1 ? "" : "s"} will be DESTROYED)` : ""}?`;
    if (!(await ctx.ui.confirm(question))) return { kind: "message", text: "Nothing was changed.", exitCode: 1 };
    const result = await engine.apply(ectx, plan);
    const data = { ...planJson(plan), applied: true, ok: result.ok, steps: result.steps };
    if (result.ok && !request.targets && !request.destroy) recordDrift(requireWorkspace(ctx).paths, plan.engine, { create: 0, update: 0, delete: 0, replace: 0 });
    if (!result.ok) return { kind: "data", data, text: result.text, exitCode: ctx.signal.aborted ? 130 : 1 };
    let text = result.text;
    if (!request.noRefresh) {
      const { syncCommand } = await import("./sync.js");
      ctx.ui.info("Refreshing the store and the IaC files (sync)…");
      const refreshed = await syncCommand.run(ctx, { args: [], options: { wait: 30 } }).catch((err: unknown) => {
        ctx.ui.warn(`The refresh failed (${err instanceof Error ? err.message : err}); run \`proxmox-mpc sync\`.`);
        return undefined;
      });
      if (refreshed?.kind === "data") text += "\nStore and IaC refreshed.";
    }
    return { kind: "data", data, text };
  } finally {
    await lock.release();
  }
}
