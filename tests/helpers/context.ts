/**
 * A command context for tests, built by the same composition root the faces
 * use (src/commands/context.ts): real services, created on first use. Close
 * them with `ctx.services.close()`.
 */
import { createContext } from "../../src/commands/context.js";
import { COMMANDS } from "../../src/commands/registry.js";
import type { CommandContext } from "../../src/commands/types.js";
import { createLogger } from "../../src/core/logger.js";
import { ScriptedUI, type UI } from "../../src/core/ui.js";
import type { Store } from "../../src/state/store.js";
import type { Workspace } from "../../src/core/workspace.js";

export interface TestContextInput {
  workspace?: Workspace;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  ui?: UI;
  signal?: AbortSignal;
  command?: string;
  sharedStore?: () => Promise<Store>;
}

/** A context as a face would build it, with a scripted UI and no terminal. */
export function testContext(input: TestContextInput = {}): CommandContext {
  return createContext({
    cwd: input.cwd ?? input.workspace?.paths.root ?? process.cwd(),
    env: input.env ?? {},
    globals: { output: "table", debug: false, color: false, input: false, yes: false },
    ui: input.ui ?? new ScriptedUI([], false),
    signal: input.signal ?? new AbortController().signal,
    actor: "cli",
    version: "0.0.0-test",
    command: input.command ?? "test",
    commands: COMMANDS,
    rootLogger: createLogger(),
    workspace: input.workspace,
    sharedStore: input.sharedStore,
  });
}
