/**
 * The MCP resources through a real SDK Client (in-memory transport) against
 * a workspace synced from the simulator, each read running the real command
 * as actor mcp: every resource is listed and readable with the data its
 * command gives, one resource per guest by template (listed, completed and
 * read by name or vmid), each IaC file exactly as on disk, path traversal
 * refused, and the token (a canary) in no resource.
 */
import { appendFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { registerResources } from "../../src/mcp/resources.js";
import type { McpScope } from "../../src/mcp/scope.js";
import { cli } from "../helpers/cli.js";
import { connectClient, testMcpScope } from "../helpers/mcp-scope.js";
import { guestName, initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

const TOKEN_SECRET = "canary-mcp-token-5c1e8f03";
const CIPASSWORD = "canary-mcp-cipassword-2290";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let scope: McpScope;
let client: Client;
let close: () => Promise<void>;

beforeAll(async () => {
  sim = await startSim({ size: 10, randomSeed: 1, token: `root@pam!mpc=${TOKEN_SECRET}` });
  sim.cluster.guests().find((g) => g.type === "qemu")!.config.cipassword = CIPASSWORD;
  ws = await initWorkspace(sim);
  writeFileSync(join(ws.dir, ".proxmox-mpc", "secrets"), `${TOKEN_SECRET}\n`, { mode: 0o600 });
  expect((await ws.run(["sync"])).code).toBe(0);
  // A line that quotes the token, as a careless log line would.
  const now = new Date().toISOString();
  appendFileSync(join(ws.dir, ".proxmox-mpc", "logs", `${now.slice(0, 10)}.jsonl`), `${JSON.stringify({ level: "warn", time: now, correlationId: "c-canary0001", command: "sync", msg: `retrying with root@pam!mpc=${TOKEN_SECRET} and ${TOKEN_SECRET}` })}\n`);
  mkdirSync(join(ws.dir, "ansible", "group_vars"), { recursive: true });
  writeFileSync(join(ws.dir, "ansible", "group_vars", "all.yml"), "ansible_user: deploy\n");
  writeFileSync(join(ws.dir, "ansible", "id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\nnot served\n-----END OPENSSH PRIVATE KEY-----\n");
  symlinkSync(join(ws.dir, ".proxmox-mpc", "secrets"), join(ws.dir, "terraform", "leak.tf"));
  scope = await testMcpScope(ws.dir, ws.env);
  ({ client, close } = await connectClient((server) => registerResources(server, scope)));
}, 60_000);
afterAll(async () => {
  await close?.();
  ws?.cleanup();
  await sim?.close();
});

const FIXED = ["workspace", "nodes", "guests", "vms", "containers", "storage", "status", "operations", "logs", "health"].map((p) => `proxmox-mpc://${p}`);

async function readText(uri: string): Promise<{ text: string; mimeType?: string; all: string }> {
  const { contents } = await client.readResource({ uri });
  const texts = contents.map((c) => ("text" in c ? String(c.text) : ""));
  expect(contents[0].uri).toBe(uri);
  return { text: texts[0], mimeType: contents[0].mimeType, all: texts.join("\n") };
}

async function readJson<T = unknown>(uri: string): Promise<T> {
  const { text, mimeType } = await readText(uri);
  expect(mimeType).toBe("application/json");
  return JSON.parse(text) as T;
}

function simGuests(type?: "qemu" | "lxc"): { name: string; vmid: number; type: string }[] {
  return sim.cluster
    .guests()
    .filter((g) => !type || g.type === type)
    .map((g) => ({ name: guestName(g), vmid: g.vmid, type: g.type }));
}

it("lists every resource: the fixed ones, one per guest and one per IaC file", async () => {
  const { resources } = await client.listResources();
  const uris = resources.map((r) => r.uri);
  expect(uris).toEqual(expect.arrayContaining(FIXED));
  for (const g of simGuests()) expect(uris).toContain(`proxmox-mpc://guests/${encodeURIComponent(g.name)}`);
  expect(uris).toEqual(expect.arrayContaining(["proxmox-mpc://iac/terraform/provider.tf", "proxmox-mpc://iac/ansible/inventory.yml", "proxmox-mpc://iac/ansible/group_vars/all.yml"]));
  expect(uris.filter((u) => u.startsWith("proxmox-mpc://iac/terraform/")).length).toBeGreaterThan(simGuests().length);
  const { resourceTemplates } = await client.listResourceTemplates();
  expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual(["proxmox-mpc://guests/{name}", "proxmox-mpc://iac/{+path}"]);
});

it("nodes, guests, VMs, containers and storage are what the sync stored", async () => {
  const nodes = await readJson<{ name: string; maxmem: number }[]>("proxmox-mpc://nodes");
  expect(nodes.map((n) => n.name).sort()).toEqual([...sim.cluster.nodes.keys()].sort());
  const byVmid = (rows: { vmid: number }[]): number[] => rows.map((r) => r.vmid).sort((a, b) => a - b);
  expect(byVmid(await readJson("proxmox-mpc://guests"))).toEqual(byVmid(simGuests()));
  expect(byVmid(await readJson("proxmox-mpc://vms"))).toEqual(byVmid(simGuests("qemu")));
  const cts = await readJson<{ vmid: number; type: string }[]>("proxmox-mpc://containers");
  expect(cts.length).toBeGreaterThan(0);
  expect(byVmid(cts)).toEqual(byVmid(simGuests("lxc")));
  const storage = await readJson<{ node: string; storage: string; total: number }[]>("proxmox-mpc://storage");
  expect(storage.length).toBeGreaterThan(0);
  for (const s of storage) expect(sim.cluster.storagesOn(s.node).map((x) => x.storage)).toContain(s.storage);
});

it("status gives the last sync and the drift; health its checks; logs and operations the recent runs", async () => {
  const status = await readJson<{ lastSync: { guests: number } | null; drift: unknown }>("proxmox-mpc://status");
  expect(status.lastSync?.guests).toBe(simGuests().length);
  expect(status).toHaveProperty("drift");
  const health = await readJson<{ status: string; checks: { name: string; status: string }[] }>("proxmox-mpc://health");
  expect(health.checks.length).toBeGreaterThan(5);
  expect(health.checks.map((c) => c.name)).toEqual(expect.arrayContaining([expect.stringMatching(/Proxmox server/i)]));
  const logs = await readJson<{ operation: string; message: string }[]>("proxmox-mpc://logs");
  expect(logs.some((e) => e.operation === "sync" && e.message === "command finished")).toBe(true);
  const operations = await readJson<{ command: string; actor: string; result: string; startedAt: string }[]>("proxmox-mpc://operations");
  expect(operations).toContainEqual(expect.objectContaining({ command: "sync", actor: "cli", result: "ok", startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }));
  // Reading the resources ran commands as the mcp actor, and they are operations too.
  expect(operations).toContainEqual(expect.objectContaining({ command: "get", actor: "mcp", result: "ok" }));
});

it("the workspace resource is the config without secrets, and the policy", async () => {
  const data = await readJson<{ name: string; config: { endpoint: string; tokenId: string }; policy: { readOnly: boolean }; iacFiles: string[] }>("proxmox-mpc://workspace");
  expect(data.config).toMatchObject({ endpoint: sim.url, tokenId: "root@pam!mpc" });
  expect(data.policy.readOnly).toBe(true);
  expect(data.iacFiles).toContain("terraform/provider.tf");
});

it("one resource per guest: the template lists every guest, completes names, and reads one by name or vmid", async () => {
  const { resources } = await client.listResources();
  const listed = resources.filter((r) => r.uri.startsWith("proxmox-mpc://guests/")).map((r) => decodeURIComponent(r.uri.slice("proxmox-mpc://guests/".length)));
  expect(listed.sort()).toEqual(simGuests().map((g) => g.name).sort());
  const ct = simGuests("lxc")[0];
  const one = await readJson<{ vmid: number; name: string; type: string; disks: unknown[]; iacFile: string | null }>(`proxmox-mpc://guests/${encodeURIComponent(ct.name)}`);
  expect(one).toMatchObject({ vmid: ct.vmid, name: ct.name, type: "lxc" });
  expect(one.disks.length).toBeGreaterThan(0);
  expect(one.iacFile).toMatch(/^terraform\/.+\.tf$/);
  const vm = simGuests("qemu")[0];
  expect(await readJson(`proxmox-mpc://guests/${vm.vmid}`)).toMatchObject({ vmid: vm.vmid, name: vm.name, type: "qemu" });
  await expect(client.readResource({ uri: "proxmox-mpc://guests/no-such-guest" })).rejects.toThrow(/No guest named "no-such-guest"/);
  const prefix = vm.name.slice(0, 3);
  const completed = await client.complete({ ref: { type: "ref/resource", uri: "proxmox-mpc://guests/{name}" }, argument: { name: "name", value: prefix } });
  expect(completed.completion.values.sort()).toEqual(simGuests().filter((g) => g.name.startsWith(prefix)).map((g) => g.name).sort());
});

it("each IaC file reads exactly as it is on disk, with its type", async () => {
  const { resources } = await client.listResources();
  const files = resources.filter((r) => r.uri.startsWith("proxmox-mpc://iac/"));
  for (const r of files) {
    const path = r.uri.slice("proxmox-mpc://iac/".length);
    const { text, mimeType } = await readText(r.uri);
    expect({ path, text }).toEqual({ path, text: readFileSync(join(ws.dir, path), "utf8") });
    expect(mimeType).toBe(path.endsWith(".tf") ? "text/x-hcl" : /\.ya?ml$/.test(path) ? "text/yaml" : mimeType);
  }
  expect(files.map((r) => r.uri)).not.toContain("proxmox-mpc://iac/ansible/id_ed25519");
  expect(files.map((r) => r.uri)).not.toContain("proxmox-mpc://iac/terraform/leak.tf");
});

it.each([
  "proxmox-mpc://iac/../.proxmox-mpc/secrets",
  "proxmox-mpc://iac/terraform/../../.proxmox-mpc/secrets",
  "proxmox-mpc://iac/terraform/%2e%2e/.proxmox-mpc/secrets",
  "proxmox-mpc://iac/terraform/..%2F.proxmox-mpc%2Fsecrets",
  "proxmox-mpc://iac/%2Fetc%2Fpasswd",
  "proxmox-mpc://iac/.proxmox-mpc/secrets",
  "proxmox-mpc://iac/terraform/leak.tf",
  "proxmox-mpc://iac/ansible/id_ed25519",
])("refuses %s", async (uri) => {
  const read = client.readResource({ uri });
  await expect(read).rejects.toThrow(/Cannot read IaC file/);
  await expect(read).rejects.not.toThrow(new RegExp(TOKEN_SECRET));
});

it("no resource carries the token secret or a guest's cipassword", async () => {
  const { resources } = await client.listResources();
  expect(JSON.stringify(resources)).not.toContain(TOKEN_SECRET);
  let read = 0;
  for (const r of resources) {
    const { all } = await readText(r.uri);
    expect({ uri: r.uri, token: all.includes(TOKEN_SECRET), cipassword: all.includes(CIPASSWORD) }).toEqual({ uri: r.uri, token: false, cipassword: false });
    read++;
  }
  expect(read).toBe(resources.length);
  // The planted line is served, its secret redacted.
  expect((await readText("proxmox-mpc://logs")).text).toContain("retrying with root@pam!mpc=[REDACTED] and [REDACTED]");
  // And the guest with the password shows that it has one.
  const guest = sim.cluster.guests().find((g) => g.config.cipassword === CIPASSWORD)!;
  expect((await readText(`proxmox-mpc://guests/${guest.vmid}`)).text).toMatch(/"cipassword": "(\[REDACTED\]|\*+)"/);
}, 60_000);
