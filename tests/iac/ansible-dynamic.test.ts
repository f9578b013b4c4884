/**
 * proxmox.yml with the real community.general.proxmox inventory plugin
 * (community.general 6.6) against the simulator (`proxmox-mpc sim`) holding
 * the same guests the static inventory was built from, in pools. The plugin
 * must produce the same hosts, groups and host variables as inventory.yml
 * plus its pool groups, authenticate with the token from the environment,
 * and fail clearly without it.
 */
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildInventory, generateAnsible } from "../../src/iac/ansible/index.js";
import type { SeedDocument } from "../../src/sim/index.js";
import { describeWith } from "../helpers/real-parts.js";
import { startSim, type RunningSimulator } from "../helpers/sim.js";
import { ansibleEnv, guestRecords, OPTIONS, RAW_GUESTS, run, SECRET, tempDir } from "./ansible-fixtures.js";

/** Pools of some guests: the plugin makes proxmox_pool_<pool> groups of them. */
const POOLS: Record<number, string> = { 101: "web", 102: "web", 200: "infra" };

/** RAW_GUESTS as a simulator seed, with the workspace's token. */
const SEED: SeedDocument = {
  nodes: [...new Set(RAW_GUESTS.map((g) => g.node))].sort().map((name) => ({ name })),
  guests: RAW_GUESTS.map((g) => ({ vmid: g.vmid, type: g.type, node: g.node, status: g.status === "running" ? "running" : "stopped", pool: POOLS[g.vmid], config: g.config })),
  tokens: [{ token: `${OPTIONS.tokenId}=${SECRET}`, privileges: "all" }],
};

interface InventoryList {
  _meta: { hostvars: Record<string, Record<string, unknown>> };
  [group: string]: { hosts?: string[]; children?: string[] } | InventoryList["_meta"];
}

let root: string;
let sim: RunningSimulator;
let config: string;

/** ansible-inventory --list on proxmox.yml with these environment variables. */
const inventory = (extra: Record<string, string>) =>
  run("ansible-inventory", ["-i", config, "--list"], root, ansibleEnv(root, { ANSIBLE_INVENTORY_UNPARSED_FAILED: "1", ...extra }));
const hostsOf = (list: InventoryList, group: string): string[] => [...(((list[group] as { hosts?: string[] }) ?? {}).hosts ?? [])].sort();

