/**
 * Running a command the same way from every face: find its workspace, run it,
 * and record the run as an operation in the workspace's store (correlation
 * id, actor, arguments with secrets redacted, result, duration).
 */
import { UsageError, asProxmoxMpcError } from "../core/errors.js";
import type { MetricsSnapshot } from "../core/metrics.js";
import { redactValue, registerSecret } from "../core/redact.js";
import { findWorkspaceRoot, loadWorkspace, type Workspace } from "../core/workspace.js";
import { targetOf } from "./audit-fields.js";
import type { Command, CommandContext, CommandInput, CommandResult, GlobalOptions } from "./types.js";

/** The workspace a command runs in: -C DIR, else found from cwd; required ones fail with exit 2. */
export async function resolveWorkspace(command: Command, globals: GlobalOptions, cwd: string): Promise<Workspace | undefined> {
  if (command.workspace === "none" || !command.workspace) return undefined;
  const root = globals.workspace ? findWorkspaceRoot(globals.workspace) : findWorkspaceRoot(cwd);
  if (!root) {
    if (command.workspace === "optional" && !globals.workspace) return undefined;
    throw new UsageError(
      globals.workspace ? `No proxmox-mpc workspace at ${globals.workspace}.` : "Not in a proxmox-mpc workspace (no .proxmox-mpc/ here or in a parent folder).",
      "Run `proxmox-mpc init` to create one, or pass -C DIR.",
      "no-workspace",
    );
  }
  return loadWorkspace(root);
}

/**
 * Run a command and record the operation when it ran in a workspace.
 * `record` overrides the command's own flag (the MCP face records every tool call); "soon":
 * recorded, but the run does not wait for the commit — the store writes such records in
 * batches (the API's reads, answered hundreds of times a second; read-history.ts recordSoon).
 */
export async function runCommand(command: Command, ctx: CommandContext, input: CommandInput, options: { record?: boolean | "soon" } = {}): Promise<CommandResult> {
  const started = new Date();
  for (const secret of command.secrets?.(input) ?? []) registerSecret(secret);
  ctx.log.info({ args: input.args, options: redactValue(input.options) }, "command started");
  ctx.events.emit("operation.started", { command: command.name, actor: ctx.actor, args: redactValue(input.args) }, ctx.correlationId);
  let result: CommandResult | undefined;
  let failure: unknown;
  try {
    result = await command.run(ctx, input);
    return result;
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    const durationMs = Date.now() - started.getTime();
    const error = failure === undefined ? undefined : asProxmoxMpcError(failure);
    const outcome = result?.kind === "message" && result.declined ? "cancelled" : runOutcome(error, result?.exitCode ?? 0, ctx.signal.aborted);
    const exitCode = error?.exitCode ?? result?.exitCode ?? 0;
    const metrics = ctx.metrics.empty ? null : ctx.metrics.snapshot();
    ctx.log.info({ durationMs, result: outcome, error: error?.message, metrics: metrics ?? undefined }, "command finished");
    ctx.events.emit("operation.finished", { command: command.name, actor: ctx.actor, result: outcome, exitCode, durationMs, ...(metrics ? { api: { requests: metrics.api.requests, retries: metrics.api.retries, errors: metrics.api.errors } } : {}), ...(error ? { error: redactValue(error.message) } : {}) }, ctx.correlationId);
    if (ctx.workspace && (options.record ?? command.record !== false)) {
      await record(ctx, command, input, { startedAt: started, durationMs, result: outcome, exitCode, error: error?.message, metrics }, options.record === "soon");
    }
  }
}

/**
 * How a run ended: cancelled (Ctrl-C, exit 130, or stopped at an MCP confirmation), failed (it threw, or returned a non-zero exit code:
 * `test` with failed checks, a batch with a failed step), else ok.
 */
export function runOutcome(error: { code: string } | undefined, exitCode: number, aborted: boolean): "ok" | "failed" | "cancelled" {
  // A first MCP call that stops at the confirmation did nothing, on purpose: not a failure.
  if (aborted || exitCode === 130 || error?.code === "cancelled" || error?.code === "aborted" || error?.code === "confirmation-required") return "cancelled";
  return error || exitCode !== 0 ? "failed" : "ok";
}

/** How a run ended, as recorded. */
interface RunEnd {
  startedAt: Date;
  durationMs: number;
  result: "ok" | "failed" | "cancelled";
  exitCode: number;
  error: string | undefined;
  metrics: MetricsSnapshot | null;
}

async function record(ctx: CommandContext, command: Command, input: CommandInput, end: RunEnd, soon: boolean): Promise<void> {
  const failed = (err: unknown) => {
    // A broken or locked database must not turn a finished command into a failure.
    ctx.log.warn({ err: asProxmoxMpcError(err).message }, "could not record the operation");
  };
  try {
    const store = await ctx.services.store();
    const operation = {
      correlationId: ctx.correlationId,
      command: command.name,
      actor: ctx.actor,
      arguments: { args: input.args, options: input.options },
      startedAt: end.startedAt,
      finishedAt: new Date(end.startedAt.getTime() + end.durationMs),
      result: end.result,
      exitCode: end.exitCode,
      error: end.error,
      metrics: end.metrics,
      // The audit trail: who, with which role, from where, naming what (audit-fields.ts).
      ...ctx.caller,
      target: targetOf(command, input),
    };
    if (soon) void store.operations.recordSoon(operation).catch(failed);
    else await store.operations.record(operation);
  } catch (err) {
    failed(err);
  }
}
