/**
 * The native plan: read terraform/ (real HCL parser) and the managed set,
 * read the live guests they refer to, and list what apply has to do —
 * creates, in-place updates, replacements and deletes — refusing plans
 * that cannot be carried out safely (parse errors, a vm_id taken by a guest
 * the workspace does not own, a protected guest to destroy, a missing clone
 * source, a container without a known OS template).
 */
import { relative } from "node:path";
import { ProxmoxMpcError, UsageError } from "../../core/errors.js";
import { UNKNOWN_TEMPLATE_FILE_ID, type ParsedGuestSpec } from "../../iac/terraform/index.js";
import { emptySummary, type EngineContext, type PlanOptions } from "../types.js";
import { listGuests, readConfigs } from "./live.js";
import { changeItem, createItem, deleteItem } from "./plan-items.js";
import { renderPlan } from "./render.js";
import { readManaged, type ManagedGuest } from "./state.js";
import { readSpecs } from "./specs.js";
import { addressOf, PLAN_DATA, type LiveGuest, type NativePlan, type PlanItem } from "./types.js";

/** Make a native plan (see the module comment). */
export async function planNative(ctx: EngineContext, options: PlanOptions = {}): Promise<NativePlan> {
  // The files are read while the managed guests' configs are; files generated for those
  // guests then need no parsing (generated.ts), the others are parsed.
  const managing = readManaged(ctx.root);
  const clientReady = managing.then(() => ctx.client());
  const reading = Promise.all([managing, clientReady]).then(async ([managed, client]) => {
    const found = await listGuests(client, ctx.signal);
    await readConfigs(client, found, managed.keys(), ctx.signal);
    return found;
  });
  const parsing = readSpecs(ctx, reading);
  for (const p of [parsing, reading, managing, clientReady]) p.catch(() => undefined);
  const managed = await managing;
  const client = await clientReady;
  const [{ specs, warnings, unsupported, hasFiles }, live] = await Promise.all([parsing, reading]);
  if (!hasFiles && managed.size && !options.destroy) {
    throw new UsageError(
      `${relative(ctx.root, ctx.terraformDir) || "terraform"}/ has no .tf files, so the plan would destroy all ${managed.size} guests this workspace manages.`,
      "Run plan in the right workspace (or restore the files); to destroy everything on purpose, use destroy.",
      "no-terraform-files",
    );
  }
  await readConfigs(client, live, specs.map((s) => s.vmid), ctx.signal);
  const rel = (file: string): string => relative(ctx.root, file) || file;
  const problems: string[] = [];

  const ownedSpecs: ParsedGuestSpec[] = [];
  for (const spec of specs) {
    const g = live.get(spec.vmid);
    if (!g || owns(spec, g, managed.get(spec.vmid))) ownedSpecs.push(spec);
    else {
      problems.push(
        `${rel(spec.file)}:${spec.line}: vm_id ${spec.vmid} of ${spec.name} is taken by ${g.name || `guest ${g.vmid}`} (${g.type} on ${g.node}), which this workspace does not manage. Pick a free vm_id, or adopt that guest with sync.`,
      );
    }
  }
  const targets = options.targets?.length ? selectTargets(options.targets, ownedSpecs, managed) : undefined;
  const inScope = (vmid: number): boolean => !targets || targets.has(vmid);

  const items: PlanItem[] = [];
  const bySpec = new Map(ownedSpecs.map((s) => [s.vmid, s]));
  if (options.destroy) {
    for (const vmid of [...new Set([...bySpec.keys(), ...managed.keys()])].sort((a, b) => a - b)) {
      const g = live.get(vmid);
      const entry = managed.get(vmid);
      if (!g || !inScope(vmid) || (entry && !bySpec.has(vmid) && entry.type !== g.type)) continue;
      items.push(deleteItem(g, entry, bySpec.get(vmid)));
    }
  } else {
    for (const spec of ownedSpecs) {
      if (!inScope(spec.vmid)) continue;
      const g = live.get(spec.vmid);
      if (!g) {
        items.push(createItem(spec, rel(spec.file)));
        for (const argument of passthrough(spec)) unsupported.push({ name: spec.name, file: rel(spec.file), argument });
        continue;
      }
      const result = changeItem(spec, rel(spec.file), g);
      for (const argument of result.unsupported) unsupported.push({ name: spec.name, file: rel(spec.file), argument });
      if (result.item) items.push(result.item);
    }
    for (const [vmid, entry] of managed) {
      const g = live.get(vmid);
      if (bySpec.has(vmid) || !g || !inScope(vmid)) continue;
      if (g.type !== entry.type) {
        warnings.push(`${entry.name} (${vmid}) is managed as a ${entry.type} guest but ${vmid} is now a ${g.type} guest; it is left alone.`);
        continue;
      }
      items.push(deleteItem(g, entry));
    }
  }
  for (const item of items) checkItem(item, live, items, problems);
  if (problems.length) {
    throw new UsageError(`The plan cannot be made:\n${problems.map((p) => `  ${p}`).join("\n")}`, "Fix the files (or the cluster), then plan again.", "plan-invalid");
  }
  refuseProtected(items);
  for (const g of live.values()) {
    if (typeof g.config?.lock === "string" && items.some((i) => i.live === g)) {
      warnings.push(`${g.name || g.vmid} is locked (${g.config.lock}) in Proxmox; changing it will fail until the lock is released.`);
    }
  }
  const order = { create: 0, replace: 1, update: 2, delete: 3 };
  items.sort((a, b) => order[a.change.action] - order[b.change.action] || templateFirst(a, b) || (a.change.vmid ?? 0) - (b.change.vmid ?? 0));
  const summary = emptySummary();
  for (const item of items) summary[item.change.action]++;
  const changes = items.map((i) => i.change);
  const plan: NativePlan = { engine: "native", changes, summary, unsupported, warnings, text: "" };
  plan.text = renderPlan(plan);
  plan[PLAN_DATA] = { items };
  return plan;
}

