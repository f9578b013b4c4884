/**
 * `snapshot list|create|rollback|delete vm|ct NAME [SNAP]`: snapshots through
 * the API, waiting for each task (UPID) with progress. `list` prints the tree
 * (parents, dates, RAM); `create` takes one, or with --selector tag=web / --node
 * one per guest in parallel (bounded per node) with a summary; `rollback` and
 * `delete` show what happens (rollback: what is lost, what changes back, that a
 * running guest is stopped) and ask first.
 */
import { UsageError } from "../core/errors.js";
import type { GuestType, PveSnapshot } from "../proxmox/types.js";
import type { GuestRecord } from "../state/types.js";
import { age, EXIT_INTERRUPTED, followTask, stoppable, when } from "./backup-task.js";
import { defineCommand } from "./define.js";
import { defineOptions, flag, number, text, type OptionsOf } from "./options.js";
import { select } from "./power.js";
import type { Column, CommandContext, CommandResult } from "./types.js";
import { declined } from "../core/result.js";

const ACTIONS = ["list", "create", "rollback", "delete"] as const;
type Action = (typeof ACTIONS)[number];

/** Snapshot tasks at once on one node (a batch runs every node side by side). */
export const PER_NODE = 2;

const SNAPSHOT_OPTIONS = defineOptions({
  vmstate: flag("--vmstate", "create: include the VM's RAM, so a rollback resumes the running VM where it was (VMs only)"),
  description: text("--description <text>", "create: a note kept with the snapshot"),
  start: flag("--start", "rollback: start the guest after the rollback"),
  selector: text("--selector <selector>", "create: snapshot every guest with tag=T, node=N or status=S (comma-separated, all must match)"),
  node: text("--node <node>", "create: every guest on this node", { completion: "node" }),
  timeout: number("--timeout <seconds>", "how long to wait for each task", { default: 600, min: 1 }),
});

type SnapshotOptions = OptionsOf<typeof SNAPSHOT_OPTIONS>;

const NAME_RE = /^[a-z][a-z0-9_-]+$/i;

/** One guest's outcome of `snapshot create`. */
export interface SnapshotOutcome {
  vmid: number;
  name: string;
  node: string;
  snapshot: string;
  result: "ok" | "failed" | "cancelled";
  message?: string;
  upid?: string;
}

const OUTCOME_COLUMNS: Column[] = [
  { key: "name", header: "NAME" },
  { key: "vmid", header: "VMID", align: "right" },
  { key: "node", header: "NODE" },
  { key: "snapshot", header: "SNAPSHOT" },
  { key: "result", header: "RESULT" },
  { key: "upid", header: "UPID", wide: true },
];

export const snapshotCommand = defineCommand({
  name: "snapshot",
  summary: "List, take, roll back to and delete snapshots of VMs and containers",
  description:
    "`list` shows the snapshot tree with dates. `create` waits for the task; with --selector tag=web or --node it snapshots every matching guest in parallel (a few at a time per node) and sums up what worked. `rollback` and `delete` show what will happen and ask first (--yes skips; --no-input without --yes refuses): a rollback discards the guest's current state (every change since the snapshot), and PVE stops a running guest for it.",
  examples: [
    "proxmox-mpc snapshot list vm web-01",
    "proxmox-mpc snapshot create vm web-01 before-upgrade --description 'before apt upgrade' --vmstate",
    "proxmox-mpc snapshot create vm --selector tag=web before-upgrade",
    "proxmox-mpc snapshot rollback vm web-01 before-upgrade",
    "proxmox-mpc snapshot delete ct dns-01 before-upgrade --yes",
  ],
  arguments: [
    { name: "action", description: "list, create, rollback or delete", required: true, choices: ACTIONS },
    { name: "kind", description: "vm or ct", required: true, choices: ["vm", "ct", "vms", "cts"] },
    { name: "target", description: "the guest (name or vmid), then the snapshot's name (with --selector / --node: only the snapshot's name)", variadic: true, completion: "guest" },
  ],
  options: SNAPSHOT_OPTIONS,
  workspace: "required",
  // rollback and delete ask before acting (ctx.ui.confirm), so the MCP two-step (wouldDo, then confirm: true) covers them.
  mcp: {
    tool: "destructive",
    // `snapshot ACTION vm|ct GUEST [SNAP]`: the guest is the third argument (none with --selector / --node).
    views: [{ name: "snapshot_list", action: "list", summary: "List a guest's snapshots as a tree, with dates" }],
    guests: (input) => ({ names: input.options.selector !== undefined || input.options.node !== undefined ? [] : input.args.slice(2, 3), select: kindOf(input.args[1]) }),
  },
  run: (ctx, input) => stoppable(ctx.signal, () => runSnapshot(ctx, input.args, input.options)),
});

