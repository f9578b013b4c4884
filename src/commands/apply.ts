/**
 * `apply`: plan, show the plan, confirm, carry it out, then refresh the store
 * and the IaC (a sync). One apply at a time per workspace.
 */
import { driftFingerprint, recordDrift } from "../core/drift.js";
import { asProxmoxMpcError } from "../core/errors.js";
import type { ApplyResult, EnginePlan, PlanChange } from "../engine/types.js";
import { defineCommand } from "./define.js";
import { ENGINE_OPTION } from "./engine-context.js";
import { defineOptions, negated, type OptionsOf } from "./options.js";
import { noteDrift, planJson, planText } from "./plan.js";
import { requireWorkspace } from "./context.js";
import type { CommandContext, CommandResult } from "./types.js";
import { declined } from "../core/result.js";

export interface ApplyRequest {
  targets?: string[];
  destroy?: boolean;
  engine?: OptionsOf<typeof APPLY_OPTIONS>["engine"];
  /** Skip the refresh (sync) after a successful apply. */
  noRefresh?: boolean;
  /** Workspace changes that belong to this apply (delete --apply removes the IaC of what it destroys). */
  followUp?: ApplyFollowUp;
}

/**
 * What a command does to the workspace once the server has done its part:
 * shown with the plan, confirmed with it, and carried out only after the
 * server operations succeeded, for exactly the changes that succeeded.
 */
export interface ApplyFollowUp {
  /** Lines shown after the plan ("Then removes terraform/web_01.tf …"). */
  describe: string[];
  /** The question when the cluster has nothing to do (e.g. the guests were never created). */
  question: string;
  /** Called once after the apply: the changes planned, those carried out (all of them when `ok`), and whether the whole apply succeeded. */
  run(outcome: { planned: PlanChange[]; done: PlanChange[]; ok: boolean }): Promise<string[]>;
}

const APPLY_OPTIONS = defineOptions({ engine: ENGINE_OPTION, refresh: negated("--no-refresh", "do not sync after applying") });

export const applyCommand = defineCommand({
  name: "apply",
  summary: "Carry out the plan: create, change and delete guests so the cluster matches the IaC",
  description:
    "Shows the plan and asks for confirmation (--yes skips it; --no-input without --yes refuses). A failed step stops the apply and reports what was done; run apply again to continue. Afterwards the store and the IaC files are refreshed with a sync.",
  examples: ["proxmox-mpc apply", "proxmox-mpc apply --yes", "proxmox-mpc apply web-01 --engine native"],
  arguments: [{ name: "names", description: "only these guests", variadic: true, completion: "guest" }],
  options: APPLY_OPTIONS,
  workspace: "required",
  mcp: { tool: "destructive" },
  slash: true,
  run: (ctx, input) => runApply(ctx, { targets: input.args.length ? input.args : undefined, engine: input.options.engine, noRefresh: !input.options.refresh }),
});

