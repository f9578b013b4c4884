/**
 * Power actions on guests (start, stop, shutdown, reboot): asked first in the
 * dashboard's dialog, then one call per kind with "confirm": true (the API's
 * own two-step is the question the dialog already asked).
 */
import { problem, request } from "./api.js";
import { ask, notify } from "./ui.js";

export const POWER = ["Start", "Stop", "Shutdown", "Reboot"] as const;
export type PowerLabel = (typeof POWER)[number];

const WHAT: Record<PowerLabel, string> = {
  Start: "start",
  Stop: "hard-stop (like pulling the plug)",
  Shutdown: "shut down (ACPI, the OS stops cleanly)",
  Reboot: "reboot",
};

/** The status a guest already has when the action has nothing to do on it. */
const ALREADY: Partial<Record<PowerLabel, string>> = { Start: "running", Stop: "stopped", Shutdown: "stopped" };

/** Ask, then run the action on these guests; false when the operator cancelled (or nothing was to do). */
export async function power(label: PowerLabel, chosen: readonly { name: string; kind: "vm" | "ct"; status?: string }[]): Promise<boolean> {
  // Guests already in the state the action leads to are named apart and left as they are.
  const already = chosen.filter((g) => g.status !== undefined && g.status === ALREADY[label]);
  const guests = chosen.filter((g) => !already.includes(g));
  if (!guests.length) {
    if (already.length) notify(`${label.toLowerCase()}: nothing to do, ${already.map((g) => g.name).join(", ")} ${already.length === 1 ? "is" : "are"} already ${ALREADY[label]}`);
    return false;
  }
  const n = guests.length;
  const lines = guests.map((g) => `${WHAT[label]} ${g.kind} ${g.name}`);
  if (already.length) lines.push(`already ${ALREADY[label]}, left as ${already.length === 1 ? "it is" : "they are"}: ${already.map((g) => g.name).join(", ")}`);
  const yes = await ask({ title: `${label} ${n} guest${n === 1 ? "" : "s"}?`, lines });
  if (!yes) return false;
  const verb = label.toLowerCase();
  for (const kind of ["vm", "ct"] as const) {
    const names = guests.filter((g) => g.kind === kind).map((g) => g.name);
    if (!names.length) continue;
    try {
      const answer = await request("POST", `/api/v1/commands/${verb}`, { kind, names, confirm: true });
      if (answer.status !== 200 && answer.status !== 202) throw problem(answer);
      const results = Array.isArray(answer.body.data) ? (answer.body.data as { name: string; result: string; error?: string }[]) : [];
      if (!results.length) notify(`${verb} ${names.join(", ")}: ${answer.body.ok ? "ok" : "failed"}`, answer.body.ok ? "info" : "error");
      for (const r of results) notify(r.result === "ok" ? `${verb} ${r.name}: ok` : `${verb} ${r.name} failed: ${r.error ?? r.result}`, r.result === "ok" ? "info" : "error");
    } catch (err) {
      notify(`${verb} ${names.join(", ")} failed: ${(err as Error).message}`, "error");
    }
  }
  return true;
}
