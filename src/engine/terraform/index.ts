/**
 * The terraform engine: runs the real `terraform` (or `tofu`) in the
 * workspace's terraform/ folder. plan = `init` when needed, then
 * `plan -detailed-exitcode -out=.proxmox-mpc.tfplan` with its output streamed
 * to the UI line by line, then `show -json` of the saved plan for PlanJson.
 * apply = `apply` of exactly that saved plan file (no prompt, no re-plan).
 * Credentials reach terraform through its environment only.
 */
import { CancelledError, UsageError } from "../../core/errors.js";
import { type ApplyResult, type Engine, type EngineContext, type EnginePlan, type PlanOptions } from "../types.js";
import { ApplyTracker, applyText } from "./apply-output.js";
import { childEnvironment, requireTerraform } from "./binary.js";
import { TerraformError, type TerraformCommand } from "./errors.js";
import { parseTerraformPlan, type TerraformPlanSummary } from "./plan-json.js";
import { runTerraform, type RunResult } from "./run.js";
import { assertTerraformFiles, needsInit, PLAN_FILE, rememberPlan, removePlanFile, resolveTargets, takePlan } from "./workdir.js";

export { findTerraform, TERRAFORM_NAMES } from "./binary.js";
export { TerraformError, StalePlanError, type TerraformCommand } from "./errors.js";
export { parseTerraformPlan, toPlanJson, mapActions, type TerraformPlanSummary, type TfPlan, type TfResourceChange, type TfChange } from "./plan-json.js";
export { PLAN_FILE, planFilePath } from "./workdir.js";

/** Time limits per terraform command, in ms; 0 means none. */
export type TerraformTimeouts = Record<TerraformCommand, number>;

/** Defaults: init 10 min (provider download), plan 30 min, show 2 min, apply unlimited (a provider's own timeouts apply). */
export const DEFAULT_TIMEOUTS: TerraformTimeouts = { init: 600_000, plan: 1_800_000, show: 120_000, apply: 0 };

/** Options of {@link createTerraformEngine}. */
export interface TerraformEngineOptions {
  timeouts?: Partial<TerraformTimeouts>;
  /** After a timeout's SIGINT, SIGKILL terraform when it has not exited within this (ms). */
  killAfterMs?: number;
}

