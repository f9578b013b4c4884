/** The vendored schema subset and the PVE-style parameter validator (no server). */
import { findEndpoint, schemaSource, validateParameters, vendoredEndpoints } from "../../src/pve/api-schema/index.js";
import { parseSchemaProps } from "../../src/pve/property-string.js";

const CONFIG = "/nodes/pve1/qemu/100/config";

describe("vendored schema", () => {
  test("records its origin and holds the endpoints the project uses", () => {
    expect(schemaSource.commit).toBe("a8736b6d6169ea9679ee02285ea36fdab42e85c3");
    const eps = vendoredEndpoints().map((e) => `${e.method} ${e.path}`);
    for (const e of ["GET /cluster/resources", "POST /nodes/{node}/qemu", "PUT /nodes/{node}/qemu/{vmid}/config", "GET /nodes/{node}/tasks/{upid}/status", "POST /nodes/{node}/lxc/{vmid}/clone"]) {
      expect(eps).toContain(e);
    }
    expect(new Set(eps).size).toBe(eps.length);
  });

  test("findEndpoint matches concrete paths and decodes parameters", () => {
    const m = findEndpoint("get", CONFIG)!;
    expect(m.pathTemplate).toBe("/nodes/{node}/qemu/{vmid}/config");
    expect(m.pathParams).toEqual({ node: "pve1", vmid: "100" });
    expect(m.info.permissions?.check).toEqual(["perm", "/vms/{vmid}", ["VM.Audit"]]);
    const upid = "UPID:pve1:00000BB8:0083D619:6B070FCC:qmstart:100:root@pam!mpc:";
    expect(findEndpoint("GET", `/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`)?.pathParams.upid).toBe(upid);
    expect(findEndpoint("GET", "/nodes/pve1/qemu/100/bogus")).toBeUndefined();
    expect(findEndpoint("PATCH", CONFIG)).toBeUndefined();
  });
});

