/**
 * A real workspace for the `test` command's tests: the simulator seeded with
 * tests/fixtures/seeds/small.yaml, `init` + `sync` through the real CLI, and
 * terraform/ + ansible/ written by the real generators from what the store
 * holds (what sync writes, regardless of whether sync writes them itself).
 * The command object runs directly with a context on that workspace.
 */
import { appendFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { testContext } from "../helpers/context.js";
import { testCommand } from "../../src/commands/test.js";
import type { CommandContext, CommandResult } from "../../src/commands/types.js";
import { createLogger } from "../../src/core/logger.js";
import { ScriptedUI } from "../../src/core/ui.js";
import { loadWorkspace, type Workspace } from "../../src/core/workspace.js";
import { generateAnsible, writeAnsible } from "../../src/iac/ansible/index.js";
import type { TestReport } from "../../src/iac/checks/index.js";
import { newGuestSpec, specFromPve, type NewGuestInput } from "../../src/iac/model.js";
import { renderGuest, writeTerraform } from "../../src/iac/terraform/index.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

export const SEED = join(REPO_ROOT, "tests", "fixtures", "seeds", "small.yaml");

/** A synced workspace on a seeded simulator. */
export interface CheckedWorkspace {
  sim: RunningSimulator;
  ws: Awaited<ReturnType<typeof initWorkspace>>;
  workspace: Workspace;
  /** Absolute path inside the workspace. */
  path(...parts: string[]): string;
  /** Rewrite terraform/ and ansible/ from the store; remove tests/ and the parse cache. */
  reset(): Promise<void>;
  /** Run `test` (options as the CLI would pass them). */
  test(options?: Record<string, unknown>): Promise<{ result: Extract<CommandResult, { kind: "data" }>; report: TestReport }>;
  /** Read ("" when missing), edit and write a workspace file; returns the 1-based line of `marker` in the new text. */
  edit(file: string, change: (text: string) => string, marker?: string): Promise<number>;
  /** Write a new guest's file with the real renderer; returns its path relative to the workspace. */
  addGuest(input: NewGuestInput): Promise<string>;
  close(): Promise<void>;
}

/** A context for running a command object on `workspace`. */
export function context(workspace: Workspace, env: NodeJS.ProcessEnv): CommandContext {
  return testContext({ workspace, env });
}

/** The 1-based line of the first line containing `marker` (0 when none). */
export function lineOf(text: string, marker: string): number {
  return text.split("\n").findIndex((l) => l.includes(marker)) + 1;
}

/** Start the simulator, init and sync a workspace, generate its files. */
export async function checkedWorkspace(): Promise<CheckedWorkspace> {
  const sim = await startSim({ seed: SEED });
  const ws = await initWorkspace(sim);
  const sync = await ws.run(["sync"]);
  if (sync.code !== 0) throw new Error(`sync failed: ${sync.stderr}`);
  const workspace = await loadWorkspace(ws.dir);
  const path = (...parts: string[]): string => join(ws.dir, ...parts);

  const reset = async (): Promise<void> => {
    for (const dir of ["terraform", "ansible", "tests", ".proxmox-mpc/cache"]) await rm(path(dir), { recursive: true, force: true });
    const ctx = context(workspace, ws.env);
    try {
      const guests = await (await ctx.services.store()).guests.list();
      await writeTerraform(workspace.paths.terraform, guests.map((g) => ({ ...specFromPve(g), adopted: true })), { overwrite: true });
      const { config } = workspace;
      await writeAnsible(workspace.paths.ansible, generateAnsible(guests, { endpoint: config.endpoint, tokenId: config.tokenId, tls: config.tls }));
    } finally {
      await ctx.services.close();
    }
  };
  await reset();

  return {
    sim,
    ws,
    workspace,
    path,
    reset,
    async test(options = {}) {
      const ctx = context(workspace, ws.env);
      try {
        const result = await testCommand.run(ctx, { args: [], options });
        if (result.kind !== "data") throw new Error(`unexpected result ${result.kind}`);
        return { result, report: result.data as TestReport };
      } finally {
        await ctx.services.close();
      }
    },
    async edit(file, change, marker) {
      const text = change(await readFile(path(file), "utf8").catch(() => ""));
      await writeFile(path(file), text);
      return marker ? lineOf(text, marker) : 0;
    },
    async addGuest(input) {
      const spec = newGuestSpec(input);
      const file = `terraform/${spec.resourceName}.tf`;
      await writeFile(path(file), renderGuest(spec));
      return file;
    },
    async close() {
      await sim.close();
      ws.cleanup();
    },
  };
}

/** Write a spec file into the workspace's tests/ folder. */
export async function writeSpec(cw: CheckedWorkspace, name: string, yaml: string): Promise<string> {
  await mkdir(cw.path("tests"), { recursive: true });
  await writeFile(cw.path("tests", name), yaml);
  return `tests/${name}`;
}

/** Append text to a workspace file. */
export async function append(cw: CheckedWorkspace, file: string, text: string): Promise<void> {
  await appendFile(cw.path(file), text);
}
