/**
 * Property strings: parseProps and printProps are each other's inverse on the
 * values real PVE servers return (tests/fixtures/pve, sources in SOURCES.md)
 * and on option objects; parseSchemaProps reads them like PVE (aliases).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findEndpoint } from "../../src/pve/api-schema/index.js";
import type { PropertySchema } from "../../src/pve/api-schema/types.js";
import { parseProps, parseSchemaProps, printProps } from "../../src/pve/property-string.js";
import { FIXTURES_DIR, pveFixture } from "../helpers/fixtures.js";

type Config = Record<string, string | number>;
const config = (name: string): Config => pveFixture<{ data: Config }>(name).data;
const qemu = config("qemu_config.fog.json");
const qemuCloudInit = config("qemu_config_cloudinit.goproxmox.json");
const qemuTemplate = config("qemu_config_template.fog.json");
const lxc = config("lxc_config.fog.json");
const lxcBind = config("lxc_config.goproxmox.json");
/** Synthetic guests in PVE's print form (tests/fixtures/iac): the only efidisk0 and tpmstate0 values we have. */
const synthetic = (JSON.parse(readFileSync(join(FIXTURES_DIR, "iac", "guests.json"), "utf8")) as { guests: { config: Config }[] }).guests[0].config;

/** [what, value, lead, required keys] for every recorded value, as PVE printed it. */
const RECORDED: [string, string, string | undefined, string[]][] = [
  ["qemu virtio0 (file volume, flags)", String(qemu.virtio0), "file", []],
  ["qemu ide2 (no media)", String(qemu.ide2), "file", []],
  ["qemu unused0", String(qemu.unused0), "file", []],
  ["qemu net0", String(qemu.net0), undefined, ["virtio"]],
  ["qemu smbios1", String(qemu.smbios1), undefined, []],
  ["qemu template virtio0", String(qemuTemplate.virtio0), "file", []],
  ["qemu scsi0", String(qemuCloudInit.scsi0), "file", []],
  ["qemu ide2 (ISO)", String(qemuCloudInit.ide2), "file", []],
  ["qemu boot", String(qemuCloudInit.boot), undefined, []],
  ["qemu efidisk0", String(synthetic.efidisk0), "file", []],
  ["lxc rootfs", String(lxc.rootfs), "volume", ["mp"]],
  ["lxc net0", String(lxc.net0), undefined, ["name"]],
  ["lxc net0 (firewall)", String(lxcBind.net0), undefined, ["name"]],
  ["lxc rootfs (subvol)", String(lxcBind.rootfs), "volume", ["mp"]],
  ["lxc mp0 (bind mount)", String(lxcBind.mp0), "volume", ["mp"]],
  ["lxc features", String(lxcBind.features), undefined, []],
];

describe("parseProps / printProps on recorded values", () => {
  test.each(RECORDED)("%s: print(parse(s)) === s", (_what, value, lead, required) => {
    expect(printProps(parseProps(value, lead), lead, required)).toBe(value);
  });

  test.each(RECORDED)("%s: parse(print(parse(s))) === parse(s)", (_what, value, lead, required) => {
    const options = parseProps(value, lead);
    expect(parseProps(printProps(options, lead, required), lead)).toEqual(options);
  });

  test("a disk: the volume under its lead key, every option by name", () => {
    expect(parseProps(String(qemu.virtio0), "file")).toEqual({ file: "local:100/vm-100-disk-0.raw", backup: "0", replicate: "0", size: "2G" });
    expect(parseProps(String(lxcBind.mp0), "volume")).toEqual({ volume: "/mnt/foo/bar", mp: "/storage" });
  });

  test("a NIC: the model is a key holding the MAC", () => {
    expect(parseProps(String(qemu.net0))).toEqual({ virtio: "F2:1A:5C:65:0F:38", bridge: "vmbr0" });
    expect(parseProps(String(lxc.net0))).toMatchObject({ name: "eth0", hwaddr: "D2:86:76:35:0D:3E", ip: "dhcp", type: "veth" });
  });

  test("ipconfig0 as a user wrote it (ip first) prints in PVE's sorted order and reads back the same", () => {
    const written = String(qemuCloudInit.ipconfig0);
    expect(written).toBe("ip=192.168.1.10/24,gw=192.168.1.1");
    const printed = printProps(parseProps(written));
    expect(printed).toBe("gw=192.168.1.1,ip=192.168.1.10/24");
    expect(parseProps(printed)).toEqual(parseProps(written));
  });

  test("a bare part without a lead (or a second one) is a key of its own", () => {
    expect(parseProps("0000:01:00.0")).toEqual({ "0000:01:00.0": "1" });
    expect(parseProps("local:iso/a.iso,cdrom", "file")).toEqual({ file: "local:iso/a.iso", cdrom: "1" });
    expect(parseProps("")).toEqual({});
  });
});

