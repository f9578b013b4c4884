/**
 * Which engine answers: --engine, else the workspace's `ai.engine`, else
 * claude when the `claude` executable is found (ai.claudePath or PATH), else
 * local. Asking for claude where there is none answers with local and says why.
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import type { AiConfig } from "../core/workspace.js";

export interface EngineChoice {
  engine: "claude" | "local";
  /** The claude executable (engine claude). */
  claude?: string;
  /** Why claude was wanted but is not used (printed as one line). */
  note?: string;
}

/** The default time one Claude run may take. */
export const DEFAULT_TIMEOUT_SECONDS = 120;

export function chooseEngine(flag: "claude" | "local" | undefined, ai: AiConfig | undefined, env: NodeJS.ProcessEnv, root: string): EngineChoice {
  const wanted = flag ?? (ai?.engine && ai.engine !== "auto" ? ai.engine : undefined);
  if (wanted === "local") return { engine: "local" };
  const claude = ai?.claudePath ? executable(isAbsolute(ai.claudePath) ? ai.claudePath : resolve(root, ai.claudePath)) : findOnPath("claude", env);
  if (claude) return { engine: "claude", claude };
  if (wanted === "claude") {
    const where = ai?.claudePath ? `ai.claudePath (${ai.claudePath}) is not an executable` : "`claude` is not on PATH";
    return { engine: "local", note: `Claude Code is not available (${where}); the local engine answers. Install it with \`npm install -g @anthropic-ai/claude-code\`.` };
  }
  return { engine: "local" };
}

/** The first executable `name` on the PATH of `env`. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const found = executable(join(dir, name));
    if (found) return found;
  }
  return undefined;
}

function executable(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return undefined;
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}
