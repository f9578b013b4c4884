/** The --engine option shared by plan, apply, destroy, create --apply and delete --apply. */
import type { OptionSpec } from "./types.js";

export const ENGINE_OPTION: OptionSpec = {
  flags: "--engine <engine>",
  description: "terraform (default when terraform is on PATH) or native (proxmox-mpc's own engine); default from $PROXMOX_MPC_ENGINE",
  choices: ["terraform", "native"],
};
