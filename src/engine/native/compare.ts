/**
 * Comparing one spec with its live guest: which config keys to set or
 * delete, which disks to grow, which power change to make, and what cannot
 * be done in place (→ replace) or is not done by this engine (→ unsupported).
 *
 * diffPveConfig says what differs; this module decides how to get there:
 * a disk on the same volume is grown with the resize API and its options
 * set with its live volume and size; a new disk is allocated; a CD-ROM or
 * cloud-init drive is just set; a disk that would be removed, moved to
 * another volume or shrunk makes the guest a replacement.
 *
 * `fresh` is for a guest this apply has just created or cloned: there is no
 * data to lose yet, so disks may be removed or allocated freely.
 */
import { diffPveConfig, pveConfigFromSpec, samePveValue, type GuestSpec, type PveConfigChange, type PveConfigValues } from "../../iac/model.js";
import { isDiskKey } from "../../pve/guest-config.js";
import { parseProps, printProps } from "../../pve/property-string.js";
import { GIB, parseSize } from "../../pve/size.js";
import { argumentName, displayValue, fieldName } from "./fields.js";
import type { GuestOps, LiveGuest } from "./types.js";

/** A container mount point's `mp` is printed right after its volume, as PVE does (a required key). */
const MOUNT_POINT_FIRST = ["mp"];
/** PCI and USB passthrough: node-specific hardware, and root@pam-only in PVE for raw devices. */
export const PASSTHROUGH = /^(hostpci|usb)\d+$/;

/** "a VM" / "a container". */
export function kindWord(kind: "qemu" | "lxc"): string {
  return kind === "lxc" ? "container" : "VM";
}

/** What it takes to bring `live` to `spec` (see the module comment). */
export function compareGuest(spec: GuestSpec, live: LiveGuest, options: { fresh?: boolean } = {}): GuestOps {
  const ops: GuestOps = { set: {}, remove: [], resizes: [], diff: {}, replace: [], unsupported: [] };
  if (live.type !== spec.kind) {
    ops.diff.type = [live.type, spec.kind];
    ops.replace.push(`it is a ${kindWord(live.type)} in Proxmox and a ${kindWord(spec.kind)} in the file`);
    return ops;
  }
  if (live.node !== spec.node) {
    ops.diff.node = [live.node, spec.node];
    ops.replace.push(`node ${live.node} → ${spec.node}: the native engine does not migrate guests (migrate it in Proxmox first, or use --engine terraform)`);
  }
  const fresh = options.fresh === true;
  let createValues: PveConfigValues | undefined;
  const allocation = (key: string): string | number | undefined => (createValues ??= pveConfigFromSpec({ ...spec, clone: undefined }, { for: "create" }))[key];
  for (const found of diffPveConfig(spec, live.config ?? {})) {
    const { key } = found;
    if (key === "template") continue;
    const change = keepLiveMac(spec.kind, found);
    if (!change) continue;
    if (PASSTHROUGH.test(key) || (!fresh && /^(efidisk0|tpmstate0)$/.test(key))) {
      pushOnce(ops.unsupported, argumentName(spec.kind, key));
      continue;
    }
    if (spec.kind === "lxc" && key === "unprivileged") {
      ops.diff.unprivileged = [displayValue("lxc", key, change.live), displayValue("lxc", key, change.desired)];
      ops.replace.push("unprivileged cannot be changed on an existing container");
      continue;
    }
    if (isDiskKey(spec.kind, key)) diskChange(spec, change, ops, fresh, allocation);
    else if (change.action === "delete") {
      ops.remove.push(key);
      ops.diff[fieldName(spec.kind, key)] = [displayValue(spec.kind, key, change.live), displayValue(spec.kind, key, undefined)];
    } else {
      ops.set[key] = change.desired ?? "";
      ops.diff[fieldName(spec.kind, key)] = [displayValue(spec.kind, key, change.live), displayValue(spec.kind, key, change.desired)];
    }
  }
  powerAndTemplate(spec, live, ops);
  return ops;
}

function powerAndTemplate(spec: GuestSpec, live: LiveGuest, ops: GuestOps): void {
  const running = live.status === "running";
  if (spec.template !== live.template) ops.diff.template = [live.template, spec.template];
  if (spec.template) {
    if (!live.template) {
      ops.toTemplate = true;
      if (running) ops.power = "stop";
    }
    return;
  }
  if (live.template) {
    ops.replace.push(`a template cannot be turned back into a ${kindWord(spec.kind)}`);
    return;
  }
  if (spec.started !== running) {
    ops.diff.started = [running, spec.started];
    ops.power = spec.started ? "start" : "stop";
  }
}

