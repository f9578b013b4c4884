/**
 * `test` on a real synced workspace (simulator + init + sync + the real
 * generators): a clean workspace passes, and each kind of broken workspace
 * is caught by the right check, at the right file and line.
 */
import type { CheckResult, TestReport } from "../../src/iac/checks/index.js";
import { checkedWorkspace, lineOf, type CheckedWorkspace } from "./checks-workspace.js";
import { readFile } from "node:fs/promises";

let cw: CheckedWorkspace;
beforeAll(async () => {
  cw = await checkedWorkspace();
}, 60_000);
afterAll(async () => {
  await cw?.close();
});
beforeEach(async () => {
  await cw.reset();
});

const failures = (report: TestReport, check?: string): CheckResult[] => report.results.filter((r) => r.status === "failed" && (!check || r.check === check));
const only = (report: TestReport, check: string): CheckResult => {
  expect(failures(report).map((r) => r.check)).toEqual([check]);
  return failures(report)[0];
};

describe("a clean workspace", () => {
  test("passes every check, exit code 0, one summary line", async () => {
    const { result, report } = await cw.test();
    expect(report).toMatchObject({ ok: true, failed: 0, warnings: 0, skipped: 0, guests: 4 });
    expect(result.exitCode).toBe(0);
    expect(new Set(report.results.map((r) => r.check))).toEqual(
      new Set(["hcl-parse", "resource-types", "arguments", "nodes", "storage", "clone-source", "os-template", "bridges", "unique-vmids", "unique-names", "unique-ips", "cpu-capacity", "memory-capacity", "disk-capacity", "inventory"]),
    );
    expect(report.passed).toBe(15);
    expect(result.text).toMatch(/^✔ 15 checks passed \(4 guests, \d+\.\d s\)$/);
  });

  test("-o json shape: ok, counts and results with check/status/file/line/message", async () => {
    await cw.edit("terraform/db_01.tf", (t) => t.replace("vm_id      = 102", "vm_id      = 100"));
    const { result, report } = await cw.test();
    expect(Object.keys(report).sort()).toEqual(["durationMs", "failed", "guests", "ok", "passed", "results", "skipped", "warnings"]);
    expect(report.ok).toBe(false);
    expect(result.exitCode).toBe(1);
    for (const r of report.results) {
      expect(["passed", "failed", "warning", "skipped"]).toContain(r.status);
      expect(typeof r.check).toBe("string");
      expect(typeof r.message).toBe("string");
      if (r.line !== undefined) expect(typeof r.file).toBe("string");
    }
    expect(report.failed).toBe(failures(report).length);
    // The human form leads with the failures, then a summary.
    expect(result.text?.split("\n")[0]).toMatch(/^✖ terraform\/db_01\.tf:4 vm_id 100 is also used by terraform\/web_01\.tf:2 \(web-01\)$/);
    expect(result.text?.split("\n").pop()).toMatch(/^✖ \d+ failed, \d+ passed/);
  });
});

