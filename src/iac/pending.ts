/**
 * Guests that exist in terraform/ but not (yet) in the cluster: written by
 * `create vm|ct`, not applied yet. They count for vmid/name/IP uniqueness and
 * appear in the Ansible inventory (status "planned").
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { GuestSpec } from "./model.js";
import type { GuestRecord } from "../state/types.js";
import { indexTerraformDir, type TfFileEntry } from "./tf-index.js";

/** A store-shaped record of a desired guest (for the inventory and listings). */
export async function recordFromSpec(spec: GuestSpec): Promise<GuestRecord> {
  const [{ pveConfigFromSpec }, { guestFromConfig }] = await Promise.all([import("./model.js"), import("../pve/guest-config.js")]);
  const config = pveConfigFromSpec(spec, { for: "compare" });
  const observed = guestFromConfig({ type: spec.kind, vmid: spec.vmid, node: spec.node, name: spec.name, status: "planned", template: spec.template }, config);
  return {
    vmid: observed.vmid,
    type: observed.type,
    node: observed.node,
    name: observed.name,
    status: "planned",
    template: observed.template,
    cores: observed.cores,
    memory: observed.memory,
    disk: observed.disk,
    tags: observed.tags,
    ipAddresses: observed.ipAddresses,
    config: observed.config,
    digest: null,
    updatedAt: new Date(0),
    firstSeenSyncId: 0,
    lastChangedSyncId: 0,
  };
}

/**
 * The guests of terraform/ whose vmid is not in `known` (the cluster as last
 * synced). `index` is the directory's index when the caller already has it.
 */
export async function pendingGuests(terraformDir: string, known: ReadonlySet<number>, index?: TfFileEntry[]): Promise<GuestRecord[]> {
  const entries = (index ?? (await indexTerraformDir(terraformDir))).filter((e) => e.vmid !== undefined && !known.has(e.vmid));
  if (!entries.length) return [];
  const { parseTerraformFile } = await import("./terraform/index.js");
  const records: GuestRecord[] = [];
  for (const entry of entries) {
    const path = join(terraformDir, entry.file);
    const parsed = await parseTerraformFile(path, await readFile(path, "utf8"));
    for (const spec of parsed.specs) records.push(await recordFromSpec(spec));
  }
  return records;
}
