/**
 * The contract of plan/apply/destroy engines. Two engines implement it:
 * `terraform` (runs the real terraform binary in terraform/) and `native`
 * (reads the same .tf files with the HCL parser, diffs them against a fresh
 * read of the cluster, and applies through the API). Commands only see this.
 */
import type { OperationMetrics } from "../core/metrics.js";
import type { Logger } from "../core/logger.js";
import type { UI } from "../core/ui.js";
import type { ProxmoxClient } from "../proxmox/client.js";

export type ChangeAction = "create" | "update" | "delete" | "replace";
export type EngineName = "terraform" | "native";

/** One planned change; the shape of `plan -o json` (both engines). */
export interface PlanChange {
  action: ChangeAction;
  type: "qemu" | "lxc";
  /** Guest name (as in the .tf file / the cluster). */
  name: string;
  vmid: number | null;
  node: string | null;
  /** Field-level differences: `{ cores: [2, 4] }`; old is null for creates, new is null for deletes. */
  diff: Record<string, [unknown, unknown]>;
  /** Terraform resource address, e.g. proxmox_virtual_environment_vm.web_01. */
  address?: string;
}

/** `plan -o json`: `{changes, summary}` (+ engine and notes). */
export interface PlanJson {
  changes: PlanChange[];
  summary: Record<ChangeAction, number>;
}

/** A plan as an engine made it: the JSON form, a human rendering, and what it cannot do. */
export interface EnginePlan extends PlanJson {
  engine: EngineName;
  /** Terraform-style text (`+ create`, `~ update in-place`, `- destroy`, `-/+ replace`), no trailing newline. */
  text: string;
  /** Arguments the engine does not support, by guest: never ignored silently (native engine). */
  unsupported: { name: string; file?: string; argument: string }[];
  warnings: string[];
}

/** What an engine gets from the command that runs it. */
export interface EngineContext {
  /** Workspace root and its terraform/ folder. */
  root: string;
  terraformDir: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  ui: UI;
  signal: AbortSignal;
  /** The API client (created on first use; the native engine needs it, terraform does not). */
  client: () => Promise<ProxmoxClient>;
  /** Credentials for child processes (terraform): PROXMOX_VE_* of the workspace. */
  credentials: () => Promise<Record<string, string>>;
  /** The run's figures: steps and task waits add their time as phases. */
  metrics?: OperationMetrics;
}

export interface PlanOptions {
  /** Plan the destruction of managed guests (all, or `targets`). */
  destroy?: boolean;
  /** Limit to these guest names. */
  targets?: string[];
}

/** The outcome of one step of an apply. */
export interface StepResult {
  change: PlanChange;
  status: "done" | "failed" | "skipped" | "cancelled";
  message?: string;
}

/** The outcome of an apply: what was done and what was not. */
export interface ApplyResult {
  ok: boolean;
  steps: StepResult[];
  /** Human summary, no trailing newline. */
  text: string;
}

export interface Engine {
  readonly name: EngineName;
  plan(ctx: EngineContext, options?: PlanOptions): Promise<EnginePlan>;
  /** Carry out a plan made by this engine (the caller confirmed it). */
  apply(ctx: EngineContext, plan: EnginePlan): Promise<ApplyResult>;
}

/** An empty summary. */
export function emptySummary(): Record<ChangeAction, number> {
  return { create: 0, update: 0, delete: 0, replace: 0 };
}
