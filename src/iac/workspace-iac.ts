/**
 * Bring a workspace's terraform/ and ansible/ in line with what sync stored:
 * one .tf per guest (adopted, with import blocks), the Ansible inventory and
 * playbooks. Only files whose content changes are written; hand-edited files
 * are kept (unless `overwrite`); files of guests that this sync saw removed
 * are deleted when untouched. Files of guests not created yet (`create vm`
 * before `apply`) are left alone.
 */
import { existsSync } from "node:fs";
import { readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { WorkspaceConfig, WorkspacePaths } from "../core/workspace.js";
import type { GuestRecord } from "../state/types.js";
import type { TfFileEntry } from "./tf-index.js";

export interface IacReport {
  terraform: { written: string[]; unchanged: number; keptEdited: { file: string; diff: string }[]; removed: string[] };
  ansible: { written: string[]; unchanged: number };
  /** True when nothing changed in the cluster and every file was already there. */
  skipped: boolean;
}

export interface GenerateOptions {
  paths: WorkspacePaths;
  config: WorkspaceConfig;
  /** The vmids of the cluster as just synced. */
  vmids: number[];
  /** The stored guests (loaded only when files are regenerated). */
  guests: () => Promise<GuestRecord[]>;
  /** Guests this sync saw disappear: their untouched files are deleted. */
  removedVmids: number[];
  /** Nothing changed in the cluster since the last sync. */
  unchanged: boolean;
  /** Rewrite hand-edited files too. */
  overwrite?: boolean;
}

/** Regenerate the IaC of a workspace after a sync (see the module comment). */
export async function generateWorkspaceIac(options: GenerateOptions): Promise<IacReport> {
  const { paths } = options;
  if (options.unchanged && !options.overwrite && (await complete(paths, options.vmids))) {
    return { terraform: { written: [], unchanged: options.vmids.length, keptEdited: [], removed: [] }, ansible: { written: [], unchanged: 0 }, skipped: true };
  }
  const guests = await options.guests();
  const [{ specFromPve }, { writeTerraform, readHeader }, { generateAnsible, writeAnsible }] = await Promise.all([
    import("./model.js"),
    import("./terraform/index.js"),
    import("./ansible/index.js"),
  ]);
  const specs = guests.map((g) => ({ ...specFromPve(g), adopted: true }));
  const tf = await writeTerraform(paths.terraform, specs, { overwrite: options.overwrite });
  const removed = new Set(options.removedVmids);
  const pruned: string[] = [];
  for (const file of tf.staleFiles) {
    const header = readHeader(await readFile(join(paths.terraform, file), "utf8"));
    if (header?.untouched && header.vmid !== undefined && removed.has(header.vmid)) {
      await unlink(join(paths.terraform, file));
      pruned.push(file);
    }
  }
  const [{ pendingGuests }, { indexTerraformDir }] = await Promise.all([import("./pending.js"), import("./tf-index.js")]);
  // One read of terraform/ as written now serves both the managed set and the pending guests.
  const index = await indexTerraformDir(paths.terraform);
  const pending = await pendingGuests(paths.terraform, new Set([...guests.map((g) => g.vmid), ...removed]), index);
  await recordManaged(paths.root, guests, options.removedVmids, index);
  const files = generateAnsible([...guests, ...pending], { endpoint: options.config.endpoint, tokenId: options.config.tokenId, tls: options.config.tls });
  const ansible = await writeAnsible(paths.ansible, files);
  return {
    terraform: { written: tf.written, unchanged: tf.unchanged.length, keptEdited: tf.keptEdited, removed: pruned },
    ansible: { written: ansible.written, unchanged: ansible.unchanged.length },
    skipped: false,
  };
}

/** The workspace now owns every synced guest (plan deletes one whose file is removed); removed ones are forgotten. */
async function recordManaged(root: string, guests: GuestRecord[], removedVmids: number[], index: TfFileEntry[]): Promise<void> {
  const { markManaged, forgetManaged } = await import("../engine/native/state.js");
  const byVmid = new Map(index.map((e) => [e.vmid, e]));
  const entries = guests.flatMap((g) => {
    const file = byVmid.get(g.vmid);
    if (!file?.resourceName) return [];
    const type = g.type === "qemu" ? "proxmox_virtual_environment_vm" : "proxmox_virtual_environment_container";
    return [{ vmid: g.vmid, name: g.name, node: g.node, type: g.type, address: `${type}.${file.resourceName}` }];
  });
  await markManaged(root, entries);
  if (removedVmids.length) await forgetManaged(root, removedVmids);
}

/**
 * Every guest has its file, plus provider.tf and the inventory. Checked against
 * the managed set sync keeps (one small JSON file and one stat per guest), so a
 * re-sync with nothing changed does not read thousands of .tf files.
 */
async function complete(paths: WorkspacePaths, vmids: number[]): Promise<boolean> {
  try {
    if (!existsSync(join(paths.terraform, "provider.tf")) || !existsSync(join(paths.ansible, "inventory.yml"))) return false;
    const { readManaged } = await import("../engine/native/state.js");
    const managed = await readManaged(paths.root);
    return vmids.every((vmid) => {
      const entry = managed.get(vmid);
      return entry !== undefined && existsSync(join(paths.terraform, `${entry.address.slice(entry.address.indexOf(".") + 1)}.tf`));
    });
  } catch {
    return false;
  }
}
