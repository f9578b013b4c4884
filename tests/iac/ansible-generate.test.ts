/**
 * generateAnsible as a pure function: determinism, group names, templates,
 * static IP selection, host names, and the dynamic inventory's settings.
 */
import { load } from "js-yaml";
import { UsageError } from "../../src/core/errors.js";
import { generateAnsible, groupName, hostNames, pluginUrl, splitTokenId } from "../../src/iac/ansible/index.js";
import type { GuestRecord } from "../../src/state/types.js";
import { guestRecords, OPTIONS, RAW_GUESTS, type RawGuest } from "./ansible-fixtures.js";

interface InventoryDoc {
  all: { hosts: Record<string, Record<string, unknown>>; children: Record<string, { hosts?: Record<string, unknown> }> };
}

const fileOf = (guests: GuestRecord[], path: string, options = OPTIONS): string => {
  const file = generateAnsible(guests, options).find((f) => f.path === path);
  if (!file) throw new Error(`no ${path}`);
  return file.content;
};
const inventory = (guests: GuestRecord[]): InventoryDoc => load(fileOf(guests, "inventory.yml")) as InventoryDoc;
const members = (doc: InventoryDoc, group: string): string[] => Object.keys(doc.all.children[group]?.hosts ?? {});

describe("generateAnsible", () => {
  test("lists the files sorted by path, with stubs marked as stubs", () => {
    const files = generateAnsible(guestRecords(), OPTIONS);
    expect(files.map((f) => [f.path, f.kind])).toEqual([
      ["ansible.cfg", "stub"],
      ["inventory.yml", "generated"],
      ["playbooks/baseline.yml", "stub"],
      ["playbooks/ping.yml", "stub"],
      ["playbooks/qemu-guest-agent.yml", "stub"],
      ["playbooks/site.yml", "stub"],
      ["proxmox.yml", "generated"],
    ]);
  });

  test("is deterministic: shuffled guests and copies give byte-identical output", () => {
    const guests = guestRecords();
    const first = generateAnsible(guests, OPTIONS);
    const shuffled = [guests[3], guests[0], guests[5], guests[2], guests[4], guests[1]].map((g) => structuredClone(g));
    expect(generateAnsible(shuffled, structuredClone(OPTIONS))).toEqual(first);
    expect(generateAnsible([...guests].reverse(), OPTIONS).map((f) => f.content).join("\0")).toBe(first.map((f) => f.content).join("\0"));
  });

  test("makes every non-template guest a host with its proxmox_* variables", () => {
    const doc = inventory(guestRecords());
    expect(Object.keys(doc.all.hosts)).toEqual(["cache", "db-main", "dns-01", "web-01", "web-02"]);
    expect(doc.all.hosts["web-01"]).toEqual({
      ansible_host: "10.0.0.11",
      proxmox_cores: 2,
      proxmox_memory_mb: 2048,
      proxmox_node: "pve1",
      proxmox_tags: ["web", "prod"],
      proxmox_type: "qemu",
      proxmox_vmid: 101,
    });
    expect(doc.all.hosts["web-02"].proxmox_cores).toBe(2); // 1 core x 2 sockets
    expect(doc.all.hosts["dns-01"].proxmox_type).toBe("lxc");
  });

  test("leaves templates out of hosts and groups", () => {
    const text = fileOf(guestRecords(), "inventory.yml");
    expect(text).not.toContain("debian-12-tpl");
    expect(text).not.toContain("tag_template");
    expect(text).not.toContain("10.0.0.90");
  });

  test("groups by node, type, status and tag with valid group names", () => {
    const doc = inventory(guestRecords());
    expect(Object.keys(doc.all.children)).toEqual(["lxc", "node_pve1", "node_pve_2", "qemu", "running", "stopped", "tag_db_primary", "tag_infra", "tag_prod", "tag_web"]);
    expect(members(doc, "node_pve_2")).toEqual(["db-main", "dns-01"]);
    expect(members(doc, "qemu")).toEqual(["db-main", "web-01", "web-02"]);
    expect(members(doc, "lxc")).toEqual(["cache", "dns-01"]);
    expect(members(doc, "running")).toEqual(["db-main", "dns-01", "web-01"]);
    expect(members(doc, "stopped")).toEqual(["cache", "web-02"]);
    expect(members(doc, "tag_web")).toEqual(["web-01", "web-02"]);
    for (const name of Object.keys(doc.all.children)) expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
  });

  test("keeps the fixed groups when empty and adds other statuses", () => {
    const paused: RawGuest = { vmid: 300, type: "qemu", node: "pve1", status: "paused", config: { name: "odd", cores: 1, memory: "512" } };
    const doc = inventory(guestRecords([paused]));
    expect(doc.all.children.lxc).toEqual({});
    expect(doc.all.children.running).toEqual({});
    expect(members(doc, "paused")).toEqual(["odd"]);
    expect(inventory([])).toEqual({ all: { hosts: {}, children: { lxc: {}, qemu: {}, running: {}, stopped: {} } } });
  });

  test("group names: letters, digits and underscores, never a leading digit", () => {
    expect(groupName("node", "pve-1.lab")).toBe("node_pve_1_lab");
    expect(groupName("tag", "db+primary")).toBe("tag_db_primary");
    expect(groupName("", "9lives")).toBe("_lives");
    expect(groupName("", "running")).toBe("running");
    expect(groupName("tag", "café")).toBe("tag_caf_");
  });

  test("ansible_host is the first static IP: ipconfig1 when ipconfig0 is DHCP, lxc ip=, none for DHCP only", () => {
    const doc = inventory(guestRecords());
    expect(doc.all.hosts["web-02"].ansible_host).toBe("192.168.7.2");
    expect(doc.all.hosts["dns-01"].ansible_host).toBe("10.0.0.53");
    expect(doc.all.hosts["db-main"]).not.toHaveProperty("ansible_host");
    expect(doc.all.hosts.cache).not.toHaveProperty("ansible_host");
    const [guest] = guestRecords([RAW_GUESTS[0]]);
    const odd = { ...guest, ipAddresses: ["dhcp", "fd00::5/64", "10.9.9.9"] };
    expect(inventory([odd]).all.hosts["web-01"].ansible_host).toBe("fd00::5");
  });

  test("guests sharing a name become <name>-<vmid>, so none is lost", () => {
    const twin: RawGuest = { ...RAW_GUESTS[0], vmid: 150, node: "pve-2" };
    const guests = guestRecords([RAW_GUESTS[0], twin, RAW_GUESTS[3]]);
    expect([...hostNames(guests).values()].sort()).toEqual(["dns-01", "web-01-101", "web-01-150"]);
    const doc = inventory(guests);
    expect(doc.all.hosts["web-01-150"].proxmox_node).toBe("pve-2");
    expect(members(doc, "node_pve_2")).toEqual(["dns-01", "web-01-150"]);
  });

  test("site.yml imports every per-role playbook", () => {
    const site = load(fileOf(guestRecords(), "playbooks/site.yml")) as Array<Record<string, string>>;
    expect(site.map((p) => p["ansible.builtin.import_playbook"])).toEqual(["ping.yml", "baseline.yml", "qemu-guest-agent.yml"]);
  });
});