describe("validateParameters (PVE messages)", () => {
  test("valid requests give {}", () => {
    expect(validateParameters("PUT", CONFIG, { cores: 4, memory: "4096", onboot: 1, net0: "virtio=BC:24:11:00:00:01,bridge=vmbr0,tag=20", tags: "a;b" })).toEqual({});
    expect(validateParameters("POST", "/nodes/pve1/qemu", { vmid: 105, scsi0: "local-lvm:32", ipconfig0: "ip=10.0.0.5/24,gw=10.0.0.1", sshkeys: "ssh-ed25519%20AAAA%20me%40host" })).toEqual({});
    expect(validateParameters("GET", "/cluster/resources", { type: undefined })).toEqual({});
  });

  test("unknown and missing parameters", () => {
    expect(validateParameters("PUT", CONFIG, { foo: "1" })).toEqual({ foo: "property is not defined in schema and the schema does not allow additional properties" });
    expect(validateParameters("POST", "/nodes/pve1/qemu", {})).toEqual({ vmid: "property is missing and it is not optional" });
    expect(validateParameters("POST", "/nodes/pve1/lxc", { vmid: 200 })).toEqual({ ostemplate: "property is missing and it is not optional" });
  });

  test("types: integer, number, boolean accepts only 0/1", () => {
    expect(validateParameters("PUT", CONFIG, { cores: "four" })).toEqual({ cores: "type check ('integer') failed - got 'four'" });
    expect(validateParameters("PUT", CONFIG, { cpulimit: "1.5" })).toEqual({});
    expect(validateParameters("PUT", CONFIG, { cpulimit: "x" })).toEqual({ cpulimit: "type check ('number') failed - got 'x'" });
    expect(validateParameters("PUT", CONFIG, { onboot: "true" })).toEqual({ onboot: "type check ('boolean') failed - got 'true'" });
    expect(validateParameters("PUT", CONFIG, { onboot: true, protection: 0 })).toEqual({});
  });

  test("enum, minimum/maximum, pattern, maxLength", () => {
    expect(validateParameters("GET", "/cluster/resources", { type: "pool" })).toEqual({ type: "value 'pool' does not have a value in the enumeration 'vm, storage, node, sdn'" });
    expect(validateParameters("PUT", CONFIG, { cores: 0 })).toEqual({ cores: "value must have a minimum value of 1" });
    expect(validateParameters("PUT", CONFIG, { cpulimit: 200 })).toEqual({ cpulimit: "value must have a maximum value of 128" });
    expect(validateParameters("PUT", "/nodes/pve1/qemu/100/resize", { disk: "scsi0", size: "ten" })).toEqual({ size: "value does not match the regex pattern" });
    expect(validateParameters("PUT", CONFIG, { digest: "a".repeat(41) })).toEqual({ digest: "value may only be 40 characters long" });
  });

  test("named formats: pve-vmid (as recorded from PVE), pve-node, pve-storage-id, dns-name, pve-configid-list", () => {
    expect(validateParameters("GET", "/cluster/nextid", { vmid: 99 })).toEqual({ vmid: "invalid format - value does not look like a valid VM ID\n" });
    expect(validateParameters("GET", "/nodes/bad_node/status", {})).toEqual({ node: "invalid format - value does not look like a valid node name\n" });
    expect(validateParameters("GET", "/nodes/pve1/storage/9bad/content", {})).toEqual({ storage: "invalid format - storage ID '9bad' contains illegal characters\n" });
    expect(validateParameters("PUT", CONFIG, { name: "web_01" })).toEqual({ name: "invalid format - value does not look like a valid DNS name\n" });
    expect(validateParameters("PUT", CONFIG, { delete: "net0,9x" })).toEqual({ delete: "invalid format - invalid configuration ID '9x'\n" });
    expect(validateParameters("PUT", CONFIG, { sshkeys: "ssh-ed25519 AAAA me@host" })).toEqual({ sshkeys: "invalid format - invalid urlencoded string: ssh-ed25519 AAAA me@host\n" });
  });

  test("indexed keys follow PVE's index ranges", () => {
    expect(validateParameters("PUT", CONFIG, { net31: "virtio,bridge=vmbr0", scsi30: "local-lvm:1", ide3: "none,media=cdrom", virtio15: "local-lvm:1" })).toEqual({});
    const unknown = "property is not defined in schema and the schema does not allow additional properties";
    expect(validateParameters("PUT", CONFIG, { net32: "virtio", scsi31: "local-lvm:1", ide4: "none", sata6: "x", net01: "virtio" })).toEqual({ net32: unknown, scsi31: unknown, ide4: unknown, sata6: unknown, net01: unknown });
    expect(validateParameters("PUT", "/nodes/pve1/lxc/101/config", { mp255: "local-lvm:8,mp=/data", mp256: "x" })).toEqual({ mp256: unknown });
  });

  test("property strings: unknown sub-keys, bare values, sub-key checks", () => {
    expect(validateParameters("PUT", CONFIG, { net0: "virtio,bridge=vmbr0,bogus=1" })).toEqual({ net0: "invalid format - invalid key in comma-separated list property: bogus\n" });
    expect(validateParameters("PUT", CONFIG, { net0: "virtio=BC:24:11:00:00:01,tag=99999" }).net0).toMatch(/^invalid format - format error\nnet0.tag: value must have a maximum value of 4094/);
    expect(validateParameters("PUT", CONFIG, { net0: "virtio=01:00:00:00:00:00" }).net0).toContain("net0.macaddr: invalid format - value does not look like a valid unicast MAC address");
    expect(validateParameters("PUT", CONFIG, { ipconfig0: "dhcp" })).toEqual({ ipconfig0: "invalid format - value without key, but schema does not define a default key\n" });
    expect(validateParameters("PUT", CONFIG, { ipconfig0: "ip=10.0.0.300/24" }).ipconfig0).toContain("ipconfig0.ip: invalid format - value does not look like a valid ipv4 network configuration");
    expect(validateParameters("PUT", CONFIG, { scsi0: "local-lvm:32,cache=nope" }).scsi0).toContain("scsi0.cache: value 'nope' does not have a value in the enumeration");
    expect(validateParameters("PUT", CONFIG, { agent: "enabled=1,type=isa" })).toEqual({});
  });

  test("parseSchemaProps resolves aliases like PVE", () => {
    const net = findEndpoint("PUT", CONFIG)!.info.parameters!.properties!["net[n]"].format as Record<string, never>;
    expect(parseSchemaProps(net, "virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=on").values).toEqual({ model: "virtio", macaddr: "BC:24:11:00:00:01", bridge: "vmbr0", firewall: "1" });
  });

  test("throws for endpoints outside the vendored subset", () => {
    expect(() => validateParameters("GET", "/nodes/pve1/ceph/status", {})).toThrow(/not in the vendored API schema/);
  });
});