function diskChange(spec: GuestSpec, change: PveConfigChange, ops: GuestOps, fresh: boolean, allocation: (key: string) => string | number | undefined): void {
  const { key } = change;
  const name = fieldName(spec.kind, key);
  const liveValue = change.live;
  const desired = change.desired;
  const cdrom = (v: string | undefined): boolean => v !== undefined && /(^|,)media=cdrom(,|$)/.test(v);
  if (change.action === "delete" || desired === undefined) {
    ops.diff[name] = [liveValue ?? null, null];
    if (fresh || cdrom(liveValue)) ops.remove.push(key);
    else ops.replace.push(`${name} would be removed (its data would be lost)`);
    return;
  }
  if (cdrom(desired) || cdrom(liveValue)) {
    const cloudInit = desired.includes("cloudinit");
    ops.set[key] = cloudInit ? (allocation(key) ?? desired) : desired;
    ops.diff[name] = [liveValue ?? null, desired];
    return;
  }
  if (liveValue === undefined) {
    ops.set[key] = allocationValue(spec.kind, key, String(allocation(key) ?? desired));
    ops.diff[name] = [null, desired];
    return;
  }
  const want = parseProps(desired, "volume");
  const have = parseProps(liveValue, "volume");
  if (!sameVolume(want.volume ?? "", have.volume ?? "")) {
    ops.diff[name] = [liveValue, desired];
    ops.replace.push(`${name} would move from ${have.volume} to ${want.volume} (its data would be lost)`);
    return;
  }
  const wantBytes = parseSize(want.size);
  const haveBytes = parseSize(have.size);
  if (wantBytes !== undefined && haveBytes !== undefined && wantBytes !== haveBytes) {
    ops.diff[`${name}.size`] = [have.size, want.size];
    if (wantBytes < haveBytes) ops.replace.push(`${name} would shrink from ${have.size} to ${want.size} (disks cannot shrink)`);
    else ops.resizes.push({ disk: key, size: want.size! });
  }
  const merged: Record<string, string | undefined> = { ...want, volume: have.volume, size: have.size };
  const value = printProps(merged, "volume", MOUNT_POINT_FIRST);
  if (!samePveValue(spec.kind, key, value, liveValue)) {
    ops.set[key] = value;
    ops.diff[name] = [liveValue, value];
  }
}

/**
 * A NIC written without a MAC address (a new guest's file) gets the one PVE
 * generated; undefined when that was the only difference.
 */
function keepLiveMac(kind: "qemu" | "lxc", change: PveConfigChange): PveConfigChange | undefined {
  if (!/^net\d+$/.test(change.key) || change.action !== "set" || change.live === undefined || change.desired === undefined) return change;
  let desired = change.desired;
  if (kind === "qemu") {
    const [lead, ...rest] = desired.split(",");
    const mac = /^[^=,]+=([0-9A-Fa-f:]{17})(,|$)/.exec(change.live)?.[1];
    if (lead.includes("=") || !mac) return change;
    desired = [`${lead}=${mac}`, ...rest].join(",");
  } else {
    const mac = /(?:^|,)hwaddr=([0-9A-Fa-f:]{17})/.exec(change.live)?.[1];
    if (/(^|,)hwaddr=/.test(desired) || !mac) return change;
    desired = `${desired},hwaddr=${mac}`;
  }
  return samePveValue(kind, change.key, desired, change.live) ? undefined : { ...change, desired };
}

/**
 * Two volume ids for the same disk: equal, or a desired id that only names
 * the datastore ("local-lvm:", "local-lvm", or the allocation "local-lvm:8").
 */
export function sameVolume(want: string, have: string): boolean {
  if (want === have) return true;
  const store = /^([^:/]+)(?::(\d+(?:\.\d+)?)?)?$/.exec(want);
  return store !== null && have.startsWith(`${store[1]}:`);
}

/** A new disk in PVE's allocation syntax: "local-lvm:8,mp=/data" for a mount point given as datastore + size. */
export function allocationValue(kind: "qemu" | "lxc", key: string, value: string): string {
  if (kind !== "lxc" || !/^mp\d+$/.test(key)) return value;
  const props = parseProps(value, "volume");
  const volume = props.volume ?? "";
  const store = /^([^:/]+):?$/.exec(volume);
  const bytes = parseSize(props.size);
  if (!store || bytes === undefined) return value;
  return printProps({ ...props, volume: `${store[1]}:${Math.max(1, Math.ceil(bytes / GIB))}`, size: undefined }, "volume", MOUNT_POINT_FIRST);
}

function pushOnce(list: string[], item: string): void {
  if (!list.includes(item)) list.push(item);
}
