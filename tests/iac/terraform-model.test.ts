/**
 * The GuestSpec model: adoption of PVE configs, pveConfigFromSpec in both
 * modes, the round trip back to the config, comparison, and new-guest defaults.
 */
import {
  canonicalPveValue,
  diffPveConfig,
  IGNORED_PVE_KEYS,
  isManagedPveKey,
  newGuestSpec,
  pveConfigFromSpec,
  samePveValue,
  specFromPve,
  type LxcGuestSpec,
  type QemuGuestSpec,
} from "../../src/iac/model.js";
import { UsageError } from "../../src/core/errors.js";
import { allGuests, recordedGuests, syntheticGuests } from "./terraform-fixtures.js";

const byName = (name: string) => {
  const g = syntheticGuests().find((x) => x.name === name);
  if (!g) throw new Error(`no fixture ${name}`);
  return g;
};

describe("specFromPve: mapping of specific fields", () => {
  const web = specFromPve(byName("web-01")) as QemuGuestSpec;

  test("disks keep interface, datastore, size, volume and options", () => {
    expect(web.disks.map((d) => [d.interface, d.datastoreId, d.sizeGiB, d.volume])).toEqual([
      ["scsi0", "local-lvm", 32, "vm-100-disk-0"],
      ["scsi1", "local-lvm", 100, "vm-100-disk-1"],
      ["virtio0", "ceph", 1, "vm-100-disk-3"],
    ]);
    expect(web.disks[1]).toMatchObject({ iothread: true, discard: "on", ssd: true, backup: false });
    expect(web.disks[2]).toMatchObject({ exactSize: "1032M", cache: "writeback", speed: { iopsRead: 500, write: 120 } });
  });

  test("a file-based volume gives its format; PVE's text does not repeat it", () => {
    const fog = specFromPve(recordedGuests()[0]) as QemuGuestSpec;
    expect(fog.disks).toEqual([
      { interface: "virtio0", datastoreId: "local", volume: "100/vm-100-disk-0.raw", sizeGiB: 2, fileFormat: "raw", backup: false, replicate: false },
    ]);
    expect(pveConfigFromSpec(fog).virtio0).toBe("local:100/vm-100-disk-0.raw,backup=0,replicate=0,size=2G");
    expect(web.disks[0].fileFormat).toBeUndefined();
  });

  test("network devices keep model, MAC, bridge, VLAN, firewall, MTU", () => {
    expect(web.networkDevices).toEqual([
      { enabled: true, model: "virtio", macAddress: "BC:24:11:AB:CD:EF", bridge: "vmbr0", vlanId: 20, firewall: true },
      { enabled: true, model: "virtio", macAddress: "BC:24:11:AB:CD:F0", bridge: "vmbr1", mtu: 9000, queues: 4 },
    ]);
  });

  test("cpu, boot order, agent, machine, on boot, started, sorted tags", () => {
    expect(web.cpu).toEqual({ cores: 2, sockets: 1, type: "x86-64-v2-AES", numa: false });
    expect(web.memory).toEqual({ dedicated: 2048, floating: 1024 });
    expect(web.bootOrder).toEqual(["scsi0", "net0"]);
    expect(web.agent).toEqual({ enabled: true, trim: true });
    expect([web.bios, web.machine, web.scsiHardware]).toEqual(["ovmf", "q35", "virtio-scsi-single"]);
    expect([web.onBoot, web.started, web.template]).toEqual([true, true, false]);
    const tagged = specFromPve({ ...byName("web-01"), config: { ...byName("web-01").config, tags: "web;prod;web" } });
    expect(tagged.tags).toEqual(["prod", "web"]);
  });

  test("cloud-init: drive, addresses, user, keys, DNS", () => {
    expect(web.initialization).toEqual({
      datastoreId: "local-lvm",
      interface: "ide2",
      ipConfigs: [{ ipv4: { address: "10.0.1.5/24", gateway: "10.0.1.1" } }, { ipv4: { address: "dhcp" }, ipv6: { address: "auto" } }],
      userAccount: { username: "admin", keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKey admin@laptop"] },
      dns: { servers: ["1.1.1.1", "9.9.9.9"], domain: "example.com" },
    });
    expect(web.efiDisk).toEqual({ datastoreId: "local-lvm", volume: "vm-100-disk-2", exactSize: "4M", type: "4m", preEnrolledKeys: true });
  });

  test("identity noise is ignored, everything else unmapped stays as a comment", () => {
    expect(web.unmapped).toEqual({});
    const odd = specFromPve(byName("9gag")) as QemuGuestSpec;
    expect(Object.keys(odd.unmapped).sort()).toEqual(["ide0", "parallel0", "serial2", "smbios1", "unused0"]);
    expect(odd.unmapped.unused0).toBe("local-lvm:vm-101-disk-9");
    for (const key of ["digest", "vmgenid", "meta", "lock"]) expect(key in IGNORED_PVE_KEYS).toBe(true);
    // The gap between net0 and net2 is kept as a disabled device, so net2 stays the third.
    expect(odd.networkDevices.map((n) => n.enabled)).toEqual([true, false, true]);
    expect(odd.cdrom).toEqual({ interface: "ide2", fileId: "local:iso/debian-12.iso", extra: { size: "628M" } });
    expect(odd.cpu).toMatchObject({ type: "host", flags: ["+aes", "+pdpe1gb"], extra: { hidden: "1" }, hotplugged: 6, limit: 1.5 });
  });

  test("containers: root disk, mount points, interfaces with addresses, features", () => {
    const db = specFromPve(byName("db-01")) as LxcGuestSpec;
    expect(db.name).toBe("db-01");
    expect(db.rootDisk).toEqual({ datastoreId: "local-lvm", volume: "vm-201-disk-0", sizeGiB: 16 });
    expect(db.mountPoints).toEqual([
      { volume: "local-lvm:vm-201-disk-1", path: "/var/lib/postgresql", backup: true, size: "50G" },
      { volume: "/mnt/shared", path: "/shared", readOnly: true },
    ]);
    expect(db.networkInterfaces[0]).toEqual({
      enabled: true,
      name: "eth0",
      bridge: "vmbr0",
      firewall: true,
      macAddress: "BC:24:11:00:02:01",
      vlanId: 30,
      ipv4: { address: "10.0.2.10/24", gateway: "10.0.2.1" },
    });
    expect(db.features).toEqual({ keyctl: true, nesting: true });
    expect([db.unprivileged, db.onBoot, db.started]).toEqual([true, true, true]);
    const tpl = specFromPve(byName("ct-template")) as LxcGuestSpec;
    expect(tpl.unmapped.lxc).toContain("lxc.cgroup2.devices.allow");
    expect(tpl.rootDisk).toMatchObject({ sizeGiB: 1, exactSize: "1032M" });
  });
});

describe("adoption round trip: pveConfigFromSpec(specFromPve(g)) = g.config on mapped keys", () => {
  test.each(allGuests().map((g) => [`${g.type} ${g.vmid} ${g.name}`, g] as const))("%s", (_label, guest) => {
    const spec = specFromPve(guest);
    const out = pveConfigFromSpec(spec, { for: "compare" });
    const config = guest.config as Record<string, unknown>;
    // Every key the spec produces has exactly the value PVE returned (numbers may come as strings).
    for (const [key, value] of Object.entries(out)) {
      if (config[key] === undefined) {
        expect(samePveValue(spec.kind, key, value, undefined)).toBe(true);
        continue;
      }
      expect([key, String(value)]).toEqual([key, String(config[key])]);
    }
    // Every config key is produced again, kept as a comment, or ignored noise.
    for (const [key, value] of Object.entries(config)) {
      const kept = key in out || key in spec.unmapped || key in IGNORED_PVE_KEYS || (key === "smbios1" && /^uuid=[^,]+$/.test(String(value)));
      expect([key, kept || samePveValue(spec.kind, key, undefined, value)]).toEqual([key, true]);
    }
    expect(diffPveConfig(spec, config)).toEqual([]);
  });

  test("the recorded configs of real servers are covered", () => {
    expect(recordedGuests()).toHaveLength(5);
  });
});

describe("pveConfigFromSpec for create", () => {
  test("a new VM: allocation syntax for disks, EFI and cloud-init; vmid included", () => {
    const spec = newGuestSpec({ kind: "qemu", name: "web-02", vmid: 120, node: "pve1", ip: "10.0.1.20/24", gateway: "10.0.1.1", sshKeys: ["ssh-ed25519 AAAA me"] });
    const out = pveConfigFromSpec(spec, { for: "create" });
    expect(out).toMatchObject({
      vmid: 120,
      name: "web-02",
      scsi0: "local-lvm:32,format=raw,iothread=1",
      ide2: "local-lvm:cloudinit,media=cdrom",
      net0: "virtio,bridge=vmbr0,firewall=1",
      ipconfig0: "ip=10.0.1.20/24,gw=10.0.1.1",
      scsihw: "virtio-scsi-single",
      cpu: "x86-64-v2-AES",
      agent: "1",
      boot: "order=scsi0;net0",
      sshkeys: "ssh-ed25519%20AAAA%20me",
      onboot: 1,
    });
    const compare = pveConfigFromSpec(spec, { for: "compare" });
    expect(compare.scsi0).toBe("local-lvm:,format=raw,iothread=1,size=32G");
    expect(compare.vmid).toBeUndefined();
  });

  test("a clone gets no vmid and no disk allocation (the template's disks are cloned)", () => {
    const spec = newGuestSpec({ kind: "qemu", name: "app", vmid: 130, node: "pve1", clone: { vmId: 9000 } });
    const out = pveConfigFromSpec(spec, { for: "create" });
    expect(out.vmid).toBeUndefined();
    expect(out.scsi0).toBeUndefined();
    expect(out.ide2).toBeUndefined();
    expect(out.ipconfig0).toBe("ip=dhcp");
  });

  test("a new container: rootfs allocation, ostemplate, keys, interface with type=veth", () => {
    const spec = newGuestSpec({ kind: "lxc", name: "cache", vmid: 140, node: "pve2", ostemplate: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst", sshKeys: ["k1", "k2"] });
    const out = pveConfigFromSpec(spec, { for: "create" });
    expect(out).toMatchObject({
      vmid: 140,
      hostname: "cache",
      rootfs: "local-lvm:8",
      ostemplate: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
      "ssh-public-keys": "k1\nk2",
      net0: "name=eth0,bridge=vmbr0,firewall=1,ip=dhcp,type=veth",
      features: "nesting=1",
      unprivileged: 1,
      cores: 1,
      memory: 512,
      swap: 512,
      ostype: "debian",
    });
  });
});

describe("newGuestSpec defaults and input checks", () => {
  test("VM defaults", () => {
    const spec = newGuestSpec({ kind: "qemu", name: "Web 01", vmid: 150, node: "pve1" }) as QemuGuestSpec;
    expect(spec.resourceName).toBe("web_01");
    expect(spec.cpu).toEqual({ cores: 2, sockets: 1, type: "x86-64-v2-AES" });
    expect(spec.memory.dedicated).toBe(2048);
    expect(spec.disks).toEqual([{ interface: "scsi0", datastoreId: "local-lvm", sizeGiB: 32, fileFormat: "raw", iothread: true }]);
    expect(spec.networkDevices).toEqual([{ enabled: true, model: "virtio", bridge: "vmbr0", firewall: true }]);
    expect(spec.agent).toEqual({ enabled: true });
    expect(spec.initialization).toBeUndefined();
  });

  test("container defaults", () => {
    const spec = newGuestSpec({ kind: "lxc", name: "ct", vmid: 151, node: "pve1", ostemplate: "local:vztmpl/alpine-3.20-default_20240908_amd64.tar.xz" }) as LxcGuestSpec;
    expect([spec.unprivileged, spec.features, spec.cpu.cores, spec.memory.dedicated, spec.rootDisk?.sizeGiB]).toEqual([true, { nesting: true }, 1, 512, 8]);
    expect(spec.operatingSystem).toEqual({ templateFileId: "local:vztmpl/alpine-3.20-default_20240908_amd64.tar.xz", type: "alpine" });
  });

  test("bad inputs are usage errors", () => {
    expect(() => newGuestSpec({ kind: "qemu", name: "a", vmid: 1, node: "n", ip: "10.0.0.5" })).toThrow(UsageError);
    expect(() => newGuestSpec({ kind: "qemu", name: "a", vmid: 1, node: "n", ip: "dhcp", gateway: "10.0.0.1" })).toThrow(UsageError);
    expect(() => newGuestSpec({ kind: "lxc", name: "a", vmid: 1, node: "n" })).toThrow(/OS template/);
  });
});

describe("comparing with a live config", () => {
  test("spellings of one setting compare equal", () => {
    expect(canonicalPveValue("qemu", "tags", "web;prod")).toBe("prod;web");
    expect(samePveValue("qemu", "scsi0", "local-lvm:vm-1-disk-0,size=1024M,iothread=on", "local-lvm:vm-1-disk-0,iothread=1,size=1G")).toBe(true);
    expect(samePveValue("qemu", "net0", "virtio=bc:24:11:00:00:01,tag=5,bridge=vmbr0", "virtio=BC:24:11:00:00:01,bridge=vmbr0,tag=5")).toBe(true);
    expect(samePveValue("qemu", "net0", "virtio,bridge=vmbr0", "model=virtio,bridge=vmbr0")).toBe(true);
    expect(canonicalPveValue("qemu", "net0", "e1000=bc:24:11:00:00:02,firewall=on")).toBe("e1000=BC:24:11:00:00:02,firewall=1");
    expect(samePveValue("qemu", "net0", "virtio=BC:24:11:00:00:01,bridge=vmbr0", "e1000=BC:24:11:00:00:01,bridge=vmbr0")).toBe(false);
    expect(samePveValue("qemu", "agent", "enabled=1", "1")).toBe(true);
    expect(samePveValue("qemu", "onboot", undefined, 0)).toBe(true);
    expect(samePveValue("qemu", "sshkeys", "ssh-rsa%20AAA%20u%40h%0A", "ssh-rsa%20AAA%20u%40h")).toBe(true);
    expect(samePveValue("lxc", "net0", "name=eth0,bridge=vmbr0,ip=dhcp", "name=eth0,bridge=vmbr0,ip=dhcp,type=veth")).toBe(true);
    expect(samePveValue("qemu", "scsi0", "local-lvm:,size=32G", "local-lvm:vm-9-disk-0,size=32G")).toBe(true);
    expect(samePveValue("qemu", "scsi0", "local-lvm:,size=32G", "local-lvm:vm-9-disk-0,size=64G")).toBe(false);
  });

  test("changes and deletions are listed, unmapped keys left alone", () => {
    const guest = byName("web-01");
    const spec = specFromPve(guest) as QemuGuestSpec;
    const edited: QemuGuestSpec = { ...spec, cpu: { ...spec.cpu, cores: 4 }, onBoot: false, disks: spec.disks.slice(0, 2).map((d) => (d.interface === "scsi1" ? { ...d, sizeGiB: 200 } : d)) };
    const live = { ...(guest.config as Record<string, unknown>), unused0: "local-lvm:vm-100-disk-9" };
    const changes = diffPveConfig({ ...edited, unmapped: { unused0: "local-lvm:vm-100-disk-9" } }, live);
    expect(changes.map((c) => [c.key, c.action, c.destructive])).toEqual([
      ["cores", "set", false],
      ["onboot", "delete", false],
      ["scsi1", "set", false],
      ["virtio0", "delete", true],
    ]);
    expect(changes[2].desired).toBe("local-lvm:vm-100-disk-1,backup=0,discard=on,iothread=1,size=200G,ssd=1");
    expect(isManagedPveKey(spec, "digest")).toBe(false);
    expect(isManagedPveKey(spec, "ide0", "local:100/vm-100-disk-5.qcow2,size=4G")).toBe(false);
  });
});
