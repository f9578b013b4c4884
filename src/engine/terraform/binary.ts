/**
 * Finding the terraform binary on PATH (no shell involved) and building the
 * environment its child processes get: the workspace credentials as the
 * provider's PROXMOX_VE_* variables plus Terraform's automation switches.
 * The token travels only through that environment: never through arguments,
 * files or log calls.
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { ProxmoxMpcError } from "../../core/errors.js";
import { registerSecret } from "../../core/redact.js";
import type { EngineContext } from "../types.js";

/** Names looked for, in order: Terraform itself, then OpenTofu (same CLI, same plan JSON). */
export const TERRAFORM_NAMES = ["terraform", "tofu"] as const;

/** Credentials variables whose values are secrets. */
const SECRET_VARIABLES = ["PROXMOX_VE_API_TOKEN", "PROXMOX_VE_PASSWORD"];

/**
 * The absolute path of `terraform` on env.PATH, else of `tofu`; undefined when neither is
 * there. Like `which`: the first executable regular file wins; empty and relative PATH
 * entries are ignored (they would depend on the current directory).
 */
export function findTerraform(env: NodeJS.ProcessEnv): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? "").split(delimiter).filter((d) => d !== "" && isAbsolute(d));
  const suffixes = process.platform === "win32" ? [".exe", ""] : [""];
  for (const name of TERRAFORM_NAMES) {
    for (const dir of dirs) {
      for (const suffix of suffixes) {
        const candidate = join(dir, `${name}${suffix}`);
        if (isExecutableFile(candidate)) return candidate;
      }
    }
  }
  return undefined;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The error for a missing binary: what to do instead. */
export function terraformNotInstalled(): ProxmoxMpcError {
  return new ProxmoxMpcError("terraform is not installed; use --engine native or install terraform", {
    code: "terraform-not-installed",
    hint: "Neither `terraform` nor `tofu` was found on PATH. Install one (https://developer.hashicorp.com/terraform/install), or run with --engine native, which applies the same .tf files through the Proxmox API.",
  });
}

/** findTerraform, or the clear "not installed" error. */
export function requireTerraform(env: NodeJS.ProcessEnv): string {
  const bin = findTerraform(env);
  if (!bin) throw terraformNotInstalled();
  return bin;
}

/**
 * The environment of a terraform child: the command's environment, the workspace
 * credentials (PROXMOX_VE_ENDPOINT, PROXMOX_VE_API_TOKEN, PROXMOX_VE_INSECURE …), and
 * TF_IN_AUTOMATION / TF_INPUT so terraform neither prompts nor suggests commands to run.
 * Secret values are registered for redaction, so a terraform line that echoes one (TF_LOG
 * traces do) is scrubbed before any UI or log sees it.
 */
export async function childEnvironment(ctx: EngineContext): Promise<NodeJS.ProcessEnv> {
  const credentials = await ctx.credentials();
  for (const key of SECRET_VARIABLES) {
    const value = credentials[key];
    if (!value) continue;
    registerSecret(value);
    const eq = value.indexOf("=");
    if (eq > 0) registerSecret(value.slice(eq + 1));
  }
  return { ...ctx.env, ...credentials, TF_IN_AUTOMATION: "1", TF_INPUT: "0" };
}