async function runSnapshot(ctx: CommandContext, args: string[], options: SnapshotOptions): Promise<CommandResult> {
  const [action, kind, ...rest] = args as [Action, string, ...string[]];
  const type = kindOf(kind);
  const noun = type === "qemu" ? "vm" : "ct";
  const batch = options.selector !== undefined || options.node !== undefined;
  if (batch && action !== "create") {
    throw new UsageError("--selector and --node choose guests for `snapshot create` only.", `Name the guest: proxmox-mpc snapshot ${action} ${noun} NAME${action === "list" ? "" : " SNAPSHOT"}`);
  }
  if (options.vmstate && type === "lxc") throw new UsageError("--vmstate is for VMs only: a container snapshot holds no RAM.", `Drop --vmstate: proxmox-mpc snapshot create ct …`);
  if (action === "create" && batch) {
    if (rest.length > 1) throw new UsageError("With --selector / --node, give only the snapshot's name.", `e.g. proxmox-mpc snapshot create ${noun} --selector tag=web before-upgrade`);
    const guests = await select(ctx, type, [], options);
    return createMany(ctx, type, guests, snapshotName(rest[0]), options);
  }
  const [name, snap, ...extra] = rest;
  if (!name) throw new UsageError("Name the guest.", `e.g. proxmox-mpc snapshot ${action} ${noun} web-01${action === "list" || action === "create" ? "" : " before-upgrade"}`);
  if (extra.length || (action === "list" && snap)) throw new UsageError(`Too many arguments: ${[...(action === "list" ? [snap] : []), ...extra].join(" ")}.`, `See: proxmox-mpc snapshot --help`);
  const [guest] = await select(ctx, type, [name], {});
  switch (action) {
    case "list":
      return list(ctx, guest);
    case "create":
      return createMany(ctx, type, [guest], snapshotName(snap), options);
    case "rollback":
    case "delete": {
      if (!snap) throw new UsageError(`Name the snapshot to ${action === "rollback" ? "roll back to" : "delete"}.`, `See them with: proxmox-mpc snapshot list ${noun} ${guest.name}`);
      return action === "rollback" ? rollback(ctx, guest, snap, options) : remove(ctx, guest, snap, options);
    }
  }
}

/** The snapshot name given (checked like PVE: a letter, then letters, digits, _ and -), or snap-YYYYMMDD-HHMMSS. */
function snapshotName(given: string | undefined): string {
  if (given === undefined) return `snap-${new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-")}`;
  if (!NAME_RE.test(given) || given.length > 40 || given === "current") {
    throw new UsageError(`"${given}" cannot be a snapshot name.`, "Use a letter, then letters, digits, _ or - (2 to 40 characters; not `current`).");
  }
  return given;
}

const label = (g: GuestRecord): string => `${g.name} (${g.vmid} on ${g.node})`;
const real = (snaps: PveSnapshot[]): PveSnapshot[] => snaps.filter((s) => s.name !== "current");

/** The snapshot named, or a usage error (exit 2) that lists the ones there are. */
function requireSnapshot(snaps: PveSnapshot[], name: string, g: GuestRecord): PveSnapshot {
  const found = real(snaps).find((s) => s.name === name);
  if (found) return found;
  const names = real(snaps).map((s) => s.name);
  throw new UsageError(
    `${g.name} (${g.vmid}) has no snapshot "${name}".`,
    names.length ? `Its snapshots: ${names.join(", ")}.` : `It has no snapshots; take one with: proxmox-mpc snapshot create ${g.type === "qemu" ? "vm" : "ct"} ${g.name} NAME`,
    "not-found",
  );
}

