/**
 * Carrying out one planned change against the cluster: create (fresh or
 * cloned, then brought to the spec: config, disk sizes, template, power),
 * update (one config update with the plan's digest, disk growth, power),
 * delete (protection checked again, stop, destroy with purge) and replace
 * (delete, then create). Every call that starts a task is waited on.
 */
import { ProxmoxMpcError } from "../../core/errors.js";
import type { GuestSpec } from "../../iac/model.js";
import { NotFoundError } from "../../proxmox/errors.js";
import type { Params } from "../../proxmox/transport.js";
import { compareGuest } from "./compare.js";
import { createParams, freshSpec } from "./plan-items.js";
import { forgetManaged, markManaged } from "./state.js";
import { runTask, type TaskRunner } from "./tasks.js";
import { addressOf, type GuestOps, type LiveGuest, type PlanItem } from "./types.js";

/** What a step gets from the apply. */
export interface StepEnv extends TaskRunner {
  root: string;
  /** Show what the step is doing now ("creating web-05 (clone of 9000)"). */
  progress(text: string): void;
  /** vmids already in the managed set. */
  managed: Set<number>;
}

interface Target {
  node: string;
  type: "qemu" | "lxc";
  vmid: number;
  name: string;
}

/** Run one change. Throws on failure (the apply records it). */
export async function runStep(env: StepEnv, item: PlanItem): Promise<void> {
  switch (item.change.action) {
    case "create":
      return createGuest(env, item);
    case "update":
      return updateGuest(env, item);
    case "delete":
      return destroyGuest(env, item);
    case "replace":
      await destroyGuest(env, item);
      return createGuest(env, item);
  }
}

async function createGuest(env: StepEnv, item: PlanItem): Promise<void> {
  const spec = freshSpec(required(item.spec, item));
  const { client } = env;
  const target: Target = { node: spec.node, type: spec.kind, vmid: spec.vmid, name: spec.name };
  if (spec.clone) {
    const src = item.cloneSource ?? { vmid: spec.clone.vmId, node: spec.clone.nodeName ?? spec.node, type: spec.kind };
    const srcNode = src.node ?? spec.node;
    const full = spec.clone.full ?? true;
    const params: Params & { newid: number } = { newid: spec.vmid, full: full ? 1 : 0 };
    params[spec.kind === "lxc" ? "hostname" : "name"] = spec.name;
    if (srcNode !== spec.node) params.target = spec.node;
    if (full && spec.clone.datastoreId) params.storage = spec.clone.datastoreId;
    env.progress(`creating ${spec.name} (clone of ${src.vmid})`);
    await runTask(env, () => client.cloneGuest(srcNode, src.type, src.vmid, params), spec.name);
  } else {
    env.progress(`creating ${spec.name}`);
    await runTask(env, () => client.createGuest(spec.node, spec.kind, { ...createParams(spec), vmid: spec.vmid }), spec.name);
  }
  // Managed from now on: if a later part fails, the next plan updates this guest instead of re-creating it.
  await manage(env, spec);
  const config = await client.guestConfig(spec.node, spec.kind, spec.vmid, { signal: env.signal });
  const { digest, ...rest } = config;
  const live: LiveGuest = { vmid: spec.vmid, node: spec.node, type: spec.kind, name: spec.name, status: "stopped", template: false, config: rest };
  const ops = compareGuest(spec, live, { fresh: true });
  if (ops.replace.length) {
    throw new ProxmoxMpcError(`${spec.name} was created, but ${ops.replace.join("; ")}.`, {
      code: "create-incomplete",
      hint: spec.clone ? "Check the clone source's disks against the file (size, datastore)." : undefined,
    });
  }
  await applyOps(env, target, ops, typeof digest === "string" ? digest : undefined);
}

