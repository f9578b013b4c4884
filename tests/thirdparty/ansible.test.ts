/**
 * Ansible's community.general Proxmox parts, which we did not write, against
 * the simulator over HTTPS: the `proxmox` inventory plugin logging in with a
 * password (ticket cookie), and a playbook of Proxmox modules (proxmox for a
 * container, proxmox_kvm, proxmox_disk, proxmox_snap) with a token and with a
 * password (ticket + CSRF token on writes). Assertions are on what Ansible
 * reports and on the simulator's model afterwards.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describeWith } from "../helpers/real-parts.js";
import { startSim, type RunningSimulator } from "../helpers/sim.js";
import { ansibleEnv, CT_TEMPLATE, DEBIAN_PYTHON, hostPort, runProcess, SEED, tempFolder } from "./helpers.js";

const TOKEN_SECRET = "9f8e7d6c-5b4a-4321-8765-0fedcba98765";
const PASSWORD = "ansible-Pa55word";

interface InventoryList {
  _meta: { hostvars: Record<string, Record<string, unknown>> };
  [group: string]: { hosts?: string[]; children?: string[] } | InventoryList["_meta"];
}

/** A task's result as the json stdout callback reports it. */
type TaskResult = Record<string, unknown> & { changed?: boolean; failed?: boolean; msg?: string };

