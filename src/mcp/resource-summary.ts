/**
 * The workspace's state as text for the prompts, gathered at render time
 * through the same commands the resources run (health, logs, status, get):
 * each part is read on its own, and one that cannot be read says why
 * instead of failing the prompt.
 */
import { describeDrift, type DriftRecord } from "../core/drift.js";
import { redactString } from "../core/redact.js";
import type { HealthReport } from "../observability/health-types.js";
import type { LogEntry } from "../observability/log-query.js";
import type { ObservedNode, StoreCounts } from "../state/types.js";
import { duration } from "../commands/get.js";
import { commandData, listGuests, type CommandData, type GuestRow } from "./resource-data.js";
import type { McpScope } from "./scope.js";

/** A node as `get nodes -o json` gives it (cpu 0..1, memory in bytes). */
export type NodeRow = Omit<ObservedNode, "raw">;

/** A storage as `get storage -o json` gives it. */
export interface StorageRow {
  node: string;
  storage: string;
  type: string;
  shared: boolean;
  total: number;
  used: number;
  active: boolean;
}

/** The fields of `status -o json` the prompts use. */
export interface StatusData {
  endpoint: string;
  server: { reachable: boolean; version?: string; error?: string };
  lastSync: { id: number; ageSeconds: number | null; guests: number; added: number; changed: number; removed: number } | null;
  lastAttempt: { id: number; status: string; error: string | null } | null;
  counts: StoreCounts;
  drift: DriftRecord | null;
}

/** A part of the context: its data, or why it could not be read. */
export type Part<T> = { ok: true; data: T; shown: string[] } | { ok: false; error: string };

/** Run a command for a prompt; a failure becomes the part's error. */
export function part<T>(scope: McpScope, name: string, args: string[] = [], options: Record<string, unknown> = {}): Promise<Part<T>> {
  return attempt(() => commandData<T>(scope, name, args, options));
}

/** Every guest (VMs then containers) as a part. */
export function guestsPart(scope: McpScope): Promise<Part<GuestRow[]>> {
  return attempt(() => listGuests(scope));
}

async function attempt<T>(read: () => Promise<CommandData<T>>): Promise<Part<T>> {
  try {
    const { data, shown } = await read();
    return { ok: true, data, shown };
  } catch (err) {
    return { ok: false, error: redactString(err instanceof Error ? err.message : String(err)) };
  }
}

/** Lines of a part, or one line saying why it is missing. */
export function section<T>(p: Part<T>, lines: (data: T) => string[]): string[] {
  if (!p.ok) return [`(could not be read: ${p.error})`];
  const body = lines(p.data);
  return [...(body.length ? body : ["(none)"]), ...p.shown.map((s) => `note: ${s}`)];
}

/** Every check of a health report, the failing and warning ones first. */
export function healthLines(report: HealthReport): string[] {
  const rank = { fail: 0, warn: 1, ok: 2 };
  const checks = [...report.checks].sort((a, b) => rank[a.status] - rank[b.status]);
  return [`overall: ${report.status}`, ...checks.map((c) => `- [${c.status}] ${c.group} / ${c.name}: ${c.figure} — ${c.message}`)];
}

/** One line per log entry: time, operation, correlation id, message and the error it carried. */
export function logLines(entries: LogEntry[]): string[] {
  return entries.map((e) => {
    const error = (e.context.err ?? e.context.error) as { message?: unknown; hint?: unknown } | string | undefined;
    const detail = typeof error === "string" ? `: ${error}` : error ? `: ${String(error.message ?? "")}${error.hint ? ` (hint: ${String(error.hint)})` : ""}` : "";
    return `- ${e.timestamp} ${e.level} ${e.operation ?? "-"} [${e.correlationId ?? "-"}] ${e.message}${detail}`;
  });
}

/** The server, the last sync, the last failed attempt and the drift, from `status`. */
export function statusLines(s: StatusData): string[] {
  const sync = s.lastSync;
  return [
    `server: ${s.endpoint} ${s.server.reachable ? `reachable, Proxmox VE ${s.server.version ?? "?"}` : `unreachable${s.server.error ? `: ${s.server.error}` : ""}`}`,
    `last sync: ${sync ? `#${sync.id}, ${duration(sync.ageSeconds ?? 0)} ago, ${sync.guests} guests (+${sync.added} ~${sync.changed} -${sync.removed})` : "never"}`,
    ...(s.lastAttempt ? [`latest sync attempt #${s.lastAttempt.id} ${s.lastAttempt.status}${s.lastAttempt.error ? `: ${s.lastAttempt.error}` : ""}`] : []),
    `drift (desired IaC vs cluster): ${s.drift ? `${describeDrift(s.drift)} (plan of ${s.drift.at})` : "unknown — no plan has run yet"}`,
    `store: ${s.counts.nodes} nodes, ${s.counts.vms} VMs, ${s.counts.containers} containers (${s.counts.templates} templates, ${s.counts.running} running), ${s.counts.storage} storages`,
  ];
}

/** Per node: CPU and memory in use, and what its guests are given (running ones; memory beyond the node's is overcommit). */
export function capacityLines(nodes: NodeRow[], guests: GuestRow[]): string[] {
  return nodes.map((n) => {
    const mine = guests.filter((g) => g.node === n.name && !g.template);
    const running = mine.filter((g) => g.status === "running");
    const memGiven = running.reduce((sum, g) => sum + g.memory, 0) / 1024;
    const coresGiven = running.reduce((sum, g) => sum + g.cores, 0);
    const maxGiB = n.maxmem / 1024 ** 3;
    const over = maxGiB > 0 && memGiven > maxGiB ? ` OVERCOMMITTED ${pct(memGiven / maxGiB)}` : "";
    return `- ${n.name} (${n.status}): cpu ${pct(n.cpu)} of ${n.maxcpu} cores, memory ${gib(n.mem)}/${gib(n.maxmem)} GiB used; ${running.length}/${mine.length} guests running, given ${coresGiven} vCPUs and ${memGiven.toFixed(1)} GiB${over}`;
  });
}

/** Per storage: used of total and a flag at 85% and above. */
export function storageLines(rows: StorageRow[]): string[] {
  return [...rows]
    .sort((a, b) => ratio(b) - ratio(a))
    .map((s) => `- ${s.node}/${s.storage} (${s.type}${s.shared ? ", shared" : ""}${s.active ? "" : ", inactive"}): ${gib(s.used)}/${gib(s.total)} GiB, ${pct(ratio(s))}${ratio(s) >= 0.85 ? " NEARLY FULL" : ""}`);
}

/** One line per guest (at most `max`, then how many more). */
export function guestLines(guests: GuestRow[], max = 50): string[] {
  const lines = guests.slice(0, max).map((g) => `- ${g.name} (${g.type === "qemu" ? "VM" : "CT"} ${g.vmid}) on ${g.node}: ${g.status}, ${g.cores} cores, ${g.memory} MiB, ${g.disk} GiB`);
  return guests.length > max ? [...lines, `- … and ${guests.length - max} more (see the resource proxmox-mpc://guests)`] : lines;
}

function ratio(s: StorageRow): number {
  return s.total > 0 ? s.used / s.total : 0;
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}

function gib(bytes: number): string {
  return (bytes / 1024 ** 3).toFixed(1);
}
