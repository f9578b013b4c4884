/**
 * The Ansible generator: inventory.yml (static), proxmox.yml (dynamic,
 * community.general.proxmox), ansible.cfg and playbook stubs for a
 * workspace's ansible/ folder. See docs/ansible.md.
 */
export { generateAnsible, INVENTORY_FILE, SITE_PLAYBOOK } from "./generate.js";
export { writeAnsible } from "./write.js";
export { DYNAMIC_INVENTORY_FILE, pluginUrl, splitTokenId } from "./dynamic.js";
export { buildInventory, FIXED_GROUPS, type InventoryGroup, type InventoryModel } from "./inventory.js";
export { firstStaticIp, groupName, hostNames } from "./names.js";
export { PLAYBOOK_STUBS, type PlaybookStub } from "./playbooks.js";
export type { AnsibleHostVars, AnsibleOptions, GeneratedFile, WriteResult } from "./types.js";
