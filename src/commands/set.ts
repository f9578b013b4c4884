/**
 * `set vm|ct NAME --cores N --memory 8G --disk scsi0=+10G --tag T …`: change
 * a guest's desired state by editing only the lines concerned of its .tf file
 * (a hand-edited file keeps every other line), show the diff, write it, and
 * with --apply plan and apply that guest alone. Like `create`, writing the IaC
 * asks nothing (it changes nothing in the cluster); --apply asks before it
 * acts, and answering n, a refusal or Ctrl-C before anything was applied puts
 * the file back as it was.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../core/errors.js";
import { style } from "../core/style.js";
import type { GuestChange, GuestEdit, SizeChange } from "../iac/terraform/edit-guest.js";
import type { TfFileEntry } from "../iac/tf-index.js";
import { GIB, parseSize } from "../pve/size.js";
import { requireWorkspace } from "./context.js";
import { defineCommand } from "./define.js";
import { ENGINE_OPTION } from "./engine-context.js";
import { defineOptions, flag, list, number, text } from "./options.js";
import type { CommandContext, CommandResult } from "./types.js";
import { parseMemoryMiB } from "./validate.js";

const TAG = /^[a-z0-9_][a-z0-9_+.-]*$/i;

export const setCommand = defineCommand({
  name: "set",
  summary: "Change a VM or container in its .tf file (cores, memory, disk size, tags); --apply applies it at once",
  description:
    "Edits only the lines concerned of terraform/<name>.tf, so a hand-edited file keeps everything else, and prints the diff. A value that is an expression (a variable, a reference), a missing block or a disk that would shrink is refused with what to do instead; nothing is written then. --dry-run prints the diff and writes nothing. With --apply the guest alone is planned and applied (after confirmation unless --yes); answering n or Ctrl-C before anything is applied puts the file back. Disks grow through the resize API. A change PVE cannot make to a running guest (memory without memory hotplug, cores) waits for its next restart: set --apply and describe show it as pending.",
  examples: [
    "proxmox-mpc set vm web-01 --memory 8G --cores 4",
    "proxmox-mpc set vm web-01 --disk scsi0=+10G --apply",
    "proxmox-mpc set ct cache-01 --disk rootfs=16G --add-tag prod --remove-tag staging --dry-run",
    "proxmox-mpc set vm 105 --tag web --tag prod --apply --yes",
  ],
  arguments: [
    { name: "kind", description: "vm or ct", required: true, choices: ["vm", "ct"] },
    { name: "name", description: "name or vmid", required: true, completion: "guest" },
  ],
  options: defineOptions({
    cores: number("--cores <n>", "CPU cores", { int: true, min: 1, max: 512 }),
    memory: text("--memory <size>", "memory in MiB or with a unit: 4096, 8G, 512M"),
    disk: list("--disk <key=size>", "grow a disk to a size or by one: scsi0=+10G, scsi0=64G, rootfs=+4G, mp0=20G (repeatable)"),
    tag: list("--tag <tag>", "set the tags to exactly these (repeatable; --tag '' removes every tag)", { completion: "tag" }),
    addTag: list("--add-tag <tag>", "add a tag (repeatable)", { completion: "tag" }),
    removeTag: list("--remove-tag <tag>", "remove a tag (repeatable)", { completion: "tag" }),
    dryRun: flag("--dry-run", "print the diff; write nothing"),
    apply: flag("--apply", "plan and apply this guest right away (asks for confirmation unless --yes)"),
    engine: ENGINE_OPTION,
  }),
  workspace: "required",
  mcp: { tool: "write" },
  async run(ctx, input) {
    const ws = requireWorkspace(ctx);
    const kind = input.args[0] === "ct" ? "lxc" : "qemu";
    const flags = input.options;
    const change = readChange(kind, flags);
    const { indexTerraformDir } = await import("../iac/tf-index.js");
    const entry = await findEntry(ctx, await indexTerraformDir(ws.paths.terraform), kind, input.args[1]);
    const file = `terraform/${entry.file}`;
    const path = join(ws.paths.terraform, entry.file);
    const before = await readFile(path, "utf8");
    const edit = await editFile(ctx, before, entry, change);
    if (!edit.changes.length) {
      return { kind: "data", data: { file, changes: [], diff: "", dryRun: Boolean(flags.dryRun), written: false }, text: `${file} already says so: nothing to change.` };
    }
    const { unifiedDiff } = await import("../iac/terraform/index.js");
    const diff = unifiedDiff(before, edit.text, `a/${file}`, `b/${file}`);
    const shown = colourDiff(diff, ctx.globals.color);
    const data = { file, name: entry.name, vmid: entry.vmid, changes: edit.changes, diff, dryRun: Boolean(flags.dryRun) };
    if (flags.dryRun) return { kind: "data", data: { ...data, written: false }, text: `${shown}(dry run: nothing written)` };
    await writeAtomically(path, edit.text);
    if (!flags.apply) {
      return { kind: "data", data: { ...data, written: true }, text: `${shown}Wrote ${file}.\nNext: proxmox-mpc plan, then proxmox-mpc apply (or set … --apply)` };
    }
    ctx.ui.info(shown.trimEnd());
    return applyEdit(ctx, { entry, path, file, before, edited: edit.text, engine: flags.engine });
  },
});

/** The change the options ask for, checked; a usage error (exit 2) for a bad value or no change at all. */
function readChange(kind: "qemu" | "lxc", flags: { cores?: number; memory?: string; disk?: string[]; tag?: string[]; addTag?: string[]; removeTag?: string[] }): GuestChange {
  const change: GuestChange = {};
  if (flags.cores !== undefined) change.cores = flags.cores;
  if (flags.memory !== undefined) change.memoryMiB = parseMemoryMiB(flags.memory);
  if (flags.disk?.length) change.disks = flags.disk.map((d) => parseDiskChange(kind, d));
  const tags = (list: string[] | undefined): string[] | undefined => {
    if (!list) return undefined;
    const out = list.flatMap((t) => t.split(/[;,\s]+/)).filter(Boolean);
    const bad = out.find((t) => !TAG.test(t));
    if (bad) throw new UsageError(`"${bad}" is not a valid tag.`, "Tags are letters, digits, _ - + and . (not starting with - + or .).", "invalid-tag");
    return out;
  };
  if (flags.tag || flags.addTag || flags.removeTag) change.tags = { set: tags(flags.tag), add: tags(flags.addTag), remove: tags(flags.removeTag) };
  if (!Object.keys(change).length) {
    throw new UsageError("Nothing to change.", `Give --cores, --memory, --disk, --tag, --add-tag or --remove-tag, e.g. proxmox-mpc set ${kind === "qemu" ? "vm web-01 --memory 8G" : "ct cache-01 --cores 2"}.`);
  }
  return change;
}

