/** A small cluster for native-engine tests: two nodes, a template, guests of ours and one of someone else. */
import type { SeedDocument } from "../../../src/sim/index.js";

export const DEBIAN_CT = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";

/** vmids of the seed. */
export const WEB = 100;
export const DNS = 101;
export const VAULT = 102;
export const FOREIGN = 200;
export const TEMPLATE = 9000;

export function seed(): SeedDocument {
  return {
    nodes: [{ name: "pve1" }, { name: "pve2" }],
    guests: [
      {
        vmid: WEB,
        node: "pve1",
        name: "web-01",
        status: "running",
        config: {
          cores: 2,
          memory: 2048,
          scsihw: "virtio-scsi-single",
          scsi0: "local-lvm:vm-100-disk-0,iothread=1,size=32G",
          net0: "virtio=BC:24:11:10:00:01,bridge=vmbr0,firewall=1",
          boot: "order=scsi0;net0",
          ostype: "l26",
          onboot: 1,
          tags: "prod;web",
        },
      },
      {
        vmid: DNS,
        type: "lxc",
        node: "pve2",
        name: "dns-01",
        status: "running",
        config: {
          cores: 1,
          memory: 512,
          swap: 512,
          ostype: "debian",
          rootfs: "local-lvm:vm-101-disk-0,size=8G",
          net0: "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:10:00:02,ip=dhcp,type=veth",
          unprivileged: 1,
          onboot: 1,
        },
      },
      {
        vmid: VAULT,
        node: "pve2",
        name: "vault-01",
        status: "stopped",
        config: { cores: 1, memory: 1024, scsi0: "local-lvm:vm-102-disk-0,size=8G", protection: 1 },
      },
      {
        vmid: FOREIGN,
        node: "pve1",
        name: "other-01",
        status: "running",
        config: { cores: 1, memory: 512, scsi0: "local-lvm:vm-200-disk-0,size=8G" },
      },
      {
        vmid: TEMPLATE,
        node: "pve1",
        name: "debian-12-cloudinit",
        config: {
          template: 1,
          cores: 2,
          memory: 2048,
          scsihw: "virtio-scsi-single",
          scsi0: "local-lvm:base-9000-disk-0,iothread=1,size=3G",
          ide2: "local-lvm:vm-9000-cloudinit,media=cdrom",
          net0: "virtio=BC:24:11:B9:E2:93,bridge=vmbr0",
          ipconfig0: "ip=dhcp",
          ostype: "l26",
          serial0: "socket",
          vga: "serial0",
        },
      },
    ],
  };
}
