/**
 * The generated ansible/ folder with the real tools (Debian's ansible:
 * ansible-core 2.14 + community.general 6.6): ansible-inventory reads the
 * static inventory, ansible.cfg is picked up, every playbook passes
 * --syntax-check, ping.yml really runs, and site.yml runs in check mode
 * (against this machine over the local connection, changing nothing).
 */
import { rm } from "node:fs/promises";
import { load } from "js-yaml";
import { join } from "node:path";
import { buildInventory, generateAnsible, PLAYBOOK_STUBS, writeAnsible } from "../../src/iac/ansible/index.js";
import { describeWith } from "../helpers/real-parts.js";
import { ansibleEnv, guestRecords, OPTIONS, run, tempDir } from "./ansible-fixtures.js";

// Skipped (reason printed) without ansible; with CI=true that fails the file instead.
const withAnsible = describeWith("ansible");

interface ModuleOption {
  aliases?: string[];
  choices?: string[];
  required?: boolean;
}

interface InventoryList {
  _meta: { hostvars: Record<string, Record<string, unknown>> };
  [group: string]: { hosts?: string[]; children?: string[] } | InventoryList["_meta"];
}

let root: string;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  root = await tempDir("mpc-ansible-tools-");
  dir = join(root, "ansible");
  env = ansibleEnv(root, { ANSIBLE_INVENTORY_UNPARSED_FAILED: "1" });
  await writeAnsible(dir, generateAnsible(guestRecords(), OPTIONS));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function listInventory(args: string[], cwd: string): Promise<InventoryList> {
  const r = await run("ansible-inventory", [...args, "--list"], cwd, env);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  return JSON.parse(r.stdout) as InventoryList;
}
const groupHosts = (list: InventoryList, group: string): string[] => [...(((list[group] as { hosts?: string[] }) ?? {}).hosts ?? [])].sort();

