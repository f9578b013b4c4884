/**
 * `backup create|list|restore|delete`: vzdump through the API.
 * `create vm|ct NAME…` runs one vzdump task per node (its guests one after
 * the other, as PVE does) and shows the task log as it grows; `list [NAME]`
 * reads every storage that holds backups, newest first; `restore VOLID`
 * restores to a new vmid (the next free one), or with --force — after
 * confirmation — over the existing guest, which must be stopped and not
 * protected, then syncs so the IaC adopts the restored guest; `delete VOLID`
 * removes a backup after confirmation.
 */
import { UsageError } from "../core/errors.js";
import type { GuestType } from "../proxmox/types.js";
import type { GuestRecord } from "../state/types.js";
import { age, followTask, size, stoppable, when } from "./backup-task.js";
import { listBackups, locateBackup, parseBackupVolid, type BackupVolume } from "./backup-volumes.js";
import { freeVmid } from "./clone.js";
import { defineCommand } from "./define.js";
import { choice, defineOptions, flag, number, text, type OptionsOf } from "./options.js";
import { select } from "./power.js";
import { syncInContext } from "./sync.js";
import type { Column, CommandContext, CommandInput, CommandResult, NamedGuests } from "./types.js";
import { declined } from "../core/result.js";

const ACTIONS = ["create", "list", "restore", "delete"] as const;
type Action = (typeof ACTIONS)[number];

const BACKUP_OPTIONS = defineOptions({
  storage: text("--storage <storage>", "create: the backup storage (default: the node's, `local` first); restore: where the disks go; list: only this storage", { completion: "storage" }),
  mode: choice("--mode <mode>", "create: snapshot (no downtime), suspend (a short pause) or stop (shut down, back up, start again)", ["snapshot", "suspend", "stop"]),
  compress: choice("--compress <algorithm>", "create: compression of the archive", ["zstd", "gzip", "lzo", "0"]),
  notes: text("--notes <template>", "create: notes kept with each backup ({{guestname}}, {{vmid}}, {{node}} are filled in)"),
  protected: flag("--protected", "create: mark the backups protected (they cannot be deleted or pruned)"),
  selector: text("--selector <selector>", "create: back up every guest with tag=T, node=N or status=S (comma-separated)"),
  node: text("--node <node>", "create: every guest on this node; list: only this node's storages; restore/delete: the node that runs the task", { completion: "node" }),
  vmid: number("--vmid <vmid>", "restore: the vmid to restore as (default: the next free one; with --force the backed-up guest's own)", { int: true, min: 100 }),
  force: flag("--force", "restore: over the existing guest (asks first; it must be stopped and not protected)"),
  unique: flag("--unique", "restore: give the restored guest new MAC addresses (the default when the backed-up guest still exists)"),
  timeout: number("--timeout <seconds>", "how long to wait for each task", { default: 3600, min: 1 }),
});

type BackupOptions = OptionsOf<typeof BACKUP_OPTIONS>;

export const backupCommand = defineCommand({
  name: "backup",
  summary: "Back VMs and containers up with vzdump, list the backups, restore and delete them",
  description:
    "`create vm|ct NAME…` runs vzdump and follows its task log (one task per node; --selector tag=web backs a batch up). `list [NAME]` lists the backup volumes on every storage that holds backups, newest first, with size and age. `restore VOLID` restores to a new vmid (the next free one, or --vmid N) and syncs so the IaC adopts the restored guest; with --force it restores over the existing guest after asking (--yes skips; --no-input without --yes refuses), which must be stopped, and never over a guest with protection set. `delete VOLID` asks, then removes a backup.",
  examples: [
    "proxmox-mpc backup create vm web-01 --storage local --mode snapshot --compress zstd",
    "proxmox-mpc backup create vm --selector tag=web",
    "proxmox-mpc backup list web-01",
    "proxmox-mpc backup restore local:backup/vzdump-qemu-101-2026_11_28-12_00_00.vma.zst",
    "proxmox-mpc backup restore local:backup/vzdump-qemu-101-2026_11_28-12_00_00.vma.zst --force",
    "proxmox-mpc backup delete local:backup/vzdump-qemu-101-2026_11_28-12_00_00.vma.zst --yes",
  ],
  arguments: [
    { name: "action", description: "create, list, restore or delete", required: true, choices: ACTIONS },
    { name: "target", description: "create: vm|ct and the guests; list: a guest (name or vmid); restore/delete: the backup's volume id", variadic: true, completion: "guest" },
  ],
  options: BACKUP_OPTIONS,
  workspace: "required",
  // restore (--force over a guest) and delete ask before acting (ctx.ui.confirm), so the MCP two-step (wouldDo, then confirm: true) covers them.
  mcp: { tool: "destructive", guests: backupGuests, views: [{ name: "backup_list", action: "list", summary: "List backup volumes (of one guest, or all), newest first, with size and age" }] },
  run: (ctx, input) => stoppable(ctx.signal, () => runBackup(ctx, input.args[0] as Action, input.args.slice(1), input.options)),
});