/** `scsi0=+10G`, `scsi0=64G`, `rootfs=+4` (GiB when no unit). */
function parseDiskChange(kind: "qemu" | "lxc", value: string): { key: string; size: SizeChange } {
  const m = /^([a-z]+\d*)=(\+)?(\d+(?:\.\d+)?)\s*([KMGT])?i?B?$/i.exec(value.trim());
  const keyOk = m && (kind === "qemu" ? /^(scsi|virtio|sata|ide)\d+$/.test(m[1]) : /^(rootfs|mp\d+)$/.test(m[1]));
  const bytes = m ? parseSize(`${m[3]}${(m[4] ?? "G").toUpperCase()}`) : undefined;
  if (!m || !keyOk || bytes === undefined || bytes <= 0) {
    throw new UsageError(
      `--disk "${value}" is not a disk and a size.`,
      kind === "qemu" ? "Give the disk and its new size or growth: --disk scsi0=64G or --disk scsi0=+10G." : "Give the disk and its new size or growth: --disk rootfs=16G, --disk mp0=+10G.",
      "invalid-size",
    );
  }
  if (m[2] && bytes < GIB) throw new UsageError(`--disk "${value}" grows by less than 1 GiB.`, "Disk sizes are whole GiB: grow by +1G or more.", "invalid-size");
  return { key: m[1], size: m[2] ? { grow: bytes } : { to: bytes } };
}

/** The guest's file: by name or vmid among the files of that kind; a usage error says what else it could be. */
async function findEntry(ctx: CommandContext, entries: TfFileEntry[], kind: "qemu" | "lxc", key: string): Promise<TfFileEntry> {
  const matches = (e: TfFileEntry): boolean => e.name === key || String(e.vmid) === key;
  const entry = entries.find((e) => e.kind === kind && matches(e));
  if (entry) return entry;
  const noun = kind === "qemu" ? "VM" : "container";
  const other = entries.find(matches);
  if (other) throw new UsageError(`"${key}" is a ${other.kind === "qemu" ? "VM" : "container"}, not a ${noun}.`, `Use: proxmox-mpc set ${other.kind === "qemu" ? "vm" : "ct"} ${key} …`, "not-found");
  const store = await ctx.services.store();
  const guest = await store.guests.get(/^\d+$/.test(key) ? Number(key) : key);
  if (guest && guest.type === kind) throw new UsageError(`${noun} ${guest.name} (${guest.vmid}) has no file in terraform/.`, "Run `proxmox-mpc sync` to write it, then set again.", "not-found");
  throw new UsageError(`No ${noun} "${key}" in terraform/.`, `Check the name with \`proxmox-mpc get ${kind === "qemu" ? "vms" : "cts"}\`; run \`proxmox-mpc sync\` to write files for existing guests.`, "not-found");
}