describeWith("ansible")("community.general Proxmox plugin and modules against the simulator", () => {
  let sim: RunningSimulator;
  let folder: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    sim = await startSim({ tls: true, seed: SEED, token: `root@pam!mpc=${TOKEN_SECRET}`, password: PASSWORD, taskDelayMs: 1 });
    folder = await tempFolder("mpc-thirdparty-ansible-");
  });
  afterAll(async () => {
    await sim.close();
    await folder.cleanup();
  });

  const hostsOf = (list: InventoryList, group: string): string[] => [...((list[group] as { hosts?: string[] } | undefined)?.hosts ?? [])].sort();

  test("the proxmox inventory plugin, logged in with a password: hosts, pool groups and facts", async () => {
    const config = join(folder.dir, "password.proxmox.yml");
    await writeFile(config, [
      "plugin: community.general.proxmox",
      `url: ${sim.url}`,
      "user: root@pam",
      `password: ${PASSWORD}`,
      "validate_certs: false",
      "want_facts: true",
      "",
    ].join("\n"));
    const r = await runProcess("ansible-inventory", ["-i", config, "--list"], { cwd: folder.dir, env: ansibleEnv(folder.dir, { ANSIBLE_INVENTORY_UNPARSED_FAILED: "1" }) });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    const list = JSON.parse(r.stdout) as InventoryList;
    // Guests with facts (the template is skipped, as the plugin does); nodes are hosts without variables.
    expect(Object.keys(list._meta.hostvars).sort()).toEqual(["db-01", "dns-01", "web-01"]);
    expect(hostsOf(list, "proxmox_pool_prod")).toEqual(["dns-01", "web-01"]);
    expect(hostsOf(list, "proxmox_nodes")).toEqual(["pve1", "pve2"]);
    expect(hostsOf(list, "proxmox_all_qemu")).toEqual(["db-01", "web-01"]);
    expect(hostsOf(list, "proxmox_all_lxc")).toEqual(["dns-01"]);
    expect(hostsOf(list, "proxmox_all_stopped")).toEqual(["db-01"]);
    const web = list._meta.hostvars["web-01"];
    expect(web).toMatchObject({ proxmox_vmid: 100, proxmox_node: "pve1", proxmox_status: "running", proxmox_qmpstatus: "running", proxmox_tags_parsed: ["prod", "web"], proxmox_snapshots: [] });
    expect(web.proxmox_agent_interfaces).toEqual(expect.arrayContaining([{ name: "eth0", "mac-address": "bc:24:11:20:00:01", "ip-addresses": ["10.0.20.11/24"] }]));
    expect(r.stdout).not.toContain(PASSWORD);
  }, 120_000);

  test("a playbook of Proxmox modules with a token and a password", async () => {
    const { host, port } = hostPort(sim.url);
    const token = { api_host: `${host}:${port}`, api_user: "root@pam", api_token_id: "mpc", api_token_secret: "{{ token_secret }}", validate_certs: false };
    const password = { api_host: `${host}:${port}`, api_user: "root@pam", api_password: "{{ api_password }}", validate_certs: false };
    const playbook = [{
      hosts: "localhost", connection: "local", gather_facts: false, vars: { ansible_python_interpreter: DEBIAN_PYTHON },
      tasks: [
        { name: "container", "community.general.proxmox": { ...password, node: "pve1", vmid: 710, hostname: "ans-710", ostemplate: CT_TEMPLATE, storage: "local-lvm", disk: "4", mounts: { mp0: "2,mp=/data" }, unprivileged: true, timeout: 20 } },
        { name: "current", "community.general.proxmox_kvm": { ...token, vmid: 100, state: "current" } },
        { name: "detach", "community.general.proxmox_disk": { ...token, vmid: 100, disk: "scsi1", state: "detached" } },
        { name: "remove", "community.general.proxmox_disk": { ...password, vmid: 100, disk: "scsi2", state: "absent" } },
        { name: "grow", "community.general.proxmox_disk": { ...token, vmid: 100, disk: "scsi0", size: "+2G", state: "resized" } },
        { name: "snapshot", "community.general.proxmox_snap": { ...token, vmid: 100, snapname: "pre-upgrade", state: "present", timeout: 20 } },
      ],
    }];
    const playbookFile = join(folder.dir, "playbook.json");
    const varsFile = join(folder.dir, "secrets.json");
    await writeFile(playbookFile, JSON.stringify(playbook));
    await writeFile(varsFile, JSON.stringify({ token_secret: TOKEN_SECRET, api_password: PASSWORD }), { mode: 0o600 });
    const env = ansibleEnv(folder.dir, { ANSIBLE_STDOUT_CALLBACK: "json", ANSIBLE_LOCALHOST_WARNING: "0", ANSIBLE_INVENTORY_UNPARSED_WARNING: "0" });
    const r = await runProcess("ansible-playbook", [playbookFile, "-e", `@${varsFile}`], { cwd: folder.dir, env });
    const out = JSON.parse(r.stdout) as { plays: { tasks: { task: { name: string }; hosts: Record<string, TaskResult> }[] }[] };
    const results = Object.fromEntries(out.plays[0].tasks.map((t) => [t.task.name, t.hosts.localhost]));
    const failed = Object.entries(results).filter(([, v]) => v.failed).map(([k, v]) => `${k}: ${v.msg}`);
    expect(failed).toEqual([]);
    expect(r.code).toBe(0);

    expect(results.container).toMatchObject({ changed: true, msg: `Deployed VM 710 from template ${CT_TEMPLATE}` });
    const ct = sim.cluster.guest(710)!.config;
    expect([ct.rootfs, ct.mp0, ct.hostname]).toEqual(["local-lvm:vm-710-disk-0,size=4G", "local-lvm:vm-710-disk-1,mp=/data,size=2G", "ans-710"]);

    expect(results.current).toMatchObject({ changed: false, status: "running", msg: "VM web-01 with vmid = 100 is running" });
    expect(results.detach).toMatchObject({ changed: true, msg: "Disk scsi1 detached from VM 100" });
    expect(results.remove).toMatchObject({ changed: true, msg: "Disk scsi2 removed from VM 100" });
    expect(results.grow).toMatchObject({ changed: true, msg: "Disk scsi0 resized in VM 100" });
    expect(results.snapshot).toMatchObject({ changed: true });

    // proxmox_disk does not wait for the resize task; the simulator's task does the change.
    const resize = sim.cluster.tasks.all().find((t) => t.type === "resize" && t.id === "100")!;
    while (resize.status === "running") await new Promise((done) => setTimeout(done, 5));
    expect(resize.exitstatus).toBe("OK");
    const vm = sim.cluster.guest(100)!;
    expect(vm.config).toMatchObject({ scsi0: "local-lvm:vm-100-disk-0,iothread=1,size=34G", unused0: "local-lvm:vm-100-disk-1" });
    expect(vm.config.scsi1).toBeUndefined();
    expect(Object.values(vm.config).join(" ")).not.toContain("vm-100-disk-2");
    expect(vm.snapshots.map((s) => s.name)).toEqual(["pre-upgrade"]);
    // Token and ticket callers both ran tasks: the UPIDs name root@pam!mpc and root@pam.
    expect(sim.cluster.tasks.all().find((t) => t.type === "vzcreate" && t.id === "710")!.user).toBe("root@pam");
    expect(resize.user).toBe("root@pam!mpc");
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    expect(r.stdout + r.stderr).not.toContain(TOKEN_SECRET);
  }, 180_000);
});
