/**
 * Reading terraform/ for the native engine: the guest specs, or a usage
 * error listing every `file:line: message` the parser found. Resources of
 * other types (other providers, the bpg provider's other resources) become
 * warnings; arguments of a VM or container that the model does not carry
 * become `unsupported` entries — never silently ignored.
 *
 * Files whose text did not change since the last `plan` or `test` come from
 * the parse cache those share (`.proxmox-mpc/cache/terraform-parse.json`),
 * files exactly as the generator writes them for the live guests need no
 * parsing (generated.ts): the WASM parser was most of a plan's time (3–4 s
 * for 1,000 guests).
 */
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { UsageError } from "../../core/errors.js";
import { packageVersion } from "../../core/version.js";
import { WORKSPACE_DIR } from "../../core/workspace.js";
import { ParseCache } from "../../iac/checks/parse-cache.js";
import { parseTerraformDir, type ParsedGuestSpec, type ParsedWorkspace } from "../../iac/terraform/index.js";
import type { EngineContext, EnginePlan } from "../types.js";
import { generatedFiles } from "./generated.js";
import type { LiveGuest } from "./types.js";

/** The parse cache of a workspace (the one `test` uses). */
export function parseCacheFile(root: string): string {
  return join(root, WORKSPACE_DIR, "cache", "terraform-parse.json");
}

/** The specs of a workspace and what the engine says about the files. */
export interface WorkspaceSpecs {
  specs: ParsedGuestSpec[];
  warnings: string[];
  unsupported: EnginePlan["unsupported"];
  /** Whether terraform/ holds any .tf file at all. */
  hasFiles: boolean;
}

/**
 * Parse terraform/ (an absent folder has no specs). Throws UsageError (exit 2)
 * on parse errors. `live`: the live guests with the configs of the managed
 * ones, when the caller reads them anyway (files generated for them need no parsing).
 */
export async function readSpecs(ctx: Pick<EngineContext, "root" | "terraformDir">, live?: Promise<Map<number, LiveGuest>>): Promise<WorkspaceSpecs> {
  let parsed: ParsedWorkspace;
  let hasFiles = true;
  try {
    hasFiles = (await readdir(ctx.terraformDir)).some((f) => f.endsWith(".tf"));
    const cache = await ParseCache.open(parseCacheFile(ctx.root), packageVersion());
    parsed = await parseTerraformDir(ctx.terraformDir, { cache, known: live && generatedFiles(live) });
    // A cache that cannot be written only costs the next run its speed.
    await cache.save().catch(() => undefined);
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