describe("proxmox.yml (dynamic inventory)", () => {
  const dynamic = (options = OPTIONS): Record<string, unknown> => load(fileOf(guestRecords(), "proxmox.yml", options)) as Record<string, unknown>;

  test("points the plugin at the workspace's server and token, with no secret", () => {
    const doc = dynamic();
    expect(doc).toMatchObject({ plugin: "community.general.proxmox", url: "https://pve1.example.com:8006", user: "automation@pve", token_id: "mpc", want_facts: true });
    expect(doc.token_secret).toContain("lookup('ansible.builtin.env', 'PROXMOX_VE_API_TOKEN')");
    expect(doc).not.toHaveProperty("password");
  });

  test("validate_certs is off only for an insecure workspace", () => {
    expect(dynamic().validate_certs).toBe(true);
    expect(dynamic({ ...OPTIONS, tls: { ca: "/etc/pve-ca.pem" } }).validate_certs).toBe(true);
    expect(dynamic({ ...OPTIONS, tls: { insecure: true } }).validate_certs).toBe(false);
  });

  test("keyed groups mirror inventory.yml's groups", () => {
    const keys = (dynamic().keyed_groups as Array<{ key: string; prefix: string }>).map((k) => `${k.prefix}:${k.key.split(" ")[0]}`);
    expect(keys).toEqual(["node:proxmox_node", ":proxmox_vmtype", ":proxmox_status", "tag:proxmox_tags_parsed"]);
  });

  test("url and token id parsing", () => {
    expect(pluginUrl("https://pve:8006/api2/json/")).toBe("https://pve:8006");
    expect(pluginUrl("pve.lab:8006")).toBe("https://pve.lab:8006");
    expect(pluginUrl("http://127.0.0.1:1234")).toBe("http://127.0.0.1:1234");
    expect(splitTokenId("root@pam!ci-1")).toEqual({ user: "root@pam", tokenId: "ci-1" });
    expect(() => splitTokenId("root@pam")).toThrow(UsageError);
    expect(() => generateAnsible([], { ...OPTIONS, tokenId: "nobody" })).toThrow(/user@realm!tokenid/);
  });
});