/** A terraform engine with its own time limits (commands normally use {@link terraformEngine}). */
export function createTerraformEngine(options: TerraformEngineOptions = {}): Engine {
  const timeouts: TerraformTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };

  async function run(ctx: EngineContext, bin: string, command: TerraformCommand, args: string[], env: NodeJS.ProcessEnv, stream: boolean): Promise<RunResult> {
    const result = await runTerraform(bin, [command, ...args], {
      cwd: ctx.terraformDir,
      env,
      signal: ctx.signal,
      timeoutMs: timeouts[command],
      killAfterMs: options.killAfterMs,
      onLine: stream ? (line) => ctx.ui.info(line) : undefined,
    });
    ctx.log.info({ terraform: bin, command, args, exitCode: result.code, cancelled: result.cancelled, timedOut: result.timedOut, durationMs: result.durationMs }, `terraform ${command} finished`);
    return result;
  }

  /** Fail on anything but the expected exit codes; a Ctrl-C becomes CancelledError. */
  function check(command: TerraformCommand, result: RunResult, ok: number[] = [0]): void {
    if (result.cancelled) throw new CancelledError(`Cancelled: terraform ${command} was interrupted; nothing was changed.`);
    if (result.timedOut || result.code === null || !ok.includes(result.code)) throw new TerraformError(command, result, { timeoutMs: timeouts[command] });
  }

  async function plan(ctx: EngineContext, planOptions: PlanOptions = {}): Promise<EnginePlan> {
    const bin = requireTerraform(ctx.env);
    await assertTerraformFiles(ctx.terraformDir);
    const targets = await resolveTargets(ctx.terraformDir, planOptions.targets);
    if (ctx.signal.aborted) throw new CancelledError();
    const env = await childEnvironment(ctx);
    if (needsInit(ctx.terraformDir)) {
      ctx.ui.info("Initializing terraform/ (terraform init) …");
      check("init", await run(ctx, bin, "init", ["-input=false", "-no-color"], env, true));
    }
    // A failed or cancelled plan must never leave an older plan file behind to be applied.
    await removePlanFile(ctx.terraformDir);
    const planArgs = ["-input=false", "-no-color", "-detailed-exitcode", `-out=${PLAN_FILE}`];
    if (planOptions.destroy) planArgs.push("-destroy");
    for (const target of targets) planArgs.push(`-target=${target}`);
    let planned: RunResult;
    let parsed: TerraformPlanSummary;
    try {
      planned = await run(ctx, bin, "plan", planArgs, env, true);
      check("plan", planned, [0, 2]);
      const shown = await run(ctx, bin, "show", ["-json", "-no-color", PLAN_FILE], env, false);
      check("show", shown);
      parsed = parseTerraformPlan(shown.stdout);
      await rememberPlan(ctx.terraformDir, parsed, planned.code === 2);
    } catch (err) {
      await removePlanFile(ctx.terraformDir);
      throw err;
    }
    const warnings = planWarnings(`${planned.stdout}\n${planned.stderr}`);
    for (const other of parsed.others) warnings.push(`terraform will also ${other} (not a guest); apply carries it out too.`);
    if (parsed.imports.length) warnings.push(`terraform will import ${parsed.imports.join(", ")} into its state (no change to the guests).`);
    return {
      engine: "terraform",
      changes: parsed.changes,
      summary: parsed.summary,
      text: planned.stdout.trim(),
      unsupported: [],
      warnings,
    };
  }

  async function apply(ctx: EngineContext, enginePlan: EnginePlan): Promise<ApplyResult> {
    if (enginePlan.engine !== "terraform") throw new UsageError("The terraform engine can only apply a plan it made.", "Run plan with --engine terraform, then apply.");
    const saved = await takePlan(ctx.terraformDir, enginePlan);
    try {
      if (!saved.hasChanges) return { ok: true, steps: [], text: "No changes." };
      if (ctx.signal.aborted) {
        const steps = enginePlan.changes.map((change) => ({ change, status: "cancelled" as const, message: "not applied: cancelled before terraform apply started" }));
        return { ok: false, steps, text: applyText("cancelled", steps) };
      }
      const bin = requireTerraform(ctx.env);
      const env = await childEnvironment(ctx);
      const tracker = new ApplyTracker();
      const result = await runTerraform(bin, ["apply", "-input=false", "-no-color", PLAN_FILE], {
        cwd: ctx.terraformDir,
        env,
        signal: ctx.signal,
        timeoutMs: timeouts.apply,
        killAfterMs: options.killAfterMs,
        onLine: (line) => {
          tracker.line(line);
          ctx.ui.info(line);
        },
      });
      ctx.log.info({ terraform: bin, command: "apply", exitCode: result.code, cancelled: result.cancelled, timedOut: result.timedOut, durationMs: result.durationMs }, "terraform apply finished");
      // A SIGINT that came after terraform had finished everything (exit 0) changes nothing.
      const outcome = result.code === 0 && !result.timedOut ? "ok" : result.cancelled ? "cancelled" : "failed";
      const steps = tracker.steps(enginePlan.changes, outcome);
      const failure = outcome === "failed" ? new TerraformError("apply", result, { timeoutMs: timeouts.apply }).message : undefined;
      return { ok: outcome === "ok", steps, text: applyText(outcome, steps, { completeLine: tracker.completeLine, failure }) };
    } finally {
      await removePlanFile(ctx.terraformDir);
    }
  }

  return { name: "terraform", plan, apply };
}

/** The terraform engine with the default time limits. */
export const terraformEngine: Engine = createTerraformEngine();

/** "Warning: …" lines of terraform's output (plain or boxed diagnostics), deduplicated. */
function planWarnings(output: string): string[] {
  const found = new Set<string>();
  for (const line of output.split("\n")) {
    const m = /^(?:│\s*)?Warning: (.+)$/.exec(line.trim());
    if (m) found.add(`terraform: ${m[1].trim()}`);
  }
  return [...found];
}
