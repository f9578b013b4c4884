/**
 * `start|stop|shutdown|reboot vm|ct NAME…`: power actions through the API,
 * waiting for each task (UPID) with progress. Guests are chosen by name or
 * vmid, or in batches with --selector tag=web / --node pve2 (from the store);
 * a batch or a hard stop asks for confirmation first.
 */
import { UsageError } from "../core/errors.js";
import type { PowerAction } from "../proxmox/client.js";
import type { GuestRecord } from "../state/types.js";
import { defineCommand } from "./define.js";
import { followPower } from "./power-iac.js";
import { defineOptions, flag, negated, number, text, type OptionsOf } from "./options.js";
import type { Column, Command, CommandContext, CommandResult } from "./types.js";
import { declined } from "../core/result.js";

const VERBS: Record<PowerAction, { verb: string; ing: string; done: string; summary: string }> = {
  start: { verb: "Start", ing: "Starting", done: "started", summary: "Start VMs or containers" },
  stop: { verb: "Hard-stop", ing: "Stopping", done: "stopped", summary: "Stop VMs or containers immediately (like pulling the plug)" },
  shutdown: { verb: "Shut down", ing: "Shutting down", done: "shut down", summary: "Shut VMs or containers down cleanly (ACPI / init)" },
  reboot: { verb: "Reboot", ing: "Rebooting", done: "rebooted", summary: "Reboot VMs or containers cleanly" },
};

const COLUMNS: Column[] = [
  { key: "name", header: "NAME" },
  { key: "vmid", header: "VMID", align: "right" },
  { key: "node", header: "NODE" },
  { key: "result", header: "RESULT" },
  { key: "upid", header: "UPID", wide: true },
];

/** One guest's outcome. */
export interface PowerOutcome {
  vmid: number;
  name: string;
  node: string;
  action: PowerAction;
  result: "ok" | "skipped" | "failed" | "cancelled" | "started";
  message?: string;
  upid?: string;
  /** What happened to the guest's .tf: "terraform/web_01.tf: started = true", or why it was not changed. */
  iac?: string;
}

const POWER_OPTIONS = defineOptions({
  selector: text("--selector <selector>", "choose guests by tag=T, node=N or status=S (comma-separated, all must match)"),
  node: text("--node <node>", "only guests on this node", { completion: "node" }),
  wait: negated("--no-wait", "return once the tasks are started"),
  timeout: number("--timeout <seconds>", "how long to wait for each task", { default: 300 }),
});

/** The options of the power commands, validated. */
export type PowerOptions = OptionsOf<typeof POWER_OPTIONS>;

/** The `start` / `stop` / `shutdown` / `reboot` command objects. */
export function powerCommand(action: PowerAction): Command {
  return defineCommand({
    name: action,
    summary: VERBS[action].summary,
    description:
      "Follows each task to its end. Then the guest's .tf `started` line follows what was done (start → true, stop/shutdown → false, reboot: no change), only that line, so the next plan does not undo it; a file where `started` is an expression or absent is left alone with a note. A failed or cancelled task, or --no-wait (the outcome is unknown), changes no file.",
    examples: [`proxmox-mpc ${action} vm web-01`, `proxmox-mpc ${action} vm --selector tag=web --yes`, `proxmox-mpc ${action} ct 105 106 --no-wait`],
    arguments: [
      { name: "kind", description: "vm or ct", required: true, choices: ["vm", "ct", "vms", "cts"] },
      { name: "names", description: "names or vmids", variadic: true, completion: "guest" },
    ],
    options: POWER_OPTIONS,
    workspace: "required",
    // A hard stop always asks (the confirm two-step); one soft shutdown, start or reboot does not.
    mcp: { tool: action === "stop" ? "destructive" : "write" },
    run: (ctx, input) => runPower(ctx, action, input.args, input.options),
  });
}

