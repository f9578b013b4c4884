/**
 * The playbook stubs: small, real, idempotent playbooks that use only
 * ansible.builtin and community.general 6.6 modules, and a site playbook that
 * imports them. They are starting points owned by the user: written once,
 * never overwritten (see writeAnsible).
 */

/** One per-role playbook: `playbooks/<name>.yml`. */
export interface PlaybookStub {
  name: string;
  /** One line for site.yml and the docs. */
  summary: string;
  content: string;
}

const PING = `# Wait until every guest answers over SSH, then gather its facts.
# ansible-playbook -i inventory.yml playbooks/ping.yml
- name: Reach every guest
  hosts: all
  gather_facts: false
  tasks:
    - name: Wait for the connection
      ansible.builtin.wait_for_connection:
        timeout: "{{ ping_timeout | default(300) | int }}"

    - name: Gather facts
      ansible.builtin.setup:

    - name: Show what answered
      ansible.builtin.debug:
        msg: "{{ inventory_hostname }}: {{ ansible_facts['distribution'] | default('unknown') }} {{ ansible_facts['distribution_version'] | default('') }}"
`;

const BASELINE = `# A safe, idempotent baseline for every guest. Variables (set them in
# group_vars/ or host_vars/ next to the inventory, or with -e):
#   baseline_packages: packages to keep installed (default: ca-certificates, curl)
#   baseline_timezone: e.g. Europe/Berlin; empty (the default) leaves the timezone alone
- name: Baseline
  hosts: all
  become: true
  gather_facts: false
  tasks:
    - name: Keep the baseline packages installed
      ansible.builtin.package:
        name: "{{ baseline_packages | default(['ca-certificates', 'curl']) }}"
        state: present

    - name: Set the timezone
      community.general.timezone:
        name: "{{ baseline_timezone }}"
      when: baseline_timezone | default('') | length > 0
`;

const QEMU_GUEST_AGENT = `# The QEMU guest agent in every VM (group qemu): Proxmox VE then shows the
# VM's IP addresses, and shutdowns and backups are clean. Turn the agent on
# in the VM's options too (agent: 1). Containers (lxc) do not need it.
- name: QEMU guest agent
  hosts: qemu
  become: true
  gather_facts: false
  tasks:
    - name: Install qemu-guest-agent
      ansible.builtin.package:
        name: qemu-guest-agent
        state: present
      register: qemu_guest_agent_package

    # In check mode a package that is not installed yet has no service to check.
    - name: Start qemu-guest-agent
      ansible.builtin.service:
        name: qemu-guest-agent
        state: started
      when: not (ansible_check_mode and qemu_guest_agent_package is changed)
`;

/** The per-role playbooks, in the order site.yml runs them. */
export const PLAYBOOK_STUBS: readonly PlaybookStub[] = [
  { name: "ping", summary: "wait for SSH and gather facts", content: PING },
  { name: "baseline", summary: "baseline packages and (optional) timezone", content: BASELINE },
  { name: "qemu-guest-agent", summary: "install and start the QEMU guest agent in VMs", content: QEMU_GUEST_AGENT },
];

/** `playbooks/site.yml`: imports every per-role playbook. */
export function sitePlaybook(stubs: readonly PlaybookStub[] = PLAYBOOK_STUBS): string {
  const lines = [
    "# The whole site: every playbook below, in order. Add your own with another",
    "# import_playbook line; proxmox-mpc never overwrites this file once it exists.",
    "#   cd ansible && ansible-playbook playbooks/site.yml",
  ];
  for (const s of stubs) {
    lines.push(`- name: ${s.summary[0].toUpperCase()}${s.summary.slice(1)}`);
    lines.push(`  ansible.builtin.import_playbook: ${s.name}.yml`);
  }
  return lines.join("\n") + "\n";
}

/**
 * `ansible.cfg`, used when Ansible runs from the ansible/ folder (or with
 * ANSIBLE_CONFIG pointing at it). Host keys: trust on first use
 * (`accept-new`), refuse changed keys — new guests get new keys, a changed
 * key on a known guest is worth stopping for.
 */
export const ANSIBLE_CFG = `# Written once by proxmox-mpc; yours to edit. Used when you run Ansible from
# this folder (or with ANSIBLE_CONFIG=ansible/ansible.cfg).
[defaults]
inventory = inventory.yml
retry_files_enabled = False
interpreter_python = auto_silent

[ssh_connection]
# Trust a guest's host key the first time, refuse it if it changes later.
ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s -o StrictHostKeyChecking=accept-new
pipelining = True
`;
