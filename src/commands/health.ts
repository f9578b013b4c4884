/** `health`: server, token, TLS, database, workspace, tools, cluster and state checks, run at once; `--watch` redraws them. */
import { UsageError } from "../core/errors.js";
import type { HealthReport } from "../observability/health-types.js";
import { defineCommand } from "./define.js";
import { defineOptions, flag, number } from "./options.js";
import type { CommandContext } from "./types.js";

/** Clear the screen and go home (the first frame). */
const CLEAR = "\x1b[2J\x1b[H";
/** Go home (later frames overwrite the last, line by line, without flicker or scrollback). */
const HOME = "\x1b[H";
/** Erase to the end of the line / of the screen. */
const EOL = "\x1b[K";
const EOS = "\x1b[J";

export const healthCommand = defineCommand({
  name: "health",
  summary: "Check the server, token, TLS, database, workspace, tools and cluster; exit 1 if any check fails",
  description:
    "Every check runs at once under its own --timeout and reports ok, warn or fail with a measured figure: round trip, token privileges for sync and apply, TLS trust, database latency and migrations, workspace access and free disk, terraform/ansible/claude versions, nodes, quorum, guests, storage (warning at 85% used), memory overcommit, last sync age and drift. --watch redraws the report on a terminal until Ctrl-C.",
  examples: ["proxmox-mpc health", "proxmox-mpc health -o json", "proxmox-mpc health --watch --interval 10", "proxmox-mpc health --timeout 2"],
  options: defineOptions({
    timeout: number("--timeout <seconds>", "time allowed to each check", { min: 0.1, max: 300, default: 5 }),
    watch: flag("--watch", "redraw the report in place until Ctrl-C (needs a terminal)"),
    interval: number("--interval <seconds>", "seconds between refreshes with --watch", { min: 0.1, max: 3600, default: 5 }),
  }),
  workspace: "optional",
  mcp: { tool: "read" },
  slash: true,
  record: false,
  async run(ctx, input) {
    const { timeout, watch, interval } = input.options;
    if (!watch) {
      const report = await check(ctx, timeout);
      return { kind: "data", data: report, text: await draw(ctx, report), exitCode: report.status === "fail" ? 1 : 0 };
    }
    if (!ctx.ui.interactive || ctx.globals.output === "json" || ctx.globals.output === "yaml") {
      throw new UsageError("--watch redraws a terminal, and there is none here (or the output is -o json/yaml).", "Run `proxmox-mpc health` (with -o json) on a schedule instead.");
    }
    let report: HealthReport | undefined;
    for (let frame = 0; !ctx.signal.aborted; frame++) {
      report = await check(ctx, timeout);
      if (ctx.signal.aborted) break;
      const at = new Date().toISOString().slice(11, 19);
      const text = `${await draw(ctx, report)}\nUpdated ${at} UTC, every ${interval} s — Ctrl-C to stop.`;
      ctx.ui.emit(`${frame === 0 ? CLEAR : HOME}${text.split("\n").join(`${EOL}\n`)}${EOL}${EOS}`);
      await pause(interval * 1000, ctx.signal);
    }
    return { kind: "none", exitCode: report?.status === "fail" ? 1 : 0 };
  },
});

async function check(ctx: CommandContext, timeout: number): Promise<HealthReport> {
  const { runHealth } = await import("../observability/health.js");
  const report = await runHealth({
    env: ctx.env,
    workspace: ctx.workspace,
    client: () => ctx.services.proxmox({ retries: 0, connection: { timeout } }),
    store: () => ctx.services.store(),
    signal: ctx.signal,
    timeoutMs: timeout * 1000,
  });
  if (!ctx.signal.aborted) await announce(ctx, report);
  return report;
}

/** health.failed when a check failed; health.changed when the overall status differs from the last run's in this workspace. */
async function announce(ctx: CommandContext, report: HealthReport): Promise<void> {
  const failed = report.checks.filter((c) => c.status === "fail");
  if (failed.length) ctx.events.emit("health.failed", { status: report.status, failed: failed.map((c) => ({ name: c.name, group: c.group, message: c.message })) }, ctx.correlationId);
  if (!ctx.workspace) return;
  const { readLastHealth, recordLastHealth } = await import("../observability/health-last.js");
  const previous = readLastHealth(ctx.workspace.paths);
  recordLastHealth(ctx.workspace.paths, report.status);
  if (previous && previous.status !== report.status) {
    ctx.events.emit("health.changed", { status: report.status, previous: previous.status, since: previous.at, failed: failed.map((c) => c.name) }, ctx.correlationId);
  }
}

async function draw(ctx: CommandContext, report: HealthReport): Promise<string> {
  const { renderHealth } = await import("../observability/health-render.js");
  return renderHealth(report, ctx.globals.color);
}

/** Wait `ms`, or less when the signal aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
