/**
 * Terraform's JSON plan representation (`terraform show -json PLANFILE`,
 * format_version 1.x) turned into the engines' PlanJson. Only guests are
 * mapped (the bpg VM and container resources); changes to any other resource
 * are reported as warnings, because applying the plan file carries them out too.
 *
 * actions: ["create"] → create, ["update"] → update, ["delete"] → delete,
 * ["delete","create"] / ["create","delete"] → replace, ["no-op"] / ["read"] → nothing.
 */
import { ProxmoxMpcError } from "../../core/errors.js";
import { emptySummary, type ChangeAction, type PlanChange, type PlanJson } from "../types.js";

/** The parts of `terraform show -json` the engine reads. */
export interface TfPlan {
  format_version?: string;
  terraform_version?: string;
  resource_changes?: TfResourceChange[];
  errored?: boolean;
}

/** One entry of `resource_changes`. */
export interface TfResourceChange {
  address: string;
  mode?: "managed" | "data";
  type: string;
  name: string;
  /** Set for a deposed object (left over from create_before_destroy). */
  deposed?: string;
  change: TfChange;
}

/** The change object: actions, values before/after, and which values are unknown or sensitive. */
export interface TfChange {
  actions: string[];
  before: unknown;
  after: unknown;
  after_unknown?: unknown;
  before_sensitive?: unknown;
  after_sensitive?: unknown;
  importing?: { id?: string };
}

/** What a plan JSON says: the guest changes and what else terraform would do. */
export interface TerraformPlanSummary extends PlanJson {
  /** Changes to resources that are not guests, e.g. "create proxmox_virtual_environment_pool.ops". */
  others: string[];
  /** Guests terraform will import (import blocks), without other changes. */
  imports: string[];
}

/** The bpg provider's resource types of guests. */
export const VM_TYPE = "proxmox_virtual_environment_vm";
export const CT_TYPE = "proxmox_virtual_environment_container";
/** Shown for a value terraform only knows after the apply. */
export const UNKNOWN_VALUE = "(known after apply)";
/** Shown instead of a value the provider marks sensitive. */
export const SENSITIVE_VALUE = "(sensitive value)";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Parse the output of `terraform show -json`; rejects other major format versions. */
export function parseTerraformPlan(text: string): TerraformPlanSummary {
  let plan: TfPlan;
  try {
    plan = JSON.parse(text) as TfPlan;
  } catch (err) {
    throw new ProxmoxMpcError("terraform show -json did not print JSON.", { code: "terraform-plan-json", hint: "Check that the terraform on PATH is Terraform ≥ 1.5 or OpenTofu.", cause: err });
  }
  const major = (plan.format_version ?? "").split(".")[0];
  if (major !== "1") {
    throw new ProxmoxMpcError(`terraform printed a plan in format ${plan.format_version ?? "(none)"}; proxmox-mpc reads format 1.x.`, {
      code: "terraform-plan-json",
      hint: "Use Terraform 1.5 or newer (or OpenTofu), or run with --engine native.",
    });
  }
  return toPlanJson(plan.resource_changes ?? []);
}

/** Map resource changes to PlanJson (guests) plus notes about everything else. */
export function toPlanJson(resourceChanges: TfResourceChange[]): TerraformPlanSummary {
  const out: TerraformPlanSummary = { changes: [], summary: emptySummary(), others: [], imports: [] };
  for (const rc of resourceChanges) {
    if (rc.mode === "data" || rc.deposed) continue;
    const action = mapActions(rc.change.actions);
    const guest = rc.type === VM_TYPE || rc.type === CT_TYPE;
    if (!action) {
      if (guest && rc.change.importing) out.imports.push(rc.address);
      else if (rc.change.importing) out.others.push(`import ${rc.address}`);
      continue;
    }
    if (!guest) {
      out.others.push(`${action} ${rc.address}`);
      continue;
    }
    out.changes.push(guestChange(rc, action));
    out.summary[action] += 1;
  }
  return out;
}

/** Terraform's action list as one ChangeAction; undefined for no-op and read. */
export function mapActions(actions: string[]): ChangeAction | undefined {
  const key = actions.join(",");
  if (key === "create" || key === "update" || key === "delete") return key;
  if (key === "delete,create" || key === "create,delete") return "replace";
  return undefined;
}

function guestChange(rc: TfResourceChange, action: ChangeAction): PlanChange {
  const before = isObj(rc.change.before) ? rc.change.before : undefined;
  const after = isObj(rc.change.after) ? rc.change.after : undefined;
  const vmid = numberOf(after?.vm_id) ?? numberOf(before?.vm_id);
  const node = stringOf(after?.node_name) ?? stringOf(before?.node_name);
  return {
    action,
    type: rc.type === CT_TYPE ? "lxc" : "qemu",
    name: guestName(after) ?? guestName(before) ?? rc.name,
    vmid: vmid ?? null,
    node: node ?? null,
    diff: topLevelDiff(rc.change),
    address: rc.address,
  };
}

/** A VM's `name`, or a container's `initialization[0].hostname`. */
function guestName(values: Obj | undefined): string | undefined {
  if (!values) return undefined;
  const init = values.initialization;
  const hostname = Array.isArray(init) && isObj(init[0]) ? stringOf(init[0].hostname) : undefined;
  return stringOf(values.name) ?? hostname;
}

/** Top-level arguments whose value changes: `{ cpu: [[{cores: 2}], [{cores: 4}]] }`; missing values are null. */
export function topLevelDiff(change: TfChange): Record<string, [unknown, unknown]> {
  const before = isObj(change.before) ? change.before : {};
  const after = isObj(change.after) ? change.after : {};
  const unknown = isObj(change.after_unknown) ? change.after_unknown : {};
  const beforeSensitive = isObj(change.before_sensitive) ? change.before_sensitive : {};
  const afterSensitive = isObj(change.after_sensitive) ? change.after_sensitive : {};
  const diff: Record<string, [unknown, unknown]> = {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)])].sort();
  for (const key of keys) {
    // `id` is the provider's resource id (the vmid again, or unknown for a new guest): not an argument.
    if (key === "id") continue;
    const old = overlay(before[key], beforeSensitive[key], SENSITIVE_VALUE) ?? null;
    const next = overlay(overlay(after[key], unknown[key], UNKNOWN_VALUE), afterSensitive[key], SENSITIVE_VALUE) ?? null;
    // Computed attributes a new guest gets (addresses reported by the agent …) are not a change.
    if (next === UNKNOWN_VALUE && old === null) continue;
    // A sensitive value looks the same masked before and after: compare what lies under the mask.
    const masked = beforeSensitive[key] !== undefined || afterSensitive[key] !== undefined;
    const hiddenChange = masked && (unknown[key] !== undefined || !deepEqual(before[key] ?? null, after[key] ?? null));
    if (hiddenChange || !deepEqual(old, next)) diff[key] = [old, next];
  }
  return diff;
}

/** Replace the parts of `value` that `marker` flags with `true` (Terraform's unknown/sensitive maps). */
function overlay(value: unknown, marker: unknown, replacement: string): unknown {
  if (marker === true) return replacement;
  if (Array.isArray(marker) && Array.isArray(value)) return value.map((v, i) => overlay(v, marker[i], replacement));
  if (isObj(marker) && isObj(value)) {
    const out: Obj = { ...value };
    for (const [k, m] of Object.entries(marker)) if (m === true || k in value) out[k] = overlay(value[k], m, replacement);
    return out;
  }
  return value;
}

/** Structural equality of JSON values (object key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

const numberOf = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined);
const stringOf = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