async function runBackup(ctx: CommandContext, action: Action, rest: string[], options: BackupOptions): Promise<CommandResult> {
  switch (action) {
    case "create":
      return create(ctx, rest, options);
    case "list":
      if (rest.length > 1) throw new UsageError(`Too many arguments: ${rest.slice(1).join(" ")}.`, "e.g. proxmox-mpc backup list web-01");
      return list(ctx, rest[0], options);
    case "restore":
    case "delete":
      if (rest.length !== 1) throw new UsageError(`Give the backup's volume id${rest.length ? " (one)" : ""}.`, `e.g. proxmox-mpc backup ${action} local:backup/vzdump-qemu-101-2026_11_28-12_00_00.vma.zst (see \`proxmox-mpc backup list\`)`);
      return action === "restore" ? restore(ctx, rest[0], options) : remove(ctx, rest[0], options);
  }
}

// ---- create ---------------------------------------------------------------

/** One guest's outcome of `backup create`. */
export interface BackupOutcome {
  vmid: number;
  name: string;
  node: string;
  result: "ok" | "failed" | "cancelled";
  volid?: string;
  message?: string;
  upid?: string;
}

const CREATE_COLUMNS: Column[] = [
  { key: "name", header: "NAME" },
  { key: "vmid", header: "VMID", align: "right" },
  { key: "node", header: "NODE" },
  { key: "result", header: "RESULT" },
  { key: "volid", header: "BACKUP" },
  { key: "upid", header: "UPID", wide: true },
];

async function create(ctx: CommandContext, rest: string[], options: BackupOptions): Promise<CommandResult> {
  const [kind, ...names] = rest;
  if (!kind || !/^(vm|ct)s?$/.test(kind)) throw new UsageError("Say what to back up: vm or ct, then the names (or --selector).", "e.g. proxmox-mpc backup create vm web-01");
  const type: GuestType = kind.startsWith("vm") ? "qemu" : "lxc";
  const guests = await select(ctx, type, names, options);
  const client = await ctx.services.proxmox();
  const byNode = new Map<string, GuestRecord[]>();
  for (const g of guests) byNode.set(g.node, [...(byNode.get(g.node) ?? []), g]);
  const several = byNode.size > 1;
  const spinner = ctx.ui.spinner(`Backing up ${guests.length} guest${guests.length === 1 ? "" : "s"}${options.storage ? ` to ${options.storage}` : ""}…`);
  const outcomes: BackupOutcome[] = [];
  // One vzdump task per node (it backs that node's guests up one after the other); the nodes side by side.
  await Promise.all(
    [...byNode].map(async ([node, onNode]) => {
      const mine = onNode.map((g): BackupOutcome => ({ vmid: g.vmid, name: g.name, node, result: "failed" }));
      outcomes.push(...mine);
      const lines: string[] = [];
      let failure: string | undefined;
      try {
        const upid = await client.vzdump(node, onNode.map((g) => g.vmid), { storage: options.storage, mode: options.mode, compress: options.compress ?? "zstd", notesTemplate: options.notes, protected: options.protected || undefined }, { signal: ctx.signal });
        for (const o of mine) o.upid = upid;
        await followTask(client, upid, { signal: ctx.signal, timeoutMs: options.timeout * 1000, lines, onLine: (line) => ctx.ui.info(`${several ? `[${node}] ` : ""}${line}`) });
      } catch (err) {
        if (ctx.signal.aborted) {
          for (const o of mine) if (o.result !== "ok") o.result = "cancelled";
          throw err;
        }
        failure = err instanceof Error ? err.message : String(err);
      }
      readOutcomes(lines, mine, options.storage, failure);
    }),
  ).catch((err: unknown) => {
    spinner.fail("Stopped waiting; the backup task goes on on the server.");
    throw err;
  });
  outcomes.sort((a, b) => a.vmid - b.vmid);
  const failed = outcomes.filter((o) => o.result !== "ok");
  if (failed.length) spinner.fail(`${outcomes.length - failed.length} of ${outcomes.length} backed up; ${failed.length} failed.`);
  else spinner.succeed(outcomes.length === 1 ? `Backed up ${outcomes[0].name}: ${outcomes[0].volid ?? "done"}.` : `${outcomes.length} guests backed up.`);
  const rows = outcomes.map((o) => ({ ...o, result: o.message ? `${o.result}: ${o.message}` : o.result }));
  return { kind: "data", data: outcomes, table: { columns: CREATE_COLUMNS, rows }, exitCode: failed.length ? 1 : 0 };
}

