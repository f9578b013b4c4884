/**
 * generateAnsible: the whole ansible/ folder as data. Pure and
 * deterministic: the same guests and options give byte-identical files, in
 * the same (sorted) order, whatever order the guests come in.
 */
import type { GuestRecord } from "../../state/types.js";
import { DYNAMIC_INVENTORY_FILE, renderDynamicInventory } from "./dynamic.js";
import { buildInventory, renderInventory } from "./inventory.js";
import { compareText } from "./names.js";
import { ANSIBLE_CFG, PLAYBOOK_STUBS, sitePlaybook } from "./playbooks.js";
import type { AnsibleOptions, GeneratedFile } from "./types.js";

/** Relative path of the static inventory. */
export const INVENTORY_FILE = "inventory.yml";

/** Relative path of the site playbook. */
export const SITE_PLAYBOOK = "playbooks/site.yml";

/**
 * The files of the workspace's `ansible/` folder for these guests:
 * inventory.yml and proxmox.yml (generated, rewritten on change), and
 * ansible.cfg, playbooks/site.yml and playbooks/<role>.yml (stubs, written
 * only when missing). Sorted by path.
 */
export function generateAnsible(guests: readonly GuestRecord[], options: AnsibleOptions): GeneratedFile[] {
  const ordered = [...guests].sort((a, b) => a.vmid - b.vmid || compareText(a.name, b.name));
  const files: GeneratedFile[] = [
    { path: INVENTORY_FILE, content: renderInventory(buildInventory(ordered)), kind: "generated" },
    { path: DYNAMIC_INVENTORY_FILE, content: renderDynamicInventory(options), kind: "generated" },
    { path: "ansible.cfg", content: ANSIBLE_CFG, kind: "stub" },
    { path: SITE_PLAYBOOK, content: sitePlaybook(), kind: "stub" },
    ...PLAYBOOK_STUBS.map((s): GeneratedFile => ({ path: `playbooks/${s.name}.yml`, content: s.content, kind: "stub" })),
  ];
  return files.sort((a, b) => compareText(a.path, b.path));
}
