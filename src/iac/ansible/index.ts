/**
 * The Ansible generator: inventory.yml (static), proxmox.yml (dynamic,
 * community.general.proxmox), ansible.cfg and playbook stubs for a
 * workspace's ansible/ folder. See docs/ansible.md.
 */
export { generateAnsible, writeAnsible, INVENTORY_FILE, SITE_PLAYBOOK, type AnsibleOptions, type GeneratedFile, type WriteResult } from "./files.js";
export { DYNAMIC_INVENTORY_FILE, pluginUrl, splitTokenId } from "./dynamic.js";
export { buildInventory, firstStaticIp, FIXED_GROUPS, groupName, hostNames, type AnsibleHostVars, type InventoryGroup, type InventoryModel } from "./inventory.js";
export { PLAYBOOK_STUBS, type PlaybookStub } from "./playbooks.js";
