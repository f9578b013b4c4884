/**
 * Reading the arguments VMs and containers share, and the meta-arguments.
 */
import type { BaseGuestSpec, CloneSpec, GuestKind } from "../../model.js";
import { GIB, parseSize } from "../../../pve/size.js";
import { compact } from "../spec/props.js";
import type { BodyReader } from "./body.js";
import type { PveComments } from "./comments.js";

/** Common fields; vmid/node are NaN/"" when missing (the caller reports and drops the spec). */
export function readBase(kind: GuestKind, resourceName: string, r: BodyReader, c: PveComments, name: string): BaseGuestSpec {
  for (const meta of ["lifecycle", "depends_on", "provider"]) r.ignore(meta);
  for (const meta of ["count", "for_each"]) {
    if (r.has(meta)) r.fail(meta, `proxmox-mpc cannot expand ${meta}: write one resource per guest`);
  }
  const vmid = r.num("vm_id");
  const node = r.str("node_name");
  // (A present but unusable value was already reported.)
  if (vmid === undefined && !r.has("vm_id")) r.fail("vm_id", "is required by proxmox-mpc (the guest's VMID)");
  if (node === undefined && !r.has("node_name")) r.fail("node_name", "is required");
  const tags = r.strList("tags") ?? [];
  const spec: BaseGuestSpec = {
    kind,
    resourceName,
    vmid: vmid ?? Number.NaN,
    node: node ?? "",
    name,
    description: r.str("description"),
    tags: [...new Set(tags.map((t) => t.trim()).filter(Boolean))].sort(),
    // The provider starts guests on boot unless told otherwise.
    onBoot: r.bool(kind === "lxc" ? "start_on_boot" : "on_boot") ?? true,
    started: r.bool("started") ?? true,
    template: r.bool("template") ?? false,
    protection: r.bool("protection") ?? false,
    cpu: {},
    memory: {},
    unmapped: { ...c.unmapped },
  };
  return compact(spec);
}

/** clone {} (VMs have `full` and `retries`). */
export function readCloneBlock(r: BodyReader, vm: boolean): CloneSpec | undefined {
  const b = r.block("clone");
  if (!b) return undefined;
  const vmId = b.num("vm_id");
  if (vmId === undefined) b.fail("vm_id", "is required in clone");
  const clone = compact({ vmId: vmId ?? Number.NaN, full: vm ? b.bool("full") : undefined, nodeName: b.str("node_name"), datastoreId: b.str("datastore_id") });
  if (vm) b.ignore("retries");
  b.finish();
  return clone;
}

/**
 * The volume and exact size a `# pve-volume:` comment recorded for a key. The
 * exact size holds only while the block's `size` (whole GiB) still is its
 * floor: a size edited since (by hand, or by `set`) wins.
 */
export function volumeOf(c: PveComments, key: string, sizeGiB?: number): { volume?: string; exactSize?: string } {
  const v = c.volumes[key];
  if (!v) return {};
  const bytes = parseSize(v.size);
  const stale = sizeGiB !== undefined && bytes !== undefined && Math.max(1, Math.floor(bytes / GIB)) !== sizeGiB;
  return compact({ volume: v.volume, exactSize: stale ? undefined : v.size });
}