withAnsible("generated ansible/ with the real ansible tools", () => {
  test("ansible-inventory reads inventory.yml: hosts, groups and host vars", async () => {
    const list = await listInventory(["-i", join(dir, "inventory.yml")], root);
    const model = buildInventory(guestRecords());
    expect(Object.keys(list._meta.hostvars).sort()).toEqual(model.hosts.map((h) => h.name));
    expect(list._meta.hostvars).not.toHaveProperty("debian-12-tpl");
    for (const group of model.groups) expect([group.name, groupHosts(list, group.name)]).toEqual([group.name, group.hosts]);
    expect(groupHosts(list, "tag_web")).toEqual(["web-01", "web-02"]);
    expect(groupHosts(list, "node_pve_2")).toEqual(["db-main", "dns-01"]);
    expect(list._meta.hostvars["web-01"]).toEqual({
      ansible_host: "10.0.0.11",
      proxmox_cores: 2,
      proxmox_memory_mb: 2048,
      proxmox_node: "pve1",
      proxmox_tags: ["web", "prod"],
      proxmox_type: "qemu",
      proxmox_vmid: 101,
    });
    expect(list._meta.hostvars["db-main"]).not.toHaveProperty("ansible_host");
  });

  test("ansible.cfg makes inventory.yml the default inventory and trusts host keys on first use", async () => {
    const list = await listInventory([], dir);
    expect(Object.keys(list._meta.hostvars).sort()).toEqual(["cache", "db-main", "dns-01", "web-01", "web-02"]);
    const cfg = await run("ansible-config", ["dump", "--only-changed", "-t", "all"], dir, env);
    expect(cfg.code).toBe(0);
    expect(cfg.stdout).toMatch(/^ssh:\n_+\n(?:.*\n)*?ssh_args\(.*ansible\.cfg\) = .*StrictHostKeyChecking=accept-new$/m);
    expect(cfg.stdout).toMatch(/^RETRY_FILES_ENABLED\(.*ansible\.cfg\) = False$/m);
  });

  test("ansible-playbook --syntax-check passes on site.yml, which imports every playbook", async () => {
    const check = await run("ansible-playbook", ["--syntax-check", "-i", "inventory.yml", "playbooks/site.yml"], dir, env);
    expect({ code: check.code, stderr: check.stderr }).toEqual({ code: 0, stderr: "" });
    const list = await run("ansible-playbook", ["--list-tasks", "-i", "inventory.yml", "playbooks/site.yml"], dir, env);
    const plays = [...list.stdout.matchAll(/play #\d+ \((\w+)\): (.+?)\t/g)].map((m) => `${m[1]}: ${m[2]}`);
    expect(plays).toEqual(["all: Reach every guest", "all: Baseline", "qemu: QEMU guest agent"]);
    expect(plays).toHaveLength(PLAYBOOK_STUBS.length);
  });

  test("every task uses a module of ansible-core 2.14 / community.general 6.6 with documented arguments", async () => {
    const tasks: Array<{ playbook: string; module: string; args: Record<string, unknown> }> = [];
    for (const stub of PLAYBOOK_STUBS) {
      for (const play of load(stub.content) as Array<{ tasks: Array<Record<string, unknown>> }>) {
        for (const task of play.tasks) {
          const modules = Object.keys(task).filter((k) => /^[a-z_]+\.[a-z_]+\.[a-z_]+$/.test(k));
          expect([stub.name, task.name, modules.length]).toEqual([stub.name, task.name, 1]);
          tasks.push({ playbook: stub.name, module: modules[0], args: (task[modules[0]] ?? {}) as Record<string, unknown> });
        }
      }
    }
    const names = [...new Set(tasks.map((t) => t.module))].sort();
    const r = await run("ansible-doc", ["-j", ...names], root, env);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    const docs = JSON.parse(r.stdout) as Record<string, { doc: { options?: Record<string, ModuleOption> } }>;
    expect(Object.keys(docs).sort()).toEqual(names);
    for (const { playbook, module, args } of tasks) {
      const options = docs[module].doc.options ?? {};
      const known = new Set(Object.entries(options).flatMap(([k, o]) => [k, ...(o.aliases ?? [])]));
      for (const [arg, value] of Object.entries(args)) {
        expect([playbook, module, arg, known.has(arg)]).toEqual([playbook, module, arg, true]);
        const choices = options[arg]?.choices;
        if (choices && typeof value === "string" && !value.includes("{{")) expect(choices).toContain(value);
      }
      for (const [name, o] of Object.entries(options)) if (o.required) expect([playbook, module, name, name in args]).toEqual([playbook, module, name, true]);
    }
  });

  test("ping.yml really runs (local connection): waits, gathers facts, reports", async () => {
    const r = await run("ansible-playbook", ["playbooks/ping.yml", "--limit", "web-01", "-e", "ansible_connection=local"], dir, env);
    expect(r.code).toBe(0);
    // The local connection cannot reset itself: wait_for_connection's only warning.
    expect(r.stderr.trim()).toMatch(/^(\[WARNING\]: Reset is not implemented for this connection)?$/);
    expect(r.stdout).toMatch(/TASK \[Wait for the connection\][\s\S]*ok: \[web-01\]/);
    expect(r.stdout).toMatch(/web-01\s+: ok=3\s+changed=0\s+unreachable=0\s+failed=0/);
  });

  test("site.yml runs every play in check mode without failures", async () => {
    const args = ["playbooks/site.yml", "--check", "--limit", "web-01", "-e", "ansible_connection=local", "-e", "ansible_become=false", "-e", "baseline_timezone=Etc/UTC"];
    const r = await run("ansible-playbook", args, dir, env);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    for (const play of ["Reach every guest", "Baseline", "QEMU guest agent"]) expect(r.stdout).toContain(`PLAY [${play}]`);
    expect(r.stdout).toMatch(/TASK \[Keep the baseline packages installed\] \*+\n(ok|changed): \[web-01\]/);
    expect(r.stdout).toMatch(/TASK \[Install qemu-guest-agent\] \*+\n(ok|changed): \[web-01\]/);
    expect(r.stdout).toMatch(/TASK \[Set the timezone\] \*+\n(ok|changed): \[web-01\]/);
    expect(r.stdout).toMatch(/web-01\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/);
  }, 120_000);
});
