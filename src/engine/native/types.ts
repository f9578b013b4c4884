/**
 * Internal types of the native engine: what a plan carries for apply besides
 * its JSON form (the specs, the live configs with their digests, the
 * operations), and the extra fields of its changes and step results.
 */
import type { GuestSpec } from "../../iac/model.js";
import type { PveGuestConfig } from "../../proxmox/types.js";
import type { EnginePlan, PlanChange, StepResult } from "../types.js";

/** A guest as the cluster has it now. */
export interface LiveGuest {
  vmid: number;
  node: string;
  type: "qemu" | "lxc";
  name: string;
  /** running | stopped … */
  status: string;
  template: boolean;
  /** Read only for guests a spec or the managed set refers to. */
  config?: PveGuestConfig;
  /** The config's digest when it was read (apply sends it back). */
  digest?: string;
}

/** A disk to grow: key (scsi0, rootfs, mp0) and its new absolute size ("40G"). */
export interface DiskResize {
  disk: string;
  size: string;
}

/** What it takes to bring one live guest to its spec, in place. */
export interface GuestOps {
  /** Config keys to set, in one config update. */
  set: Record<string, string | number>;
  /** Config keys to delete, in the same update. */
  remove: string[];
  resizes: DiskResize[];
  /** Power change after the config update. */
  power?: "start" | "stop";
  /** Convert to a template (POST …/template) at the end. */
  toTemplate?: boolean;
  /** Field-level differences (friendly names), for the plan. */
  diff: Record<string, [unknown, unknown]>;
  /** Why the guest cannot be changed in place (non-empty → replace). */
  replace: string[];
  /** Terraform arguments that differ but that the native engine does not change. */
  unsupported: string[];
}

/** A planned change with the native engine's extras (also in `plan -o json`). */
export interface NativeChange extends PlanChange {
  /** Why a guest is replaced. */
  reason?: string;
  /** For a create from a clone: the source vmid. */
  cloneOf?: number;
}

/** One planned change and everything apply needs for it. */
export interface PlanItem {
  change: NativeChange;
  spec?: GuestSpec;
  /** The .tf file of the spec, relative to the workspace. */
  file?: string;
  live?: LiveGuest;
  ops?: GuestOps;
  /** Where a clone comes from (its node is resolved at apply time when it is created by the same plan). */
  cloneSource?: { vmid: number; node?: string; type: "qemu" | "lxc" };
}

/** Hidden on the plan object: survives object spread, invisible to JSON. */
export const PLAN_DATA: unique symbol = Symbol("proxmox-mpc.native-plan");

/** The plan as the native engine returns it. */
export interface NativePlan extends EnginePlan {
  changes: NativeChange[];
  [PLAN_DATA]?: { items: PlanItem[] };
}

/** A step result with the failed task's details. */
export interface NativeStepResult extends StepResult {
  change: NativeChange;
  /** Exit status of the task that failed. */
  exitStatus?: string;
  /** Last lines of that task's log. */
  log?: string[];
}

/** The Terraform resource address of a spec. */
export function addressOf(spec: Pick<GuestSpec, "kind" | "resourceName">): string {
  return `${spec.kind === "lxc" ? "proxmox_virtual_environment_container" : "proxmox_virtual_environment_vm"}.${spec.resourceName}`;
}
