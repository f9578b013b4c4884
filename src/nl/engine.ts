/**
 * Which engine answers: --engine, else the workspace's `ai.engine`, else
 * claude when the `claude` executable is found (ai.claudePath or PATH), else
 * local (found the way `health` finds it). Asking for claude where there is none
 * answers with local and says why.
 */
import { accessSync, constants } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { AiConfig } from "../core/workspace.js";
import { findOnPath } from "../observability/health-local.js";

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

/** The configured executable, when it is one. */
function executable(path: string): string | undefined {
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}
