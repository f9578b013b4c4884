/** A guest read from recorded PVE answers (tests/fixtures/pve): disks, NICs, addresses, totals. */
import { configDisks, configNets, guestFromConfig, guestFromResource, isDiskKey, type ConfigValues } from "../../src/pve/guest-config.js";
import { pveFixture } from "../helpers/fixtures.js";

const config = (name: string): ConfigValues => pveFixture<{ data: ConfigValues }>(name).data;

describe("guest configs", () => {
  test("isDiskKey: drives, EFI and TPM for VMs; rootfs and mount points for containers; never unusedN", () => {
    expect(["scsi0", "virtio15", "sata5", "ide2", "efidisk0", "tpmstate0"].every((k) => isDiskKey("qemu", k))).toBe(true);
    expect(["unused0", "net0", "efidisk1", "rootfs", "scsi"].some((k) => isDiskKey("qemu", k))).toBe(false);
    expect(["rootfs", "mp0", "mp10"].every((k) => isDiskKey("lxc", k))).toBe(true);
    expect(["scsi0", "unused0", "mp"].some((k) => isDiskKey("lxc", k))).toBe(false);
  });

  test("a PVE 6.2 VM: the attached disk only (no empty CD-ROM, no unused volume), its NIC", () => {
    const c = config("qemu_config.fog.json");
    expect(configDisks("qemu", c)).toEqual([
      { key: "virtio0", storage: "local", volume: "local:100/vm-100-disk-0.raw", sizeGiB: 2, format: "raw", raw: c.virtio0 },
    ]);
    expect(configNets("qemu", c)).toEqual([
      { key: "net0", model: "virtio", mac: "F2:1A:5C:65:0F:38", bridge: "vmbr0", vlanTag: null, ip: null, firewall: false, raw: c.net0 },
    ]);
  });

  test("a VM with cloud-init: disks in key order, the address from ipconfig0, totals", () => {
    const c = config("qemu_config_cloudinit.goproxmox.json");
    const guest = guestFromConfig({ type: "qemu", vmid: 101, node: "node1", status: "running" }, c);
    expect(guest.disks.map((d) => [d.key, d.sizeGiB])).toEqual([["ide0", 0], ["sata0", 32], ["scsi0", 32], ["virtio0", 64]]);
    expect(guest).toMatchObject({ vmid: 101, name: "matt", cores: 2, memory: 2048, disk: 128, tags: ["production", "webserver"], ipAddresses: ["192.168.1.10"], digest: "abc123def456", template: false });
    expect(guest.nets[0]).toMatchObject({ model: "virtio", mac: "BC:24:11:2E:C5:4A", ip: "192.168.1.10/24" });
    expect(guest.config).not.toHaveProperty("digest");
  });

  test("containers: rootfs in M, a bind mount without storage, the NIC's own ip=, the name from hostname", () => {
    const small = guestFromConfig({ type: "lxc", vmid: "100", node: "pve", status: "stopped" }, config("lxc_config.fog.json"));
    expect(small).toMatchObject({ vmid: 100, name: "CT100", cores: 1, memory: 512, disk: 1.008, ipAddresses: [] });
    expect(small.nets[0]).toMatchObject({ model: "veth", mac: "D2:86:76:35:0D:3E", ip: "dhcp" });
    const bind = guestFromConfig({ type: "lxc", vmid: 101, node: "node1", maxcpu: 8 }, config("lxc_config.goproxmox.json"));
    expect(bind.disks.map((d) => [d.key, d.storage, d.sizeGiB])).toEqual([["mp0", null, 0], ["rootfs", "vmstore", 30]]);
    expect(bind).toMatchObject({ name: "test-container", cores: 2, status: "unknown", tags: ["tag1", "tag2"] });
    expect(bind.nets[0].firewall).toBe(true);
  });

  test("a template from its config or its resource entry", () => {
    expect(guestFromConfig({ type: "qemu", vmid: 101, node: "pve" }, config("qemu_config_template.fog.json")).template).toBe(true);
    expect(guestFromConfig({ type: "qemu", vmid: 100, node: "pve", template: 1 }, {}).template).toBe(true);
    expect(guestFromConfig({ type: "qemu", vmid: 100, node: "pve" }, {})).toMatchObject({ name: "vm-100", template: false, cores: 1, memory: 512, disk: 0 });
  });

  test("from a /cluster/resources entry alone: sizes from bytes, no config", () => {
    const [entry] = pveFixture<{ data: Record<string, unknown>[] }>("cluster_resources.datadog.json").data.filter((r) => r.type === "lxc");
    const guest = guestFromResource(entry as { type: string });
    expect(guest).toMatchObject({ type: "lxc", vmid: Number(entry.vmid), node: entry.node, config: {}, disks: [], nets: [] });
    expect(guest.memory).toBe(Math.round(Number(entry.maxmem) / 1024 ** 2));
    expect(guest.tags.length).toBeGreaterThan(0);
  });
});