/** Plan → confirm → apply → refresh, under the workspace's apply lock (also used by destroy, create --apply, delete --apply). */
export async function runApply(ctx: CommandContext, request: ApplyRequest): Promise<CommandResult> {
  requireWorkspace(ctx);
  const store = await ctx.services.store();
  const lock = await store.locks.acquire("apply", { correlationId: ctx.correlationId });
  try {
    const { engine, context: ectx } = await ctx.services.engine(request.engine);
    const plan = await ctx.metrics.timed("plan", () => engine.plan(ectx, { targets: request.targets, destroy: request.destroy }));
    const total = plan.changes.length;
    if (!request.destroy) noteDrift(ctx, plan, request.targets, !request.targets);
    const followUp = request.followUp;
    if (total === 0 && !followUp) return { kind: "data", data: { ...planJson(plan), applied: false }, text: planText(plan) };
    // terraform streamed its plan already; the native engine's plan is shown here.
    if (total > 0) ctx.ui.info(plan.engine === "terraform" ? planText({ ...plan, text: "" }).trim() : planText(plan));
    for (const line of followUp?.describe ?? []) ctx.ui.info(line);
    if (!(await ctx.ui.confirm(total ? applyQuestion(plan.summary, total, request.destroy) : followUp!.question))) {
      return declined();
    }
    if (total === 0) {
      const lines = await followUp!.run({ planned: [], done: [], ok: true });
      return { kind: "data", data: { ...planJson(plan), applied: true, ok: true, steps: [] }, text: lines.join("\n") };
    }
    const result = await ctx.metrics.timed("apply", () => engine.apply(ectx, plan)).catch((err: unknown) => {
      applyDone(ctx, plan, { ok: false, steps: [], text: "" }, err);
      throw err;
    });
    applyDone(ctx, plan, result);
    const data = { ...planJson(plan), applied: true, ok: result.ok, steps: result.steps };
    if (result.ok && !request.targets && !request.destroy) recordDrift(requireWorkspace(ctx).paths, plan.engine, { create: 0, update: 0, delete: 0, replace: 0 }, driftFingerprint([]));
    let text = result.text;
    if (followUp) {
      const done = result.ok ? plan.changes : result.steps.filter((s) => s.status === "done").map((s) => s.change);
      const lines = await followUp.run({ planned: plan.changes, done, ok: result.ok });
      if (lines.length) text += `\n${lines.join("\n")}`;
    }
    if (!result.ok) return { kind: "data", data, text, exitCode: ctx.signal.aborted ? 130 : 1 };
    if (!request.noRefresh) text += `\n${await refresh(ctx)}`;
    return { kind: "data", data, text };
  } finally {
    await lock.release();
  }
}

/** apply.done: how it ended and what it did (a replace counts as created and destroyed, as terraform counts it). */
function applyDone(ctx: CommandContext, plan: EnginePlan, result: ApplyResult, error?: unknown): void {
  const done = (...actions: string[]) => result.steps.filter((s) => s.status === "done" && actions.includes(s.change.action)).length;
  const thrown = error === undefined ? undefined : asProxmoxMpcError(error);
  const outcome = result.ok ? "ok" : ctx.signal.aborted || thrown?.code === "cancelled" ? "cancelled" : "failed";
  const failed = result.steps.filter((s) => s.status === "failed").map((s) => s.change.name);
  const counts = { created: done("create", "replace"), changed: done("update"), destroyed: done("delete", "replace"), failed: failed.length };
  ctx.events.emit("apply.done", { result: outcome, engine: plan.engine, ...counts, failedNames: failed, ...(thrown ? { error: thrown.message } : {}) }, ctx.correlationId);
}

/** "Apply these 3 changes (1 guest will be DESTROYED)?" */
function applyQuestion(summary: Record<string, number>, total: number, destroy: boolean | undefined): string {
  const deletes = (summary.delete ?? 0) + (summary.replace ?? 0);
  const what = total === 1 ? "this change" : `these ${total} changes`;
  return `${destroy ? "Destroy" : "Apply"} ${what}${deletes ? ` (${deletes} guest${deletes === 1 ? "" : "s"} will be DESTROYED)` : ""}?`;
}

/** The sync after a successful apply, so the store and the IaC match the cluster; its trouble is a warning, not a failed apply. */
async function refresh(ctx: CommandContext): Promise<string> {
  ctx.ui.info("Refreshing the store and the IaC files (sync)…");
  const { syncInContext } = await import("./sync.js");
  try {
    const report = await syncInContext(ctx, { waitMs: 30_000 });
    if (!report.stale.length) return "Store and IaC refreshed.";
    const names = report.stale.map((g) => `${g.name} (${g.vmid})`).join(", ");
    ctx.ui.warn(`The refresh could not read ${names}; run \`proxmox-mpc sync\` to complete it.`);
    return `Store and IaC refreshed, except ${names} (partial).`;
  } catch (err) {
    ctx.ui.warn(`The refresh failed (${err instanceof Error ? err.message : err}); run \`proxmox-mpc sync\`.`);
    return "The store and the IaC were not refreshed.";
  }
}
