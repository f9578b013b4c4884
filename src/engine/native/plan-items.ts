/**
 * Building the planned changes of one guest: the create of a spec that is
 * not live, the update or replacement of one that is, the delete of a
 * managed guest. Pure functions over specs and live guests.
 */
import { pveConfigFromSpec, type GuestSpec } from "../../iac/model.js";
import type { ParsedGuestSpec } from "../../iac/terraform/index.js";
import { allocationValue, compareGuest, PASSTHROUGH } from "./compare.js";
import { displayValue, fieldName } from "./fields.js";
import type { ManagedGuest } from "./state.js";
import { addressOf, type LiveGuest, type PlanItem } from "./types.js";

/** Keys a create never sends (see PASSTHROUGH) or sends in a later call (template conversion). */
export function createParams(spec: GuestSpec): Record<string, string | number> {
  const params: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(pveConfigFromSpec(spec, { for: "create" }))) {
    if (PASSTHROUGH.test(key) || key === "template") continue;
    params[key] = typeof value === "string" ? allocationValue(spec.kind, key, value) : value;
  }
  return params;
}

/** A spec with every existing volume forgotten: a create allocates new disks. */
export function freshSpec(spec: GuestSpec): GuestSpec {
  if (spec.kind === "qemu") {
    return {
      ...spec,
      disks: spec.disks.map((d) => ({ ...d, volume: undefined })),
      efiDisk: spec.efiDisk && { ...spec.efiDisk, volume: undefined, exactSize: undefined },
      tpmState: spec.tpmState && { ...spec.tpmState, volume: undefined, exactSize: undefined },
      initialization: spec.initialization && { ...spec.initialization, volume: undefined },
    };
  }
  return {
    ...spec,
    rootDisk: spec.rootDisk && { ...spec.rootDisk, volume: undefined },
    mountPoints: spec.mountPoints.map((mp) => {
      // "local-lvm:vm-101-disk-1" → the datastore only; compare/allocation add the size.
      const m = /^([^:/]+):(?!\d+$).+$/.exec(mp.volume);
      return m ? { ...mp, volume: m[1] } : mp;
    }),
  };
}

/** The change of a spec whose vmid is not live. */
export function createItem(spec: ParsedGuestSpec, file: string): PlanItem {
  const diff: Record<string, [unknown, unknown]> = { node: [null, spec.node] };
  if (spec.clone) diff.clone = [null, spec.clone.vmId];
  for (const [key, value] of Object.entries(pveConfigFromSpec(freshSpec(spec), { for: "compare" }))) {
    if (key === "vmid" || PASSTHROUGH.test(key)) continue;
    // A disk still to allocate reads "local-lvm,size=32G" rather than "local-lvm:,size=32G".
    const shown = typeof value === "string" ? value.replace(/^([^:,=/]+):,/, "$1,") : value;
    diff[fieldName(spec.kind, key)] = [null, displayValue(spec.kind, key, shown)];
  }
  if (!spec.template) diff.started = [null, spec.started];
  return {
    change: {
      action: "create",
      type: spec.kind,
      name: spec.name,
      vmid: spec.vmid,
      node: spec.node,
      diff,
      address: addressOf(spec),
      ...(spec.clone ? { cloneOf: spec.clone.vmId } : {}),
    },
    spec,
    file,
  };
}

/** The update or replacement of a live spec; undefined when nothing (supported) differs. */
export function changeItem(spec: ParsedGuestSpec, file: string, live: LiveGuest): { item?: PlanItem; unsupported: string[] } {
  const ops = compareGuest(spec, live);
  const replace = ops.replace.length > 0;
  const changed = replace || Object.keys(ops.diff).length > 0;
  if (!changed) return { unsupported: ops.unsupported };
  return {
    unsupported: ops.unsupported,
    item: {
      change: {
        action: replace ? "replace" : "update",
        type: spec.kind,
        name: spec.name,
        vmid: spec.vmid,
        node: live.node,
        diff: ops.diff,
        address: addressOf(spec),
        ...(replace ? { reason: ops.replace.join("; ") } : {}),
      },
      spec,
      file,
      live,
      ops,
    },
  };
}

/** The destruction of a live guest. */
export function deleteItem(live: LiveGuest, managed: ManagedGuest | undefined, spec?: GuestSpec): PlanItem {
  const diff: Record<string, [unknown, unknown]> = {};
  const config = live.config ?? {};
  for (const key of Object.keys(config).sort()) {
    if (!/^(name|hostname|cores|memory|tags|scsi\d+|sata\d+|virtio\d+|rootfs|mp\d+)$/.test(key)) continue;
    if (String(config[key]).includes("media=cdrom")) continue;
    diff[fieldName(live.type, key)] = [displayValue(live.type, key, config[key]), null];
  }
  return {
    change: {
      action: "delete",
      type: live.type,
      name: spec?.name ?? managed?.name ?? live.name,
      vmid: live.vmid,
      node: live.node,
      diff,
      address: spec ? addressOf(spec) : managed?.address,
    },
    spec,
    live,
  };
}
