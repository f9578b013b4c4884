/**
 * After guests moved: bring the store and terraform/ in line so the next
 * `plan` stays empty. A sync does both — the store learns each guest's new
 * node, and every untouched .tf file is regenerated through the sync's IaC
 * path (its `node_name` and header follow). A file edited by hand is kept by
 * the sync; there only the `node_name` line is changed, the rest of the
 * file stays exactly as the user wrote it.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SyncReport } from "../sync/report.js";
import { syncInContext } from "./sync.js";
import type { CommandContext } from "./types.js";

/** What the follow-up did. */
export interface FollowUp {
  synced: boolean;
  /** Hand-edited files whose node_name was changed in place. */
  edited: string[];
  /** Why the sync did not run or failed (the user should run `sync`). */
  warning?: string;
}

/** `node_name = "pve1"` at the top level of a resource (two spaces in, as written by proxmox-mpc and terraform fmt). */
const NODE_NAME = /^(\s*node_name\s*=\s*)"([^"]*)"/m;

/**
 * Sync, then fix node_name in the hand-edited files of the moved guests.
 * Runs with its own signal, so a Ctrl-C that stopped a drain does not stop
 * the bookkeeping of what already moved.
 */
export async function followMoves(ctx: CommandContext, moved: { vmid: number; node: string }[]): Promise<FollowUp> {
  const out: FollowUp = { synced: false, edited: [] };
  if (!moved.length) return out;
  let report: SyncReport;
  try {
    report = await syncInContext({ ...ctx, signal: new AbortController().signal }, {});
    out.synced = true;
  } catch (err) {
    out.warning = `The guests moved, but the sync after it failed (${err instanceof Error ? err.message : String(err)}): run \`proxmox-mpc sync\`.`;
    return out;
  }
  if (!ctx.workspace) return out;
  const dir = ctx.workspace.paths.terraform;
  const { indexTerraformDir } = await import("../iac/tf-index.js");
  const { readHeader } = await import("../iac/terraform/render.js");
  const entries = await indexTerraformDir(dir);
  for (const m of moved) {
    const entry = entries.find((e) => e.vmid === m.vmid);
    if (!entry || entry.node === undefined || entry.node === m.node) continue;
    const path = join(dir, entry.file);
    const text = await readFile(path, "utf8");
    // An untouched file was rewritten by the sync; one still stale here was edited by hand.
    if (readHeader(text)?.untouched) continue;
    await writeFile(path, text.replace(NODE_NAME, (_all, lead: string) => `${lead}"${m.node}"`), "utf8");
    out.edited.push(entry.file);
  }
  void report;
  return out;
}
