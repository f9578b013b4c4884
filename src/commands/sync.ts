/**
 * `sync`: read the whole cluster into the store and report what changed since
 * the last sync. Reads first, then writes everything in one transaction, so an
 * interrupted sync (Ctrl-C, network failure, kill -9) leaves the previous
 * state intact. One sync at a time per workspace (a lock in the store).
 */
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
}

export const syncCommand: Command = {
  name: "sync",
  summary: "Read the cluster into the workspace's store and report what changed since the last sync",
  description:
    "Reads /cluster/resources, every guest's config, nodes and storage, then writes them in one transaction and records what was added, changed (field by field), renamed and removed. An interrupted sync changes nothing. With --dry-run nothing is written.",
  examples: ["proxmox-mpc sync", "proxmox-mpc sync --dry-run", "proxmox-mpc sync -o json"],
  options: [
    { flags: "--dry-run", description: "show what would change; write nothing" },
    { flags: "--wait <seconds>", description: "wait this long for another running sync to finish (default 30)", type: "float", default: 30 },
  ],
  workspace: "required",
  slash: true,
  async run(ctx, input) {
    requireWorkspace(ctx);
    const dryRun = Boolean(input.options.dryRun);
    const waitMs = Math.max(0, Number(input.options.wait ?? 30) * 1000);
    const store = await getStore(ctx);
    const client = await getClient(ctx);
    const { discover } = await import("../sync/discover.js");

    const lock = dryRun ? undefined : await acquire(ctx, store, waitMs);
    const started = Date.now();
    const requestsBefore = client.transport.requests;
    const run = dryRun ? undefined : await store.syncs.begin({ correlationId: ctx.correlationId });
    const spinner = ctx.ui.spinner("Reading the cluster…");
    try {
      const { snapshot, vanished } = await discover(client, {
        signal: ctx.signal,
        onProgress: (p) => spinner.update(p.phase === "configs" ? `Reading guest configs ${p.done}/${p.total}` : `Reading ${p.phase}…`),
      });
      if (vanished.length) ctx.log.info({ vanished }, "guests removed while the sync read them");
      const apiRequests = client.transport.requests - requestsBefore;
      let diff: SyncDiff;
      let syncRun: number | null = null;
      if (dryRun || !run) {
        diff = await store.syncs.diff(snapshot);
      } else {
        spinner.update(`Writing ${snapshot.guests.length} guests…`);
        const result = await store.syncs.commit(run, snapshot, { apiRequests, signal: ctx.signal });
        diff = result.diff;
        syncRun = result.run.id;
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
  return lines.join("\n");
}

function show(value: unknown): string {
  if (value === null || value === undefined) return "(none)";
  if (Array.isArray(value)) return `[${value.join(",")}]`;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
