/**
 * Reading .tf files back: the exact inverse of the renderer, hand-written
 * files, other resource types, and errors with line numbers.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assignResourceNames, newGuestSpec, specFromPve, type GuestSpec, type LxcGuestSpec, type QemuGuestSpec } from "../../src/iac/model.js";
import { parseTerraformDir, parseTerraformFile, renderGuest, writeTerraform, type ParsedGuestSpec } from "../../src/iac/terraform/index.js";
import { allGuests } from "./terraform-fixtures.js";

/** A parsed spec without where it came from (and `adopted`, which lives in imports.tf). */
function bare(spec: ParsedGuestSpec): GuestSpec {
  const { file: _file, line: _line, adopted: _adopted, ...rest } = spec;
  return rest as GuestSpec;
}
function withoutAdopted(spec: GuestSpec): GuestSpec {
  const { adopted: _adopted, ...rest } = spec;
  return rest as GuestSpec;
}

const variety: GuestSpec[] = assignResourceNames([
  ...allGuests().map(specFromPve),
  newGuestSpec({ kind: "qemu", name: "new-vm", vmid: 900, node: "pve1", clone: { vmId: 9000, nodeName: "pve2" }, ip: "10.9.0.5/24", gateway: "10.9.0.1", sshKeys: ["ssh-ed25519 AAAA ops"], username: "ops", tags: ["b", "a"] }),
  newGuestSpec({ kind: "qemu", name: "plain", vmid: 902, node: "pve1", cores: 8, memory: 16384, diskGiB: 200, storage: "ceph", bridge: "vmbr9" }),
  newGuestSpec({ kind: "lxc", name: "new-ct", vmid: 901, node: "pve1", ostemplate: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst", ip: "10.9.0.6/24", gateway: "10.9.0.1", sshKeys: ["k"] }),
]);

describe("round trip: spec → renderGuest → parse → the same spec", () => {
  test.each(variety.map((s) => [`${s.kind} ${s.vmid} ${s.resourceName}`, s] as const))("%s", async (_label, spec) => {
    const parsed = await parseTerraformFile(`${spec.resourceName}.tf`, renderGuest(spec));
    expect(parsed.errors).toEqual([]);
    expect(parsed.unknown).toEqual([]);
    expect(parsed.specs).toHaveLength(1);
    expect(bare(parsed.specs[0])).toEqual(withoutAdopted(spec));
    expect(parsed.specs[0].line).toBe(2);
  });

  test("a whole workspace written by writeTerraform reads back identically, adopted flags included", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pmpc-tf-"));
    try {
      await writeTerraform(dir, variety);
      const parsed = await parseTerraformDir(dir);
      expect(parsed.errors).toEqual([]);
      const byVmid = (list: GuestSpec[]) => [...list].sort((a, b) => a.vmid - b.vmid || a.kind.localeCompare(b.kind));
      expect(byVmid(parsed.specs.map((s) => { const { file: _f, line: _l, ...rest } = s; return rest as GuestSpec; }))).toEqual(byVmid(variety));
      expect(parsed.specs.find((s) => s.vmid === 100)?.adopted).toBe(true);
      expect(parsed.specs.find((s) => s.vmid === 900)?.adopted).toBeUndefined();
      expect(parsed.imports.length).toBe(variety.filter((s) => s.adopted).length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("hand-written files", () => {
  const handWritten = `# my own VM, arguments in my own order
variable "unused" {}

resource "proxmox_virtual_environment_vm" "app" {
  network_device {
    bridge = "vmbr1"   # a trailing comment
  }
  disk {
    interface = "virtio0"
    size      = "40"
  }
  cpu { cores = 4 }
  vm_id     = 210
  name      = "app"
  node_name = "pve3"
  tags      = ["z", "a", "a"]
  on_boot   = false
  watchdog {
    enabled = true
  }
  lifecycle {
    prevent_destroy = true
  }
}

resource "proxmox_virtual_environment_container" "tiny" {
  node_name = "pve3"
  vm_id     = 211
  initialization { hostname = "tiny" }
  network_interface { name = "eth0" }
  operating_system { template_file_id = "local:vztmpl/alpine.tar.xz" }
}

resource "proxmox_virtual_environment_pool" "team" {
  pool_id = "team"
}

resource "aws_instance" "elsewhere" {}
`;

  test("defaults of the provider fill what is missing; order and comments do not matter", async () => {
    const parsed = await parseTerraformFile("main.tf", handWritten);
    expect(parsed.errors).toEqual([]);
    const [app, tiny] = parsed.specs as unknown as [QemuGuestSpec & { line: number }, LxcGuestSpec & { line: number }];
    expect(app).toMatchObject({ kind: "qemu", vmid: 210, node: "pve3", name: "app", tags: ["a", "z"], onBoot: false, started: true, line: 4 });
    expect(app.disks).toEqual([{ interface: "virtio0", datastoreId: "local-lvm", sizeGiB: 40 }]);
    expect(app.networkDevices).toEqual([{ enabled: true, model: "virtio", bridge: "vmbr1" }]);
    expect(app.cpu).toEqual({ cores: 4 });
    expect(tiny).toMatchObject({ kind: "lxc", vmid: 211, name: "tiny", onBoot: true, unprivileged: false, line: 26 });
    expect(tiny.operatingSystem).toEqual({ templateFileId: "local:vztmpl/alpine.tar.xz" });
    expect(tiny.networkInterfaces).toEqual([{ enabled: true, name: "eth0", bridge: "vmbr0" }]);
  });

  test("other resource types and unmodelled arguments are reported as unknown, not as errors", async () => {
    const parsed = await parseTerraformFile("main.tf", handWritten);
    expect(parsed.unknown).toEqual([
      { file: "main.tf", line: 4, resourceType: "proxmox_virtual_environment_vm", resourceName: "app", argument: "watchdog" },
      { file: "main.tf", line: 34, resourceType: "proxmox_virtual_environment_pool", resourceName: "team", argument: "" },
      { file: "main.tf", line: 38, resourceType: "aws_instance", resourceName: "elsewhere", argument: "" },
    ]);
  });

  test("syntax errors carry the line; unusable values are errors naming the argument", async () => {
    const broken = await parseTerraformFile("broken.tf", 'resource "proxmox_virtual_environment_vm" "a" {\n  vm_id = 1\n  node_name = "n"\n');
    expect(broken.specs).toEqual([]);
    expect(broken.errors).toHaveLength(1);
    expect(broken.errors[0]).toMatchObject({ file: "broken.tf", line: expect.any(Number) });
    expect(broken.errors[0].message).toMatch(/closing brace|Unclosed/i);

    // An unclosed string makes the parser report each line after it: the first diagnostic, the rest counted.
    const unclosed = await parseTerraformFile("unclosed.tf", 'resource "a" "b" {\n  cpu {\n    cores = "two\n  }\n  memory {\n    dedicated = 2048\n  }\n}\n');
    expect(unclosed.errors).toHaveLength(1);
    expect(unclosed.errors[0]).toMatchObject({ file: "unclosed.tf", line: 3 });
    expect(unclosed.errors[0].message).toMatch(/^Invalid multi-line string; Quoted strings may not be split over multiple lines\. .* \(and \d+ more diagnostics? after it\)$/);
    expect(unclosed.errors[0].message).not.toMatch(/unclosed\.tf:\d/);

    const bad = await parseTerraformFile(
      "bad.tf",
      [
        'resource "proxmox_virtual_environment_vm" "a" {',
        "  vm_id     = 5",
        "  node_name = var.node",
        '  cpu {',
        '    cores = "many"',
        "  }",
        "}",
        'resource "proxmox_virtual_environment_vm" "b" {',
        '  node_name = "n"',
        "}",
        'resource "proxmox_virtual_environment_vm" "c" {',
        "  count     = 2",
        "  vm_id     = 7",
        '  node_name = "n"',
        "}",
        "",
      ].join("\n"),
    );
    expect(bad.errors.map((e) => [e.line, e.message])).toEqual([
      [1, "proxmox_virtual_environment_vm.a: node_name uses an expression (${var.node}); proxmox-mpc reads literal values only."],
      [1, 'proxmox_virtual_environment_vm.a: cpu.cores expected a number, found "many".'],
      [8, "proxmox_virtual_environment_vm.b: vm_id is required by proxmox-mpc (the guest's VMID)."],
      [11, "proxmox_virtual_environment_vm.c: count proxmox-mpc cannot expand count: write one resource per guest."],
    ]);
    // a and b lack a usable node/vmid; c is read (its count is reported).
    expect(bad.specs.map((s) => s.resourceName)).toEqual(["c"]);
  });

  test("a literal ${ in a string survives; the same resource twice in a directory is an error", async () => {
    const text = 'resource "proxmox_virtual_environment_vm" "a" {\n  vm_id = 1\n  node_name = "n"\n  description = "cost: $${price} %%{x}"\n}\n';
    const parsed = await parseTerraformFile("a.tf", text);
    expect(parsed.specs[0].description).toBe("cost: ${price} %{x}");
    const dir = await mkdtemp(join(tmpdir(), "pmpc-tf-"));
    try {
      await writeFile(join(dir, "a.tf"), text);
      await writeFile(join(dir, "b.tf"), text.replace("vm_id = 1", "vm_id = 2"));
      const both = await parseTerraformDir(dir);
      expect(both.errors).toEqual([{ file: join(dir, "b.tf"), line: 1, message: `a is already defined in ${join(dir, "a.tf")}:1.` }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
