/**
 * Errors of the terraform engine. Terraform has already printed its full output
 * (streamed to the UI), so an error repeats only its last lines and says where
 * to look and what to do next.
 */
import { ProxmoxMpcError } from "../../core/errors.js";
import { lastLines, type RunResult } from "./run.js";

/** The terraform subcommands the engine runs. */
export type TerraformCommand = "init" | "plan" | "show" | "apply";

/** A terraform command failed (or timed out): its exit code and last output lines. */
export class TerraformError extends ProxmoxMpcError {
  readonly command: TerraformCommand;
  /** terraform's own exit code (1 for errors); null when it was stopped by a signal. */
  readonly terraformExitCode: number | null;
  readonly lastLines: string[];

  constructor(command: TerraformCommand, result: RunResult, details: { hint?: string; code?: string; timeoutMs?: number } = {}) {
    const lines = lastLines(result);
    const how = result.timedOut
      ? `did not finish within ${Math.round((details.timeoutMs ?? 0) / 1000)} s and was stopped`
      : result.code === null
        ? `was stopped by ${result.exitSignal ?? "a signal"}`
        : `failed (exit code ${result.code})`;
    const body = lines.length ? `:\n${lines.map((l) => `  ${l.replace(/^│ ?/, "")}`).join("\n")}` : ".";
    super(`terraform ${command} ${how}${body}`, {
      code: details.code ?? (result.timedOut ? "terraform-timeout" : "terraform-failed"),
      hint: details.hint ?? hintFor(command, result),
    });
    this.command = command;
    this.terraformExitCode = result.code;
    this.lastLines = lines;
  }
}

/** What to do next, from what terraform said. */
function hintFor(command: TerraformCommand, result: RunResult): string {
  const all = `${result.stderr}\n${result.stdout}`;
  const full = "Read terraform's full output above for details.";
  if (/Saved plan is stale/i.test(all)) return `${full} The state changed since the plan was made: run plan again, review it, then apply.`;
  if (/\b401\b|authentication|credentials|permission/i.test(all)) return `${full} Check the API token (test-connection) and its privileges.`;
  if (command === "init" || /run:\s*terraform init|Failed to query available provider packages|Inconsistent dependency lock file/i.test(all)) {
    return `${full} terraform init downloads the bpg/proxmox provider from registry.terraform.io: without access to it, configure a provider mirror, or run with --engine native.`;
  }
  if (result.timedOut) return `${full} Run the command again, or raise the terraform timeout.`;
  return full;
}

/** The saved plan does not belong to the plan being applied: apply refuses it. */
export class StalePlanError extends ProxmoxMpcError {
  constructor(reason: string) {
    super(`This plan cannot be applied: ${reason}.`, {
      code: "plan-stale",
      hint: "Run plan again, review the changes, then apply that plan.",
    });
  }
}
