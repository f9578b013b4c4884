/**
 * The contract between the HTTP server and the endpoint handlers, and the
 * helpers every handler uses: typed parameters, guest lookup with PVE's
 * "does not exist" / "is locked" errors, and starting tasks.
 */
import type { Principal } from "./auth.js";
import type { SimCluster } from "./cluster.js";
import type { PveProfile } from "./pve-version.js";
import { paramError, serverError } from "./pve-error.js";
import type { TaskSpec } from "./tasks.js";
import type { SimAuth } from "./tickets.js";
import type { GuestType, SimGuest } from "./types.js";

/** Simulator behaviour switches that handlers read. */
export interface HandlerSettings {
  /** PUT .../qemu/{vmid}/resize answers a UPID (qemu-server ≥ 8.0.2) rather than null. */
  resizeReturnsTask: boolean;
  /** The PVE version answered as. */
  pve: PveProfile;
}

/** What a handler gets. */
export interface HandlerContext {
  cluster: SimCluster;
  /** Validated parameters (path parameters included), as sent: strings, or booleans from JSON bodies. */
  params: Record<string, string | boolean>;
  principal: Principal;
  settings: HandlerSettings;
  /** Tokens and tickets (for POST /access/ticket). */
  auth: SimAuth;
  now: number;
}

/** A result with extra envelope fields (PVE's `total` of paged lists). */
export class Enveloped {
  constructor(
    readonly data: unknown,
    readonly extra: Record<string, unknown>,
  ) {}
}

/** A result already serialised as JSON (for large, cached answers such as /cluster/resources). */
export class RawJson {
  constructor(readonly json: string) {}
}

/** An endpoint implementation: returns `data` (or an {@link Enveloped}) or throws a PveHttpError. */
export type Handler = (ctx: HandlerContext) => unknown | Promise<unknown>;

/** Handlers by "METHOD /path/{template}". */
export type RouteTable = Record<string, Handler>;

/** A parameter as a string (undefined when absent). */
export function str(ctx: HandlerContext, name: string): string | undefined {
  const v = ctx.params[name];
  if (v === undefined) return undefined;
  return typeof v === "boolean" ? (v ? "1" : "0") : v;
}

/** A parameter as a number (undefined when absent). */
export function int(ctx: HandlerContext, name: string): number | undefined {
  const v = str(ctx, name);
  return v === undefined ? undefined : Number(v);
}

/** A boolean parameter (1/true). */
export function flag(ctx: HandlerContext, name: string): boolean {
  const v = ctx.params[name];
  return v === true || v === "1";
}

/** The `skiplock` flag; like PVE, only root@pam itself may use it (API tokens may not). */
export function skiplock(ctx: HandlerContext): boolean {
  if (!flag(ctx, "skiplock")) return false;
  if (ctx.principal.tokenId !== "root@pam") throw paramError({ skiplock: "Only root may use this option." });
  return true;
}

/** "VM" or "CT", as PVE's messages say. */
export function kindWord(type: GuestType): "VM" | "CT" {
  return type === "qemu" ? "VM" : "CT";
}

/** The config path PVE names in "does not exist" errors. */
export function configPath(node: string, type: GuestType, vmid: number | string): string {
  return `nodes/${node}/${type === "qemu" ? "qemu-server" : "lxc"}/${vmid}.conf`;
}

/** The guest of {node}/{type}/{vmid}, or PVE's 500 "Configuration file ... does not exist". */
export function guestAt(ctx: HandlerContext, type: GuestType): SimGuest {
  const node = String(ctx.params.node);
  const vmid = Number(ctx.params.vmid);
  const g = ctx.cluster.guest(vmid);
  if (!g || g.type !== type || g.node !== node) {
    throw serverError(`Configuration file '${configPath(node, type, String(ctx.params.vmid))}' does not exist`);
  }
  return g;
}

/** PVE's check_lock: a guest with a `lock` property refuses changes. */
export function assertNotLocked(g: SimGuest, skiplock = false): void {
  if (g.config.lock !== undefined && !skiplock) throw serverError(`${kindWord(g.type)} is locked (${g.config.lock})`);
}

/** Start a task as the caller and return its UPID. */
export function startTask(ctx: HandlerContext, spec: Omit<TaskSpec, "user" | "node"> & { node?: string }): string {
  return ctx.cluster.tasks.start({ ...spec, node: spec.node ?? String(ctx.params.node), user: ctx.principal.tokenId }).upid;
}

/** Task type names: qm* for VMs, vz* for containers. */
export function taskType(type: GuestType, action: string): string {
  return `${type === "qemu" ? "qm" : "vz"}${action}`;
}