async function updateGuest(env: StepEnv, item: PlanItem): Promise<void> {
  const live = required(item.live, item);
  const spec = required(item.spec, item);
  const ops = required(item.ops, item);
  await applyOps(env, { node: live.node, type: live.type, vmid: live.vmid, name: spec.name }, ops, live.digest);
  if (!env.managed.has(spec.vmid)) await manage(env, spec);
}

/** Config update (with the digest), disk growth, power, template conversion. */
async function applyOps(env: StepEnv, t: Target, ops: GuestOps, digest: string | undefined): Promise<void> {
  const { client } = env;
  let unused = digest;
  const take = (): string | undefined => {
    const d = unused;
    unused = undefined;
    return d;
  };
  const keys = [...Object.keys(ops.set), ...ops.remove];
  if (keys.length) {
    env.progress(`updating ${t.name} (${keys.join(", ")})`);
    const d = take();
    await runTask(env, () => client.updateGuestConfig(t.node, t.type, t.vmid, ops.set, { digest: d, remove: ops.remove }), t.name);
  }
  for (const r of ops.resizes) {
    env.progress(`growing ${r.disk} of ${t.name} to ${r.size}`);
    const d = take();
    await runTask(env, () => client.resizeDisk(t.node, t.type, t.vmid, r.disk, r.size, { digest: d }), t.name);
  }
  if (ops.power === "stop") {
    env.progress(`shutting down ${t.name}`);
    await runTask(env, () => client.powerAction(t.node, t.type, t.vmid, "shutdown", { forceStop: 1, timeout: 120 }), t.name);
  }
  if (ops.toTemplate) {
    env.progress(`converting ${t.name} to a template`);
    await runTask(env, () => client.request<string | null>("POST", `/nodes/${t.node}/${t.type}/${t.vmid}/template`), t.name);
  }
  if (ops.power === "start") {
    env.progress(`starting ${t.name}`);
    await runTask(env, () => client.powerAction(t.node, t.type, t.vmid, "start"), t.name);
  }
}

async function destroyGuest(env: StepEnv, item: PlanItem): Promise<void> {
  const g = required(item.live, item);
  const name = item.change.name;
  const { client } = env;
  env.progress(`destroying ${name}`);
  let protection: unknown;
  try {
    protection = (await client.guestConfig(g.node, g.type, g.vmid, { signal: env.signal })).protection;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    // Not on its node of the plan: gone, or moved (then it is not ours to guess about).
    const now = (await client.clusterResources("vm", { signal: env.signal })).find((r) => r.vmid === g.vmid);
    if (now) throw new ProxmoxMpcError(`${name} moved to ${now.node ?? "another node"} since the plan; run plan again.`, { code: "stale-plan" });
    await forgetManaged(env.root, [g.vmid]);
    env.managed.delete(g.vmid);
    return;
  }
  // Checked again: protection may have been turned on since the plan.
  if (protection === 1 || protection === "1") {
    throw new ProxmoxMpcError(`${name} has protection enabled in Proxmox; turn it off first.`, { code: "protected" });
  }
  const status = await client.guestStatus(g.node, g.type, g.vmid, { signal: env.signal });
  if (status.status === "running") {
    env.progress(`stopping ${name}`);
    await runTask(env, () => client.powerAction(g.node, g.type, g.vmid, "stop"), name);
  }
  env.progress(`destroying ${name}`);
  await runTask(env, () => client.deleteGuest(g.node, g.type, g.vmid, { purge: true, destroyUnreferencedDisks: true }), name);
  await forgetManaged(env.root, [g.vmid]);
  env.managed.delete(g.vmid);
}

async function manage(env: StepEnv, spec: GuestSpec): Promise<void> {
  await markManaged(env.root, [{ vmid: spec.vmid, name: spec.name, node: spec.node, type: spec.kind, address: addressOf(spec) }]);
  env.managed.add(spec.vmid);
}

function required<T>(value: T | undefined, item: PlanItem): T {
  if (value === undefined) throw new Error(`internal: the plan of ${item.change.name} lacks data for ${item.change.action}`);
  return value;
}
