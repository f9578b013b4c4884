/**
 * Rendering: byte-stable output in `terraform fmt` layout (hcl-tools format()
 * is the oracle), the header hash, comments for unmapped keys, the lifecycle
 * block, provider.tf and imports.tf, resource names, and the allowlist of
 * documented provider arguments.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { format } from "@cdktf/hcl-tools";
import { parse } from "@cdktf/hcl2json";
import { assignResourceNames, newGuestSpec, safeResourceName, specFromPve, type GuestSpec } from "../../src/iac/model.js";
import { readHeader, renderGuest, renderImports, renderProvider } from "../../src/iac/terraform/index.js";
import { allGuests, syntheticGuests } from "./terraform-fixtures.js";

const specs: GuestSpec[] = assignResourceNames([
  ...allGuests().map(specFromPve),
  newGuestSpec({ kind: "qemu", name: "new-vm", vmid: 900, node: "pve1", clone: { vmId: 9000 }, ip: "10.9.0.5/24", gateway: "10.9.0.1", sshKeys: ["ssh-ed25519 AAAA ops"], username: "ops", tags: ["new"] }),
  newGuestSpec({ kind: "lxc", name: "new-ct", vmid: 901, node: "pve1", ostemplate: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst", ip: "10.9.0.6/24", gateway: "10.9.0.1", sshKeys: ["k"] }),
]);
const files = specs.map(renderGuest);
const fileOf = (name: string): string => {
  const i = specs.findIndex((s) => s.name === name);
  if (i < 0) throw new Error(`no spec ${name}`);
  return files[i];
};

describe("output format", () => {
  test("deterministic: the same input gives byte-identical files", () => {
    const again = assignResourceNames([...allGuests().map(specFromPve)]).map(renderGuest);
    expect(again).toEqual(files.slice(0, again.length));
    expect(renderImports(specs)).toBe(renderImports([...specs].reverse()));
  });

  test("already in terraform fmt layout: format() changes nothing, and is idempotent", async () => {
    for (const text of [...files, renderProvider(), renderImports(specs)]) {
      const formatted = await format(text);
      expect(formatted).toBe(text);
      expect(await format(formatted)).toBe(formatted);
    }
  });

  test("header records the hash of the body", () => {
    const text = fileOf("web-01");
    expect(text.split("\n")[0]).toMatch(/^# Managed by proxmox-mpc: 100 on pve1\. Edit freely: proxmox-mpc keeps hand edits \(sha256:[0-9a-f]{64}\)$/);
    expect(readHeader(text)).toMatchObject({ vmid: 100, untouched: true });
    expect(readHeader(text.replace("cores   = 2", "cores   = 3"))?.untouched).toBe(false);
    expect(readHeader('resource "a" "b" {}\n')).toBeUndefined();
  });
});

describe("content", () => {
  test("unmapped PVE keys are comments, identity noise is not", () => {
    const text = fileOf("9gag");
    expect(text).toContain("  # pve: parallel0 = /dev/parport0\n");
    expect(text).toContain("  # pve: unused0 = local-lvm:vm-101-disk-9\n");
    expect(text).toContain("  # pve: ide0 = local:101/vm-101-disk-1.qcow2,size=4G\n");
    expect(text).not.toMatch(/digest|vmgenid|lock/);
    expect(fileOf("ct-template")).toContain('  # pve: lxc = [["lxc.cgroup2.devices.allow","c 226:0 rwm"],');
    expect(fileOf("web-01")).not.toContain("smbios");
  });

  test("VM arguments the provider would otherwise default differently are written", () => {
    const text = fileOf("web-01");
    for (const line of [
      '  on_boot       = true',
      '  scsi_hardware = "virtio-scsi-single"',
      '  boot_order    = ["scsi0", "net0"]',
      '    interface    = "scsi1"',
      '    datastore_id = "local-lvm"',
      '    size         = 100',
      '    mac_address = "BC:24:11:AB:CD:EF"',
      '    vlan_id     = 20',
      '    firewall    = true',
      '    type    = "x86-64-v2-AES"',
      '  tags          = ["prod", "web"]',
      '    # pve-volume: scsi0 = vm-100-disk-0',
    ]) {
      expect(text).toContain(`${line}\n`);
    }
    expect(fileOf("debian12-cloud")).toContain("  on_boot       = false\n");
    expect(fileOf("web-01")).toContain('description   = "Web server\\nmanaged by ops, see \\"runbook\\" $${not_a_reference}"');
  });

  test("lifecycle.ignore_changes only where PVE does not record what the provider wants", () => {
    expect(fileOf("web-01")).toContain("    ignore_changes = [clone, initialization[0].user_account[0].password]\n");
    expect(fileOf("9gag")).toContain("    ignore_changes = [clone]\n");
    expect(fileOf("db-01")).toContain("    ignore_changes = [clone, initialization[0].user_account, operating_system[0].template_file_id]\n");
    expect(fileOf("db-01")).toContain('    template_file_id = "local:vztmpl/unknown-not-recorded-by-pve.tar.zst"\n');
    expect(fileOf("new-ct")).toContain('    template_file_id = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"\n');
    expect(fileOf("new-vm")).toContain("  clone {\n    vm_id = 9000\n    full  = true\n  }\n");
  });

  test("provider.tf: bpg/proxmox with a version, settings from the environment only", () => {
    const text = renderProvider();
    expect(text).toContain('      source  = "bpg/proxmox"\n      version = "~> 0.103"\n');
    expect(text).toContain('provider "proxmox" {}\n');
    expect(text).toContain("PROXMOX_VE_ENDPOINT");
    expect(text).toContain("PROXMOX_VE_API_TOKEN");
    expect(text).not.toMatch(/^\s*(endpoint|api_token|password|username|insecure)\s*=/m);
  });

  test("imports.tf: one import block per adopted guest, id node/vmid", () => {
    const two = [specFromPve(syntheticGuests()[3]), specFromPve(syntheticGuests()[0]), newGuestSpec({ kind: "qemu", name: "fresh", vmid: 5, node: "n" })];
    const text = renderImports(two);
    expect(text.split("\n").slice(1).join("\n")).toBe(
      [
        "import {",
        "  to = proxmox_virtual_environment_container.db_01",
        '  id = "pve1/201"',
        "}",
        "",
        "import {",
        "  to = proxmox_virtual_environment_vm.web_01",
        '  id = "pve1/100"',
        "}",
        "",
      ].join("\n"),
    );
  });
});

describe("resource names", () => {
  test("safe identifiers", () => {
    expect(safeResourceName("web-01", 100)).toBe("web_01");
    expect(safeResourceName("9gag", 101)).toBe("vm_9gag");
    expect(safeResourceName("42", 102, "lxc")).toBe("ct_42");
    expect(safeResourceName("Api.Gateway--v2", 103)).toBe("api_gateway_v2");
    expect(safeResourceName("", 104)).toBe("vm_104");
    expect(safeResourceName("ünïcode", 105)).toBe("n_code");
    for (const s of specs) expect(s.resourceName).toMatch(/^[a-z_][a-z0-9_]*$/);
  });

  test("unique, independent of order, and stable with the names guests already have", () => {
    const web = (vmid: number, kind: "qemu" | "lxc" = "qemu") =>
      newGuestSpec({ kind, name: "web", vmid, node: "n", ostemplate: "local:vztmpl/debian-12.tar.zst" });
    const names = (list: GuestSpec[]) => Object.fromEntries(list.map((s) => [s.vmid, s.resourceName]));
    expect(names(assignResourceNames([web(101), web(100), web(102, "lxc")]))).toEqual({ 100: "web", 101: "web_101", 102: "web_102" });
    expect(names(assignResourceNames([web(100), web(102, "lxc"), web(101)]))).toEqual({ 100: "web", 101: "web_101", 102: "web_102" });
    // 101 already had "web" in the workspace: it keeps it, the newcomer 100 gets the suffix.
    expect(names(assignResourceNames([web(100), web(101)], new Map([[101, "web"]])))).toEqual({ 100: "web_100", 101: "web" });
    const all = assignResourceNames(allGuests().map(specFromPve).concat(allGuests().map((g) => specFromPve({ ...g, vmid: g.vmid + 5000 }))));
    expect(new Set(all.map((s) => s.resourceName)).size).toBe(all.length);
  });
});

interface Allowlist {
  resources: Record<string, Record<string, string[]>>;
}
const ALLOWLIST = (JSON.parse(readFileSync(join(process.cwd(), "src", "iac", "bpg-arguments.json"), "utf8")) as Allowlist).resources;
const META = new Set(["lifecycle", "depends_on", "count", "for_each", "provider"]);

/** Every argument/block path of a parsed body that is not documented for the resource type. */
function undocumented(type: string, body: Record<string, unknown>, path: string, out: string[]): void {
  for (const [key, value] of Object.entries(body)) {
    if (path === "." && META.has(key)) continue;
    const allowed = ALLOWLIST[type][path] ?? [];
    const where = path === "." ? key : `${path}.${key}`;
    if (!allowed.includes(key)) out.push(`${type}: ${where}`);
    const isBlock = Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "object" && v !== null && !Array.isArray(v));
    if (isBlock) for (const b of value as Record<string, unknown>[]) undocumented(type, b, where, out);
  }
}