/** Each guest's result from a vzdump log: "Finished Backup of VM N", or "ERROR: Backup of VM N failed - why", and its archive. */
export function readOutcomes(lines: string[], outcomes: BackupOutcome[], storageGiven: string | undefined, failure?: string): void {
  const storage = storageGiven ?? /--storage (\S+)/.exec(lines.find((l) => l.includes("starting new backup job")) ?? "")?.[1];
  let current: BackupOutcome | undefined;
  for (const line of lines) {
    const start = /Starting Backup of VM (\d+)/.exec(line);
    if (start) current = outcomes.find((o) => o.vmid === Number(start[1]));
    const archive = /creating (?:vzdump )?archive '([^']+)'/.exec(line);
    if (archive && current && storage) current.volid = `${storage}:backup/${archive[1].split("/").pop()}`;
    const done = /Finished Backup of VM (\d+)/.exec(line);
    if (done) {
      const o = outcomes.find((x) => x.vmid === Number(done[1]));
      if (o) o.result = "ok";
    }
    const error = /ERROR: Backup of VM (\d+) failed - (.*)$/.exec(line);
    if (error) {
      const o = outcomes.find((x) => x.vmid === Number(error[1]));
      if (o) {
        o.result = "failed";
        o.message = error[2];
        delete o.volid;
      }
    }
  }
  for (const o of outcomes) if (o.result !== "ok" && !o.message) o.message = failure ?? "not backed up (see the task log)";
}

// ---- list -------------------------------------------------------------------

const LIST_COLUMNS: Column[] = [
  { key: "volid", header: "BACKUP" },
  { key: "guest", header: "GUEST" },
  { key: "vmid", header: "VMID", align: "right" },
  { key: "sizeText", header: "SIZE", align: "right" },
  { key: "ageText", header: "AGE", align: "right" },
  { key: "created", header: "CREATED", wide: true },
  { key: "where", header: "NODE", wide: true },
  { key: "notes", header: "NOTES", wide: true },
];

async function list(ctx: CommandContext, who: string | undefined, options: BackupOptions): Promise<CommandResult> {
  let vmid: number | undefined;
  const store = await ctx.services.store();
  const guests = await store.guests.list({});
  if (who !== undefined) {
    const g = guests.find((x) => x.name === who || String(x.vmid) === who);
    if (g) vmid = g.vmid;
    else if (/^\d+$/.test(who)) vmid = Number(who);
    else throw new UsageError(`Not in the store: ${who}.`, "Give a name from `get guests` or a vmid (a deleted guest's backups are found by its vmid).", "not-found");
  }
  const client = await ctx.services.proxmox();
  const volumes = await listBackups(client, { vmid, storage: options.storage, node: options.node, signal: ctx.signal });
  const nameOf = new Map(guests.map((g) => [g.vmid, g.name]));
  const data = volumes.map((v) => ({
    volid: v.volid,
    vmid: v.vmid ?? null,
    guest: v.vmid !== undefined ? nameOf.get(v.vmid) ?? null : null,
    type: v.type ?? null,
    storage: v.storage,
    nodes: v.nodes,
    size: v.size,
    ctime: new Date(v.ctime * 1000),
    notes: v.notes ?? null,
    protected: v.protected,
  }));
  const rows = volumes.map((v, i) => ({
    ...data[i],
    guest: data[i].guest ?? "",
    sizeText: size(v.size),
    ageText: v.ctime ? age(v.ctime) : "",
    created: v.ctime ? when(v.ctime) : "",
    where: v.shared ? `${v.storage} (shared)` : v.nodes.join(","),
    notes: `${v.protected ? "[protected] " : ""}${v.notes ?? ""}`,
  }));
  if (!volumes.length) {
    return { kind: "data", data, text: who ? `No backups of ${who}. Make one with: proxmox-mpc backup create ${guests.find((g) => g.vmid === vmid)?.type === "lxc" ? "ct" : "vm"} ${who}` : "No backups on any storage." };
  }
  return { kind: "data", data, table: { columns: LIST_COLUMNS, rows } };
}

