/**
 * The IaC step of a sync: bring terraform/ and ansible/ in line with what was
 * just written to the store, from the guests the sync holds in memory (the
 * store is read back only for the guests this sync did not read: stale ones
 * and those of unreachable nodes, whose kept values it alone has).
 * A stale guest whose config was read before keeps the file made from those
 * values; one whose config was never read gets no file (it would be a guess).
 */
import type { Workspace } from "../core/workspace.js";
import type { IacReport } from "../iac/workspace-iac.js";
import type { GuestInput, GuestRecord, Store, SyncDiff } from "../state/index.js";
import type { SyncReport } from "./report.js";

/** What the IaC step needs of a sync. */
export interface IacInput {
  store: Store;
  workspace: Pick<Workspace, "paths" | "config">;
  /** The guests read by this sync (canonical forms, sorted by vmid). */
  guests: readonly GuestInput[];
  diff: SyncDiff;
  /** Nodes not read: their guests keep their stored values. */
  unreachableNodes: readonly string[];
  runId: number;
  overwrite: boolean;
}

/** The record the generators read, of a guest read by this sync. */
function recordOf(g: GuestInput, runId: number, now: Date): GuestRecord {
  const { disks: _disks, nets: _nets, ...fields } = g;
  return { ...fields, updatedAt: now, firstSeenSyncId: runId, lastChangedSyncId: runId };
}

/** Regenerate the workspace's IaC after a sync (see the module comment). */
export async function refreshIac(input: IacInput): Promise<{ iac: IacReport; iacWithheld: SyncReport["iacWithheld"] }> {
  const { diff } = input;
  const { generateWorkspaceIac } = await import("../iac/workspace-iac.js");
  const withheld = diff.stale.filter((s) => s.values === "cluster-resources");
  const lastRead = diff.stale.filter((s) => s.values === "last-read").map((s) => s.vmid);
  const changed = new Set([...diff.added, ...diff.changed, ...diff.renamed].map((c) => c.vmid));
  const unchanged = !diff.added.length && !diff.changed.length && !diff.removed.length && !diff.renamed.length;
  const guests = async (): Promise<GuestRecord[]> => {
    const now = new Date();
    const records = input.guests.map((g) => recordOf(g, input.runId, now));
    for (const record of await Promise.all(lastRead.map((vmid) => input.store.guests.get(vmid)))) if (record) records.push(record);
    for (const node of input.unreachableNodes) {
      // Kept as they were; one never read has no values to write (as a withheld stale guest).
      for (const record of await input.store.guests.list({ node })) if (record.stale?.configRead !== false) records.push(record);
    }
    return records.sort((a, b) => a.vmid - b.vmid);
  };
  const iac = await generateWorkspaceIac({
    paths: input.workspace.paths,
    config: input.workspace.config,
    vmids: [...input.guests.map((g) => g.vmid), ...lastRead],
    guests,
    changedVmids: changed,
    removedVmids: diff.removed.map((c) => c.vmid),
    unchanged,
    overwrite: input.overwrite,
  });
  return { iac, iacWithheld: withheld.map((s) => ({ vmid: s.vmid, name: s.name })) };
}
