/**
 * `sync`: read the whole cluster into the store and report what changed since
 * the last sync. Reads first, then writes everything in one transaction, so an
 * interrupted sync (Ctrl-C, network failure, kill -9) leaves the previous
 * state intact. One sync at a time per workspace (a lock in the store).
 */
import type { IacReport } from "../iac/workspace-iac.js";
import type { GuestChange, SyncDiff } from "../state/sync-types.js";
import { getClient, getStore, requireWorkspace } from "./services.js";
import type { Command, CommandContext } from "./types.js";

/** The -o json shape of sync. */
export interface SyncReport {
  dryRun: boolean;
  syncRun: number | null;
  durationMs: number;
  apiRequests: number;
  nodes: number;
  guests: number;
  unreachableNodes: string[];
  added: GuestChange[];
  changed: GuestChange[];
  removed: GuestChange[];
  renamed: GuestChange[];
  unchanged: number;
  /** What was written to terraform/ and ansible/ (null for --dry-run). */
  iac: IacReport | null;
}

const SYNC_CONCURRENCY = 16;

export const syncCommand: Command = {
  name: "sync",
  summary: "Read the cluster into the workspace's store and report what changed since the last sync",
  description:
    "Reads /cluster/resources, every guest's config, nodes and storage, then writes them in one transaction and records what was added, changed (field by field), renamed and removed. Then writes terraform/<guest>.tf (with import blocks in imports.tf) and the Ansible inventory for what exists; files you edited by hand are kept (the difference is shown) unless --overwrite. An interrupted sync changes nothing. With --dry-run nothing is written.",
  examples: ["proxmox-mpc sync", "proxmox-mpc sync --dry-run", "proxmox-mpc sync -o json", "proxmox-mpc sync --overwrite"],
  options: [
    { flags: "--dry-run", description: "show what would change; write nothing" },
    { flags: "--overwrite", description: "also regenerate .tf files you edited by hand (your edits are lost)" },
    { flags: "--wait <seconds>", description: "wait this long for another running sync to finish (default 30)", type: "float", default: 30 },
  ],
  workspace: "required",
  slash: true,
  async run(ctx, input) {
    const dryRun = Boolean(input.options.dryRun);
    const waitMs = Math.max(0, Number(input.options.wait ?? 30) * 1000);
    const store = await getStore(ctx);
    // Reading thousands of configs is latency-bound: 16 requests in flight (other commands use 8).
    const client = await getClient(ctx, {}, { concurrency: SYNC_CONCURRENCY });
    const { discover } = await import("../sync/discover.js");
    const ws = requireWorkspace(ctx);

    const lock = dryRun ? undefined : await acquire(ctx, store, waitMs);
    const started = Date.now();
    const requestsBefore = client.transport.requests;
    const run = dryRun ? undefined : await store.syncs.begin({ correlationId: ctx.correlationId });
    const spinner = ctx.ui.spinner("Reading the cluster…");
    try {
      const { snapshot, vanished } = await discover(client, {
        signal: ctx.signal,
        concurrency: SYNC_CONCURRENCY,
        onProgress: (p) => spinner.update(p.phase === "configs" ? `Reading guest configs ${p.done}/${p.total}` : `Reading ${p.phase}…`),
      });
      if (vanished.length) ctx.log.info({ vanished }, "guests removed while the sync read them");
      const apiRequests = client.transport.requests - requestsBefore;
      let diff: SyncDiff;
      let syncRun: number | null = null;
      let iac: IacReport | null = null;
      if (dryRun || !run) {
        diff = await store.syncs.diff(snapshot);
      } else {
        spinner.update(`Writing ${snapshot.guests.length} guests…`);
        const result = await store.syncs.commit(run, snapshot, { apiRequests, signal: ctx.signal });
        diff = result.diff;
        syncRun = result.run.id;
        spinner.update("Writing terraform/ and ansible/…");
        const { generateWorkspaceIac } = await import("../iac/workspace-iac.js");
        const unchanged = !diff.added.length && !diff.changed.length && !diff.removed.length && !diff.renamed.length;
        iac = await generateWorkspaceIac({
          paths: ws.paths,
          config: ws.config,
          vmids: snapshot.guests.map((g) => g.vmid),
          guests: () => store.guests.list(),
          removedVmids: diff.removed.map((c) => c.vmid),
          unchanged,
          overwrite: Boolean(input.options.overwrite),
        });
      }
      const report: SyncReport = {
        dryRun,
        syncRun,
        durationMs: Date.now() - started,
        apiRequests,
        nodes: snapshot.nodes.length,
        guests: snapshot.guests.length,
        unreachableNodes: snapshot.unreachableNodes ?? [],
        added: diff.added,
        changed: diff.changed,
        removed: diff.removed,
        renamed: diff.renamed,
        unchanged: diff.unchanged,
        iac,
      };
      spinner.stop();
      for (const node of report.unreachableNodes) ctx.ui.warn(`Node ${node} could not be read; its guests were kept as they were.`);
      return { kind: "data", data: report, text: summarize(report) };
    } catch (err) {
      spinner.fail("Sync failed; the previous state is unchanged.");
      if (run) await store.syncs.fail(run, err, ctx.signal.aborted ? "interrupted" : "failed").catch(() => undefined);
      throw err;
    } finally {
      await lock?.release();
    }
  },
};

async function acquire(ctx: CommandContext, store: Awaited<ReturnType<typeof getStore>>, waitMs: number) {
  const holder = await store.locks.holder("sync");
  if (holder && !holder.stale && waitMs > 0) ctx.ui.info(`Waiting for another sync to finish (pid ${holder.pid} on ${holder.host})…`);
  return store.locks.acquire("sync", { wait: waitMs > 0, timeoutMs: waitMs, correlationId: ctx.correlationId });
}

const MAX_LISTED = 15;

/** The human summary of a sync. */
export function summarize(r: SyncReport): string {
  const lines = [
    `${r.dryRun ? "Dry run: would sync" : "Synced"} ${r.nodes} node${r.nodes === 1 ? "" : "s"}, ${r.guests} guest${r.guests === 1 ? "" : "s"} in ${(r.durationMs / 1000).toFixed(1)} s (${r.apiRequests} API requests)`,
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
  if (r.iac && !r.iac.skipped) {
    const tf = r.iac.terraform;
    const parts = [`${tf.written.length} written`, `${tf.unchanged} unchanged`];
    if (tf.removed.length) parts.push(`${tf.removed.length} removed`);
    lines.push(`IaC: terraform/ ${parts.join(", ")}; ansible/ ${r.iac.ansible.written.length ? `${r.iac.ansible.written.join(", ")} written` : "unchanged"}`);
    for (const kept of tf.keptEdited) {
      lines.push(`  ! terraform/${kept.file} was edited by hand and is kept; the generated version differs:`);
      const diffLines = kept.diff.split("\n");
      lines.push(...diffLines.slice(0, 40).map((l) => `    ${l}`));
      if (diffLines.length > 40) lines.push(`    … ${diffLines.length - 40} more lines`);
    }
    if (tf.keptEdited.length) lines.push("  (sync --overwrite replaces hand-edited files with the generated ones)");
  }
  return lines.join("\n");
}

function show(value: unknown): string {
  if (value === null || value === undefined) return "(none)";
  if (Array.isArray(value)) return `[${value.join(",")}]`;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