async function runPower(ctx: CommandContext, action: PowerAction, args: string[], options: PowerOptions): Promise<CommandResult> {
  const type = args[0].startsWith("vm") ? "qemu" : "lxc";
  const guests = await select(ctx, type, args.slice(1), options);
  const wait = options.wait;
  if (guests.length > 1 || action === "stop") {
    const list = guests.map((g) => `${g.name} (${g.vmid} on ${g.node})`).join(", ");
    const ok = await ctx.ui.confirm(`${VERBS[action].verb} ${guests.length} ${type === "qemu" ? "VM" : "container"}${guests.length === 1 ? "" : "s"}: ${list}?`, { default: false });
    if (!ok) return declined();
  }
  const client = await ctx.services.proxmox();
  const store = await ctx.services.store();
  const timeoutMs = options.timeout * 1000;
  const outcomes: PowerOutcome[] = [];
  const spinner = ctx.ui.spinner(`${VERBS[action].ing} ${guests.length} guest${guests.length === 1 ? "" : "s"}…`);
  let next = 0;
  let finished = 0;
  const worker = async (): Promise<void> => {
    while (next < guests.length) {
      const g = guests[next++];
      const outcome: PowerOutcome = { vmid: g.vmid, name: g.name, node: g.node, action, result: "ok" };
      outcomes.push(outcome);
      if (ctx.signal.aborted) {
        outcome.result = "cancelled";
        continue;
      }
      try {
        const live = await client.guestStatus(g.node, type, g.vmid, { signal: ctx.signal });
        const skip = skipReason(action, live.status);
        if (skip) {
          outcome.result = "skipped";
          outcome.message = skip;
          continue;
        }
        outcome.upid = await client.powerAction(g.node, type, g.vmid, action, {}, { signal: ctx.signal });
        if (!wait) {
          outcome.result = "started";
          continue;
        }
        await client.waitForTask(outcome.upid, { signal: ctx.signal, timeoutMs });
        const status = action === "start" || action === "reboot" ? "running" : "stopped";
        await store.guests.setStatus(g.vmid, status);
        ctx.events.emit("guest.status", { name: g.name, vmid: g.vmid, node: g.node, kind: type === "qemu" ? "vm" : "ct", status, previous: live.status, action }, ctx.correlationId);
      } catch (err) {
        outcome.result = ctx.signal.aborted ? "cancelled" : "failed";
        outcome.message = err instanceof Error ? err.message : String(err);
      } finally {
        spinner.update(`${VERBS[action].ing} guests: ${++finished}/${guests.length} done`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, guests.length) }, worker));
  outcomes.sort((a, b) => a.vmid - b.vmid);
  const failed = outcomes.filter((o) => o.result === "failed" || o.result === "cancelled");
  if (failed.length) spinner.fail(`${failed.length} of ${guests.length} failed or were cancelled.`);
  else {
    const done = outcomes.filter((o) => o.result === "ok" || o.result === "started").length;
    const skipped = outcomes.length - done;
    spinner.succeed(`${done} ${wait ? VERBS[action].done : `asked to ${action}`}${skipped ? `, ${skipped} skipped (already ${action === "start" ? "running" : "stopped"})` : ""}.`);
  }
  await followPower(ctx, action, type, outcomes);
  const rows = outcomes.map((o) => ({ ...o, result: o.message ? `${o.result}: ${o.message}` : o.result }));
  return { kind: "data", data: outcomes, table: { columns: COLUMNS, rows }, exitCode: failed.length ? 1 : 0 };
}

function skipReason(action: PowerAction, status: string): string | undefined {
  if (action === "start" && status === "running") return "already running";
  if ((action === "stop" || action === "shutdown" || action === "reboot") && status === "stopped") return "already stopped";
  return undefined;
}

/** The guests named, or chosen by --selector / --node, from the store. */
export async function select(ctx: CommandContext, type: "qemu" | "lxc", names: string[], options: Pick<PowerOptions, "selector" | "node">): Promise<GuestRecord[]> {
  const selector = parseSelector(options.selector);
  const node = options.node ?? selector.node;
  if (!names.length && !options.selector && !options.node) {
    throw new UsageError("Name the guests, or choose them with --selector tag=T / --node N.", `e.g. proxmox-mpc start ${type === "qemu" ? "vm" : "ct"} web-01`);
  }
  const store = await ctx.services.store();
  const all = await store.guests.list({ type });
  const wanted = new Set(names);
  const picked = all.filter(
    (g) =>
      (!names.length || wanted.has(g.name) || wanted.has(String(g.vmid))) &&
      (!node || g.node === node) &&
      (!selector.tag || g.tags.includes(selector.tag)) &&
      (!selector.status || g.status === selector.status) &&
      !g.template,
  );
  const missing = names.filter((n) => !all.some((g) => g.name === n || String(g.vmid) === n));
  if (missing.length) {
    throw new UsageError(`Not in the store: ${missing.join(", ")}.`, "Check the names with `get vms` / `get cts`, or run `sync` if they are new.", "not-found");
  }
  if (!picked.length) throw new UsageError("No guest matches.", "Check the selector against `get vms -o wide`.", "not-found");
  return picked;
}

/** `tag=web,node=pve1` → { tag: "web", node: "pve1" }. */
export function parseSelector(value: string | undefined): { tag?: string; node?: string; status?: string } {
  if (!value) return {};
  const out: Record<string, string> = {};
  for (const part of value.split(",")) {
    const [key, val] = part.split("=").map((s) => s.trim());
    if (!val || !["tag", "node", "status"].includes(key)) {
      throw new UsageError(`Bad selector "${part}".`, "Use tag=T, node=N or status=S, comma-separated (e.g. tag=web,node=pve1).");
    }
    out[key] = val;
  }
  return out;
}

export const startCommand = powerCommand("start");
export const stopCommand = powerCommand("stop");
export const shutdownCommand = powerCommand("shutdown");
export const rebootCommand = powerCommand("reboot");