// ---- restore ----------------------------------------------------------------

async function restore(ctx: CommandContext, volid: string, options: BackupOptions): Promise<CommandResult> {
  const client = await ctx.services.proxmox();
  const signal = ctx.signal;
  let { volume, node } = await locateBackup(client, volid, options.node, signal);
  const parsed = parseBackupVolid(volid);
  const type = volume.type ?? parsed?.type;
  const sourceVmid = volume.vmid ?? parsed?.vmid;
  if (!type) throw new UsageError(`Cannot tell whether ${volid} holds a VM or a container.`, "Restore it in the Proxmox GUI, or rename it the vzdump way (vzdump-qemu-… / vzdump-lxc-…).");
  const kindWord = type === "qemu" ? "VM" : "CT";
  const resources = await client.clusterResources("vm", { signal });
  const holder = (vmid: number) => resources.find((r) => r.vmid === vmid);
  const targetVmid = options.vmid ?? (options.force && sourceVmid !== undefined ? sourceVmid : await freeVmid(ctx));
  const existing = holder(targetVmid);
  const from = describeVolume(volume, await archiveName(client, node, volid, signal));
  if (existing && !options.force) {
    throw new UsageError(
      `${existing.type === "qemu" ? "VM" : "CT"} ${targetVmid} (${existing.name ?? "no name"}) exists.`,
      `Restore to a new vmid (leave out --vmid), or over it with --force (asks first; it must be stopped).`,
      "exists",
    );
  }
  if (existing) {
    if (existing.type !== type) throw new UsageError(`${targetVmid} is a ${existing.type === "qemu" ? "VM" : "container"}, and ${volid} holds a ${type === "qemu" ? "VM" : "container"}.`, "Restore to a new vmid (leave out --vmid and --force).");
    if (existing.node !== node) {
      if (options.node || !volume.nodes.includes(existing.node!)) {
        throw new UsageError(`${kindWord} ${targetVmid} is on ${existing.node}, which ${volume.nodes.includes(existing.node!) ? "is not the --node given" : `cannot read ${volid}`}.`, "A restore over a guest runs on the guest's node: restore to a new vmid instead, or put the backup on a storage that node reads.");
      }
      node = existing.node!;
    }
    const [live, config] = await Promise.all([client.guestStatus(node, type, targetVmid, { signal }), client.guestConfig(node, type, targetVmid, { signal })]);
    const name = existing.name ?? String(targetVmid);
    if (Number(config.protection ?? 0) === 1) {
      throw new UsageError(`${kindWord} ${targetVmid} (${name}) has protection set: a restore over it is refused.`, "Restore to a new vmid (leave out --force), or clear protection on it first if it really is to be replaced.", "protected");
    }
    if (live.status !== "stopped") {
      throw new UsageError(`${kindWord} ${targetVmid} (${name}) is ${live.status}: a restore over it needs it stopped.`, `Stop it first (proxmox-mpc shutdown ${type === "qemu" ? "vm" : "ct"} ${name}), or restore to a new vmid (leave out --force).`, "guest-running");
    }
    ctx.ui.info(`Restoring ${from} over ${kindWord} ${targetVmid} (${name}) on ${node}.`);
    ctx.ui.info(`What is lost: everything ${name} is now — its disks, its config and its snapshots — is replaced by the backup.`);
    if (!(await ctx.ui.confirm(`Overwrite ${kindWord} ${targetVmid} (${name}) with the backup?`))) return declined();
  } else {
    ctx.ui.info(`Restoring ${from} as ${kindWord} ${targetVmid} on ${node}.`);
  }
  const unique = options.unique || (sourceVmid !== undefined && sourceVmid !== targetVmid && holder(sourceVmid) !== undefined) || undefined;
  const upid = await client.restoreGuest(node, type, targetVmid, volid, { storage: options.storage, force: existing ? true : undefined, unique }, { signal });
  const spinner = ctx.ui.spinner(`Restoring ${kindWord} ${targetVmid}…`);
  try {
    await followTask(client, upid, { signal, timeoutMs: options.timeout * 1000, onLine: (line) => ctx.ui.info(`  ${line}`) });
  } catch (err) {
    spinner.fail(`The restore of ${kindWord} ${targetVmid} did not finish.`);
    throw err;
  }
  spinner.succeed(`Restored ${kindWord} ${targetVmid} on ${node} from ${volid}.`);
  const report = await syncInContext(ctx, {});
  const store = await ctx.services.store();
  const guests = await store.guests.list({});
  const restored = guests.find((g) => g.vmid === targetVmid);
  const twins = restored ? guests.filter((g) => g.name === restored.name && g.vmid !== targetVmid) : [];
  if (restored && twins.length) {
    // PVE keeps the backed-up name: two guests answer to it now, and commands by name refuse it as ambiguous.
    ctx.ui.warn(
      `${restored.name} now names ${twins.length + 1} guests (vmid ${[targetVmid, ...twins.map((g) => g.vmid)].join(", ")}): commands by name refuse it as ambiguous; name them by vmid, or rename the copy in its .tf (name = "…") and apply.`,
    );
  }
  const data = { volid, vmid: targetVmid, type, node, name: restored?.name ?? null, overwritten: Boolean(existing), unique: Boolean(unique), upid, sync: { run: report.syncRun, added: report.added.length, changed: report.changed.length } };
  return {
    kind: "data",
    data,
    text: `Restored ${volid} as ${kindWord} ${targetVmid}${restored ? ` (${restored.name})` : ""} on ${node}; synced, so its IaC file is in the workspace.`,
  };
}

