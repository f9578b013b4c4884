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

/** Ask, then run the action on these guests; false when the operator cancelled. */
export async function power(label: PowerLabel, guests: readonly { name: string; kind: "vm" | "ct" }[]): Promise<boolean> {
  if (!guests.length) return false;
  const n = guests.length;
  const yes = await ask({ title: `${label} ${n} guest${n === 1 ? "" : "s"}?`, lines: guests.map((g) => `${WHAT[label]} ${g.kind} ${g.name}`) });
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
