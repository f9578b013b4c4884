/**
 * Reading terraform/ for the native engine: the guest specs, or a usage
 * error listing every `file:line: message` the parser found. Resources of
 * other types (other providers, the bpg provider's other resources) become
 * warnings; arguments of a VM or container that the model does not carry
 * become `unsupported` entries — never silently ignored.
 */
import { readdir } from "node:fs/promises";
import { relative } from "node:path";
import { UsageError } from "../../core/errors.js";
import { parseTerraformDir, type ParsedGuestSpec, type ParsedWorkspace } from "../../iac/terraform/index.js";
import type { EngineContext, EnginePlan } from "../types.js";

/** The specs of a workspace and what the engine says about the files. */
export interface WorkspaceSpecs {
  specs: ParsedGuestSpec[];
  warnings: string[];
  unsupported: EnginePlan["unsupported"];
  /** Whether terraform/ holds any .tf file at all. */
  hasFiles: boolean;
}

/** Parse terraform/ (an absent folder has no specs). Throws UsageError (exit 2) on parse errors. */
export async function readSpecs(ctx: Pick<EngineContext, "root" | "terraformDir">): Promise<WorkspaceSpecs> {
  let parsed: ParsedWorkspace;
  let hasFiles = true;
  try {
    hasFiles = (await readdir(ctx.terraformDir)).some((f) => f.endsWith(".tf"));
    parsed = await parseTerraformDir(ctx.terraformDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    parsed = { specs: [], errors: [], unknown: [], imports: [] };
    hasFiles = false;
  }
  const rel = (file: string): string => relative(ctx.root, file) || file;
  const errors = parsed.errors.map((e) => `${rel(e.file)}${e.line ? `:${e.line}` : ""}: ${e.message}`);
  const byVmid = new Map<number, ParsedGuestSpec>();
  for (const spec of parsed.specs) {
    const first = byVmid.get(spec.vmid);
    if (first) errors.push(`${rel(spec.file)}:${spec.line}: vm_id ${spec.vmid} of ${spec.name} is also used by ${first.name} (${rel(first.file)}:${first.line}).`);
    else byVmid.set(spec.vmid, spec);
  }
  if (errors.length) {
    throw new UsageError(`The Terraform files cannot be read:\n${errors.map((e) => `  ${e}`).join("\n")}`, "Fix these lines, then plan again (`test` checks the files too).", "terraform-invalid");
  }
  const warnings: string[] = [];
  const unsupported: EnginePlan["unsupported"] = [];
  for (const u of parsed.unknown) {
    const at = `${rel(u.file)}${u.line ? `:${u.line}` : ""}`;
    if (u.argument === "") {
      warnings.push(`${at}: ${u.resourceType}.${u.resourceName} is not a Proxmox guest; the native engine ignores it (use --engine terraform to manage it).`);
      continue;
    }
    const spec = parsed.specs.find((s) => s.resourceName === u.resourceName && s.file === u.file);
    unsupported.push({ name: spec?.name ?? u.resourceName, file: rel(u.file), argument: u.argument });
  }
  return { specs: parsed.specs, warnings, unsupported, hasFiles };
}