/** Snapshots in tree order (depth first, oldest first), with their depth; `current` last in its branch. */
function tree(snaps: PveSnapshot[]): { snap: PveSnapshot; depth: number }[] {
  const names = new Set(snaps.map((s) => s.name));
  const children = new Map<string | undefined, PveSnapshot[]>();
  for (const s of snaps) {
    const parent = s.parent && names.has(s.parent) ? s.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const order = (a: PveSnapshot, b: PveSnapshot): number => (a.name === "current" ? 1 : b.name === "current" ? -1 : (a.snaptime ?? 0) - (b.snaptime ?? 0));
  const out: { snap: PveSnapshot; depth: number }[] = [];
  const walk = (parent: string | undefined, depth: number): void => {
    for (const s of (children.get(parent) ?? []).sort(order)) {
      out.push({ snap: s, depth });
      if (s.name !== "current") walk(s.name, depth + 1);
    }
  };
  walk(undefined, 0);
  return out;
}

/** The names of the snapshots below `name` (taken after it, on its branch). */
function descendants(snaps: PveSnapshot[], name: string): string[] {
  const out: string[] = [];
  const walk = (parent: string): void => {
    for (const s of real(snaps).filter((x) => x.parent === parent)) {
      out.push(s.name);
      walk(s.name);
    }
  };
  walk(name);
  return out;
}

async function list(ctx: CommandContext, g: GuestRecord): Promise<CommandResult> {
  const client = await ctx.services.proxmox();
  const snaps = await client.listSnapshots(g.node, g.type, g.vmid, { signal: ctx.signal });
  const ordered = tree(snaps);
  const data = ordered.map(({ snap, depth }) => ({
    name: snap.name === "current" ? "current" : snap.name,
    current: snap.name === "current",
    parent: snap.parent ?? null,
    depth,
    snaptime: snap.snaptime ? new Date(snap.snaptime * 1000) : null,
    description: snap.name === "current" ? "" : (snap.description ?? "").trim(),
    vmstate: Boolean(snap.vmstate),
  }));
  const count = real(snaps).length;
  const width = Math.max(12, ...ordered.map(({ snap, depth }) => depth * 3 + (snap.name === "current" ? 3 : snap.name.length) + 6));
  const lines = [`${label(g)}: ${count ? `${count} snapshot${count === 1 ? "" : "s"}` : "no snapshots"}`];
  for (const { snap, depth } of ordered) {
    const head = `${" ".repeat(depth * 3)}\`-> ${snap.name === "current" ? "NOW" : snap.name}`;
    const info =
      snap.name === "current"
        ? "the current state"
        : [snap.snaptime ? `${when(snap.snaptime)} (${age(snap.snaptime)} ago)` : "", snap.vmstate ? "with RAM" : "", (snap.description ?? "").trim() ? `"${(snap.description ?? "").trim().split("\n")[0]}"` : ""].filter(Boolean).join("  ");
    lines.push(`${head.padEnd(width)}${info}`);
  }
  return { kind: "data", data, text: lines.join("\n") };
}

/** Take one snapshot of each guest: every node side by side, PER_NODE at a time on one node. */
async function createMany(ctx: CommandContext, type: GuestType, guests: GuestRecord[], snap: string, options: SnapshotOptions): Promise<CommandResult> {
  const client = await ctx.services.proxmox();
  const timeoutMs = options.timeout * 1000;
  const single = guests.length === 1;
  const spinner = ctx.ui.spinner(single ? `Taking snapshot "${snap}" of ${label(guests[0])}…` : `Taking snapshot "${snap}" of ${guests.length} ${type === "qemu" ? "VMs" : "containers"}…`);
  const outcomes: SnapshotOutcome[] = [];
  let finished = 0;
  const one = async (g: GuestRecord): Promise<void> => {
    const outcome: SnapshotOutcome = { vmid: g.vmid, name: g.name, node: g.node, snapshot: snap, result: "ok" };
    outcomes.push(outcome);
    if (ctx.signal.aborted) {
      outcome.result = "cancelled";
      return;
    }
    try {
      outcome.upid = await client.createSnapshot(g.node, type, g.vmid, snap, { description: options.description, vmstate: options.vmstate }, { signal: ctx.signal });
      await followTask(client, outcome.upid, { signal: ctx.signal, timeoutMs, onLine: single ? (line) => spinner.update(line) : undefined });
    } catch (err) {
      if (single && ctx.signal.aborted) throw err;
      outcome.result = ctx.signal.aborted ? "cancelled" : "failed";
      outcome.message = err instanceof Error ? err.message : String(err);
      if (single) {
        spinner.fail(`Snapshot "${snap}" of ${label(g)} failed.`);
        throw err;
      }
    } finally {
      if (!single) spinner.update(`Taking snapshot "${snap}": ${++finished}/${guests.length} done`);
    }
  };
  await boundedPerNode(guests, PER_NODE, one);
  outcomes.sort((a, b) => a.vmid - b.vmid);
  const failed = outcomes.filter((o) => o.result !== "ok");
  if (failed.length) spinner.fail(`${outcomes.length - failed.length} of ${outcomes.length} snapshots taken; ${failed.length} failed or were cancelled.`);
  else spinner.succeed(single ? `Snapshot "${snap}" of ${label(guests[0])} taken.` : `Snapshot "${snap}" taken of all ${outcomes.length} guests.`);
  const rows = outcomes.map((o) => ({ ...o, result: o.message ? `${o.result}: ${o.message}` : o.result }));
  return { kind: "data", data: outcomes, table: { columns: OUTCOME_COLUMNS, rows }, exitCode: ctx.signal.aborted ? EXIT_INTERRUPTED : failed.length ? 1 : 0 };
}

/** Run `fn` on every item: the nodes side by side, at most `perNode` at once on one node. */
export async function boundedPerNode<T extends { node: string }>(items: T[], perNode: number, fn: (item: T) => Promise<void>): Promise<void> {
  const byNode = new Map<string, T[]>();
  for (const item of items) byNode.set(item.node, [...(byNode.get(item.node) ?? []), item]);
  const workers: Promise<void>[] = [];
  for (const queue of byNode.values()) {
    for (let i = 0; i < Math.min(perNode, queue.length); i++) {
      workers.push(
        (async () => {
          for (let item = queue.shift(); item; item = queue.shift()) await fn(item);
        })(),
      );
    }
  }
  await Promise.all(workers);
}

/** Config keys whose value is not the guest's configuration. */
const NOT_CONFIG = new Set(["digest", "lock", "parent", "snaptime", "vmstate", "description", "runningmachine", "runningcpu", "meta", "pending"]);

function configChanges(current: Record<string, unknown>, snapshot: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(current), ...Object.keys(snapshot)])].filter((k) => !NOT_CONFIG.has(k)).sort();
  const out: string[] = [];
  for (const k of keys) {
    const now = current[k];
    const then = snapshot[k];
    if (String(now ?? "") === String(then ?? "")) continue;
    out.push(now === undefined ? `${k} comes back (${String(then)})` : then === undefined ? `${k} goes (${String(now)})` : `${k} ${String(now)} → ${String(then)}`);
  }
  return out;
}

