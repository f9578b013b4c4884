/**
 * The terraform/ folder as the engine uses it: whether it needs `terraform
 * init`, guest names turned into -target addresses, and the saved plan file
 * (`.proxmox-mpc.tfplan`) with a record of which plan it belongs to, so that
 * apply never carries out a plan file other than the one the user reviewed.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { ProxmoxMpcError, UsageError } from "../../core/errors.js";
import type { PlanJson } from "../types.js";
import { StalePlanError } from "./errors.js";

/** The saved plan's file name inside terraform/. */
export const PLAN_FILE = ".proxmox-mpc.tfplan";

/** The path of the saved plan of a terraform/ folder. */
export const planFilePath = (terraformDir: string): string => join(terraformDir, PLAN_FILE);

/** `terraform init` is needed when .terraform/ or the dependency lock file is missing. */
export function needsInit(terraformDir: string): boolean {
  return !existsSync(join(terraformDir, ".terraform")) || !existsSync(join(terraformDir, ".terraform.lock.hcl"));
}

/** Fails clearly when there is no terraform/ folder or no .tf file in it. */
export async function assertTerraformFiles(terraformDir: string): Promise<void> {
  const files = await readdir(terraformDir).catch(() => undefined);
  if (!files || !files.some((f) => f.endsWith(".tf") || f.endsWith(".tf.json"))) {
    throw new ProxmoxMpcError(`No Terraform files in ${terraformDir}.`, {
      code: "no-terraform-files",
      hint: "Run sync to write files for the guests that exist, or create vm|ct for new ones.",
    });
  }
}

const ADDRESS = /^[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*(\[[^\]]+\])?$/;

/**
 * -target addresses for guest names. A target may be a guest name (VM name or container
 * hostname), a resource name (web_01), a vmid, or already an address
 * (proxmox_virtual_environment_vm.web_01). Unknown names are a usage error listing the known ones.
 */
export async function resolveTargets(terraformDir: string, targets: string[] | undefined): Promise<string[]> {
  if (!targets?.length) return [];
  const { parseTerraformDir, resourceType } = await import("../../iac/terraform/index.js");
  const parsed = await parseTerraformDir(terraformDir);
  const addresses: string[] = [];
  for (const target of targets) {
    if (ADDRESS.test(target)) {
      addresses.push(target);
      continue;
    }
    const matches = parsed.specs.filter((s) => s.name === target || s.resourceName === target || String(s.vmid) === target);
    if (!matches.length) {
      const known = parsed.specs.map((s) => s.name).sort();
      throw new UsageError(`No guest named "${target}" in ${terraformDir}.`, known.length ? `Known guests: ${known.join(", ")}.` : "There are no guests in the Terraform files.", "unknown-guest");
    }
    for (const spec of matches) addresses.push(`${resourceType(spec)}.${spec.resourceName}`);
  }
  return [...new Set(addresses)];
}

/** What the engine remembers about the plan file it saved last in a folder. */
export interface SavedPlan {
  file: string;
  sha256: string;
  /** The plan's changes as JSON: ties the file to the EnginePlan the user saw. */
  fingerprint: string;
  /** terraform plan -detailed-exitcode said 2 (changes, imports included). */
  hasChanges: boolean;
}

const saved = new Map<string, SavedPlan>();

async function sha256Of(file: string): Promise<string> {
  return createHash("sha256").update(await readFile(file)).digest("hex");
}

/** Record the plan file just written for `plan`. */
export async function rememberPlan(terraformDir: string, plan: PlanJson, hasChanges: boolean): Promise<void> {
  const file = planFilePath(terraformDir);
  saved.set(terraformDir, { file, sha256: await sha256Of(file), fingerprint: JSON.stringify(plan.changes), hasChanges });
}

/**
 * The saved plan for `plan`, checked: it must be the last plan made here, and its file must
 * be unchanged. The record is consumed (a plan file is applied at most once).
 */
export async function takePlan(terraformDir: string, plan: PlanJson): Promise<SavedPlan> {
  const record = saved.get(terraformDir);
  if (!record) throw new StalePlanError(`no saved terraform plan was made for ${terraformDir} in this session`);
  if (record.fingerprint !== JSON.stringify(plan.changes)) throw new StalePlanError("it is not the latest plan made for this workspace (a newer plan replaced it)");
  saved.delete(terraformDir);
  const present = await stat(record.file).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!present) throw new StalePlanError(`its plan file ${record.file} is gone`);
  if ((await sha256Of(record.file)) !== record.sha256) throw new StalePlanError(`its plan file ${record.file} was replaced by another plan`);
  return record;
}

/** Remove the plan file (and forget it). */
export async function removePlanFile(terraformDir: string): Promise<void> {
  saved.delete(terraformDir);
  await rm(planFilePath(terraformDir), { force: true });
}
