/**
 * The text edits behind `set` (src/iac/terraform/edit-guest.ts): only the
 * attribute lines concerned change, every other byte of a hand-edited file
 * stays; `=` is aligned as terraform fmt does when a line is added to an
 * aligned run; what cannot be changed safely is refused with the reason.
 */
import { format } from "@cdktf/hcl-tools";
import { editGuestText, EditRefusal, restamp, type GuestChange } from "../../src/iac/terraform/edit-guest.js";
import { parseTerraformFile, readHeader, renderGuest } from "../../src/iac/terraform/index.js";
import { GIB } from "../../src/pve/size.js";

const VM = `# my own notes about this VM
resource "proxmox_virtual_environment_vm" "web_01" {
  node_name   = "pve1"
  vm_id       = 100
  name        = "web-01" # the public name
  description = "braces { in } a string"

  cpu {
    cores   = 2
    sockets = 1
  }

  memory {
    dedicated = 2048
    floating  = 1024
  }

  disk {
    # pve-volume: scsi0 = vm-100-disk-0,size=32.5G
    interface    = "scsi0"
    datastore_id = "local-lvm"
    size         = 32
  }

  disk {
    interface    = "scsi1"
    datastore_id = "local-lvm"
    size         = 100
  }

  /* a block comment { with a brace */
  lifecycle {
    ignore_changes = [clone]
  }
}

variable "unused" {
  default = <<EOT
cpu {
  cores = 99
}
EOT
}
`;

const CT = `resource "proxmox_virtual_environment_container" "cache_01" {
  node_name = "pve2"
  vm_id     = 105
  tags      = ["cache"]

  cpu {
    cores = 1
  }

  memory {
    dedicated = 512
    swap      = 512
  }

  disk {
    datastore_id = "local-lvm"
    size         = 8
  }

  mount_point {
    volume = "local-lvm:vm-105-disk-1"
    path   = "/data"
    size   = "10G"
  }

  initialization {
    hostname = "cache-01"
  }
}
`;

const vm = (change: GuestChange, text = VM, liveDiskBytes?: Record<string, number>) =>
  editGuestText(text, { file: "terraform/web_01.tf", kind: "qemu", resourceName: "web_01", liveDiskBytes }, change);
const ct = (change: GuestChange, text = CT) => editGuestText(text, { file: "terraform/cache_01.tf", kind: "lxc", resourceName: "cache_01" }, change);

/** The lines of `after` that differ from `before` (same line count assumed). */
function changedLines(before: string, after: string): string[] {
  const a = before.split("\n");
  return after.split("\n").filter((line, i) => line !== a[i]);
}

