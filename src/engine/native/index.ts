/**
 * The native plan/apply engine: reads terraform/ with the real HCL parser,
 * diffs it against a fresh read of the cluster, and applies through the
 * Proxmox VE API, waiting on every task. See docs/engine.md.
 */
import type { Engine } from "../types.js";
import { applyNative } from "./apply.js";
import { planNative } from "./plan.js";

/** The native engine (`--engine native`, and the default without terraform). */
export const nativeEngine: Engine = {
  name: "native",
  plan: (ctx, options) => planNative(ctx, options),
  apply: (ctx, plan) => applyNative(ctx, plan),
};

export { planNative } from "./plan.js";
export { applyNative, MAX_PARALLEL, MAX_PER_NODE, type ApplyTuning } from "./apply.js";
export { readManaged, markManaged, forgetManaged, managedStatePath, type ManagedGuest } from "./state.js";
export type { NativeChange, NativePlan, NativeStepResult } from "./types.js";