/**
 * Whether the live guest on a spec's vm_id is the one the file describes: a managed guest
 * of the same kind as recorded, or (not managed yet) a guest of the spec's kind that the
 * file imports (sync) or that has the spec's name.
 */
function owns(spec: ParsedGuestSpec, g: LiveGuest, entry: ManagedGuest | undefined): boolean {
  if (entry) return entry.type === g.type;
  return g.type === spec.kind && (spec.adopted === true || g.name === spec.name);
}

/** Devices a create leaves out (see PASSTHROUGH in compare.ts). */
function passthrough(spec: ParsedGuestSpec): string[] {
  if (spec.kind !== "qemu") return [];
  return [...(spec.hostPci.length ? ["hostpci"] : []), ...(spec.usb.length ? ["usb"] : [])];
}

/** Templates are created first (guests may be cloned from them) and destroyed last. */
function templateFirst(a: PlanItem, b: PlanItem): number {
  const t = (i: PlanItem): number => (i.spec?.template || i.live?.template ? 1 : 0);
  return a.change.action === "delete" ? t(a) - t(b) : t(b) - t(a);
}

function selectTargets(names: string[], specs: ParsedGuestSpec[], managed: Map<number, ManagedGuest>): Set<number> {
  const out = new Set<number>();
  const unknown: string[] = [];
  for (const name of names) {
    const hits = [
      ...specs.filter((s) => s.name === name || s.resourceName === name || String(s.vmid) === name || addressOf(s) === name).map((s) => s.vmid),
      ...[...managed.values()].filter((m) => m.name === name || String(m.vmid) === name || m.address === name).map((m) => m.vmid),
    ];
    if (!hits.length) unknown.push(name);
    hits.forEach((v) => out.add(v));
  }
  if (unknown.length) {
    throw new UsageError(`Not a guest of this workspace: ${unknown.join(", ")}.`, "Give guest names, vmids or resource addresses from terraform/ or from guests adopted by sync (see `get vms`).", "unknown-target");
  }
  return out;
}

/** Clone sources and container templates that a create needs. */
function checkItem(item: PlanItem, live: Map<number, LiveGuest>, items: PlanItem[], problems: string[]): void {
  const { spec, change } = item;
  if (!spec || (change.action !== "create" && change.action !== "replace")) return;
  const where = item.file ? `${item.file}: ` : "";
  if (spec.clone) {
    const src = spec.clone.vmId;
    const g = live.get(src);
    const planned = items.find((i) => i.change.vmid === src);
    if (planned?.change.action === "delete" || planned?.change.action === "replace") {
      problems.push(`${where}${spec.name} is cloned from ${src}, which this plan destroys.`);
    } else if (g) {
      if (g.type !== spec.kind) problems.push(`${where}${spec.name} is a ${spec.kind} guest but its clone source ${src} is ${g.type}.`);
      item.cloneSource = { vmid: src, node: spec.clone.nodeName ?? g.node, type: g.type };
    } else if (planned?.spec) {
      item.cloneSource = { vmid: src, node: spec.clone.nodeName ?? planned.spec.node, type: planned.spec.kind };
    } else {
      problems.push(`${where}clone source ${src} of ${spec.name} does not exist.`);
    }
  } else if (spec.kind === "lxc" && (!spec.operatingSystem.templateFileId || spec.operatingSystem.templateFileId === UNKNOWN_TEMPLATE_FILE_ID)) {
    problems.push(
      `${where}container ${spec.name} would be ${change.action === "create" ? "created" : "re-created"} but its OS template is not known; set operating_system { template_file_id = "local:vztmpl/…" }.`,
    );
  }
}

/** A guest with protection on in Proxmox is never planned for destruction. */
function refuseProtected(items: PlanItem[]): void {
  const names = items
    .filter((i) => (i.change.action === "delete" || i.change.action === "replace") && isProtected(i.live))
    .map((i) => `${i.change.name} has protection enabled in Proxmox; turn it off first`);
  if (!names.length) return;
  throw new ProxmoxMpcError(`${names.join(". ")}.`, {
    code: "protected",
    hint: "Protection stops a guest from being destroyed (Options → Protection, or `qm set <vmid> --protection 0`); plan again after turning it off.",
  });
}

/** protection: 1 in the live config. */
export function isProtected(g: LiveGuest | undefined): boolean {
  const p = g?.config?.protection;
  return p === 1 || p === "1";
}
