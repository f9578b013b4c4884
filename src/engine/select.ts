/**
 * Which engine runs plan/apply/destroy. `--engine terraform|native` decides;
 * without it, terraform when a `terraform` (or `tofu`) binary is on PATH,
 * the native engine otherwise. Engines are imported lazily so that choosing
 * one does not load the other (nor the HCL parser or the API client).
 */
import type { Engine, EngineName } from "./types.js";
import { findTerraform } from "./terraform/binary.js";

/** The decision and why, e.g. for `health` or a note above a plan. */
export interface EngineChoice {
  name: EngineName;
  /** The terraform binary found on PATH (when terraform was chosen and found). */
  binary?: string;
  reason: string;
}

/** Engine loaders; replaceable in tests. */
export interface EngineLoaders {
  terraform: () => Promise<Engine>;
  native: () => Promise<Engine>;
}

const defaultLoaders: EngineLoaders = {
  terraform: async () => (await import("./terraform/index.js")).terraformEngine,
  // Written by the native engine's author (src/engine/native/index.ts).
  native: async () => (await import("./native/index.js")).nativeEngine,
};

/** Decide without loading anything: requested engine first, else terraform when installed. */
export function engineChoice(requested: EngineName | undefined, env: NodeJS.ProcessEnv): EngineChoice {
  const binary = requested === "native" ? undefined : findTerraform(env);
  if (requested === "terraform") return { name: "terraform", binary, reason: binary ? `--engine terraform (${binary})` : "--engine terraform (not found on PATH)" };
  if (requested === "native") return { name: "native", reason: "--engine native" };
  if (binary) return { name: "terraform", binary, reason: `terraform found on PATH (${binary})` };
  return { name: "native", reason: "terraform is not installed (no terraform or tofu on PATH)" };
}

/**
 * The engine for a run: terraform when requested, or when not requested and terraform is
 * installed; native otherwise. Requesting terraform when it is missing still returns the
 * terraform engine: its plan then fails with "terraform is not installed; use --engine native …".
 */
export async function chooseEngine(requested: EngineName | undefined, env: NodeJS.ProcessEnv, loaders: EngineLoaders = defaultLoaders): Promise<Engine> {
  const choice = engineChoice(requested, env);
  return choice.name === "terraform" ? loaders.terraform() : loaders.native();
}
