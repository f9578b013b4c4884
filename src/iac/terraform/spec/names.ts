/**
 * Terraform resource names for guests: safe (a valid identifier that is
 * also a good file name), unique across the workspace, and stable (the same
 * guest keeps its name from one sync to the next).
 */
import type { GuestKind, GuestSpec } from "../../model.js";

/**
 * The safe identifier for a guest name: lower case, runs of anything but
 * [a-z0-9_] become "_", a leading digit gets "vm_" (VM) or "ct_" (container),
 * an empty name becomes "vm_<vmid>" / "ct_<vmid>".
 */
export function safeResourceName(name: string, vmid: number, kind: GuestKind = "qemu"): string {
  const prefix = kind === "lxc" ? "ct_" : "vm_";
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (!base) return `${prefix}${vmid}`;
  return /^[0-9]/.test(base) ? `${prefix}${base}` : base;
}

/**
 * Make resource names unique, keeping the names guests already have
 * (`previous`, by vmid: read back from the workspace). Guests without a
 * previous name get their safe name; when that is taken, `<name>_<vmid>`.
 * Guests are handled by vmid, so the result does not depend on input order.
 * Returns new specs; the input is not changed.
 */
export function assignResourceNames<T extends GuestSpec>(specs: T[], previous: ReadonlyMap<number, string> = new Map()): T[] {
  const taken = new Set<string>();
  const names: string[] = new Array<string>(specs.length);
  const order = specs.map((spec, index) => ({ spec, index })).sort((a, b) => a.spec.vmid - b.spec.vmid || a.index - b.index);
  // Names guests already had win; on a clash (two guests claiming one name) the lower vmid keeps it.
  for (const { spec, index } of order) {
    const old = previous.get(spec.vmid);
    if (old && !taken.has(old)) {
      taken.add(old);
      names[index] = old;
    }
  }
  for (const { spec, index } of order) {
    if (names[index]) continue;
    const base = safeResourceName(spec.name, spec.vmid, spec.kind);
    let name = taken.has(base) || reservedName(base) ? `${base}_${spec.vmid}` : base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${spec.vmid}_${n}`;
    taken.add(name);
    names[index] = name;
  }
  return specs.map((spec, index) => ({ ...spec, resourceName: names[index] }));
}

/** Names that would clash with the files proxmox-mpc writes next to the guests. */
function reservedName(name: string): boolean {
  return name === "provider" || name === "imports";
}
