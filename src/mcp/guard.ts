/**
 * What a mutating tool may touch. Before such a command runs, the guests and
 * nodes its input names are resolved from the store and checked against the
 * server's allowlists (--nodes, --vmids); and every plan it makes on the way
 * (apply, destroy, delete --apply, create --apply) is checked change by
 * change before it is shown or confirmed: each guest inside the allowlists,
 * and no guest with Proxmox `protection` set planned for destruction, whatever
 * the engine. A refusal is a NotAllowed error: nothing was done.
 */
import { ProxmoxMpcError } from "../core/errors.js";
import type { Engine } from "../engine/types.js";
import type { GuestRecord } from "../state/types.js";
import type { Command, CommandContext, CommandInput } from "../commands/types.js";
import type { McpPolicy } from "./scope.js";

/** The server's policy refuses this call (exit code 2: nothing was done). */
export class NotAllowed extends ProxmoxMpcError {
  constructor(message: string, hint?: string) {
    super(message, { code: "not-allowed", hint, exitCode: 2 });
  }
}

/** The commands that choose guests with --selector / --node (see commands/power.ts). */
const SELECTING = new Set(["start", "stop", "shutdown", "reboot"]);

/** A guest a command names, as far as it is known. */
interface Target {
  label: string;
  vmid?: number;
  node?: string;
}

/** A copy of `command` whose run first checks what its input names, then guards its plans. */
export function guardedCommand(command: Command, policy: McpPolicy): Command {
  return {
    ...command,
    async run(ctx, input) {
      guardPlans(ctx, policy);
      if (limited(policy)) await checkInput(command, ctx, input, policy);
      return command.run(ctx, input);
    },
  };
}

function limited(policy: McpPolicy): boolean {
  return policy.nodes !== undefined || policy.vmids !== undefined;
}

/** The guests and nodes the input names, checked against the allowlists. */
async function checkInput(command: Command, ctx: CommandContext, input: CommandInput, policy: McpPolicy): Promise<void> {
  const targets: Target[] = [];
  const nodes: string[] = [];
  const store = await ctx.services.store();
  const guests = await store.guests.list();
  const named = (command.mcp.tool !== false ? command.mcp.guests?.(input) : undefined) ?? {
    names: guestArguments(command, input.args),
    select: SELECTING.has(command.name) ? (input.args[0]?.startsWith("vm") ? ("qemu" as const) : ("lxc" as const)) : undefined,
  };
  const names = named.names;
  if (named.select && (input.options.selector !== undefined || input.options.node !== undefined)) {
    const { select } = await import("../commands/power.js");
    const picked = await select(ctx, named.select, names, { selector: input.options.selector as string | undefined, node: input.options.node as string | undefined });
    targets.push(...picked.map((g) => ({ label: `${g.name} (${g.vmid})`, vmid: g.vmid, node: g.node })));
  } else {
    targets.push(...names.map((name) => known(name, guests)));
  }
  if (command.name === "migrate" && typeof input.options.from === "string") {
    // A drain moves every guest on the node (of one kind with vm/ct): each must be allowed.
    const kind = input.args[0] === undefined ? undefined : input.args[0].startsWith("vm") ? "qemu" : "lxc";
    for (const g of guests) if (g.node === input.options.from && (!kind || g.type === kind)) targets.push({ label: `${g.name} (${g.vmid})`, vmid: g.vmid, node: g.node });
  }
  if (command.name === "clone") {
    // The new guest: its vmid (given: the next free one is not known before) on its node (given, else the source's).
    if (policy.vmids && typeof input.options.vmid !== "number") throw new NotAllowed("This server may touch only the guests of --vmids, and a clone's vmid is chosen when it is made.", `Give vmid (one of ${policy.vmids.join(", ")}).`);
    if (typeof input.options.vmid === "number") targets.push({ label: `vmid ${input.options.vmid}`, vmid: input.options.vmid, node: (input.options.node as string | undefined) ?? targets[0]?.node });
  }
  for (const option of command.options ?? []) {
    const value = input.options[option.key];
    if (option.completion === "node" && typeof value === "string") nodes.push(value);
  }
  const vmid = input.options.vmid;
  if (command.name === "create") {
    // A new guest: its node (given, else the workspace's default) and its vmid (given: the next free one is not known before).
    if (!input.options.node && ctx.workspace?.config.defaultNode) nodes.push(ctx.workspace.config.defaultNode);
    if (policy.vmids && typeof vmid !== "number") throw new NotAllowed("This server may touch only the guests of --vmids, and a new guest's vmid is chosen when it is created.", `Give vmid (one of ${policy.vmids.join(", ")}).`);
    if (policy.nodes && !nodes.length) throw new NotAllowed("This server may touch only guests on the nodes of --nodes, and this call names no node.", `Give node (one of ${policy.nodes.join(", ")}).`);
    if (typeof vmid === "number") {
      const count = typeof input.options.count === "number" ? input.options.count : 1;
      for (let i = 0; i < count; i++) targets.push({ label: `vmid ${vmid + i}`, vmid: vmid + i, node: (input.options.node as string | undefined) ?? ctx.workspace?.config.defaultNode });
    }
  }
  for (const node of nodes) {
    if (policy.nodes && !policy.nodes.includes(node)) throw outside(`node ${node}`, policy);
  }
  for (const target of targets) checkTarget(target, policy);
}

