/**
 * `init --ci github|gitlab`: the CI pipeline of a workspace (templates/ci/,
 * docs/ci.md). It runs `proxmox-mpc test` on every change, posts the plan on
 * a pull/merge request and applies the default branch behind a manual
 * approval. An existing pipeline file is never replaced silently: the
 * difference is shown and confirmed (--yes), and "n", Ctrl-C or --no-input
 * leave it as it was.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { findWorkspaceRoot } from "../core/workspace.js";
import type { CommandContext, CommandResult } from "./types.js";
import { declined } from "../core/result.js";

/** The CI systems `init --ci` knows, in the order help and errors list them. */
export const CI_SYSTEMS = ["github", "gitlab"] as const;

/** A CI system of {@link CI_SYSTEMS}. */
export type CiSystem = (typeof CI_SYSTEMS)[number];

/** Where each pipeline comes from (templates/) and where it goes (relative to the workspace root). */
export const CI_PIPELINES: Readonly<Record<CiSystem, { template: string; file: string }>> = {
  github: { template: "ci/github/proxmox-mpc.yml", file: ".github/workflows/proxmox-mpc.yml" },
  gitlab: { template: "ci/gitlab/.gitlab-ci.yml", file: ".gitlab-ci.yml" },
};

/** The -o json shape of the pipeline part of init. */
export interface CiReport {
  ci: CiSystem;
  /** The pipeline file, relative to the workspace root. */
  file: string;
  /** created: there was none; updated: an older one was replaced after confirmation; unchanged: it already said this. */
  action: "created" | "updated" | "unchanged";
}

/** A pipeline ready to be written: checked and, when it replaces a different file, confirmed. */
export interface PreparedPipeline {
  report: CiReport;
  /** Write the file (nothing when unchanged). */
  write(): void;
}

/** The pipeline's text: the template with the running version pinned (`{{VERSION}}`). */
export async function pipelineText(ci: CiSystem, version: string): Promise<string> {
  const { readTemplate, fillTemplate } = await import("../core/templates.js");
  return fillTemplate(readTemplate(CI_PIPELINES[ci].template), { VERSION: version });
}

/**
 * Check the pipeline file of `root` before anything is written: a file that
 * differs is shown as a diff and must be confirmed. Returns undefined when the
 * user declined (nothing may be written then).
 */
export async function preparePipeline(ctx: CommandContext, root: string, ci: CiSystem): Promise<PreparedPipeline | undefined> {
  const { file } = CI_PIPELINES[ci];
  const path = join(root, file);
  const text = await pipelineText(ci, ctx.version);
  const existing = existsSync(path) ? readFileSync(path, "utf8") : undefined;
  if (existing === text) return { report: { ci, file, action: "unchanged" }, write: () => undefined };
  if (existing !== undefined) {
    const { unifiedDiff } = await import("../iac/terraform/diff-lines.js");
    ctx.ui.info(`${file} exists and differs from the ${ci} pipeline of proxmox-mpc ${ctx.version}:\n${unifiedDiff(existing, text, `${file} (now)`, `${file} (new)`)}`);
    if (!(await ctx.ui.confirm(`Replace ${file}? Your changes to it are lost.`))) return undefined;
  }
  const action = existing === undefined ? "created" : "updated";
  return {
    report: { ci, file, action },
    write: () => {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    },
  };
}

/** What to do after writing the pipeline (the secrets, the approval), for init's text. */
export function pipelineNextSteps(report: CiReport, root: string): string {
  const done = report.action === "unchanged" ? `${report.file} is already the ${report.ci} pipeline of this version.` : `${report.action === "created" ? "Wrote" : "Replaced"} ${report.file}.`;
  const setup =
    report.ci === "github"
      ? [
          "Set up in the repository's Settings:",
          "  Secrets and variables > Actions > Variables: PROXMOX_MPC_PACKAGE = where proxmox-mpc is installed from (a tarball URL, a git URL, your registry's package)",
          "  Secrets and variables > Actions > Secrets: PROXMOX_VE_API_TOKEN = user@realm!tokenid=secret of a token that may read (PVEAuditor): sync and plan",
          "  Environments > production: required reviewers (without them, apply runs unasked) and the environment secret PROXMOX_VE_API_TOKEN of a token that may change guests",
        ]
      : [
          "Set up in the project's Settings > CI/CD:",
          "  Variables: PROXMOX_MPC_PACKAGE = where proxmox-mpc is installed from (a tarball URL, a git URL, your registry's package)",
          "  Variables: PROXMOX_VE_API_TOKEN (masked) = user@realm!tokenid=secret of a token that may read (PVEAuditor), environment scope All: sync and plan",
          "  Variables: PROXMOX_VE_API_TOKEN (masked, protected) of a token that may change guests, environment scope production: apply",
          "  Variables: PROXMOX_MPC_NOTE_TOKEN (masked) = a project access token with the api scope: posts the plan on the merge request",
          "  Protected environments: production, with who is allowed to deploy",
        ];
  const lines = [
    done,
    ...setup,
    "PROXMOX_MPC_PACKAGE must point at an installable proxmox-mpc: it is not on the npm registry, so the file's default (the npm package) fails to install until you set it.",
    "Commit .proxmox-mpc/config.yaml with it: the pipeline takes the server and its certificate trust from there. See docs/ci.md.",
  ];
  const repo = existsSync(join(root, ".git")) ? undefined : gitRootAbove(root);
  if (repo) lines.push(`Note: the workspace is a subfolder of the git repository ${repo}; ${report.ci === "github" ? "GitHub reads workflows only from the repository's .github/workflows/" : "GitLab reads .gitlab-ci.yml only at the repository's root"}: move the file there and run each proxmox-mpc line with -C ${relative(repo, root)}.`);
  return lines.join("\n");
}

/** The answer to "n": nothing was written (exit 1, like every declined confirmation). */
export function pipelineDeclined(ci: CiSystem): CommandResult {
  return declined(`Nothing was changed: ${CI_PIPELINES[ci].file} is as it was.`);
}

/** `init --ci` in an existing workspace: only the pipeline is added. */
export async function addPipeline(ctx: CommandContext, root: string, ci: CiSystem): Promise<CommandResult> {
  const prepared = await preparePipeline(ctx, root, ci);
  if (!prepared) return pipelineDeclined(ci);
  prepared.write();
  return { kind: "data", data: prepared.report, text: pipelineNextSteps(prepared.report, root) };
}

/** The folder `init --ci` works on without a DIR: the workspace found from the current folder (like git), else that folder. */
export function ciRoot(cwd: string): string {
  return findWorkspaceRoot(cwd) ?? cwd;
}

/** The root of the git repository `root` is inside, when that is a parent folder (undefined at the root or outside git). */
function gitRootAbove(root: string): string | undefined {
  for (let dir = dirname(root); ; dir = dirname(dir)) {
    if (existsSync(join(dir, ".git"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
