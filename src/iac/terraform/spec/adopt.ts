/**
 * Adoption: the GuestSpec of an existing guest, from the store's record of
 * it (its full PVE config, status and identity).
 */
import type { BaseGuestSpec, GuestRecord, GuestSpec, PveConfigInput, StartupSpec } from "../../model.js";
import { parseBool } from "../../../pve/scalars.js";
import { parseTags, uniqueTags } from "../../../pve/tags.js";
import { STARTUP } from "./codecs.js";
import { adoptLxc } from "./adopt-lxc.js";
import { adoptQemu } from "./adopt-qemu.js";
import { safeResourceName } from "./names.js";
import { compact } from "./props.js";
import { ConfigReader } from "./reader.js";

export { IGNORED_PVE_KEYS } from "./reader.js";

/**
 * The fields of a guest's record the adoption needs (a GuestRecord fits). The
 * config may hold non-scalar values, like the raw `lxc` key of a container.
 */
export type AdoptableGuest = Pick<GuestRecord, "vmid" | "type" | "node" | "name" | "status" | "template"> & { config: PveConfigInput };

/**
 * The spec of an existing guest. Its resourceName is the safe form of its
 * name; make names unique across a set with assignResourceNames.
 */
export function specFromPve(guest: AdoptableGuest): GuestSpec {
  const reader = new ConfigReader(guest.config ?? {});
  const base = adoptBase(guest, reader);
  return guest.type === "lxc" ? adoptLxc(base, reader) : adoptQemu(base, reader);
}

/** Fields common to VMs and containers (name is filled in per kind). */
function adoptBase(guest: AdoptableGuest, reader: ConfigReader): BaseGuestSpec {
  const nameKey = guest.type === "lxc" ? "hostname" : "name";
  // A VM without `name` has none in PVE either (the GUI shows "VM 100"): keep it empty.
  const name = reader.take(nameKey) ?? "";
  const tagsText = reader.take("tags");
  const onboot = reader.take("onboot");
  const template = reader.take("template");
  const protection = reader.take("protection");
  const startup: StartupSpec = {};
  const startupRead = reader.props("startup", STARTUP, startup as Record<string, unknown>);
  if (startupRead?.extra) {
    // Not a form we can carry: keep the whole key as a comment.
    reader.unuse("startup");
  }
  const spec: BaseGuestSpec = {
    kind: guest.type,
    resourceName: safeResourceName(name || guest.name || "", guest.vmid, guest.type),
    vmid: guest.vmid,
    node: guest.node,
    name,
    description: reader.take("description"),
    tags: uniqueTags(parseTags(tagsText)),
    onBoot: parseBool(onboot) === true,
    started: guest.status === "running",
    template: parseBool(template) === true || (template === undefined && guest.template === true),
    protection: parseBool(protection) === true,
    adopted: true,
    cpu: {},
    memory: {},
    startup: startupRead && !startupRead.extra ? startup : undefined,
    unmapped: {},
  };
  return compact(spec);
}
