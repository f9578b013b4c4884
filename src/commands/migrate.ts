/**
 * `migrate vm|ct NAME --to NODE [--online] [--with-local-disks]`: move a guest
 * to another node. Checks first (PVE's precondition endpoint, the config
 * lock, the target's free memory and storage) and refuses clearly with
 * nothing done; asks before acting; follows the task; then syncs so the
 * store and the guest's .tf (`node_name`) follow and the next plan is empty.
 *
 * `migrate --from NODE --to NODE` drains a node: every guest on it (of one
 * kind with `vm`/`ct`), checked against one capacity ledger, moved with
 * bounded concurrency, and a summary of what moved and what did not, and
 * why. Ctrl-C stops starting new migrations; those under way are followed
 * to their end and reported.
 */
import { ProxmoxMpcError, UsageError } from "../core/errors.js";
import type { ProxmoxClient } from "../proxmox/client.js";
import { defineCommand } from "./define.js";
import { CapacityLedger, checkMigration, checkTargetNode, isRefused, liveGuests, type LiveGuest, type PlannedMigration, type RefusedMigration } from "./migrate-checks.js";
import { followMoves } from "./migrate-iac.js";
import { defineOptions, flag, number, text, type OptionsOf } from "./options.js";
import type { Column, CommandContext, CommandResult } from "./types.js";
import { declined } from "../core/result.js";

const OPTIONS = defineOptions({
  to: text("--to <node>", "the node to move to", { completion: "node" }),
  from: text("--from <node>", "drain this node: move every guest on it (only VMs or containers with vm/ct)", { completion: "node" }),
  online: flag("--online", "move running guests without stopping them (VMs live; containers restart on the target)"),
  withLocalDisks: flag("--with-local-disks", "copy disks on local storage to the target (a VM with local disks needs it)"),
  concurrency: number("--concurrency <n>", "migrations at once in a drain", { int: true, min: 1, max: 64, default: 4 }),
  dryRun: flag("--dry-run", "check and show what would move; change nothing"),
  timeout: number("--timeout <seconds>", "how long to wait for each migration", { min: 1, default: 3600 }),
});

type MigrateOptions = OptionsOf<typeof OPTIONS>;

const COLUMNS: Column[] = [
  { key: "name", header: "NAME" },
  { key: "vmid", header: "VMID", align: "right" },
  { key: "from", header: "FROM" },
  { key: "to", header: "TO" },
  { key: "result", header: "RESULT" },
  { key: "detail", header: "DETAIL" },
  { key: "upid", header: "UPID", wide: true },
];

/** One guest's outcome. */
export interface MigrateOutcome {
  vmid: number;
  name: string;
  type: "qemu" | "lxc";
  from: string;
  to: string;
  /** planned: --dry-run; refused: checks said no (nothing done); failed: the task failed; cancelled: not started after Ctrl-C. */
  result: "moved" | "planned" | "refused" | "failed" | "cancelled";
  /** How it moved (live, offline, restart, what was copied), or why it did not. */
  detail: string;
  upid?: string;
  seconds?: number;
}

