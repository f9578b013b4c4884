/**
 * `set`'s changes to one guest's .tf file, made on the text (edit-hcl.ts):
 * cores (`cpu { cores }`), memory (`memory { dedicated }`), disk sizes
 * (a VM's `disk { interface = "scsi0" … size }`, a container's `disk { size }`
 * for rootfs and `mount_point { size }` for mpN) and tags. Only the lines
 * concerned change; a header's hash is left alone (the file now reads as
 * edited, so a sync keeps it until the change is applied, see restamp()).
 */
import { GIB, parseSize, printSize } from "../../pve/size.js";
import { parseProps, printProps } from "../../pve/property-string.js";
import { uniqueTags } from "../../pve/tags.js";
import type { GuestKind } from "../model.js";
import { EditRefusal, HclDocument, type BlockRange } from "./edit-hcl.js";
import { CT_RESOURCE, VM_RESOURCE, VOLUME_PREFIX } from "./render-common.js";
import { readHeader, withHeader } from "./render.js";

export { EditRefusal } from "./edit-hcl.js";

/** A disk size change: to an absolute size, or grown by some bytes. */
export type SizeChange = { to: number } | { grow: number };

/** What `set` changes. */
export interface GuestChange {
  cores?: number;
  memoryMiB?: number;
  /** By PVE disk key (scsi0, virtio1, rootfs, mp0). */
  disks?: { key: string; size: SizeChange }[];
  /** Replace every tag (`set`), then add and remove. */
  tags?: { set?: string[]; add?: string[]; remove?: string[] };
}

/** One field that changes, for the summary and the JSON result. */
export interface FieldChange {
  field: string;
  from: number | string | string[] | null;
  to: number | string | string[] | null;
}

/** A disk that grows: its key and its new size in bytes. */
export interface DiskGrowth {
  key: string;
  fromBytes: number;
  toBytes: number;
}

/** The edited text and what changed. */
export interface GuestEdit {
  text: string;
  changes: FieldChange[];
  growths: DiskGrowth[];
}

/** Which resource of the file, and the disk sizes the cluster reports (bytes, by key) for the shrink check. */
export interface EditTarget {
  file: string;
  kind: GuestKind;
  resourceName: string;
  liveDiskBytes?: Record<string, number>;
}

/** Apply `change` to the resource's text; throws EditRefusal where that cannot be done safely. */
export function editGuestText(text: string, target: EditTarget, change: GuestChange): GuestEdit {
  const doc = new HclDocument(text, target.file);
  const type = target.kind === "lxc" ? CT_RESOURCE : VM_RESOURCE;
  const resource = (): BlockRange => doc.resource(type, target.resourceName);
  const changes: FieldChange[] = [];
  const growths: DiskGrowth[] = [];
  const what = `${type}.${target.resourceName}`;

  const setInBlock = (blockType: string, name: string, value: number, field: string): void => {
    const block = doc.block(resource(), blockType, what);
    const attr = doc.attr(block, name);
    const from = attr?.value;
    if (attr && typeof from !== "number") throw new EditRefusal(`${target.file}:${attr.line + 1}: ${field} is not a number literal (${attr.raw.trim()}); set changes literal values only. Edit the file by hand.`);
    if (from === value) return;
    if (attr) doc.replaceValue(attr, value, field);
    else doc.insertAttr(block, name, value, []);
    changes.push({ field, from: from ?? null, to: value });
  };

  if (change.cores !== undefined) setInBlock("cpu", "cores", change.cores, "cpu.cores");
  if (change.memoryMiB !== undefined) {
    if (target.kind === "qemu") {
      const floating = doc.attr(doc.block(resource(), "memory", what), "floating")?.value;
      if (typeof floating === "number" && floating > change.memoryMiB) {
        throw new EditRefusal(`memory.floating (the balloon minimum, ${floating} MiB) is above the new memory of ${change.memoryMiB} MiB; lower floating in ${target.file} first.`);
      }
    }
    setInBlock("memory", "dedicated", change.memoryMiB, "memory.dedicated");
  }
  for (const disk of change.disks ?? []) {
    const growth = target.kind === "lxc" ? resizeContainerDisk(doc, resource, target, disk.key, disk.size) : resizeVmDisk(doc, resource, target, disk.key, disk.size);
    if (growth) {
      growths.push(growth);
      changes.push({ field: `${disk.key}.size`, from: printSize(growth.fromBytes), to: printSize(growth.toBytes) });
    }
  }
  if (change.tags) editTags(doc, resource, change.tags, changes, target.file);
  return { text: doc.text, changes, growths };
}

/** A new size from the current one; refuses a shrink (against the file and the cluster). */
function newSize(target: EditTarget, key: string, currentBytes: number, size: SizeChange, wholeGiB: boolean): number {
  let bytes = "grow" in size ? currentBytes + size.grow : size.to;
  if (wholeGiB) bytes = Math.ceil(bytes / GIB) * GIB;
  const live = target.liveDiskBytes?.[key];
  const floor = Math.max(currentBytes, live ?? 0);
  if (bytes < floor) {
    const from = live !== undefined && live > currentBytes ? `${printSize(live)} in the cluster` : printSize(currentBytes);
    throw new EditRefusal(`${key} cannot shrink from ${from} to ${printSize(bytes)}: Proxmox VE grows disks only.`);
  }
  return bytes;
}

