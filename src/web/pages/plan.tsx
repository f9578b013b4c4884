/**
 * Plan and apply: the plan as a table of changes with their differences,
 * and apply — asked first with what the API says it would do — with its
 * progress lines arriving live from the event stream (operation.progress of
 * the run's correlation id) until the run is settled. The IaC editor shows
 * the same panel under the file.
 */
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { problem, request, settled } from "../api.js";
import type { LiveEvent } from "../events.js";
import { ask, can, notify, PageTitle, Table, useApp } from "../ui.js";

interface Change {
  action: string;
  type: string;
  name: string;
  vmid?: number | null;
  node?: string | null;
  diff?: Record<string, unknown> | null;
  address?: string;
}

interface Plan {
  engine: string;
  changes: Change[];
  summary: { create: number; update: number; delete: number; replace: number };
  unsupported: { name: string; argument: string; file?: string }[];
  warnings: string[];
}

/** `Plan: 1 to add, …` in Terraform's (and the CLI's) words. */
function summaryLine(plan: Plan): string {
  const s = plan.summary;
  if (!plan.changes.length) return "No changes.";
  return `Plan: ${s.create + s.replace} to add, ${s.update} to change, ${s.delete + s.replace} to destroy.`;
}

const show = (v: unknown): string => (v === null || v === undefined ? "–" : typeof v === "object" ? JSON.stringify(v) : String(v));

function details(c: Change): string {
  const parts = Object.entries(c.diff ?? {}).map(([key, value]) => (Array.isArray(value) && value.length === 2 ? `${key}: ${show(value[0])} → ${show(value[1])}` : `${key}: ${show(value)}`));
  if (!parts.length && c.vmid != null) parts.push(`vmid ${c.vmid}${c.node ? ` on ${c.node}` : ""}`);
  return parts.join("; ");
}

type ApplyState = { phase: "idle" } | { phase: "running"; id?: string } | { phase: "done"; ok: boolean; message: string };

