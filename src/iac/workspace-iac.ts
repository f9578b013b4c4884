/**
 * Bring a workspace's terraform/ and ansible/ in line with what sync stored:
 * one .tf per guest (adopted, with import blocks), the Ansible inventory and
 * playbooks. Only files whose content changes are written; hand-edited files
 * are kept (unless `overwrite`); files of guests that this sync saw removed
 * are deleted when untouched. Files of guests not created yet (`create vm`
 * before `apply`) are left alone.
 *
 * Three speeds: nothing changed and every file is there → nothing is read or
 * written; some guests changed → only their files are rendered
 * (workspace-terraform.ts); otherwise (a workspace edited outside
 * proxmox-mpc, or `overwrite`) every file is regenerated and compared.
 */
import { existsSync } from "node:fs";
import { readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { WorkspaceConfig, WorkspacePaths } from "../core/workspace.js";
import type { GuestRecord } from "../state/types.js";
import { forgetManaged, markManaged, readManaged, type ManagedGuest } from "./managed-set.js";
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
  /** The guests this sync added, changed or renamed (absent: regenerate every file). */
  changedVmids?: ReadonlySet<number>;
  /** Guests this sync saw disappear: their untouched files are deleted. */
  removedVmids: number[];
  /** Nothing changed in the cluster since the last sync. */
  unchanged: boolean;
  /** Rewrite hand-edited files too. */
  overwrite?: boolean;
}

type TerraformReport = IacReport["terraform"];

/** Regenerate the IaC of a workspace after a sync (see the module comment). */
export async function generateWorkspaceIac(options: GenerateOptions): Promise<IacReport> {
  const { paths } = options;
  const managed = await readManagedQuietly(paths.root);
  if (options.unchanged && !options.overwrite && managed && complete(paths, options.vmids, managed)) {
    return { terraform: { written: [], unchanged: options.vmids.length, keptEdited: [], removed: [] }, ansible: { written: [], unchanged: 0 }, skipped: true };
  }
  const guests = await options.guests();
  const removed = new Set(options.removedVmids);
  let terraform: TerraformReport;
  let pending: GuestRecord[];
  const changes =
    options.changedVmids && managed && !options.overwrite
      ? await (await import("./workspace-terraform.js")).writeChangedTerraform({ dir: paths.terraform, guests, changed: options.changedVmids, removed, managed })
      : null;
  const { pendingGuests } = await import("./pending.js");
  if (changes) {
    const { names, pending: entries, ...report } = changes;
    terraform = report;
    pending = await pendingGuests(paths.terraform, new Set([...guests.map((g) => g.vmid), ...removed]), entries);
    await recordManaged(paths.root, guests.filter((g) => options.changedVmids?.has(g.vmid) || !managed?.has(g.vmid)), names, options.removedVmids);
  } else {
    let index: TfFileEntry[];
    ({ terraform, index } = await writeEverything(paths, guests, removed, Boolean(options.overwrite)));
    pending = await pendingGuests(paths.terraform, new Set([...guests.map((g) => g.vmid), ...removed]), index);
    const names = new Map(index.flatMap((e) => (e.vmid !== undefined && e.resourceName ? [[e.vmid, e.resourceName] as const] : [])));
    await recordManaged(paths.root, guests, names, options.removedVmids);
  }
  const { generateAnsible, writeAnsible } = await import("./ansible/index.js");
  const files = generateAnsible([...guests, ...pending], { endpoint: options.config.endpoint, tokenId: options.config.tokenId, tls: options.config.tls });
  const ansible = await writeAnsible(paths.ansible, files);
  return { terraform, ansible: { written: ansible.written, unchanged: ansible.unchanged.length }, skipped: false };
}

/** Every file regenerated and compared with what is there (writeTerraform); the directory indexed as written. */
async function writeEverything(paths: WorkspacePaths, guests: GuestRecord[], removed: ReadonlySet<number>, overwrite: boolean): Promise<{ terraform: TerraformReport; index: TfFileEntry[] }> {
  const [{ specFromPve }, { writeTerraform, readHeader }, { indexTerraformDir }] = await Promise.all([import("./model.js"), import("./terraform/index.js"), import("./tf-index.js")]);
  const tf = await writeTerraform(paths.terraform, guests.map((g) => ({ ...specFromPve(g), adopted: true })), { overwrite });
  const pruned: string[] = [];
  for (const file of tf.staleFiles) {
    const header = readHeader(await readFile(join(paths.terraform, file), "utf8"));
    if (header?.untouched && header.vmid !== undefined && removed.has(header.vmid)) {
      await unlink(join(paths.terraform, file));
      pruned.push(file);
    }
  }
  // One read of terraform/ as written now serves both the managed set and the pending guests.
  const index = await indexTerraformDir(paths.terraform);
  return { terraform: { written: tf.written, unchanged: tf.unchanged.length, keptEdited: tf.keptEdited, removed: pruned }, index };
}

/** The workspace now owns the synced guests given (plan deletes one whose file is removed); removed ones are forgotten. */
async function recordManaged(root: string, guests: GuestRecord[], names: ReadonlyMap<number, string>, removedVmids: number[]): Promise<void> {
  const entries = guests.flatMap((g): ManagedGuest[] => {
    const name = names.get(g.vmid);
    if (!name) return [];
    const type = g.type === "qemu" ? "proxmox_virtual_environment_vm" : "proxmox_virtual_environment_container";
    return [{ vmid: g.vmid, name: g.name, node: g.node, type: g.type, address: `${type}.${name}` }];
  });
  if (entries.length) await markManaged(root, entries);
  if (removedVmids.length) await forgetManaged(root, removedVmids);
}

/** The managed set, or null when it cannot be read (the full regeneration then rewrites it). */
async function readManagedQuietly(root: string): Promise<Map<number, ManagedGuest> | null> {
  try {
    return await readManaged(root);
  } catch {
    return null;
  }
}

/**
 * Every guest has its file, plus provider.tf and the inventory. Checked against
 * the managed set sync keeps (one small JSON file and one stat per guest), so a
 * re-sync with nothing changed does not read thousands of .tf files.
 */
function complete(paths: WorkspacePaths, vmids: number[], managed: ReadonlyMap<number, ManagedGuest>): boolean {
  if (!existsSync(join(paths.terraform, "provider.tf")) || !existsSync(join(paths.ansible, "inventory.yml"))) return false;
  return vmids.every((vmid) => {
    const entry = managed.get(vmid);
    return entry !== undefined && existsSync(join(paths.terraform, `${entry.address.slice(entry.address.indexOf(".") + 1)}.tf`));
  });
}
