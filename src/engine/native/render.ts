/**
 * Human renderings, Terraform style: the plan (`+ create`, `~ update
 * in-place`, `- destroy`, `-/+ replace` with field lines and a summary
 * line) and the outcome of an apply (what was done, what failed with the
 * task's exit status and log tail, what was not started).
 */
import type { ChangeAction } from "../types.js";
import { showValue } from "./fields.js";
import type { NativeChange, NativePlan, NativeStepResult } from "./types.js";

const HEAD: Record<ChangeAction, string> = { create: "  + create", update: "  ~ update in-place", delete: "  - destroy", replace: "-/+ replace" };

/** "web-01 (qemu 105 on pve1)". */
export function describeChange(change: NativeChange): string {
  const extra = change.cloneOf !== undefined && change.action === "create" ? `, clone of ${change.cloneOf}` : "";
  return `${change.name || `guest ${change.vmid}`} (${change.type} ${change.vmid ?? "?"} on ${change.node ?? "?"}${extra})`;
}

/** The plan as text, no trailing newline. */
export function renderPlan(plan: Pick<NativePlan, "changes" | "summary" | "unsupported">): string {
  const lines: string[] = [];
  for (const change of plan.changes) {
    lines.push(`${HEAD[change.action]}  ${describeChange(change)}${change.reason ? `: ${change.reason}` : ""}`);
    if (change.action === "delete") continue;
    for (const [field, [from, to]] of Object.entries(change.diff)) {
      lines.push(change.action === "create" ? `      + ${field} = ${showValue(to)}` : `      ~ ${field}: ${showValue(from)} → ${showValue(to)}`);
    }
  }
  if (plan.unsupported.length) {
    if (lines.length) lines.push("");
    lines.push("Not applied by the native engine (use --engine terraform for these):");
    for (const u of plan.unsupported) lines.push(`  ${u.name}${u.file ? ` (${u.file})` : ""}: ${u.argument}`);
  }
  if (lines.length) lines.push("");
  const s = plan.summary;
  lines.push(
    plan.changes.length
      ? `Plan: ${s.create} to add, ${s.update} to change, ${s.delete} to destroy, ${s.replace} to replace.`
      : "No changes. Your infrastructure matches the configuration.",
  );
  return lines.join("\n");
}

const DONE: Record<ChangeAction, string> = { create: "created", update: "updated", delete: "destroyed", replace: "replaced" };
/** The message of a step that never started because of Ctrl-C. */
export const NOT_STARTED = "not started";
const VERB: Record<ChangeAction, string> = { create: "create", update: "update", delete: "destroy", replace: "replace" };

/** The outcome of an apply as text, no trailing newline. */
export function renderApply(steps: NativeStepResult[]): string {
  const lines: string[] = [];
  const count = { done: 0, failed: 0, interrupted: 0, notStarted: 0 };
  const added = { create: 0, update: 0, delete: 0, replace: 0 };
  for (const step of steps) {
    const what = describeChange(step.change);
    const action = step.change.action;
    if (step.status === "done") {
      count.done++;
      added[action]++;
      lines.push(`  ✓ ${DONE[action]}  ${what}`);
    } else if (step.status === "failed") {
      count.failed++;
      lines.push(`  ✗ failed to ${VERB[action]}  ${what}: ${step.message ?? "unknown error"}`);
      if (step.exitStatus) lines.push(`      exit status: ${step.exitStatus}`);
      for (const line of step.log ?? []) lines.push(`      | ${line}`);
    } else if (step.status === "cancelled" && step.message !== NOT_STARTED) {
      count.interrupted++;
      lines.push(`  ! interrupted: ${VERB[action]}  ${what}: ${step.message ?? "cancelled"}`);
    } else {
      count.notStarted++;
      lines.push(`  · not started: ${VERB[action]}  ${what}`);
    }
  }
  if (count.failed || count.interrupted || count.notStarted) {
    const head = count.failed ? "Apply failed" : "Apply cancelled";
    const interrupted = count.interrupted ? `${count.interrupted} interrupted, ` : "";
    lines.push(
      `${head}: ${count.done} done, ${count.failed} failed, ${interrupted}${count.notStarted} not started. Run plan again: it starts from where this apply stopped.`,
    );
  } else {
    lines.push(`Apply complete! Resources: ${added.create} added, ${added.update} changed, ${added.delete} destroyed, ${added.replace} replaced.`);
  }
  return lines.join("\n");
}
