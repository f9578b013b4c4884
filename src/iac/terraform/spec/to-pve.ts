/**
 * pveConfigFromSpec: the PVE config keys and values a spec implies.
 *
 * - `{ for: "compare" }`: values in the form GET …/config returns them (disks
 *   with their volume and size), to compare with a live config; see
 *   diffPveConfig for the comparison itself (defaults, key order, encodings).
 * - `{ for: "create" }`: values to send when creating the guest: disks in
 *   PVE's allocation syntax (`scsi0: local-lvm:32,iothread=1`), `vmid`, and
 *   for a container `ostemplate` and `ssh-public-keys`. For a spec with
 *   `clone`, the values to PUT on the clone after POST …/clone: no `vmid` and
 *   no disk, EFI, TPM or cloud-init allocation (the clone has the template's).
 */
import type { GuestSpec, PveConfigOptions, PveConfigValues } from "../../model.js";
import { LXC_CONSOLE, LXC_CPU, LXC_MEMORY, LXC_TOP, QEMU_CPU, QEMU_MEMORY, QEMU_TOP, STARTUP } from "./codecs.js";
import { printTags } from "../../../pve/tags.js";
import { encodeValue, printCodec, type FieldCodec } from "./props.js";
import { lxcValues } from "./to-pve-lxc.js";
import { qemuValues } from "./to-pve-qemu.js";

/** The PVE config a spec implies (see the module comment for the two modes). */
export function pveConfigFromSpec(spec: GuestSpec, options: PveConfigOptions = { for: "compare" }): PveConfigValues {
  const out: PveConfigValues = {};
  const create = options.for === "create";
  if (create && !spec.clone) out.vmid = spec.vmid;
  if (spec.name) out[spec.kind === "lxc" ? "hostname" : "name"] = spec.name;
  if (spec.description !== undefined) out.description = spec.description;
  if (spec.tags.length) out.tags = printTags(spec.tags);
  if (spec.onBoot) out.onboot = 1;
  if (spec.template) out.template = 1;
  if (spec.protection) out.protection = 1;
  if (spec.startup && Object.keys(spec.startup).length) out.startup = printCodec(STARTUP, spec.startup).split(",").sort(startupOrder).join(",");
  if (spec.kind === "qemu") {
    putFields(out, QEMU_TOP, spec);
    putFields(out, QEMU_CPU, spec.cpu);
    if (spec.memory.dedicated !== undefined) out.memory = spec.memory.dedicated;
    putFields(out, QEMU_MEMORY, spec.memory);
    qemuValues(spec, out, create);
  } else {
    putFields(out, LXC_TOP, spec);
    if (spec.unprivileged) out.unprivileged = 1;
    putFields(out, LXC_CPU, spec.cpu);
    putFields(out, LXC_MEMORY, spec.memory);
    if (spec.console) putFields(out, LXC_CONSOLE, spec.console);
    lxcValues(spec, out, create);
  }
  return out;
}

/** Top-level fields through their codecs (booleans as 1/0, numbers as numbers). */
export function putFields(out: PveConfigValues, codecs: FieldCodec[], source: object): void {
  const src = source as Record<string, unknown>;
  for (const field of codecs) {
    const value = src[field.spec];
    if (value === undefined) continue;
    const text = encodeValue(field, value);
    out[field.pve] = field.type === "int" || field.type === "float" || field.type === "bool" ? Number(text) : text;
  }
}

const STARTUP_ORDER = ["order", "up", "down"];

/** startup keeps the order PVE's GUI writes: order, up, down. */
function startupOrder(a: string, b: string): number {
  return STARTUP_ORDER.indexOf(a.split("=")[0]) - STARTUP_ORDER.indexOf(b.split("=")[0]);
}