/** The plan and apply panel; `unsaved` stops both with "Save first." (the plan reads the saved files). */
export function PlanPanel({ unsaved = false, title = "h2" }: { unsaved?: boolean; title?: "h2" | "none" }): JSX.Element {
  const { who, stream } = useApp();
  const [plan, setPlan] = useState<Plan | undefined>();
  const [planning, setPlanning] = useState(false);
  const [message, setMessage] = useState<string | undefined>();
  const [apply, setApply] = useState<ApplyState>({ phase: "idle" });
  const [progress, setProgress] = useState<string[]>([]);
  const unfollow = useRef<(() => void) | undefined>(undefined);
  const progressList = useRef<HTMLOListElement>(null);
  useEffect(() => () => unfollow.current?.(), []);
  // The newest progress line stays in view.
  useEffect(() => {
    if (progressList.current) progressList.current.scrollTop = progressList.current.scrollHeight;
  }, [progress]);

  const runPlan = async () => {
    if (unsaved) return setMessage("Save first.");
    setPlanning(true);
    setMessage("Planning…");
    try {
      const answer = await request<Plan>("POST", "/api/v1/plan", {});
      if (answer.status !== 200 || !answer.body.data) throw problem(answer);
      setPlan(answer.body.data);
      setMessage(undefined);
    } catch (err) {
      setMessage(`Plan failed: ${(err as Error).message}`);
    } finally {
      setPlanning(false);
    }
  };

  /** Progress lines of the run: those already received, then the new ones. */
  const follow = (id: string) => {
    const take = (e: LiveEvent) => {
      if (e.correlationId !== id || e.type !== "operation.progress") return;
      const text = typeof e.data.text === "string" ? e.data.text : "";
      if (text.trim()) setProgress((p) => [...p, text].slice(-300));
    };
    unfollow.current?.();
    stream.recent.forEach(take);
    unfollow.current = stream.subscribe(take);
  };

  const runApply = async () => {
    if (unsaved) return setMessage("Save first.");
    setApply({ phase: "running" });
    setProgress([]);
    try {
      let answer = await request("POST", "/api/v1/apply", {});
      if (answer.status === 409 && answer.body.confirmationRequired) {
        const yes = await ask({ title: "Apply the plan?", lines: answer.body.wouldDo ?? [answer.body.question ?? "Apply the changes."] });
        if (!yes) {
          setApply({ phase: "done", ok: true, message: "Apply cancelled: nothing was changed." });
          return;
        }
        answer = await request("POST", "/api/v1/apply", { confirm: true });
      }
      let result = answer.body;
      if (answer.status === 202 && answer.body.operation && answer.body.correlationId) {
        setApply({ phase: "running", id: answer.body.correlationId });
        follow(answer.body.correlationId);
        result = await settled(answer.body.operation);
      } else if (answer.status !== 200) throw problem(answer);
      const ok = result.ok;
      const text = ok ? "Apply ok." : `Apply failed: ${result.error?.message ?? "see Logs"}`;
      setApply({ phase: "done", ok, message: text });
      notify(ok ? "apply: ok" : `apply failed: ${result.error?.message ?? "see Logs"}`, ok ? "info" : "error");
      if (ok && plan) void runPlan();
    } catch (err) {
      setApply({ phase: "done", ok: false, message: `Apply failed: ${(err as Error).message}` });
    }
  };

  return (
    <section class="plan" aria-labelledby={title === "h2" ? "h-plan" : undefined} aria-label={title === "none" ? "Plan and apply" : undefined}>
      {title === "h2" ? <h2 id="h-plan">Plan and apply</h2> : null}
      <div class="toolbar">
        {can(who, "operator") ? (
          <button type="button" onClick={runPlan} disabled={planning || apply.phase === "running"}>
            Plan
          </button>
        ) : null}
        {can(who, "admin") ? (
          <button type="button" class="danger" onClick={runApply} disabled={planning || apply.phase === "running"}>
            Apply
          </button>
        ) : null}
      </div>
      {!can(who, "operator") ? <p>Planning needs the operator role; applying the admin role.</p> : null}
      <p class="message" aria-live="polite">
        {message ?? ""}
      </p>
      {plan ? (
        <section aria-label="Plan result" class="plan-result">
          <p class="summary-line">{summaryLine(plan)}</p>
          <Table
            caption="Changes"
            columns={[
              { header: "Action", width: "7rem", render: (c: Change) => <span class={`action ${c.action}`}>{c.action}</span> },
              { header: "Kind", width: "4rem", render: (c) => (c.type === "lxc" ? "ct" : c.type === "qemu" ? "vm" : c.type) },
              { header: "Name", width: "10rem", render: (c) => c.name },
              { header: "Details", render: (c) => details(c), class: "wrap" },
            ]}
            rows={plan.changes}
            rowKey={(c) => `${c.action}:${c.address ?? c.name}`}
            empty="No changes."
          />
          {plan.unsupported.length ? (
            <ul aria-label="Not applied">
              {plan.unsupported.map((u) => (
                <li key={`${u.name}:${u.argument}`}>
                  {u.name}
                  {u.file ? ` (${u.file})` : ""}: {u.argument} is not supported by the native engine
                </li>
              ))}
            </ul>
          ) : null}
          {plan.warnings.length ? (
            <ul aria-label="Warnings">
              {plan.warnings.map((w) => (
                <li key={w}>warning: {w}</li>
              ))}
            </ul>
          ) : null}
        </section>
      ) : null}
      {apply.phase !== "idle" ? (
        <div class="apply">
          <p aria-label="Apply status" class={apply.phase === "done" ? (apply.ok ? "ok" : "error") : undefined}>
            {apply.phase === "running" ? "Applying…" : apply.message}
          </p>
          <ol aria-label="Progress" class="progress" ref={progressList} tabIndex={0}>
            {progress.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ol>
        </div>
      ) : null}
    </section>
  );
}

export function PlanPage(): JSX.Element {
  return (
    <>
      <PageTitle>Plan</PageTitle>
      <p>What apply would change: the IaC files against the cluster. Edit them in the <a href="#/iac">IaC editor</a>.</p>
      <PlanPanel title="none" />
    </>
  );
}
