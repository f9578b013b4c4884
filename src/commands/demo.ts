/**
 * `demo`: the first thing a new user runs. Starts a simulated Proxmox VE
 * cluster in this process (HTTPS, self-signed), creates a throw-away workspace
 * on it with the certificate pinned, syncs it, and opens the console there.
 * Everything is removed when the console ends.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../core/errors.js";
import type { UI } from "../core/ui.js";
import { loadWorkspace } from "../core/workspace.js";
import { createContext } from "./context.js";
import { defineCommand } from "./define.js";
import { initWorkspace } from "./init.js";
import { defineOptions, flag, number } from "./options.js";
import { syncInContext } from "./sync.js";
import type { CommandContext } from "./types.js";

export const demoCommand = defineCommand({
  name: "demo",
  summary: "Try everything on a simulated cluster: a throw-away workspace, synced, in the console",
  description: "Starts the built-in Proxmox VE simulator, creates a temporary workspace on it, syncs, and opens the console. Nothing touches a real server; the workspace is deleted when you leave.",
  examples: ["proxmox-mpc demo", "proxmox-mpc demo --size 500", "printf 'get vms\\n/status\\n' | proxmox-mpc demo"],
  options: defineOptions({
    size: number("--size <n>", "guests in the simulated cluster", { int: true, min: 1, max: 20000, default: 120 }),
    keep: flag("--keep", "keep the workspace folder when the console ends"),
  }),
  workspace: "none",
  mcp: { tool: false, why: "starts a simulator and opens a console: an interactive tour for a person" },
  record: false,
  async run(ctx, input) {
    if (ctx.actor === "console") throw new UsageError("You are in the console already.", "Leave it with /exit and run `proxmox-mpc demo` from a shell.");
    const size = input.options.size;
    const { startSimulator } = await import("../sim/index.js");
    const spinner = ctx.ui.spinner(`Starting a simulated Proxmox VE cluster with ${size} guests…`);
    const sim = await startSimulator({ port: 0, tls: true, size, randomSeed: 42, taskDelayMs: 300 });
    const dir = mkdtempSync(join(tmpdir(), "proxmox-mpc-demo-"));
    // The native engine: a real terraform could not reach the simulator's provider from its registry anyway.
    const env: NodeJS.ProcessEnv = { ...ctx.env, PROXMOX_VE_ENDPOINT: sim.url, PROXMOX_VE_API_TOKEN: sim.token, PROXMOX_MPC_ENGINE: ctx.env.PROXMOX_MPC_ENGINE ?? "native" };
    const close = async (): Promise<void> => {
      await sim.close();
      if (!input.options.keep) rmSync(dir, { recursive: true, force: true });
    };
    try {
      spinner.update(`Creating a workspace in ${dir}…`);
      await step(ctx, env, dir, undefined, (c) =>
        initWorkspace(c, dir, { fingerprint: sim.fingerprint, defaultNode: "pve1", database: "" }),
      );
      spinner.update("Syncing the cluster into the workspace…");
      const ws = await loadWorkspace(dir);
      await step(ctx, env, dir, ws, (c) => syncInContext(c, { waitMs: 0 }));
      spinner.succeed(`Demo workspace ready: ${dir} (simulator at ${sim.url}${input.options.keep ? ", kept afterwards" : ", removed when you leave"})`);
    } catch (err) {
      spinner.fail("The demo could not start.");
      await close();
      throw err;
    }
    return { kind: "console", cwd: dir, env, close };
  },
});

/** Run one step of the set-up in a context of its own (same UI, signal and logger). */
async function step(ctx: CommandContext, env: NodeJS.ProcessEnv, cwd: string, workspace: Awaited<ReturnType<typeof loadWorkspace>> | undefined, run: (c: CommandContext) => Promise<unknown>): Promise<void> {
  const quiet: UI = {
    interactive: false,
    info: () => undefined,
    warn: (m) => ctx.ui.warn(m),
    success: () => undefined,
    emit: () => undefined,
    spinner: () => ({ update: () => undefined, succeed: () => undefined, fail: () => undefined, stop: () => undefined }),
    confirm: (q, o) => ctx.ui.confirm(q, o),
    ask: (q) => ctx.ui.ask(q),
  };
  const c = createContext({ cwd, env, globals: { ...ctx.globals, input: false }, ui: quiet, signal: ctx.signal, actor: ctx.actor, caller: ctx.caller, version: ctx.version, command: "demo", commands: ctx.commands, rootLogger: ctx.log, workspace });
  try {
    await run(c);
  } finally {
    await c.services.close();
  }
}
