/** The --engine option shared by plan, apply, destroy, create --apply and delete --apply. */
import { choice } from "./options.js";

/** `--engine terraform|native`; absent, $PROXMOX_MPC_ENGINE decides, else terraform when installed, else native. */
export const ENGINE_OPTION = choice("--engine <engine>", "terraform (default when terraform is on PATH) or native (proxmox-mpc's own engine); default from $PROXMOX_MPC_ENGINE", ["terraform", "native"]);