async function rollback(ctx: CommandContext, g: GuestRecord, name: string, options: SnapshotOptions): Promise<CommandResult> {
  const client = await ctx.services.proxmox();
  const signal = ctx.signal;
  const snaps = await client.listSnapshots(g.node, g.type, g.vmid, { signal });
  const snap = requireSnapshot(snaps, name, g);
  const [live, current, then] = await Promise.all([
    client.guestStatus(g.node, g.type, g.vmid, { signal }),
    client.guestConfig(g.node, g.type, g.vmid, { signal, current: true }),
    client.snapshotConfig(g.node, g.type, g.vmid, name, { signal }),
  ]);
  const changes = configChanges(current as Record<string, unknown>, then as Record<string, unknown>);
  const later = descendants(snaps, name);
  const running = live.status === "running";
  const taken = snap.snaptime ? `taken ${when(snap.snaptime)}, ${age(snap.snaptime)} ago` : "no date";
  ctx.ui.info(`Rolling back ${label(g)} to snapshot "${name}" (${taken}${snap.vmstate ? ", with RAM" : ""}).`);
  ctx.ui.info(`What is lost: the current state — every change to its disks${g.type === "qemu" && running ? ", its RAM" : ""} and its config made after "${name}". It cannot be undone${later.length ? "" : " (take a snapshot first to keep it)"}.`);
  ctx.ui.info(changes.length ? `Config that changes back: ${changes.join("; ")}.` : "Its config is the same as in the snapshot; the disks go back.");
  if (running) {
    const after = snap.vmstate ? "the snapshot holds its RAM, so it runs again from that moment" : options.start ? "it is started again afterwards (--start)" : "it stays stopped afterwards (add --start to start it)";
    ctx.ui.info(`${g.name} is running: PVE stops it for the rollback; ${after}.`);
  }
  if (later.length) ctx.ui.info(`Snapshots taken after "${name}" are kept: ${later.join(", ")}.`);
  if (!(await ctx.ui.confirm(`Roll ${g.name} back to "${name}"? Its current state is lost.`))) return declined();
  const upid = await client.rollbackSnapshot(g.node, g.type, g.vmid, name, { start: options.start || undefined }, { signal });
  const spinner = ctx.ui.spinner(`Rolling back ${g.name} to "${name}"…`);
  try {
    await followTask(client, upid, { signal, timeoutMs: options.timeout * 1000, onLine: (line) => spinner.update(line) });
  } catch (err) {
    spinner.fail(`Rollback of ${g.name} to "${name}" did not finish.`);
    throw err;
  }
  const after = await client.guestStatus(g.node, g.type, g.vmid, { signal });
  const store = await ctx.services.store();
  await store.guests.setStatus(g.vmid, after.status);
  spinner.succeed(`${g.name} rolled back to "${name}"; it is ${after.status}.`);
  if (changes.length) ctx.ui.info(`Its .tf file may still describe the config from before the rollback: \`proxmox-mpc sync\` adopts the rolled-back config, \`proxmox-mpc plan\` shows the difference.`);
  const data = { vmid: g.vmid, name: g.name, node: g.node, snapshot: name, action: "rollback", status: after.status, configChanges: changes, upid };
  return { kind: "data", data, text: `Rolled back ${label(g)} to "${name}"; it is ${after.status}.` };
}