describe("only documented provider arguments", () => {
  test("every argument and block of every generated file is in src/iac/bpg-arguments.json", async () => {
    const bad: string[] = [];
    const seen = new Set<string>();
    for (const text of files) {
      const json = (await parse("guest.tf", text)) as { resource: Record<string, Record<string, Record<string, unknown>[]>> };
      for (const [type, byName] of Object.entries(json.resource)) {
        for (const bodies of Object.values(byName)) {
          undocumented(type, bodies[0], ".", bad);
          for (const k of Object.keys(bodies[0])) seen.add(`${type}.${k}`);
        }
      }
    }
    expect(bad).toEqual([]);
    // The variety really covers the blocks this test is meant to check.
    for (const k of ["disk", "efi_disk", "tpm_state", "cdrom", "network_device", "initialization", "hostpci", "usb", "numa", "vga", "serial_device", "clone"]) {
      expect(seen).toContain(`proxmox_virtual_environment_vm.${k}`);
    }
    for (const k of ["mount_point", "features", "network_interface", "console", "disk", "initialization", "operating_system"]) {
      expect(seen).toContain(`proxmox_virtual_environment_container.${k}`);
    }
  });

  test("the allowlist check itself catches an undocumented argument", () => {
    const bad: string[] = [];
    undocumented("proxmox_virtual_environment_vm", { cpu: [{ cores: 2, turbo: true }], nonsense: 1 }, ".", bad);
    expect(bad).toEqual(["proxmox_virtual_environment_vm: cpu.turbo", "proxmox_virtual_environment_vm: nonsense"]);
  });
});
