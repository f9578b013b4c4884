/**
 * `create` and `delete` write and remove the desired state: files, vmids,
 * validation (exit 2, nothing written), the inventory entry, and the
 * round trip through the real HCL parser.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseTerraformFile } from "../../src/iac/terraform/index.js";
import { guestName, initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeAll(async () => {
  sim = await startSim({ size: 30, randomSeed: 21 });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
});
afterAll(async () => {
  await sim.close();
  ws.cleanup();
});

const tf = (file: string): string => readFileSync(join(ws.dir, "terraform", file), "utf8");

it("create vm writes terraform/<name>.tf with a free vmid, the default node and storage, and an inventory entry", async () => {
  const run = await ws.run(["create", "vm", "--name", "new-web-01", "--cores", "4", "--memory", "4G", "--disk", "40", "--tag", "web", "-o", "json"]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  const [created] = JSON.parse(run.stdout).created;
  expect(created).toMatchObject({ name: "new-web-01", node: "pve1", file: "terraform/new_web_01.tf" });
  expect(sim.cluster.guest(created.vmid)).toBeUndefined();
  const parsed = await parseTerraformFile("new_web_01.tf", tf("new_web_01.tf"));
  expect(parsed.errors).toEqual([]);
  const spec = parsed.specs[0];
  expect(spec).toMatchObject({ kind: "qemu", name: "new-web-01", vmid: created.vmid, node: "pve1", tags: ["web"] });
  expect(spec.cpu.cores).toBe(4);
  expect(spec.memory.dedicated).toBe(4096);
  if (spec.kind !== "qemu") throw new Error("expected a VM spec");
  expect(spec.disks[0]).toMatchObject({ datastoreId: "local-lvm", sizeGiB: 40 });
  expect(readFileSync(join(ws.dir, "ansible", "inventory.yml"), "utf8")).toMatch(new RegExp(`new-web-01:[\\s\\S]*?proxmox_vmid: ${created.vmid}`));
});

it("a second create never reuses a pending vmid", async () => {
  const first = JSON.parse((await ws.run(["create", "vm", "--name", "new-web-02", "-o", "json"])).stdout).created[0];
  const second = JSON.parse((await ws.run(["create", "vm", "--name", "new-web-03", "-o", "json"])).stdout).created[0];
  expect(second.vmid).not.toBe(first.vmid);
  expect(new Set(readdirSync(join(ws.dir, "terraform")).filter((f) => f.startsWith("new_web")))).toEqual(new Set(["new_web_01.tf", "new_web_02.tf", "new_web_03.tf"]));
});

it("--count with {n} creates several, --clone uses a template, static IPs count up", async () => {
  const template = sim.cluster.guests().find((g) => g.template && g.type === "qemu")!;
  const run = await ws.run(["create", "vm", "--name", "batch-{n}", "--count", "3", "--clone", guestName(template), "--ip", "10.99.0.10/24", "--gateway", "10.99.0.1", "-o", "json"]);
  expect(run.code).toBe(0);
  const created = JSON.parse(run.stdout).created;
  expect(created.map((c: { name: string }) => c.name)).toEqual(["batch-01", "batch-02", "batch-03"]);
  const spec = (await parseTerraformFile("batch_03.tf", tf("batch_03.tf"))).specs[0];
  expect(spec.clone?.vmId).toBe(template.vmid);
  expect(tf("batch_03.tf")).toContain('address = "10.99.0.12/24"');
});

it("create ct picks the newest container template on the node and says so", async () => {
  const run = await ws.run(["create", "ct", "--name", "new-ct-01", "--memory", "512"]);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/OS template: local:vztmpl\/\S+ \(the newest on the node\)/);
  expect(tf("new_ct_01.tf")).toMatch(/template_file_id = "local:vztmpl\//);
});

it("create ct refuses an --ostemplate the node does not have, naming the ones it has; --force writes it with a warning", async () => {
  const before = readdirSync(join(ws.dir, "terraform")).sort();
  const refused = await ws.run(["create", "ct", "--name", "tmpl-01", "--ostemplate", "local:vztmpl/nope.tar.zst"]);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/The container template local:vztmpl\/nope\.tar\.zst is not on node pve1/);
  expect(refused.stderr).toMatch(/Templates on pve1: local:vztmpl\/\S+/);
  expect(refused.stderr).toMatch(/--force/);
  expect(readdirSync(join(ws.dir, "terraform")).sort()).toEqual(before);
  const forced = await ws.run(["create", "ct", "--name", "tmpl-01", "--ostemplate", "local:vztmpl/nope.tar.zst", "--force"]);
  expect(forced.code).toBe(0);
  expect(forced.stderr).toMatch(/local:vztmpl\/nope\.tar\.zst is not on pve1 yet/);
  expect(tf("tmpl_01.tf")).toContain('template_file_id = "local:vztmpl/nope.tar.zst"');
});

it("create ct accepts an --ostemplate that is on the node", async () => {
  const templates = JSON.parse((await ws.run(["create", "ct", "--name", "tmpl-02", "--dry-run", "-o", "json"])).stdout).files[0].content.match(/template_file_id = "([^"]+)"/)[1];
  const run = await ws.run(["create", "ct", "--name", "tmpl-02", "--ostemplate", templates]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
});

it("a name already planned in terraform/ is refused", async () => {
  expect((await ws.run(["create", "vm", "--name", "planned-01"])).code).toBe(0);
  const run = await ws.run(["create", "vm", "--name", "planned-01"]);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/already planned in terraform\/planned_01\.tf/);
});

it("--dry-run prints the file and writes nothing", async () => {
  const before = readdirSync(join(ws.dir, "terraform")).length;
  const run = await ws.run(["create", "vm", "--name", "dry-01", "--dry-run"]);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^# terraform\/dry_01\.tf\n# Managed by proxmox-mpc/);
  expect(run.stdout).toContain('resource "proxmox_virtual_environment_vm" "dry_01"');
  expect(readdirSync(join(ws.dir, "terraform")).length).toBe(before);
});

it.each([
  [["--name", "bad_name"], /is not a valid guest name/],
  [["--name", "-lead"], /is not a valid guest name/],
  [["--name", "x1", "--memory", "lots"], /--memory "lots" is not a memory size/],
  [["--name", "x1", "--disk", "0"], /--disk "0" is not a disk size/],
  [["--name", "x1", "--cores", "-2"], /--cores must be a whole number/],
  [["--name", "x1", "--node", "pve99"], /Node "pve99" does not exist/],
  [["--name", "x1", "--storage", "nope"], /Storage "nope" does not exist on node pve1/],
  [["--name", "x1", "--vmid", "42"], /"42" is not a valid vmid/],
  [["--name", "x1", "--ip", "10.0.0.300/24"], /is not dhcp or an IPv4 address/],
  [["--name", "x1", "--gateway", "10.0.0.1"], /--gateway needs a static --ip/],
  [["--name", "web-{n}", "--count", "0"], /--count must be a whole number/],
  [["--name", "plain", "--count", "2"], /--count needs \{n\}/],
  [["--name", "x1", "--clone", "no-such-template"], /No template "no-such-template"/],
])("create vm %j is refused with exit 2 and nothing written", async (args, message) => {
  const before = readdirSync(join(ws.dir, "terraform")).sort();
  const run = await ws.run(["create", "vm", ...args]);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(message);
  expect(readdirSync(join(ws.dir, "terraform")).sort()).toEqual(before);
});

it("a name or vmid of an existing guest is refused", async () => {
  const existing = sim.cluster.guests().find((g) => g.type === "qemu")!;
  expect((await ws.run(["create", "vm", "--name", guestName(existing)])).stderr).toMatch(/already exists/);
  expect((await ws.run(["create", "vm", "--name", "x2", "--vmid", String(existing.vmid)])).stderr).toMatch(/is taken by/);
});

it("delete removes the file, its import block and its inventory entry", async () => {
  const victim = sim.cluster.guests().find((g) => g.type === "qemu" && !g.template)!;
  const name = guestName(victim);
  const files = readdirSync(join(ws.dir, "terraform"));
  const file = files.find((f) => tf(f).includes(`name          = "${name}"`) || tf(f).includes(`name = "${name}"`))!;
  const resource = file.replace(/\.tf$/, "");
  expect(tf("imports.tf")).toContain(`proxmox_virtual_environment_vm.${resource}\n`);
  const run = await ws.run(["delete", "vm", name, "--yes"]);
  expect(run.code).toBe(0);
  expect(existsSync(join(ws.dir, "terraform", file))).toBe(false);
  expect(tf("imports.tf")).not.toContain(`proxmox_virtual_environment_vm.${resource}\n`);
  expect(tf("imports.tf")).toMatch(/^# Managed by proxmox-mpc: imports/);
  expect(readFileSync(join(ws.dir, "ansible", "inventory.yml"), "utf8")).not.toMatch(new RegExp(`^    ${name}:`, "m"));
  expect(sim.cluster.guest(victim.vmid)).toBeDefined();
});

it("describe names the guest's .tf file (named after the resource: web-01 → web_01.tf), also for capitals", async () => {
  const vm = sim.cluster.guests().filter((g) => g.type === "qemu" && !g.template && guestName(g).includes("-")).at(-1)!;
  const json = JSON.parse((await ws.run(["describe", "vm", guestName(vm), "-o", "json"])).stdout);
  expect(json.iacFile).toBe(`terraform/${guestName(vm).toLowerCase().replace(/[^a-z0-9]+/g, "_")}.tf`);
  expect((await ws.run(["describe", "vm", guestName(vm)])).stdout).toContain(`IaC file: ${json.iacFile}`);
  // A guest created with capitals in its name, applied and synced into the store.
  expect((await ws.run(["create", "ct", "--name", "Cap-Box-01", "--memory", "256", "--apply", "--yes", "--engine", "native"])).code).toBe(0);
  const described = await ws.run(["describe", "ct", "Cap-Box-01"]);
  expect(described.code).toBe(0);
  expect(described.stdout).toContain("IaC file: terraform/cap_box_01.tf");
});

it("delete of an unknown guest or the wrong kind is a usage error", async () => {
  expect((await ws.run(["delete", "vm", "no-such"])).code).toBe(2);
  const ct = sim.cluster.guests().find((g) => g.type === "lxc")!;
  const wrong = await ws.run(["delete", "vm", guestName(ct)]);
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toMatch(/is a container, not a VM/);
});

it("a sync after delete (without apply) adopts the guest again", async () => {
  const victim = sim.cluster.guests().filter((g) => g.type === "lxc" && !g.template).at(-1)!;
  const holds = (): string[] => readdirSync(join(ws.dir, "terraform")).filter((f) => tf(f).startsWith(`# Managed by proxmox-mpc: ${victim.vmid} `));
  expect(holds()).toHaveLength(1);
  expect((await ws.run(["delete", "ct", String(victim.vmid), "--yes"])).code).toBe(0);
  expect(holds()).toHaveLength(0);
  const run = await ws.run(["sync"]);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/IaC: terraform\/ [1-9]\d* written/);
  expect(holds()).toHaveLength(1);
  expect(tf("imports.tf")).toContain(`/${victim.vmid}"`);
});

it("sync keeps pending creations and hand edits, and shows the edit", async () => {
  const guest = sim.cluster.guests().find((g) => g.type === "qemu" && !g.template && g.status === "running")!;
  const files = readdirSync(join(ws.dir, "terraform"));
  const file = files.find((f) => tf(f).includes(`vm_id         = ${guest.vmid}`))!;
  writeFileSync(join(ws.dir, "terraform", file), tf(file).replace(/cores   = \d+/, "cores   = 16"));
  // Something changes in the cluster, so sync regenerates this guest's file.
  guest.config = { ...guest.config, memory: String(Number(guest.config.memory ?? 512) + 512) };
  const run = await ws.run(["sync"]);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(`! terraform/${file} was edited by hand and is kept`);
  expect(run.stdout).toMatch(/\+\s+cores\s+= 16/);
  expect(tf(file)).toMatch(/cores   = 16/);
  expect(existsSync(join(ws.dir, "terraform", "new_web_01.tf"))).toBe(true);
  const overwrite = await ws.run(["sync", "--overwrite"]);
  expect(overwrite.code).toBe(0);
  expect(tf(file)).not.toMatch(/cores   = 16/);
});
