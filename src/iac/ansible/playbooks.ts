/**
 * The playbook stubs and ansible.cfg: small, real, idempotent playbooks that
 * use only ansible.builtin and community.general 6.6 modules, a site
 * playbook that imports them, and the config Ansible reads from ansible/.
 * They are starting points owned by the user: written once, never
 * overwritten (see writeAnsible). Their text is in the package's
 * templates/ansible/ folder, read on first use (see core/templates.ts).
 */
import { readTemplate } from "../../core/templates.js";

/** One per-role playbook: `playbooks/<name>.yml`. */
export interface PlaybookStub {
  name: string;
  /** The playbook (templates/ansible/playbooks/<name>.yml, read when first asked for). */
  readonly content: string;
}

function stub(name: string): PlaybookStub {
  return {
    name,
    get content(): string {
      return readTemplate(`ansible/playbooks/${name}.yml`);
    },
  };
}

/** The per-role playbooks, in the order site.yml imports them. */
export const PLAYBOOK_STUBS: readonly PlaybookStub[] = [stub("ping"), stub("baseline"), stub("qemu-guest-agent")];

/** `playbooks/site.yml`: imports every per-role playbook, in the order of PLAYBOOK_STUBS. */
export function sitePlaybook(): string {
  return readTemplate("ansible/playbooks/site.yml");
}

/**
 * `ansible.cfg`, used when Ansible runs from the ansible/ folder (or with
 * ANSIBLE_CONFIG pointing at it). Host keys: trust on first use
 * (`accept-new`), refuse changed keys — new guests get new keys, a changed
 * key on a known guest is worth stopping for.
 */
export function ansibleCfg(): string {
  return readTemplate("ansible/ansible.cfg");
}