describe("editGuestText", () => {
  it("changes only the cores and memory lines; comments, the heredoc and the other resource stay byte for byte", () => {
    const edit = vm({ cores: 4, memoryMiB: 8192 });
    expect(changedLines(VM, edit.text)).toEqual(["    cores   = 4", "    dedicated = 8192"]);
    expect(edit.changes).toEqual([
      { field: "cpu.cores", from: 2, to: 4 },
      { field: "memory.dedicated", from: 2048, to: 8192 },
    ]);
    expect(edit.text).toContain("cores = 99"); // the heredoc's text is not a block
  });

  it("keeps a trailing comment and the alignment of the line it changes", () => {
    const text = VM.replace("    cores   = 2", "    cores   = 2 # two is plenty");
    expect(changedLines(text, vm({ cores: 3 }, text).text)).toEqual(["    cores   = 3 # two is plenty"]);
  });

  it("grows a disk by its exact size, rounding up to whole GiB, and drops the exact size of the volume comment", () => {
    const edit = vm({ disks: [{ key: "scsi0", size: { grow: 10 * GIB } }] });
    expect(edit.growths).toEqual([{ key: "scsi0", fromBytes: 32.5 * GIB, toBytes: 43 * GIB }]);
    expect(changedLines(VM, edit.text)).toEqual(["    # pve-volume: scsi0 = vm-100-disk-0", "    size         = 43"]);
  });

  it("sets a disk to an absolute size; the second disk is found by its interface", () => {
    const edit = vm({ disks: [{ key: "scsi1", size: { to: 200 * GIB } }] });
    expect(changedLines(VM, edit.text)).toEqual(["    size         = 200"]);
    expect(edit.changes).toEqual([{ field: "scsi1.size", from: "100G", to: "200G" }]);
  });

  it("refuses to shrink a disk, against the file and against the size the cluster reports", () => {
    expect(() => vm({ disks: [{ key: "scsi1", size: { to: 50 * GIB } }] })).toThrow(/scsi1 cannot shrink from 100G to 50G/);
    expect(() => vm({ disks: [{ key: "scsi1", size: { to: 120 * GIB } }] }, VM, { scsi1: 150 * GIB })).toThrow(/scsi1 cannot shrink from 150G in the cluster to 120G/);
    expect(() => vm({ disks: [{ key: "virtio0", size: { grow: GIB } }] })).toThrow(/no disk with interface "virtio0" \(disks: scsi0, scsi1\)/);
  });

  it("adds tags after the description, aligning the run as terraform fmt does", async () => {
    const edit = vm({ tags: { add: ["web", "prod"] } });
    const added = edit.text.split("\n").slice(2, 7);
    expect(added).toEqual(['  node_name   = "pve1"', "  vm_id       = 100", '  name        = "web-01" # the public name', '  description = "braces { in } a string"', '  tags        = ["prod", "web"]']);
    expect(await format(edit.text.split("\nvariable")[0])).toBe(edit.text.split("\nvariable")[0]);
  });

  it("a longer new name re-aligns the run it joins; a run the user did not align is left alone", () => {
    const text = VM.replace('  description = "braces { in } a string"\n', "");
    const edit = vm({ tags: { set: ["a"] } }, text);
    expect(edit.text).toContain('  node_name = "pve1"\n  vm_id     = 100\n  name      = "web-01" # the public name\n  tags      = ["a"]\n');
    const ragged = VM.replace("  vm_id       = 100", "  vm_id = 100");
    expect(vm({ tags: { set: ["a"] } }, ragged).text).toContain('  tags = ["a"]\n');
  });

  it("tags: --tag replaces, add and remove work on the list, and the last tag removed removes the line", () => {
    expect(ct({ tags: { set: ["b", "a"] } }).text).toContain('  tags      = ["a", "b"]');
    expect(ct({ tags: { add: ["cache", "Prod"] } }).text).toContain('  tags      = ["Prod", "cache"]');
    const none = ct({ tags: { remove: ["CACHE"] } });
    expect(none.text).not.toMatch(/tags/);
    expect(none.text).toContain("  node_name = \"pve2\"\n  vm_id     = 105\n\n");
    expect(ct({ tags: { add: ["cache"] } }).changes).toEqual([]);
  });

  it("containers: cores, memory, rootfs and a mount point", async () => {
    const edit = ct({ cores: 2, memoryMiB: 1024, disks: [{ key: "rootfs", size: { grow: 4 * GIB } }, { key: "mp0", size: { to: 20 * GIB } }] });
    expect(changedLines(CT, edit.text)).toEqual(["    cores = 2", "    dedicated = 1024", "    size         = 12", '    size   = "20G"']);
    const parsed = await parseTerraformFile("cache_01.tf", edit.text);
    expect(parsed.errors).toEqual([]);
    expect(parsed.specs[0]).toMatchObject({ cpu: { cores: 2 }, memory: { dedicated: 1024 }, rootDisk: { sizeGiB: 12 }, mountPoints: [{ size: "20G" }] });
    expect(() => ct({ disks: [{ key: "mp3", size: { to: GIB } }] })).toThrow(/no mp3 \(a container's disks are rootfs and mp0…mp0\)/);
  });

  it("inserts an attribute that is missing from its block", () => {
    const text = VM.replace("    cores   = 2\n", "");
    expect(vm({ cores: 4 }, text).text).toContain("  cpu {\n    cores   = 4\n    sockets = 1\n  }");
  });

  it.each([
    ["an expression", VM.replace("dedicated = 2048", "dedicated = var.memory"), { memoryMiB: 4096 }, /memory\.dedicated is not a number literal \(var\.memory\)/],
    ["a template string", VM.replace("size         = 100", 'size         = "${local.size}"'), { disks: [{ key: "scsi1", size: { to: 200 * GIB } }] }, /scsi1's size is not a number literal/],
    ["tags from a variable", VM.replace('  description = "braces { in } a string"', "  tags        = var.tags"), { tags: { add: ["x"] } }, /tags is not a list of literal strings \(var\.tags\)/],
    ["a missing block", VM.replace(/\n  memory \{[^}]*\}\n/, "\n"), { memoryMiB: 4096 }, /has no memory block in proxmox_virtual_environment_vm\.web_01/],
    ["a block written twice", VM.replace("  memory {", "  cpu {\n    cores = 1\n  }\n\n  memory {"), { cores: 4 }, /has 2 cpu blocks/],
    ["a one-line block", VM.replace(/ {2}cpu \{\n[^}]*\}/, "  cpu { cores = 2 }"), { cores: 4 }, /cpu block is written on one line/],
    ["a balloon above the new memory", VM, { memoryMiB: 512 }, /memory\.floating \(the balloon minimum, 1024 MiB\) is above the new memory of 512 MiB/],
    ["another resource name", VM.replace('"web_01"', '"web_02"'), { cores: 4 }, /has no resource proxmox_virtual_environment_vm\.web_01/],
  ])("refuses %s", (_what, text, change, message) => {
    let error: unknown;
    try {
      vm(change as GuestChange, text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EditRefusal);
    expect((error as Error).message).toMatch(message);
  });
});

describe("reading a disk whose size was changed after its exact size was recorded", () => {
  it("the block's size wins over a `# pve-volume:` exact size that no longer matches it (a hand edit, then the engine resizes)", async () => {
    const edited = VM.replace("    size         = 32\n", "    size         = 40\n");
    const [spec] = (await parseTerraformFile("web_01.tf", edited)).specs;
    if (spec.kind !== "qemu") throw new Error("expected a VM");
    expect(spec.disks[0]).toMatchObject({ sizeGiB: 40, volume: "vm-100-disk-0" });
    expect(spec.disks[0].exactSize).toBeUndefined();
    const [same] = (await parseTerraformFile("web_01.tf", VM)).specs;
    if (same.kind !== "qemu") throw new Error("expected a VM");
    expect(same.disks[0]).toMatchObject({ sizeGiB: 32, exactSize: "32.5G" });
  });
});

describe("restamp", () => {
  it("renews the hash of a file proxmox-mpc wrote untouched, and leaves a hand-edited one marked as edited", async () => {
    const { specFromPve } = await import("../../src/iac/model.js");
    const generated = renderGuest({
      ...specFromPve({ vmid: 100, type: "qemu", node: "pve1", config: { name: "web-01", cores: 2, memory: "2048", scsi0: "local-lvm:vm-100-disk-0,size=32G" } } as never),
      resourceName: "web_01",
      adopted: true,
    });
    const edited = editGuestText(generated, { file: "web_01.tf", kind: "qemu", resourceName: "web_01" }, { cores: 4 }).text;
    expect(readHeader(edited)?.untouched).toBe(false);
    expect(readHeader(restamp(generated, edited))?.untouched).toBe(true);
    const byHand = generated.replace("  name", "  # mine\n  name");
    const edited2 = editGuestText(byHand, { file: "web_01.tf", kind: "qemu", resourceName: "web_01" }, { cores: 4 }).text;
    expect(readHeader(restamp(byHand, edited2))?.untouched).toBe(false);
  });
});