describe("each broken workspace is caught at its file and line", () => {
  test("a .tf file that does not parse", async () => {
    await cw.edit("terraform/web_01.tf", (t) => t.replace("  memory {\n", "  memory {\n    dedicated = = 4\n"));
    const r = failures((await cw.test()).report, "hcl-parse")[0];
    expect(r).toMatchObject({ file: "terraform/web_01.tf", line: lineOf(await readFile(cw.path("terraform/web_01.tf"), "utf8"), "= = 4") });
  });

  test("an argument the provider does not document (top level, in a block, in a block the model does not read)", async () => {
    const file = "terraform/web_01.tf";
    await cw.edit(file, (t) => t.replace('  name          = "web-01"\n', '  name          = "web-01"\n  nonsense      = 1\n').replace("    sockets = 1\n", "    sockets = 1\n    turbo   = true\n").replace("  lifecycle {", '  watchdog {\n    model = "i6300esb"\n    bogus = 1\n  }\n\n  lifecycle {'));
    const text = await readFile(cw.path(file), "utf8");
    const report = (await cw.test()).report;
    expect(failures(report).map((r) => r.check)).toEqual(["arguments", "arguments", "arguments"]);
    expect(failures(report).map((r) => [r.line, r.message.split(" ")[0]]).sort()).toEqual(
      [
        [lineOf(text, "nonsense"), "nonsense"],
        [lineOf(text, "turbo"), "cpu.turbo"],
        [lineOf(text, "bogus"), "watchdog.bogus"],
      ].sort(),
    );
    // watchdog itself is documented: it is not a failure.
    expect(report.results.find((r) => r.check === "arguments" && r.status === "passed")).toBeUndefined();
  });

  test("an argument of the wrong type, nested in a block: reported on its own line, not the resource's", async () => {
    const file = "terraform/web_01.tf";
    const line = await cw.edit(file, (t) => t.replace(/(cpu \{\n\s*)cores(\s*)= \d+/, '$1cores$2= "lots"'), '"lots"');
    const text = await readFile(cw.path(file), "utf8");
    expect(line).toBeGreaterThan(lineOf(text, "cpu {"));
    const r = only((await cw.test()).report, "hcl-parse");
    expect(r).toMatchObject({ file, line, message: 'proxmox_virtual_environment_vm.web_01: cpu.cores expected a number, found "lots".' });
  });

  test("an unknown resource type: other providers warn, a near miss of the VM type fails", async () => {
    await cw.edit("terraform/extra.tf", () => 'resource "aws_instance" "x" {\n  ami = "a"\n}\n\nresource "proxmox_virtual_environment_vms" "y" {\n  vm_id = 5\n}\n\nresource "proxmox_virtual_environment_vm2" "z" {}\n');
    const report = (await cw.test()).report;
    const r = only(report, "resource-types");
    expect(r).toMatchObject({ file: "terraform/extra.tf", line: 5 });
    expect(r.message).toContain("did you mean proxmox_virtual_environment_vm?");
    expect(report.results.filter((x) => x.status === "warning" && x.check === "resource-types").map((x) => [x.line, x.message])).toEqual([
      [1, "aws_instance.x belongs to another provider; proxmox-mpc does not check it"],
      [9, "proxmox_virtual_environment_vm2.z is a bpg/proxmox resource proxmox-mpc does not check"],
    ]);
  });

  test("an unknown node", async () => {
    const line = await cw.edit("terraform/db_01.tf", (t) => t.replace('node_name  = "pve2"', 'node_name  = "pve9"'), "node_name");
    const r = only((await cw.test()).report, "nodes");
    expect(r).toMatchObject({ file: "terraform/db_01.tf", line });
    expect(r.message).toBe("node_name pve9 of db-01 is not a node of the cluster (nodes: pve1, pve2)");
  });

  test("an unknown storage, and a storage without the needed content", async () => {
    const vm = await cw.addGuest({ kind: "qemu", name: "app-01", vmid: 200, node: "pve1", storage: "fast-ssd" });
    const ct = await cw.addGuest({ kind: "lxc", name: "ct-01", vmid: 201, node: "pve1", storage: "local", ostemplate: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst" });
    const report = (await cw.test()).report;
    const found = failures(report, "storage");
    expect(found).toHaveLength(2);
    expect(found[0]).toMatchObject({ file: vm, line: lineOf(await readFile(cw.path(vm), "utf8"), "datastore_id") });
    expect(found[0].message).toMatch(/^storage fast-ssd \(disk\[0\]\.datastore_id\) does not exist on pve1 \(there: local, local-lvm, nas01\)$/);
    expect(found[1]).toMatchObject({ file: ct, line: lineOf(await readFile(cw.path(ct), "utf8"), "datastore_id") });
    expect(found[1].message).toContain("does not hold rootdir");
  });

  test("a duplicate vm_id", async () => {
    const line = await cw.edit("terraform/db_01.tf", (t) => t.replace("vm_id      = 102", "vm_id      = 100"), "vm_id");
    const r = failures((await cw.test()).report, "unique-vmids");
    expect(r).toEqual([{ check: "unique-vmids", status: "failed", file: "terraform/db_01.tf", line, message: "vm_id 100 is also used by terraform/web_01.tf:2 (web-01)" }]);
  });

  test("a new guest whose vm_id another guest has in the cluster", async () => {
    const file = await cw.addGuest({ kind: "qemu", name: "app-01", vmid: 9000, node: "pve1" });
    await cw.edit("terraform/debian_12_cloudinit.tf", () => "");
    const r = only((await cw.test()).report, "unique-vmids");
    expect(r).toMatchObject({ file, line: 4, message: "vm_id 9000 is taken in the cluster by debian-12-cloudinit (qemu on pve1); app-01 needs another one" });
  });

  test("a duplicate name, and a name that is not a DNS name", async () => {
    const dup = await cw.edit("terraform/db_01.tf", (t) => t.replace('name       = "db-01"', 'name       = "WEB-01"'), "WEB-01");
    const report = (await cw.test()).report;
    expect(failures(report, "unique-names")).toEqual([{ check: "unique-names", status: "failed", file: "terraform/db_01.tf", line: dup, message: "name WEB-01 is also used by terraform/web_01.tf:2 (vm_id 100)" }]);

    await cw.reset();
    const line = await cw.edit("terraform/dns_01.tf", (t) => t.replace('hostname = "dns-01"', 'hostname = "dns_01.lan"'), "hostname");
    const r = only((await cw.test()).report, "unique-names");
    expect(r).toMatchObject({ file: "terraform/dns_01.tf", line, message: 'name "dns_01.lan" must be letters, digits and hyphens (no hyphen at the start or end of a label)' });
  });

  test("a duplicate static IP", async () => {
    const file = await cw.addGuest({ kind: "qemu", name: "web-02", vmid: 103, node: "pve1", ip: "10.0.10.21/24", gateway: "10.0.10.1" });
    const report = (await cw.test()).report;
    const r = failures(report, "unique-ips");
    expect(r).toEqual([
      { check: "unique-ips", status: "failed", file, line: lineOf(await readFile(cw.path(file), "utf8"), "10.0.10.21/24"), message: "IP 10.0.10.21 of web-02 is also used by terraform/web_01.tf:2 (web-01)" },
    ]);
  });

  test("too many cores for the node, too much memory for the node, disks that do not fit", async () => {
    const cores = await cw.addGuest({ kind: "qemu", name: "big-01", vmid: 300, node: "pve2", cores: 12 });
    const memory = await cw.addGuest({ kind: "qemu", name: "big-02", vmid: 301, node: "pve2", memory: 65536 });
    const disk = await cw.addGuest({ kind: "qemu", name: "big-03", vmid: 302, node: "pve1", diskGiB: 5000 });
    const report = (await cw.test()).report;
    expect(failures(report, "cpu-capacity")).toEqual([{ check: "cpu-capacity", status: "failed", file: cores, line: lineOf(await readFile(cw.path(cores), "utf8"), "cores"), message: "big-01 asks for 12 cores; pve2 has 8" }]);
    expect(failures(report, "memory-capacity")).toEqual([
      { check: "memory-capacity", status: "failed", file: memory, line: lineOf(await readFile(cw.path(memory), "utf8"), "dedicated"), message: "big-02 asks for 64 GiB of memory; pve2 has 32 GiB" },
    ]);
    const d = failures(report, "disk-capacity");
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ file: disk, line: lineOf(await readFile(cw.path(disk), "utf8"), "size") });
    expect(d[0].message).toMatch(/^the disks of big-03 do not fit on local-lvm \(pve1\): it needs 5000 GiB; \d+ GiB free at the last sync$/);
  });

  test("guests set to run on a node that together want more memory than it has: a warning", async () => {
    for (let i = 0; i < 3; i++) await cw.addGuest({ kind: "qemu", name: `mem-0${i}`, vmid: 310 + i, node: "pve2", memory: 12288 });
    const report = (await cw.test()).report;
    expect(report.ok).toBe(true);
    expect(report.results.filter((r) => r.check === "memory-capacity" && r.status === "warning").map((r) => r.message)).toEqual([
      "the 3 guests set to run on pve2 want 36 GiB of memory together; the node has 32 GiB",
    ]);
  });

  test("a clone source that is not a template, or on another node", async () => {
    const notTemplate = await cw.addGuest({ kind: "qemu", name: "app-01", vmid: 400, node: "pve1", clone: { vmId: 100 } });
    const otherNode = await cw.addGuest({ kind: "qemu", name: "app-02", vmid: 401, node: "pve2", clone: { vmId: 9000 } });
    await cw.addGuest({ kind: "qemu", name: "app-03", vmid: 402, node: "pve2", clone: { vmId: 9000, nodeName: "pve1" } });
    const report = (await cw.test()).report;
    const text = await readFile(cw.path(notTemplate), "utf8");
    const line = text.split("\n").findIndex((l, i) => l.includes("vm_id") && i > lineOf(text, "clone {") - 1) + 1;
    expect(failures(report, "clone-source")).toEqual([
      { check: "clone-source", status: "failed", file: notTemplate, line, message: "clone source 100 (web-01) of app-01 is not a template" },
      { check: "clone-source", status: "failed", file: otherNode, line, message: 'clone source 9000 (debian-12-cloudinit) is on pve1, not pve2: set clone.node_name = "pve1"' },
    ]);
  });

  test("the Ansible inventory disagrees: a renamed host, a wrong vmid, a host without a guest", async () => {
    const file = "ansible/inventory.yml";
    const renamed = await cw.edit(file, (t) => t.replaceAll("web-01:", "web-99:"), "web-99:");
    await cw.edit(file, (t) => t.replace("proxmox_vmid: 102", "proxmox_vmid: 105"));
    const text = await readFile(cw.path(file), "utf8");
    const vmidLine = lineOf(text, "proxmox_vmid: 105");
    await cw.edit(file, (t) => t.replace("  children:\n", "    old-01:\n      proxmox_vmid: 777\n  children:\n"));
    const report = (await cw.test()).report;
    expect(failures(report, "inventory").map((r) => [r.line, r.message])).toEqual([
      [vmidLine, "host db-01 has proxmox_vmid 105; terraform/db_01.tf:2 says vm_id 102"],
      [renamed, "host web-99 has proxmox_vmid 100, which is web-01 in terraform/web_01.tf:2: run `proxmox-mpc sync`"],
      [lineOf(await readFile(cw.path(file), "utf8"), "old-01"), "host old-01 in ansible/inventory.yml has no guest in terraform/"],
    ]);
    expect(failures(report).every((r) => r.check === "inventory" && r.file === file)).toBe(true);
  });

  test("inventory: missing is a warning; a guest not created yet is a warning; invalid YAML fails with its line", async () => {
    await cw.addGuest({ kind: "qemu", name: "app-01", vmid: 500, node: "pve1" });
    let report = (await cw.test()).report;
    expect(report.ok).toBe(true);
    expect(report.results.filter((r) => r.check === "inventory" && r.status === "warning").map((r) => r.message)).toEqual(["app-01 is not in ansible/inventory.yml yet: sync adds it once it exists (after apply)"]);

    await cw.edit("ansible/inventory.yml", (t) => t.replace("  hosts:\n", "  hosts: [\n"));
    report = (await cw.test()).report;
    expect(only(report, "inventory")).toMatchObject({ file: "ansible/inventory.yml", message: expect.stringMatching(/^ansible\/inventory\.yml is not valid YAML: /) });
    expect(only(report, "inventory").line).toBeGreaterThan(7);

    await cw.edit("ansible/inventory.yml", () => "");
    await import("node:fs/promises").then((fs) => fs.rm(cw.path("ansible/inventory.yml")));
    report = (await cw.test()).report;
    expect(report.results.find((r) => r.check === "inventory")).toMatchObject({ status: "warning", message: "ansible/inventory.yml is missing: run `proxmox-mpc sync` to write it" });
  });

  test("a new container without a usable OS template", async () => {
    const file = await cw.addGuest({ kind: "lxc", name: "ct-01", vmid: 600, node: "pve1", ostemplate: "local-lvm:vztmpl/debian.tar.zst" });
    const r = only((await cw.test()).report, "os-template");
    expect(r).toMatchObject({ file, line: lineOf(await readFile(cw.path(file), "utf8"), "template_file_id"), message: "storage local-lvm on pve1 does not hold container templates (vztmpl); its content is images,rootdir" });
  });

  test("an invalid bridge name and VLAN tag", async () => {
    const line = await cw.edit("terraform/db_01.tf", (t) => t.replace('bridge      = "vmbr0"', 'bridge      = "vmbr 0"').replace("vlan_id     = 20", "vlan_id     = 5000"), "vmbr 0");
    const r = failures((await cw.test()).report, "bridges");
    expect(r.map((x) => [x.line, x.message])).toEqual([
      [line, 'bridge "vmbr 0" of db-01 is not a valid interface name (like vmbr0: a letter, then up to 14 letters, digits, _ . -)'],
      [line + 3, "vlan_id 5000 of db-01 is not 1..4094"],
    ]);
  });
});
