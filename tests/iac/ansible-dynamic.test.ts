/**
 * proxmox.yml with the real community.general.proxmox inventory plugin
 * (community.general 6.6) against a small PVE API on 127.0.0.1 serving the
 * same guests the static inventory was built from. The plugin must produce
 * the same hosts, groups and host variables as inventory.yml, authenticate
 * with the token from the environment, and fail clearly without it.
 */
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildInventory, generateAnsible } from "../../src/iac/ansible/index.js";
import { createSelfSignedCert } from "../../src/sim/tls.js";
import { ansibleEnv, ansibleInstalled, type FakePve, guestRecords, OPTIONS, RAW_GUESTS, run, SECRET, startFakePve, tempDir } from "./ansible-fixtures.js";

const haveAnsible = await ansibleInstalled();
if (!haveAnsible) console.warn("Skipping the dynamic inventory tests: ansible-inventory is not installed (apt-get install -y ansible).");
const maybe = haveAnsible ? describe : describe.skip;

interface InventoryList {
  _meta: { hostvars: Record<string, Record<string, unknown>> };
  [group: string]: { hosts?: string[]; children?: string[] } | InventoryList["_meta"];
}

let root: string;
let server: FakePve;
let config: string;

beforeAll(async () => {
  if (!haveAnsible) return;
  root = await tempDir("mpc-ansible-dynamic-");
  server = await startFakePve(RAW_GUESTS, OPTIONS.tokenId, SECRET);
  const file = generateAnsible(guestRecords(), { ...OPTIONS, endpoint: `${server.url}/api2/json` }).find((f) => f.path === "proxmox.yml");
  config = join(root, "proxmox.yml");
  await writeFile(config, file?.content ?? "");
});
afterAll(async () => {
  await server?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

/** ansible-inventory --list on proxmox.yml with these environment variables. */
const inventory = (extra: Record<string, string>) =>
  run("ansible-inventory", ["-i", config, "--list"], root, ansibleEnv(root, { ANSIBLE_INVENTORY_UNPARSED_FAILED: "1", ...extra }));
const hostsOf = (list: InventoryList, group: string): string[] => [...(((list[group] as { hosts?: string[] }) ?? {}).hosts ?? [])].sort();

maybe("proxmox.yml with the community.general.proxmox plugin", () => {
  test("produces the static inventory's hosts, groups and variables from the live API", async () => {
    server.seen.length = 0;
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
    expect(server.seen.map((s) => s.authorization)).toEqual(server.seen.map(() => `PVEAPIToken=${OPTIONS.tokenId}=${SECRET}`));
    expect(server.seen.map((s) => s.path)).toContain("/api2/json/nodes/pve1/qemu/101/config");
  });

  test("takes the secret from PROXMOX_TOKEN_SECRET too", async () => {
    const r = await inventory({ PROXMOX_TOKEN_SECRET: SECRET });
    expect(r.code).toBe(0);
    expect(hostsOf(JSON.parse(r.stdout) as InventoryList, "tag_web")).toEqual(["web-01", "web-02"]);
  });

  test("without a secret it stops before any request and says what to set", async () => {
    server.seen.length = 0;
    const r = await inventory({});
    expect(r.code).not.toBe(0);
    expect(r.stderr.replace(/\s+/g, " ")).toContain("Set PROXMOX_VE_API_TOKEN=user@realm!tokenid=secret");
    expect(server.seen).toHaveLength(0);
  });

  test("a wrong secret is refused by the server, and never printed", async () => {
    const r = await inventory({ PROXMOX_VE_API_TOKEN: `${OPTIONS.tokenId}=not-the-secret` });
    expect(r.code).not.toBe(0);
    expect(r.stderr.replace(/\s+/g, " ")).toMatch(/401 Client Error/);
    expect(r.stderr + r.stdout).not.toContain("not-the-secret");
  });

  test("HTTPS: certificates are checked (REQUESTS_CA_BUNDLE trusts the cluster CA), except for an --insecure workspace", async () => {
    const cert = createSelfSignedCert("127.0.0.1");
    const tlsServer = await startFakePve(RAW_GUESTS, OPTIONS.tokenId, SECRET, cert);
    try {
      const file = generateAnsible(guestRecords(), { ...OPTIONS, endpoint: tlsServer.url, tls: { fingerprint: cert.fingerprint } }).find((f) => f.path === "proxmox.yml");
      const tlsConfig = join(root, "tls.proxmox.yml");
      const ca = join(root, "pve-root-ca.pem");
      await writeFile(tlsConfig, file?.content ?? "");
      await writeFile(ca, cert.certPem);
      const runTls = (extra: Record<string, string>) =>
        run("ansible-inventory", ["-i", tlsConfig, "--list"], root, ansibleEnv(root, { ANSIBLE_INVENTORY_UNPARSED_FAILED: "1", PROXMOX_TOKEN_SECRET: SECRET, ...extra }));
      const untrusted = await runTls({});
      expect(untrusted.code).not.toBe(0);
      expect(untrusted.stderr.replace(/\s+/g, " ")).toMatch(/CERTIFICATE_VERIFY_FAILED/);
      const trusted = await runTls({ REQUESTS_CA_BUNDLE: ca });
      expect({ code: trusted.code, stderr: trusted.stderr }).toEqual({ code: 0, stderr: "" });
      expect(hostsOf(JSON.parse(trusted.stdout) as InventoryList, "qemu")).toEqual(["db-main", "web-01", "web-02"]);
      const insecure = generateAnsible(guestRecords(), { ...OPTIONS, endpoint: tlsServer.url, tls: { insecure: true } }).find((f) => f.path === "proxmox.yml");
      await writeFile(tlsConfig, insecure?.content ?? "");
      const unchecked = await runTls({});
      expect(unchecked.code).toBe(0);
      expect(hostsOf(JSON.parse(unchecked.stdout) as InventoryList, "lxc")).toEqual(["cache", "dns-01"]);
    } finally {
      await tlsServer.close();
    }
  });
});