/** The edit of the file, with the disk sizes the store knows for the shrink check; a refusal is a usage error. */
async function editFile(ctx: CommandContext, text: string, entry: TfFileEntry, change: GuestChange): Promise<GuestEdit> {
  const { editGuestText, EditRefusal } = await import("../iac/terraform/edit-guest.js");
  const liveDiskBytes: Record<string, number> = {};
  if (change.disks && entry.vmid !== undefined) {
    const guest = await (await ctx.services.store()).guests.get(entry.vmid);
    for (const [key, value] of Object.entries(guest?.config ?? {})) {
      const size = /(?:^|,)size=([^,]+)/.exec(String(value))?.[1];
      const bytes = size === undefined ? undefined : parseSize(size);
      if (bytes !== undefined) liveDiskBytes[key] = bytes;
    }
  }
  try {
    return editGuestText(text, { file: `terraform/${entry.file}`, kind: entry.kind ?? "qemu", resourceName: entry.resourceName ?? "", liveDiskBytes }, change);
  } catch (err) {
    if (err instanceof EditRefusal) throw new UsageError(err.message, "Nothing was written.", "cannot-edit");
    throw err;
  }
}

interface AppliedEdit {
  entry: TfFileEntry;
  path: string;
  file: string;
  before: string;
  edited: string;
  engine: "terraform" | "native" | undefined;
}

/**
 * Plan and apply the guest alone. The file goes back as it was when nothing
 * was applied (n, --no-input, a refusal, a failure or Ctrl-C before the first
 * step finished); once applied its header is renewed (restamp) and what waits
 * for a restart is shown.
 */
async function applyEdit(ctx: CommandContext, a: AppliedEdit): Promise<CommandResult> {
  const [{ runApply }, { restamp }] = await Promise.all([import("./apply.js"), import("../iac/terraform/edit-guest.js")]);
  let outcome: { done: number; ok: boolean } | undefined;
  const restore = async (): Promise<void> => {
    if (outcome && (outcome.ok || outcome.done > 0)) return;
    await writeAtomically(a.path, a.before);
    ctx.ui.info(`${a.file} is back as it was.`);
  };
  let result: CommandResult;
  try {
    result = await runApply(ctx, {
      targets: [`proxmox_virtual_environment_${a.entry.kind === "lxc" ? "container" : "vm"}.${a.entry.resourceName}`],
      engine: a.engine,
      followUp: {
        describe: [],
        question: `The cluster already matches ${a.file}. Keep the change in the file?`,
        run: async ({ done, ok }) => {
          outcome = { done: done.length, ok };
          if (ok) await writeAtomically(a.path, restamp(a.before, a.edited));
          return ok || !done.length ? [] : [`${a.file} keeps the change: part of it was applied; run \`proxmox-mpc apply\` to finish.`];
        },
      },
    });
  } catch (err) {
    await restore();
    throw err;
  }
  await restore();
  if (!outcome?.ok || result.kind !== "data") return result;
  const pending = await pendingNow(ctx, a.entry);
  return pending.length ? { ...result, data: { ...(result.data as object), pending }, text: `${result.text ?? ""}\n${pending.map((p) => `pending: ${p.text}`).join("\n")}` } : result;
}

/** What waits for the guest's next restart, read from the server (a failure to read it is only a warning). */
async function pendingNow(ctx: CommandContext, entry: TfFileEntry): Promise<{ key: string; text: string }[]> {
  if (entry.vmid === undefined) return [];
  try {
    const store = await ctx.services.store();
    const guest = await store.guests.get(entry.vmid);
    const node = guest?.node ?? entry.node;
    if (!node) return [];
    const { pendingChanges } = await import("./describe.js");
    return pendingChanges(await (await ctx.services.proxmox()).guestPending(node, entry.kind ?? "qemu", entry.vmid, { signal: ctx.signal }));
  } catch (err) {
    ctx.ui.warn(`Could not read the pending changes (${err instanceof Error ? err.message : err}); \`proxmox-mpc describe\` shows them.`);
    return [];
  }
}

/** A unified diff coloured the way git colours one (on a colour terminal only). */
function colourDiff(diff: string, color: boolean): string {
  const s = style(color);
  return diff
    .split("\n")
    .map((l) => (l.startsWith("+++") || l.startsWith("---") ? s.strong(l) : l.startsWith("+") ? s.ok(l) : l.startsWith("-") ? s.bad(l) : l.startsWith("@@") ? s.accent(l) : l))
    .join("\n");
}

/** Write through a temporary file and rename, so an interrupted write never leaves half a file. */
async function writeAtomically(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content, "utf8");
  await rename(tmp, path);
}