export const migrateCommand = defineCommand({
  name: "migrate",
  summary: "Move a VM or container to another node, or drain a node (--from)",
  description:
    "Checks first, with PVE's migrate precondition endpoint (nodes allowed, storages missing, local disks and devices), the guest's lock, and the target's free memory and storage; a refusal says why and changes nothing (exit 2 when a flag would help, 1 when the cluster cannot). Asks before acting (unless --yes), follows the task, then syncs so the store and the guest's .tf (node_name; a hand-edited file gets only that line changed) follow and the next plan is empty. A running VM needs --online (live migration); a running container moves in PVE's restart mode with --online. A VM with disks on local storage needs --with-local-disks. --from NODE drains a node: every guest on it, --concurrency at once, then a summary of what moved and what did not, and why; Ctrl-C stops starting new migrations and reports.",
  examples: [
    "proxmox-mpc migrate vm web-01 --to pve2 --online",
    "proxmox-mpc migrate vm db-01 --to pve3 --with-local-disks --yes",
    "proxmox-mpc migrate ct dns-01 --to pve2 --online",
    "proxmox-mpc migrate --from pve1 --to pve2 --online --with-local-disks --dry-run",
    "proxmox-mpc migrate --from pve1 --to pve2 --online --concurrency 8 --yes",
  ],
  arguments: [
    { name: "kind", description: "vm or ct (with --from: only that kind)", choices: ["vm", "ct", "vms", "cts"] },
    { name: "name", description: "name or vmid (not with --from)", completion: "guest" },
  ],
  options: OPTIONS,
  workspace: "required",
  // It asks first: over MCP the first call shows what would move, a second with confirm acts.
  mcp: { tool: "destructive" },
  async run(ctx, input) {
    const options = input.options;
    if (!options.to) throw new UsageError("Say where to: --to NODE.", "e.g. proxmox-mpc migrate vm web-01 --to pve2");
    const [kind, name] = input.args;
    const type = kind === undefined ? undefined : kind.startsWith("vm") ? "qemu" : "lxc";
    if (options.from !== undefined) {
      if (name !== undefined) throw new UsageError("Name a guest or drain a node with --from, not both.", `e.g. proxmox-mpc migrate --from ${options.from} --to ${options.to}`);
      if (options.from === options.to) throw new UsageError(`--from and --to are both ${options.to}.`, "Drain a node to another one.");
      return drain(ctx, options.from, options.to, type, options);
    }
    if (!type || name === undefined) throw new UsageError("Name the guest (vm|ct NAME), or drain a node with --from NODE.", "e.g. proxmox-mpc migrate vm web-01 --to pve2 --online");
    return migrateOne(ctx, type, name, options.to, options);
  },
});

/** The guest named, where it is now (the store finds it, /cluster/resources says where it runs). */
async function findGuest(ctx: CommandContext, client: ProxmoxClient, type: "qemu" | "lxc", name: string): Promise<LiveGuest> {
  const store = await ctx.services.store();
  const record = await store.guests.get(/^\d+$/.test(name) ? Number(name) : name);
  const live = liveGuests(await client.clusterResources("vm", { signal: ctx.signal }));
  const guest = live.find((g) => (record ? g.vmid === record.vmid : g.name === name || String(g.vmid) === name));
  const word = type === "qemu" ? "VM" : "container";
  if (!guest) {
    throw new UsageError(record ? `${name} (${record.vmid}) is not in the cluster any more.` : `Not in the store: ${name}.`, "Check the name with `get vms` / `get cts`, or run `sync` if it is new.", "not-found");
  }
  if (guest.type !== type) throw new UsageError(`${name} is not a ${word}.`, `Use \`migrate ${guest.type === "qemu" ? "vm" : "ct"} ${name}\`.`);
  return guest;
}

function refusalError(r: RefusedMigration): ProxmoxMpcError {
  const message = `Not migrated: ${r.reason}. Nothing was changed.`;
  return r.exitCode === 2 ? new UsageError(message, r.hint, "migrate-refused") : new ProxmoxMpcError(message, { code: "migrate-refused", hint: r.hint });
}

function outcome(plan: PlannedMigration | RefusedMigration, result: MigrateOutcome["result"], detail: string): MigrateOutcome {
  return { vmid: plan.guest.vmid, name: plan.guest.name, type: plan.guest.type, from: plan.guest.node, to: plan.target, result, detail };
}

/** Start one planned migration and wait for it. */
async function runMigration(client: ProxmoxClient, plan: PlannedMigration, timeoutMs: number, onProgress?: (seconds: number) => void): Promise<MigrateOutcome> {
  const g = plan.guest;
  const started = Date.now();
  const upid = await client.migrateGuest(g.node, g.type, g.vmid, plan.target, g.type === "qemu" ? { online: plan.online, withLocalDisks: plan.withLocalDisks } : { restart: plan.online });
  const out = { ...outcome(plan, "moved", plan.how), upid };
  try {
    // The task is followed to its end even after Ctrl-C: it goes on on the server either way.
    await client.waitForTask(upid, { timeoutMs, maxPollMs: 1000, onProgress: (_s, ms) => onProgress?.(Math.round(ms / 1000)) });
  } catch (err) {
    out.result = "failed";
    const tail = (err as { logTail?: string[] }).logTail?.filter((l) => /ERROR|error|failed/.test(l)).at(-1);
    out.detail = `${err instanceof Error ? err.message : String(err)}${tail ? ` (${tail.replace(/^\S+ \S+ /, "")})` : ""}`;
  }
  out.seconds = Math.round((Date.now() - started) / 100) / 10;
  return out;
}