describeWith("ansible")("proxmox.yml with the community.general.proxmox plugin", () => {
  beforeAll(async () => {
    root = await tempDir("mpc-ansible-dynamic-");
    sim = await startSim({ seed: SEED });
    const file = generateAnsible(guestRecords(), { ...OPTIONS, endpoint: `${sim.url}/api2/json` }).find((f) => f.path === "proxmox.yml");
    config = join(root, "proxmox.yml");
    await writeFile(config, file?.content ?? "");
  });
  afterAll(async () => {
    await sim.close();
    await rm(root, { recursive: true, force: true });
  });

  test("produces the static inventory's hosts, groups and variables from the live API, plus pool groups", async () => {
    const before = sim.stats().requests;
    const r = await inventory({ PROXMOX_VE_API_TOKEN: `${OPTIONS.tokenId}=${SECRET}` });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    const list = JSON.parse(r.stdout) as InventoryList;
    const model = buildInventory(guestRecords());

    const guestHosts = Object.keys(list._meta.hostvars).filter((h) => !hostsOf(list, "proxmox_nodes").includes(h));
    expect(guestHosts.sort()).toEqual(model.hosts.map((h) => h.name));
    for (const group of model.groups) expect([group.name, hostsOf(list, group.name)]).toEqual([group.name, group.hosts]);
    for (const { name, vars } of model.hosts) {
      const live = list._meta.hostvars[name];
      // Composed values come back as text (Jinja without native types); compare as text.
      const picked = Object.fromEntries(Object.keys(vars).map((k) => [k, Array.isArray(live[k]) ? live[k] : String(live[k])]));
      const expected = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, Array.isArray(v) ? v : String(v)]));
      expect([name, picked]).toEqual([name, expected]);
      if (!vars.ansible_host) expect({ name, ansible_host: live.ansible_host }).toEqual({ name, ansible_host: undefined });
    }
    // Pools (GET /pools, /pools/{poolid}) become groups; the template is no host, as in inventory.yml.
    expect(hostsOf(list, "proxmox_pool_web")).toEqual(["web-01", "web-02"]);
    expect(hostsOf(list, "proxmox_pool_infra")).toEqual(["dns-01"]);
    expect(hostsOf(list, "proxmox_nodes")).toEqual(["pve-2", "pve1"]);
    // Nodes, guest lists, pools and, per guest, config, status and snapshots: all answered with the token.
    expect(sim.stats().requests - before).toBeGreaterThanOrEqual(1 + 2 * 2 + 1 + 2 + 5 * 3);
  });

  test("takes the secret from PROXMOX_TOKEN_SECRET too", async () => {
    const r = await inventory({ PROXMOX_TOKEN_SECRET: SECRET });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(hostsOf(JSON.parse(r.stdout) as InventoryList, "tag_web")).toEqual(["web-01", "web-02"]);
  });

  test("without a secret it stops before any request and says what to set", async () => {
    const before = sim.stats().requests;
    const r = await inventory({});
    expect(r.code).not.toBe(0);
    expect(r.stderr.replace(/\s+/g, " ")).toContain("Set PROXMOX_VE_API_TOKEN=user@realm!tokenid=secret");
    expect(sim.stats().requests).toBe(before);
  });

  test("a wrong secret is refused by the server, and never printed", async () => {
    const r = await inventory({ PROXMOX_VE_API_TOKEN: `${OPTIONS.tokenId}=not-the-secret` });
    expect(r.code).not.toBe(0);
    expect(r.stderr.replace(/\s+/g, " ")).toMatch(/401 Client Error/);
    expect(r.stderr + r.stdout).not.toContain("not-the-secret");
  });

  test("HTTPS: certificates are checked (REQUESTS_CA_BUNDLE trusts the cluster CA), except for an --insecure workspace", async () => {
    const tlsSim = await startSim({ seed: SEED, tls: true });
    try {
      const file = generateAnsible(guestRecords(), { ...OPTIONS, endpoint: tlsSim.url, tls: { fingerprint: tlsSim.fingerprint! } }).find((f) => f.path === "proxmox.yml");
      const tlsConfig = join(root, "tls.proxmox.yml");
      const ca = join(root, "pve-root-ca.pem");
      await writeFile(tlsConfig, file?.content ?? "");
      await writeFile(ca, tlsSim.caPem!);
      const runTls = (extra: Record<string, string>) =>
        run("ansible-inventory", ["-i", tlsConfig, "--list"], root, ansibleEnv(root, { ANSIBLE_INVENTORY_UNPARSED_FAILED: "1", PROXMOX_TOKEN_SECRET: SECRET, ...extra }));
      const untrusted = await runTls({});
      expect(untrusted.code).not.toBe(0);
      expect(untrusted.stderr.replace(/\s+/g, " ")).toMatch(/CERTIFICATE_VERIFY_FAILED/);
      const trusted = await runTls({ REQUESTS_CA_BUNDLE: ca });
      expect({ code: trusted.code, stderr: trusted.stderr }).toEqual({ code: 0, stderr: "" });
      expect(hostsOf(JSON.parse(trusted.stdout) as InventoryList, "qemu")).toEqual(["db-main", "web-01", "web-02"]);
      const insecure = generateAnsible(guestRecords(), { ...OPTIONS, endpoint: tlsSim.url, tls: { insecure: true } }).find((f) => f.path === "proxmox.yml");
      await writeFile(tlsConfig, insecure?.content ?? "");
      const unchecked = await runTls({});
      expect(unchecked.code).toBe(0);
      expect(hostsOf(JSON.parse(unchecked.stdout) as InventoryList, "lxc")).toEqual(["cache", "dns-01"]);
    } finally {
      await tlsSim.close();
    }
  }, 120_000);
});
