/**
 * Types of the Ansible generator: the files it produces and the connection
 * settings the dynamic inventory (`proxmox.yml`) needs.
 */
import type { WorkspaceConfig } from "../../core/workspace.js";

/**
 * One generated file. `kind` says how `writeAnsible` treats it:
 * - `generated`: owned by proxmox-mpc, rewritten whenever its content changes
 *   (inventory.yml, proxmox.yml);
 * - `stub`: a starting point owned by the user once it exists (playbooks,
 *   ansible.cfg), written only when missing so user edits survive.
 */
export interface GeneratedFile {
  /** Path relative to the workspace's `ansible/` folder, `/`-separated. */
  path: string;
  content: string;
  kind: "generated" | "stub";
}

/** What `generateAnsible` needs besides the guests (from the workspace config). */
export interface AnsibleOptions {
  /** The API endpoint, e.g. `https://pve1:8006` (a trailing `/api2/json` is dropped). */
  endpoint: string;
  /** `user@realm!tokenid`, never the secret. */
  tokenId: string;
  tls: WorkspaceConfig["tls"];
}

/** Host variables of one guest in `inventory.yml`. */
export interface AnsibleHostVars {
  /** The first static IP (cloud-init `ipconfigN` / lxc `ip=`), when there is one. */
  ansible_host?: string;
  proxmox_cores: number;
  proxmox_memory_mb: number;
  proxmox_node: string;
  proxmox_tags: string[];
  proxmox_type: "qemu" | "lxc";
  proxmox_vmid: number;
}

/** Result of `writeAnsible`: relative paths, sorted. */
export interface WriteResult {
  /** Files created or rewritten. */
  written: string[];
  /** Files left as they were (same content, or a stub that already exists). */
  unchanged: string[];
}