async function migrateOne(ctx: CommandContext, type: "qemu" | "lxc", name: string, target: string, options: MigrateOptions): Promise<CommandResult> {
  const client = await ctx.services.proxmox();
  const guest = await findGuest(ctx, client, type, name);
  if (guest.node === target) throw new UsageError(`${guest.name} is already on ${target}.`, "Nothing to do.");
  await checkTargetNode(client, target, ctx.signal);
  const checked = await checkMigration(client, new CapacityLedger(client), guest, target, { online: Boolean(options.online), withLocalDisks: Boolean(options.withLocalDisks) }, ctx.signal);
  if (isRefused(checked)) throw refusalError(checked);
  const word = type === "qemu" ? "VM" : "container";
  const what = `${word} ${guest.name} (${guest.vmid}) from ${guest.node} to ${target} (${checked.how})`;
  if (options.dryRun) {
    return { kind: "data", data: [outcome(checked, "planned", checked.how)], text: `Would migrate ${what}. Nothing was changed (--dry-run).` };
  }
  if (!(await ctx.ui.confirm(`Migrate ${what}?`, { default: false }))) return declined();
  const spinner = ctx.ui.spinner(`Migrating ${guest.name} to ${target}…`);
  const onAbort = (): void => ctx.ui.warn("Interrupted: the migration goes on on the server; waiting for it to end (Ctrl-C again to stop waiting).");
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  const result = await runMigration(client, checked, options.timeout * 1000, (s) => spinner.update(`Migrating ${guest.name} to ${target}… ${s}s`)).finally(() =>
    ctx.signal.removeEventListener("abort", onAbort),
  );
  if (result.result !== "moved") {
    spinner.fail(`Migration of ${guest.name} failed; it stays on ${guest.node}.`);
    throw new ProxmoxMpcError(`Migration of ${guest.name} to ${target} failed: ${result.detail}`, { code: "task-failed", hint: `See the task log: proxmox-mpc get tasks --node ${guest.node}` });
  }
  spinner.succeed(`${guest.name} is on ${target} (${result.seconds}s, ${checked.how}).`);
  const follow = await followMoves(ctx, [{ vmid: guest.vmid, node: target }]);
  return finish(ctx, [result], follow, `Migrated ${guest.name} to ${target}.`);
}

