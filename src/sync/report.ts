/**
 * What a sync reports: the -o json shape (SyncReport) and the human summary,
 * including the guests it could not read ("partial: …").
 */
import type { IacReport } from "../iac/workspace-iac.js";
import type { GuestChange, StaleGuestChange } from "../state/index.js";
import type { SyncDrift } from "./drift.js";
import type { SyncPhase } from "./events.js";

/** The -o json shape of sync. */
export interface SyncReport {
  dryRun: boolean;
  syncRun: number | null;
  durationMs: number;
  /** How long each step took, in ms (`store` runs while `read` reads the cluster, so they overlap). */
  phases: Partial<Record<SyncPhase, number>>;
  /** HTTP requests sent, retries included. */
  apiRequests: number;
  /** Retries the reads used (out of the sync's retry budget). */
  retries: number;
  nodes: number;
  /** Storages read (one per node that has it). */
  storages: number;
  /** Guests of the cluster this sync saw: read, plus stale (listed, config not read). */
  guests: number;
  unreachableNodes: string[];
  added: GuestChange[];
  changed: GuestChange[];
  removed: GuestChange[];
  renamed: GuestChange[];
  unchanged: number;
  /**
   * Guests whose config could not be read, even after retries: kept with
   * their last known values (or, new, with their /cluster/resources row) and
   * marked stale. Not empty → the sync is partial and exits 1.
   */
  stale: StaleGuestChange[];
  /** What was written to terraform/ and ansible/ (null for --dry-run). */
  iac: IacReport | null;
  /** Guests given no terraform file because their config was never read. */
  iacWithheld: { vmid: number; name: string }[];
  /** What the last plan found (desired ≠ observed), and whether this sync came after it. */
  drift: SyncDrift;
}

const MAX_LISTED = 15;

/** "partial: 2 guests not read: web-01 (101), ct-191 (191)" (null when every guest was read). */
export function partialLine(stale: readonly StaleGuestChange[]): string | null {
  if (!stale.length) return null;
  const names = stale.slice(0, MAX_LISTED).map((s) => `${s.name} (${s.vmid})`);
  if (stale.length > MAX_LISTED) names.push(`… and ${stale.length - MAX_LISTED} more`);
  return `partial: ${stale.length} guest${stale.length === 1 ? "" : "s"} not read: ${names.join(", ")}`;
}

/** The human summary of a sync. */
export function summarize(r: SyncReport): string {
  const retried = r.retries ? `, ${r.retries} retried` : "";
  const lines = [
    `${r.dryRun ? "Dry run: would sync" : "Synced"} ${r.nodes} node${r.nodes === 1 ? "" : "s"}, ${r.guests} guest${r.guests === 1 ? "" : "s"} in ${(r.durationMs / 1000).toFixed(1)} s (${r.apiRequests} API requests${retried})`,
  ];
  const section = (symbol: string, label: string, items: GuestChange[], describe: (c: GuestChange) => string): void => {
    if (!items.length) return;
    lines.push(`  ${symbol} ${items.length} ${label}`);
    for (const c of items.slice(0, MAX_LISTED)) lines.push(`      ${describe(c)}`);
    if (items.length > MAX_LISTED) lines.push(`      … and ${items.length - MAX_LISTED} more (-o json lists all)`);
  };
  const fields = (c: GuestChange): string =>
    Object.entries(c.diff ?? {})
      .filter(([field]) => field !== "name")
      .map(([field, [from, to]]) => `${field} ${show(from)} → ${show(to)}`)
      .join("; ");
  section("+", "added", r.added, (c) => `${c.name} (${c.vmid})`);
  section("~", "changed", r.changed, (c) => `${c.name} (${c.vmid}): ${fields(c)}`);
  section("→", "renamed", r.renamed, (c) => `${show(c.diff?.name?.[0])} → ${c.name} (${c.vmid})${fields(c) ? `; ${fields(c)}` : ""}`);
  section("-", "removed", r.removed, (c) => `${c.name} (${c.vmid})`);
  lines.push(`  = ${r.unchanged} unchanged`);
  if (r.stale.length) {
    lines.push(`  ? ${r.stale.length} not read (kept as last known, marked stale)`);
    for (const s of r.stale.slice(0, MAX_LISTED)) {
      const kept = s.values === "last-read" ? "values as last read" : "only its /cluster/resources row";
      lines.push(`      ${s.name} (${s.vmid}) on ${s.node}: ${s.reason.replace(/\.$/, "")} — ${kept}`);
    }
    if (r.stale.length > MAX_LISTED) lines.push(`      … and ${r.stale.length - MAX_LISTED} more (-o json lists all)`);
  }
  if (r.iac && !r.iac.skipped) lines.push(...iacLines(r.iac));
  if (r.iacWithheld.length) {
    lines.push(`  ! no terraform file yet for ${r.iacWithheld.map((g) => `${g.name} (${g.vmid})`).join(", ")}: the config was never read`);
  }
  const partial = partialLine(r.stale);
  if (partial) lines.push(`${partial}; run sync again to complete ${r.stale.length === 1 ? "it" : "them"}.`);
  return lines.join("\n");
}

function iacLines(iac: IacReport): string[] {
  const tf = iac.terraform;
  const parts = [`${tf.written.length} written`, `${tf.unchanged} unchanged`];
  if (tf.removed.length) parts.push(`${tf.removed.length} removed`);
  const lines = [`IaC: terraform/ ${parts.join(", ")}; ansible/ ${iac.ansible.written.length ? `${iac.ansible.written.join(", ")} written` : "unchanged"}`];
  for (const kept of tf.keptEdited) {
    lines.push(`  ! terraform/${kept.file} was edited by hand and is kept; the generated version differs:`);
    const diffLines = kept.diff.split("\n");
    lines.push(...diffLines.slice(0, 40).map((l) => `    ${l}`));
    if (diffLines.length > 40) lines.push(`    … ${diffLines.length - 40} more lines`);
  }
  if (tf.keptEdited.length) lines.push("  (sync --overwrite replaces hand-edited files with the generated ones)");
  return lines;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return "(none)";
  if (Array.isArray(value)) return `[${value.join(",")}]`;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
