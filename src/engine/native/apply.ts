/**
 * The native apply: the plan's steps in dependency order (a clone after the
 * creation of its template, deletes after everything else, templates
 * destroyed last), at most 4 at once and 2 per node, one step per guest.
 * A failure or Ctrl-C stops it; the result says exactly what was done, what
 * failed (exit status and log tail of the task) and what was not started.
 */
import { UsageError } from "../../core/errors.js";
import { TaskFailedError } from "../../proxmox/errors.js";
import type { ApplyResult, EngineContext, EnginePlan } from "../types.js";
import { NOT_STARTED, renderApply } from "./render.js";
import { runJobs, type Job, type JobOutcome } from "./scheduler.js";
import { readManaged } from "./state.js";
import { runStep, type StepEnv } from "./steps.js";
import { isAbort, type TaskRunner } from "./tasks.js";
import { PLAN_DATA, type NativeChange, type NativePlan, type NativeStepResult, type PlanItem } from "./types.js";

/** Steps at once, overall and per node. */
export const MAX_PARALLEL = 4;
export const MAX_PER_NODE = 2;

/** Tuning for tests and benchmarks (task polling, lock backoff). */
export type ApplyTuning = Pick<TaskRunner, "pollMs" | "lockAttempts" | "lockBackoffMs">;

/** Carry out a native plan (the caller has confirmed it). */
export async function applyNative(ctx: EngineContext, plan: EnginePlan, tuning: ApplyTuning = {}): Promise<ApplyResult> {
  const data = (plan as NativePlan)[PLAN_DATA];
  if (!data) {
    throw new UsageError("This plan was not made by the native engine in this session.", "Run plan again with --engine native, then apply it.", "foreign-plan");
  }
  const keyOf = (c: Pick<NativeChange, "action" | "vmid" | "name">): string => `${c.action}:${c.vmid}:${c.name}`;
  const wanted = new Set(plan.changes.map(keyOf));
  const items = data.items.filter((i) => wanted.has(keyOf(i.change)));
  if (!items.length) return { ok: true, steps: [], text: "No changes. Nothing to apply." };
  const client = await ctx.client();
  const managed = new Set((await readManaged(ctx.root)).keys());
  const total = items.length;
  const spinner = ctx.ui.spinner(`Applying ${total} change${total === 1 ? "" : "s"}…`);
  let counter = 0;
  const jobs: Job[] = items.map((item) => ({
    nodes: [...new Set([item.live?.node, item.spec?.node].filter((n): n is string => typeof n === "string"))],
    after: dependencies(item, items),
    run: async () => {
      const no = ++counter;
      const env: StepEnv = {
        client,
        signal: ctx.signal,
        log: ctx.log,
        metrics: ctx.metrics,
        root: ctx.root,
        managed,
        progress: (text) => spinner.update(`[${no}/${total}] ${text}…`),
        ...tuning,
      };
      const phase = `apply.${item.change.action}`;
      const started = performance.now();
      ctx.log.info({ phase, action: item.change.action, vmid: item.change.vmid, guest: item.change.name }, "apply step started");
      await runStep(env, item);
      const ms = performance.now() - started;
      ctx.metrics?.phase(phase, ms);
      ctx.log.info({ phase, action: item.change.action, vmid: item.change.vmid, guest: item.change.name, durationMs: Math.round(ms) }, "apply step done");
    },
  }));
  const outcomes = await runJobs(jobs, { parallel: MAX_PARALLEL, perNode: MAX_PER_NODE, signal: ctx.signal, isAbort: (e) => isAbort(e, ctx.signal) });
  const steps = items.map((item, i) => stepResult(item.change, outcomes[i]));
  for (const s of steps) if (s.status === "failed") ctx.log.error({ phase: `apply.${s.change.action}`, guest: s.change.name, action: s.change.action, exitStatus: s.exitStatus }, s.message ?? "step failed");
  const ok = steps.every((s) => s.status === "done");
  const text = renderApply(steps);
  const last = text.split("\n").pop();
  // On success the summary is the result's own last line (printed once, by the face); a failure is said here too.
  if (ok) spinner.stop();
  else spinner.fail(last);
  return { ok, steps, text };
}

/** Which steps must be done before this one. */
function dependencies(item: PlanItem, items: PlanItem[]): number[] {
  const after: number[] = [];
  const { action } = item.change;
  items.forEach((other, j) => {
    if (other === item) return;
    const src = item.cloneSource?.vmid;
    if ((action === "create" || action === "replace") && src !== undefined && other.change.vmid === src) after.push(j);
    if (action === "delete") {
      // Nothing is destroyed until everything else has succeeded; templates go after the guests that may be their linked clones.
      if (other.change.action !== "delete") after.push(j);
      else if (item.live?.template && !other.live?.template) after.push(j);
    }
  });
  return after;
}

function stepResult(change: NativeChange, outcome: JobOutcome): NativeStepResult {
  switch (outcome.status) {
    case "done":
      return { change, status: "done" };
    case "skipped":
      return { change, status: "skipped", message: "not started: an earlier step failed" };
    case "cancelled":
      return {
        change,
        status: "cancelled",
        message:
          outcome.error === undefined
            ? NOT_STARTED
            : "interrupted while in progress; its task may still finish in Proxmox (run plan again to see where it stands)",
      };
    case "failed": {
      const error = outcome.error;
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof TaskFailedError) return { change, status: "failed", message, exitStatus: error.exitStatus, log: error.logTail };
      return { change, status: "failed", message };
    }
  }
}