/** The guest name an archive's config holds (name / hostname), if the server tells. */
async function archiveName(client: Awaited<ReturnType<CommandContext["services"]["proxmox"]>>, node: string, volid: string, signal: AbortSignal): Promise<string | undefined> {
  try {
    const text = await client.backupConfig(node, volid, { signal });
    return /^(?:name|hostname): (.+)$/m.exec(text)?.[1]?.trim();
  } catch {
    return undefined;
  }
}

function describeVolume(v: BackupVolume, name: string | undefined): string {
  const what = [name, v.vmid !== undefined ? `${v.type === "lxc" ? "CT" : "VM"} ${v.vmid}` : undefined].filter(Boolean).join(", ");
  return `${v.volid} (${[what, v.ctime ? `taken ${when(v.ctime)}, ${age(v.ctime)} ago` : undefined, size(v.size)].filter(Boolean).join("; ")})`;
}

// ---- delete -----------------------------------------------------------------

async function remove(ctx: CommandContext, volid: string, options: BackupOptions): Promise<CommandResult> {
  const client = await ctx.services.proxmox();
  const { volume, node } = await locateBackup(client, volid, options.node, ctx.signal);
  if (volume.protected) throw new UsageError(`${volid} is protected: PVE refuses to delete it.`, "Clear its protection in the Proxmox GUI (Backups → Change Protection) first if it really is to go.", "protected");
  ctx.ui.info(`Deleting ${describeVolume(volume, await archiveName(client, node, volid, ctx.signal))} from ${volume.storage}. It cannot be restored afterwards.`);
  if (!(await ctx.ui.confirm(`Delete backup ${volid}?`))) return declined();
  const result = await client.deleteVolume(node, volume.storage, volid, {}, { signal: ctx.signal });
  if (typeof result === "string" && result.startsWith("UPID:")) await followTask(client, result, { signal: ctx.signal, timeoutMs: options.timeout * 1000 });
  return { kind: "data", data: { volid, storage: volume.storage, node, deleted: true }, text: `Deleted ${volid}.` };
}

/**
 * The guests a backup input names (MCP allowlists): create's guests (or its --selector), list's guest,
 * and for restore and delete the guest the volume belongs to — restore's target when --vmid is given,
 * else a new vmid not known before the restore (so a --vmids allowlist refuses it).
 */
function backupGuests(input: CommandInput): NamedGuests {
  const [action, ...rest] = input.args;
  if (action === "create") return { names: rest.slice(1), select: rest[0]?.startsWith("vm") ? "qemu" : "lxc" };
  if (action === "list") return { names: rest.slice(0, 1) };
  const backedUp = rest[0] === undefined ? undefined : parseBackupVolid(rest[0]);
  if (action === "restore") {
    if (typeof input.options.vmid === "number") return { names: [String(input.options.vmid)] };
    return { names: input.options.force === true && backedUp ? [String(backedUp.vmid)] : ["a new guest"] };
  }
  return { names: backedUp ? [String(backedUp.vmid)] : ["an unknown guest"] };
}