describe("printProps", () => {
  const OPTIONS: [Record<string, string>, string | undefined, string[], string][] = [
    [{ file: "local-lvm:vm-100-disk-0", size: "32G", iothread: "1", discard: "on" }, "file", [], "local-lvm:vm-100-disk-0,discard=on,iothread=1,size=32G"],
    [{ volume: "local-lvm:vm-101-disk-1", size: "8G", mp: "/data", backup: "1" }, "volume", ["mp"], "local-lvm:vm-101-disk-1,mp=/data,backup=1,size=8G"],
    [{ virtio: "BC:24:11:00:00:01", tag: "20", bridge: "vmbr0", firewall: "1" }, undefined, ["virtio"], "virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=1,tag=20"],
    [{ cpus: "0-1", memory: "2048", hostnodes: "0" }, undefined, ["cpus"], "cpus=0-1,hostnodes=0,memory=2048"],
  ];

  test.each(OPTIONS)("%j → PVE's order, and parse(print(x)) === x", (options, lead, required, printed) => {
    expect(printProps(options, lead, required)).toBe(printed);
    expect(parseProps(printed, lead)).toEqual(options);
  });

  test("undefined options are left out; numbers are printed as they are", () => {
    expect(printProps({ file: "local-lvm:8", size: undefined, cache: "none", mbps_rd: 120 }, "file")).toBe("local-lvm:8,cache=none,mbps_rd=120");
    expect(printProps({ file: undefined, media: "cdrom" }, "file")).toBe("media=cdrom");
  });
});

describe("parseSchemaProps", () => {
  const params = findEndpoint("PUT", "/nodes/pve1/qemu/100/config")!.info.parameters!.properties!;
  const net = params["net[n]"].format as Record<string, PropertySchema>;

  test("the recorded net0 reads into model and macaddr, and prints back with the model first", () => {
    const { values, error } = parseSchemaProps(net, String(qemu.net0));
    expect(error).toBeUndefined();
    expect(values).toEqual({ model: "virtio", macaddr: "F2:1A:5C:65:0F:38", bridge: "vmbr0" });
    const { model, macaddr, ...rest } = values;
    expect(printProps({ ...rest, [model]: macaddr }, undefined, [model])).toBe(qemu.net0);
  });

  test("booleans are read as 0/1; errors are PVE's texts", () => {
    expect(parseSchemaProps(net, "virtio,bridge=vmbr0,firewall=on").values).toMatchObject({ model: "virtio", firewall: "1" });
    expect(parseSchemaProps(net, "virtio=BC:24:11:00:00:01,bogus=1").error).toBe("invalid key in comma-separated list property: bogus");
    expect(parseSchemaProps(net, "virtio=BC:24:11:00:00:01,bridge=").error).toBe("missing key in comma-separated list property");
    expect(parseSchemaProps(net, "bridge=vmbr0,bridge=vmbr1").error).toBe("duplicate key in comma-separated list property: bridge");
  });
});
