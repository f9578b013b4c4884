/**
 * `sync`: read the whole cluster into the store and report what changed since
 * the last sync. Reads first, then writes everything in one transaction, so an
 * interrupted sync (Ctrl-C, network failure, kill -9) leaves the previous
 * state intact. One sync at a time per workspace (a lock in the store). A
 * guest whose config cannot be read (after retries) keeps its last known
 * state, marked stale: the sync is partial and exits 1. The work is
 * syncWorkspace (src/sync/); this is its face: a spinner and the summary.
 */
import { requireWorkspace } from "./context.js";
import type { Spinner } from "../core/ui.js";
import type { SyncEvent } from "../sync/index.js";
import type { SyncReport } from "../sync/report.js";
import { defineCommand } from "./define.js";
import { defineOptions, flag, number } from "./options.js";
import type { CommandContext } from "./types.js";

export type { SyncReport } from "../sync/report.js";

/** Guest configs read at once (SYNC_CONCURRENCY of src/sync/, repeated so the client is made before the sync module loads). */
const SYNC_CONCURRENCY = 16;

export const syncCommand = defineCommand({
  name: "sync",
  summary: "Read the cluster into the workspace's store and report what changed since the last sync",
  description:
    "Reads /cluster/resources, every guest's config, nodes and storage, then writes them in one transaction and records what was added, changed (field by field), renamed and removed. Then writes terraform/<guest>.tf (with import blocks in imports.tf) and the Ansible inventory for what exists; files you edited by hand are kept (the difference is shown) unless --overwrite. An interrupted sync changes nothing. Reads are retried (up to 6 attempts, within a budget for the whole sync); a guest whose config still cannot be read keeps its last known state, marked stale, and the sync exits 1 (partial) — run it again to complete it. With --dry-run nothing is written.",
  examples: ["proxmox-mpc sync", "proxmox-mpc sync --dry-run", "proxmox-mpc sync -o json", "proxmox-mpc sync --overwrite"],
  options: defineOptions({
    dryRun: flag("--dry-run", "show what would change; write nothing"),
    overwrite: flag("--overwrite", "also regenerate .tf files you edited by hand (your edits are lost)"),
    wait: number("--wait <seconds>", "wait this long for another running sync to finish", { min: 0, default: 30 }),
  }),
  workspace: "required",
  mcp: { tool: "write" },
  slash: true,
  async run(ctx, input) {
    const report = await syncInContext(ctx, { dryRun: Boolean(input.options.dryRun), overwrite: Boolean(input.options.overwrite), waitMs: input.options.wait * 1000 });
    const { summarize } = await import("../sync/report.js");
    // A partial sync is still data (-o json prints it), with exit 1: some guests were not read.
    return { kind: "data", data: report, text: summarize(report), ...(report.stale.length ? { exitCode: 1 } : {}) };
  },
});

/**
 * One sync with a command's services (the sync command, apply's refresh and
 * demo use it), its progress shown on a spinner. The store is handed over
 * unopened: it opens while the cluster is read.
 */
export async function syncInContext(ctx: CommandContext, options: { dryRun?: boolean; overwrite?: boolean; waitMs?: number }): Promise<SyncReport> {
  const workspace = requireWorkspace(ctx);
  const store = ctx.services.store();
  store.catch(() => undefined); // syncWorkspace reports it
  const [client, { syncWorkspace, SYNC_PHASE_NAMES }] = await Promise.all([ctx.services.proxmox({ concurrency: SYNC_CONCURRENCY }), import("../sync/index.js")]);
  const spinner = ctx.ui.spinner("Reading the cluster…");
  try {
    const report = await syncWorkspace(
      { client, store, workspace, log: ctx.log, correlationId: ctx.correlationId },
      {
        ...options,
        signal: ctx.signal,
        onProgress: (event) => {
          if (event.type === "phase" && event.state === "end") ctx.metrics.phase(SYNC_PHASE_NAMES[event.phase], event.ms);
          show(ctx, spinner, event);
        },
      },
    );
    spinner.stop();
    for (const node of report.unreachableNodes) ctx.ui.warn(`Node ${node} could not be read; its guests were kept as they were.`);
    announce(ctx, report);
    return report;
  } catch (err) {
    spinner.fail("Sync failed; the previous state is unchanged.");
    throw err;
  }
}

/** A sync's progress on the spinner. */
function show(ctx: CommandContext, spinner: Spinner, event: SyncEvent): void {
  if (event.type === "read") spinner.update(event.step === "configs" ? `Reading guest configs ${event.done}/${event.total}` : `Reading ${event.step}…`);
  else if (event.type === "lock-wait") ctx.ui.info(`Waiting for another sync to finish (pid ${event.holder.pid} on ${event.holder.host})…`);
  else if (event.type === "reread") spinner.update("Another sync finished meanwhile; reading the cluster again…");
  else if (event.type === "phase" && event.state === "start" && event.phase === "write") spinner.update("Writing the store…");
  else if (event.type === "phase" && event.state === "start" && event.phase === "iac") spinner.update("Writing terraform/ and ansible/…");
}

/** Guest names a sync.changed event carries at most (the counts are always whole). */
const MAX_NAMES = 50;

/** sync.done; sync.changed when guests were added, removed, changed or renamed since the previous sync (not for a dry run: nothing was stored). */
function announce(ctx: CommandContext, report: SyncReport): void {
  const { added, removed, changed, renamed } = report;
  const counts = { added: added.length, removed: removed.length, changed: changed.length, renamed: renamed.length };
  const storages = report.dryRun ? undefined : report.storages;
  ctx.events.emit("sync.done", { guests: report.guests, nodes: report.nodes, storages, ...counts, stale: report.stale.length, dryRun: report.dryRun, durationMs: report.durationMs }, ctx.correlationId);
  const names = [...added, ...removed, ...changed, ...renamed].map((c) => c.name);
  if (report.dryRun || !names.length) return;
  ctx.events.emit("sync.changed", { ...counts, names: names.slice(0, MAX_NAMES), ...(names.length > MAX_NAMES ? { more: names.length - MAX_NAMES } : {}) }, ctx.correlationId);
}