async function drain(ctx: CommandContext, from: string, target: string, type: "qemu" | "lxc" | undefined, options: MigrateOptions): Promise<CommandResult> {
  const client = await ctx.services.proxmox();
  await checkTargetNode(client, target, ctx.signal);
  const all = liveGuests(await client.clusterResources("vm", { signal: ctx.signal }));
  if (!all.some((g) => g.node === from) && !(await client.nodes({ signal: ctx.signal })).some((n) => n.node === from)) {
    throw new UsageError(`Unknown node ${from}.`, "Name a node of `get nodes`.", "not-found");
  }
  const guests = all.filter((g) => g.node === from && (!type || g.type === type));
  if (!guests.length) return { kind: "data", data: [], text: `No ${type === "qemu" ? "VMs" : type === "lxc" ? "containers" : "guests"} on ${from}: nothing to move.` };

  const spinner = ctx.ui.spinner(`Checking ${guests.length} guests on ${from}…`);
  const ledger = new CapacityLedger(client);
  const planned: PlannedMigration[] = [];
  const outcomes: MigrateOutcome[] = [];
  try {
    for (const g of guests) {
      const checked = await checkMigration(client, ledger, g, target, { online: Boolean(options.online), withLocalDisks: Boolean(options.withLocalDisks) }, ctx.signal);
      if (isRefused(checked)) outcomes.push(outcome(checked, "refused", `${checked.reason}${checked.hint ? ` — ${checked.hint}` : ""}`));
      else planned.push(checked);
    }
  } finally {
    spinner.stop();
  }
  if (options.dryRun || !planned.length) {
    outcomes.push(...planned.map((p) => outcome(p, "planned", p.how)));
    const text = options.dryRun ? `Would move ${planned.length} of ${guests.length} guests from ${from} to ${target}. Nothing was changed (--dry-run).` : `None of the ${guests.length} guests on ${from} can move to ${target}. Nothing was changed.`;
    return summary(ctx, outcomes, text, options.dryRun ? 0 : 1);
  }
  const refusedNote = outcomes.length ? ` (${outcomes.length} cannot move: see the summary)` : "";
  const question = `Move ${planned.length} guest${planned.length === 1 ? "" : "s"} from ${from} to ${target}, ${Math.min(options.concurrency, planned.length)} at a time${refusedNote}: ${planned.map((p) => p.guest.name).join(", ")}?`;
  if (!(await ctx.ui.confirm(question, { default: false }))) return declined();

  const progress = ctx.ui.spinner(`Draining ${from}: 0/${planned.length} moved`);
  let next = 0;
  let running = 0;
  let moved = 0;
  let interrupted = false;
  const onAbort = (): void => {
    if (interrupted) return;
    interrupted = true;
    ctx.ui.warn(`Interrupted: no new migrations start; waiting for the ${running} under way (Ctrl-C again to stop waiting).`);
  };
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  const worker = async (): Promise<void> => {
    while (next < planned.length) {
      const plan = planned[next++];
      if (ctx.signal.aborted) {
        outcomes.push(outcome(plan, "cancelled", "not started: interrupted (Ctrl-C)"));
        continue;
      }
      running++;
      try {
        const out = await runMigration(client, plan, options.timeout * 1000);
        outcomes.push(out);
        if (out.result === "moved") moved++;
      } catch (err) {
        outcomes.push(outcome(plan, "failed", err instanceof Error ? err.message : String(err)));
      } finally {
        running--;
        progress.update(`Draining ${from}: ${moved}/${planned.length} moved, ${running} under way`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, planned.length) }, worker));
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
  }
  const notMoved = outcomes.filter((o) => o.result !== "moved").length;
  if (notMoved) progress.fail(`${moved} of ${guests.length} guests moved from ${from} to ${target}; ${notMoved} did not.`);
  else progress.succeed(`All ${moved} guests moved from ${from} to ${target}.`);
  const follow = await followMoves(ctx, outcomes.filter((o) => o.result === "moved").map((o) => ({ vmid: o.vmid, node: target })));
  const text = `${moved} of ${guests.length} moved from ${from} to ${target}${interrupted ? " (interrupted)" : ""}.`;
  return finish(ctx, outcomes, follow, text, notMoved ? 1 : 0);
}

/** The outcomes as data and table, the one-line summary on stderr. */
function summary(ctx: CommandContext, outcomes: MigrateOutcome[], text: string, exitCode: number): CommandResult {
  outcomes.sort((a, b) => a.vmid - b.vmid);
  if (text) ctx.ui.info(text);
  return { kind: "data", data: outcomes, table: { columns: COLUMNS, rows: outcomes.map((o) => ({ ...o })) }, exitCode };
}

function finish(ctx: CommandContext, outcomes: MigrateOutcome[], follow: Awaited<ReturnType<typeof followMoves>>, text: string, exitCode = 0): CommandResult {
  if (follow.warning) ctx.ui.warn(follow.warning);
  for (const file of follow.edited) ctx.ui.info(`terraform/${file} was edited by hand: only its node_name was changed.`);
  if (follow.synced) ctx.ui.info("Synced: the store and terraform/ follow the move; `plan` shows no change for it.");
  return summary(ctx, outcomes, text, exitCode);
}