/** The values of the arguments that name guests (completion "guest"), in the order the arguments fill. */
function guestArguments(command: Command, args: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  for (const arg of command.arguments ?? []) {
    const taken = arg.variadic ? args.slice(i) : args.slice(i, i + 1);
    i += taken.length;
    if (arg.completion === "guest") out.push(...taken);
  }
  return out;
}

/** A named guest from the store (by name or vmid); a bare vmid not in the store is still a vmid. */
function known(name: string, guests: GuestRecord[]): Target {
  const g = guests.find((x) => x.name === name || String(x.vmid) === name);
  if (g) return { label: `${g.name} (${g.vmid})`, vmid: g.vmid, node: g.node };
  return /^\d+$/.test(name) ? { label: `vmid ${name}`, vmid: Number(name) } : { label: name };
}

function checkTarget(target: Target, policy: McpPolicy): void {
  if (policy.vmids && (target.vmid === undefined || !policy.vmids.includes(target.vmid))) {
    throw outside(target.vmid === undefined ? `${target.label} (not in the store: its vmid is not known)` : target.label, policy);
  }
  if (policy.nodes && (target.node === undefined || !policy.nodes.includes(target.node))) {
    throw outside(target.node === undefined ? `${target.label} (its node is not known)` : `${target.label} on ${target.node}`, policy);
  }
}

function outside(what: string, policy: McpPolicy): NotAllowed {
  const limits = [policy.nodes ? `nodes ${policy.nodes.join(", ")}` : undefined, policy.vmids ? `vmids ${policy.vmids.join(", ")}` : undefined].filter(Boolean).join(" and ");
  return new NotAllowed(`Refused: ${what}: outside what this MCP server may touch (${limits}).`, "Nothing was done. The server's --nodes / --vmids allowlists are set by whoever started it.");
}

/**
 * Every plan made through this context is checked before the command shows or confirms it:
 * each change's guest inside the allowlists, and no protected guest destroyed (delete or replace).
 */
function guardPlans(ctx: CommandContext, policy: McpPolicy): void {
  const services = ctx.services;
  const engineOf = services.engine.bind(services);
  services.engine = async (requested) => {
    const chosen = await engineOf(requested);
    const engine: Engine = Object.create(chosen.engine, {
      plan: {
        value: async (...args: Parameters<Engine["plan"]>) => {
          const plan = await chosen.engine.plan(...args);
          for (const change of plan.changes) {
            const label = `${change.name}${change.vmid === null ? "" : ` (${change.vmid})`}`;
            if (limited(policy)) checkTarget({ label: `the plan would ${change.action} ${label}`, vmid: change.vmid ?? undefined, node: change.node ?? undefined }, policy);
            if ((change.action === "delete" || change.action === "replace") && change.vmid !== null && change.node) {
              const client = await services.proxmox();
              const config = await client.guestConfig(change.node, change.type, change.vmid, { signal: ctx.signal });
              if (config.protection === 1 || config.protection === "1") {
                throw new NotAllowed(
                  `Refused: ${label} has protection enabled in Proxmox and is never destroyed.`,
                  "Nothing was done. Protection stops a guest from being destroyed (Options → Protection, or `qm set <vmid> --protection 0`); a person turns it off, not this server.",
                );
              }
            }
          }
          return plan;
        },
      },
    });
    return { ...chosen, engine };
  };
}