async function remove(ctx: CommandContext, g: GuestRecord, name: string, options: SnapshotOptions): Promise<CommandResult> {
  const client = await ctx.services.proxmox();
  const signal = ctx.signal;
  const snaps = await client.listSnapshots(g.node, g.type, g.vmid, { signal });
  const snap = requireSnapshot(snaps, name, g);
  const children = real(snaps).filter((s) => s.parent === name).map((s) => s.name);
  const taken = snap.snaptime ? `taken ${when(snap.snaptime)}, ${age(snap.snaptime)} ago` : "no date";
  ctx.ui.info(`Deleting snapshot "${name}" of ${label(g)} (${taken}${snap.vmstate ? ", with RAM" : ""}).`);
  ctx.ui.info(`The guest's current state is not touched; only the way back to "${name}" is gone for good.${children.length ? ` Its child snapshots (${children.join(", ")}) then hang off ${snap.parent ? `"${snap.parent}"` : "the root"}.` : ""}`);
  if (!(await ctx.ui.confirm(`Delete snapshot "${name}" of ${g.name}?`))) return declined();
  const upid = await client.deleteSnapshot(g.node, g.type, g.vmid, name, { signal });
  const spinner = ctx.ui.spinner(`Deleting snapshot "${name}" of ${g.name}…`);
  try {
    await followTask(client, upid, { signal, timeoutMs: options.timeout * 1000, onLine: (line) => spinner.update(line) });
  } catch (err) {
    spinner.fail(`Deleting snapshot "${name}" of ${g.name} did not finish.`);
    throw err;
  }
  spinner.succeed(`Snapshot "${name}" of ${g.name} deleted.`);
  return { kind: "data", data: { vmid: g.vmid, name: g.name, node: g.node, snapshot: name, action: "delete", upid }, text: `Deleted snapshot "${name}" of ${label(g)}.` };
}

/** vm|vms → qemu, ct|cts → lxc. */
function kindOf(kind: string | undefined): GuestType {
  return kind?.startsWith("vm") ? "qemu" : "lxc";
}
