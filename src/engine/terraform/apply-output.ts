/**
 * Following `terraform apply` by its output: which resources completed
 * ("…: Creation complete after 2s [id=100]"), which one an error names
 * ("Error: …" then "with ADDRESS,"), and the final "Apply complete!" line.
 * That is what turns one terraform run into per-guest step results.
 */
import type { ApplyResult, PlanChange, StepResult } from "../types.js";

type Done = "create" | "update" | "delete" | "import";
const COMPLETE = /^(\S+): (Creation|Modifications|Destruction|Import) complete\b/;
const KIND: Record<string, Done> = { Creation: "create", Modifications: "update", Destruction: "delete", Import: "import" };
const ERROR = /^(?:│\s*)?Error: (.+)$/;
const WITH = /^(?:│\s*)?\s*with ([^,\s]+),$/;

/** Collects apply output lines as they arrive. */
export class ApplyTracker {
  private readonly done = new Map<string, Set<Done>>();
  private readonly errors = new Map<string, string>();
  private lastError?: string;
  /** The first error not tied to a resource (e.g. "Saved plan is stale"). */
  generalError?: string;
  /** terraform's "Apply complete! Resources: …" line. */
  completeLine?: string;

  /** Feed one line of stdout or stderr. */
  line(text: string): void {
    const complete = COMPLETE.exec(text);
    if (complete) {
      const set = this.done.get(complete[1]) ?? new Set<Done>();
      set.add(KIND[complete[2]]);
      this.done.set(complete[1], set);
      return;
    }
    if (/^(Apply|Destroy) complete!/.test(text)) this.completeLine = text.trim();
    const error = ERROR.exec(text);
    if (error) {
      this.lastError = error[1].trim();
      this.generalError ??= this.lastError;
      return;
    }
    const at = WITH.exec(text);
    if (at && this.lastError && !this.errors.has(at[1])) this.errors.set(at[1], this.lastError);
  }

  /** Has this change completed (a replacement needs both its destruction and its creation)? */
  isDone(change: PlanChange): boolean {
    const set = change.address ? this.done.get(change.address) : undefined;
    if (!set) return false;
    if (change.action === "replace") return set.has("create") && set.has("delete");
    return set.has(change.action);
  }

  /** Step results once terraform has exited: done, failed (with the error), or `rest` for the others. */
  steps(changes: PlanChange[], outcome: "ok" | "failed" | "cancelled"): StepResult[] {
    return changes.map((change): StepResult => {
      if (outcome === "ok" || this.isDone(change)) return { change, status: "done" };
      const error = change.address ? this.errors.get(change.address) : undefined;
      if (error) return { change, status: "failed", message: error };
      if (outcome === "cancelled") return { change, status: "cancelled", message: "not applied: terraform stopped after Ctrl-C" };
      return { change, status: "skipped", message: "not applied: terraform stopped after an error" };
    });
  }
}

/** The human summary of an apply, no trailing newline. */
export function applyText(
  outcome: "ok" | "failed" | "cancelled",
  steps: StepResult[],
  details: { completeLine?: string; failure?: string } = {},
): ApplyResult["text"] {
  const done = steps.filter((s) => s.status === "done").length;
  if (outcome === "ok") return details.completeLine ?? `Applied ${done} change${done === 1 ? "" : "s"}.`;
  const progress = `${done} of ${steps.length} change${steps.length === 1 ? " was" : "s were"} applied`;
  if (outcome === "cancelled") return `Cancelled: terraform stopped gracefully after Ctrl-C; ${progress}. Run plan again to see what remains.`;
  return `${details.failure ?? "terraform apply failed."}\n${progress}. Read terraform's full output above, fix the cause, then run plan again.`;
}