/** A VM disk: `disk { interface = "KEY" … size = GiB }`, its `# pve-volume:` exact size dropped once the size changes. */
function resizeVmDisk(doc: HclDocument, resource: () => BlockRange, target: EditTarget, key: string, size: SizeChange): DiskGrowth | undefined {
  const blocks = doc.blocks(resource(), "disk");
  const index = blocks.findIndex((b) => doc.attr(b, "interface")?.value === key);
  if (index < 0) {
    const keys = blocks.map((b) => doc.attr(b, "interface")?.value).filter((k) => typeof k === "string");
    throw new EditRefusal(`${target.file} has no disk with interface "${key}"${keys.length ? ` (disks: ${keys.join(", ")})` : ""}.`);
  }
  return resizeSizedBlock(doc, () => doc.blocks(resource(), "disk")[index], target, key, size);
}

/** A container's rootfs (`disk { size }`) or mount point N (`mount_point { size = "10G" }`, the Nth block). */
function resizeContainerDisk(doc: HclDocument, resource: () => BlockRange, target: EditTarget, key: string, size: SizeChange): DiskGrowth | undefined {
  if (key === "rootfs") return resizeSizedBlock(doc, () => doc.block(resource(), "disk", `${CT_RESOURCE}.${target.resourceName}`), target, key, size);
  const m = /^mp(\d+)$/.exec(key);
  const count = doc.blocks(resource(), "mount_point").length;
  if (!m || Number(m[1]) >= count) throw new EditRefusal(`${target.file} has no ${key} (a container's disks are rootfs${count ? ` and mp0…mp${count - 1}` : ""}).`);
  const block = (): BlockRange => doc.blocks(resource(), "mount_point")[Number(m[1])];
  const attr = doc.attr(block(), "size");
  if (!attr) throw new EditRefusal(`${target.file}: mount point ${key} has no size to change.`);
  const current = typeof attr.value === "string" ? parseSize(attr.value) : undefined;
  if (current === undefined) throw new EditRefusal(`${target.file}:${attr.line + 1}: ${key}'s size is not a literal size (${attr.raw.trim()}); edit the file by hand.`);
  const bytes = newSize(target, key, current, size, false);
  if (bytes === current) return undefined;
  doc.replaceValue(attr, printSize(bytes), `${key}.size`);
  return { key, fromBytes: current, toBytes: bytes };
}

/** `size = GiB` of a disk block, and the exact size of its `# pve-volume:` comment. */
function resizeSizedBlock(doc: HclDocument, block: () => BlockRange, target: EditTarget, key: string, size: SizeChange): DiskGrowth | undefined {
  const attr = doc.attr(block(), "size");
  if (attr && typeof attr.value !== "number") throw new EditRefusal(`${target.file}:${attr.line + 1}: ${key}'s size is not a number literal (${attr.raw.trim()}); edit the file by hand.`);
  const comment = doc.comments(block()).find((c) => new RegExp(`^\\s*#\\s*${VOLUME_PREFIX}\\s+${key}\\s*=`).test(c.text));
  const commentValue = comment ? comment.text.slice(comment.text.indexOf("=") + 1).trim() : undefined;
  const exact = commentValue !== undefined ? parseSize(parseProps(commentValue, "volume").size) : undefined;
  if (!attr) throw new EditRefusal(`${target.file}: the ${key} disk block has no size to change.`);
  const current = exact ?? (attr.value as number) * GIB;
  const bytes = newSize(target, key, current, size, true);
  if (bytes === current) return undefined;
  doc.replaceValue(attr, bytes / GIB, `${key}.size`);
  if (comment && exact !== undefined) {
    // The recorded exact size no longer holds: keep the volume, drop the size.
    const volume = parseProps(commentValue as string, "volume").volume;
    const prefix = comment.text.slice(0, comment.text.indexOf("=") + 1);
    const line = doc.lines[comment.line];
    if (volume) doc.lines[comment.line] = { ...line, text: `${prefix} ${printProps({ volume }, "volume")}` };
    else doc.lines.splice(comment.line, 1);
  }
  return { key, fromBytes: current, toBytes: bytes };
}

function editTags(doc: HclDocument, resource: () => BlockRange, tags: NonNullable<GuestChange["tags"]>, changes: FieldChange[], file: string): void {
  const attr = doc.attr(resource(), "tags");
  if (attr && !Array.isArray(attr.value)) throw new EditRefusal(`${file}:${attr.line + 1}: tags is not a list of literal strings (${attr.raw.trim()}); set changes literal values only. Edit the file by hand.`);
  const before = (attr?.value as string[] | undefined) ?? [];
  let next = tags.set ?? before;
  next = [...next, ...(tags.add ?? [])];
  const removed = new Set((tags.remove ?? []).map((t) => t.toLowerCase()));
  next = uniqueTags(next.filter((t) => !removed.has(t.toLowerCase())));
  if (next.join(";") === uniqueTags(before).join(";") && next.join(";") === before.join(";")) return;
  if (!next.length) {
    if (attr) doc.removeLine(attr);
  } else if (attr) doc.replaceValue(attr, next, "tags");
  else doc.insertAttr(resource(), "tags", next, ["description", "name", "vm_id", "node_name"]);
  changes.push({ field: "tags", from: before, to: next });
}

/**
 * After the change was applied: a file whose header matched its body before
 * `set` edited it gets its hash renewed, so sync treats it as proxmox-mpc's own
 * again (a hand-edited file stays hand-edited). `before` is the text before set.
 */
export function restamp(before: string, after: string): string {
  const header = readHeader(before);
  if (!header?.untouched || !readHeader(after)) return after;
  return withHeader(header.subject, after.slice(after.indexOf("\n") + 1));
}
