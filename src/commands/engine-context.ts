/** Build the context an engine runs in from a command's context, and pick the engine. */
import { UsageError } from "../core/errors.js";
import type { Engine, EngineContext, EngineName } from "../engine/types.js";
import { getClient, requireWorkspace, workspaceToken } from "./services.js";
import type { CommandContext, OptionSpec } from "./types.js";

export const ENGINE_OPTION: OptionSpec = {
  flags: "--engine <engine>",
  description: "terraform (default when terraform is on PATH) or native (proxmox-mpc's own engine); default from $PROXMOX_MPC_ENGINE",
  choices: ["terraform", "native"],
};

/** The engine's view of the workspace: paths, credentials for child processes, the API client. */
export function engineContext(ctx: CommandContext): EngineContext {
  const ws = requireWorkspace(ctx);
  return {
    root: ws.paths.root,
    terraformDir: ws.paths.terraform,
    env: ctx.env,
    log: ctx.log,
    ui: ctx.ui,
    signal: ctx.signal,
    client: () => getClient(ctx),
    credentials: async () => {
      const token = workspaceToken(ctx);
      if (!token) throw new UsageError("No API token for terraform.", "Set PROXMOX_VE_API_TOKEN.", "no-token");
      const creds: Record<string, string> = { PROXMOX_VE_ENDPOINT: ws.config.endpoint, PROXMOX_VE_API_TOKEN: token };
      if (ws.config.tls.insecure) creds.PROXMOX_VE_INSECURE = "true";
      return creds;
    },
  };
}

/** The engine asked for (--engine, else PROXMOX_MPC_ENGINE), or terraform when installed, else native. */
export async function pickEngine(ctx: CommandContext, flag: unknown): Promise<Engine> {
  const requested = flag ?? (ctx.env.PROXMOX_MPC_ENGINE || undefined);
  if (requested !== undefined && requested !== "terraform" && requested !== "native") {
    throw new UsageError(`Unknown engine "${String(requested)}".`, "Use --engine terraform or --engine native.");
  }
  const { chooseEngine } = await import("../engine/select.js");
  return chooseEngine(requested as EngineName | undefined, ctx.env);
}
