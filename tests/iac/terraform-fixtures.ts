/**
 * Guests for the Terraform tests: the recorded PVE configs of
 * tests/fixtures/pve, the synthetic ones of tests/fixtures/iac/guests.json,
 * and a seeded generator of canonical configs (strings written by hand here,
 * independent of the code under test).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AdoptableGuest } from "../../src/iac/terraform/spec/adopt.js";
import { FIXTURES_DIR, pveFixture } from "../helpers/fixtures.js";

/** The synthetic guests (qemu with cloud-init/EFI/several disks and NICs/VLAN, a template, lxc with mount points…). */
export function syntheticGuests(): AdoptableGuest[] {
  const text = readFileSync(join(FIXTURES_DIR, "iac", "guests.json"), "utf8");
  return (JSON.parse(text) as { guests: AdoptableGuest[] }).guests;
}

/** The recorded configs of tests/fixtures/pve as guests (vmids renumbered 500… to be unique next to the others). */
export function recordedGuests(): AdoptableGuest[] {
  const cfg = (name: string): Record<string, unknown> => pveFixture<{ data: Record<string, unknown> }>(name).data;
  return [
    { vmid: 500, type: "qemu", node: "pve", name: "fog-vm", status: "running", template: false, config: cfg("qemu_config.fog.json") },
    { vmid: 501, type: "qemu", node: "node1", name: "matt", status: "stopped", template: false, config: cfg("qemu_config_cloudinit.goproxmox.json") },
    { vmid: 502, type: "qemu", node: "pve", name: "Copy-of-VM-100", status: "stopped", template: true, config: cfg("qemu_config_template.fog.json") },
    { vmid: 503, type: "lxc", node: "pve", name: "CT100", status: "running", template: false, config: cfg("lxc_config.fog.json") },
    { vmid: 504, type: "lxc", node: "node1", name: "test-container", status: "running", template: false, config: cfg("lxc_config.goproxmox.json") },
  ];
}

/** A small seeded PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (r: () => number): string => Math.floor(r() * 256).toString(16).toUpperCase().padStart(2, "0");

/** `count` canonical guest configs, half VMs half containers, deterministic for a seed. */
export function generatedGuests(count: number, seed = 7): AdoptableGuest[] {
  const r = rng(seed);
  const pick = <T>(list: T[]): T => list[Math.floor(r() * list.length)];
  const yes = (p = 0.5): boolean => r() < p;
  const out: AdoptableGuest[] = [];
  for (let i = 0; i < count; i++) {
    const vmid = 300 + i;
    const mac = (): string => `BC:24:11:${hex(r)}:${hex(r)}:${hex(r)}`;
    const storage = pick(["local-lvm", "ceph", "zfs"]);
    const name = pick(["web", "db", "cache", "Api.Gateway", "9lives", "x"]) + (yes() ? `-${i}` : "");
    if (i % 2 === 0) {
      const config: Record<string, unknown> = { name, cores: 1 + Math.floor(r() * 8), memory: String(512 * (1 + Math.floor(r() * 8))), ostype: "l26" };
      if (yes()) config.sockets = pick([1, 2]);
      if (yes()) config.cpu = pick(["x86-64-v2-AES", "host", "kvm64,flags=+aes"]);
      if (yes()) config.scsihw = pick(["virtio-scsi-single", "virtio-scsi-pci"]);
      const disks = 1 + Math.floor(r() * 3);
      for (let d = 0; d < disks; d++) {
        const bus = pick(["scsi", "virtio", "sata"]);
        const opts = [yes() ? "backup=0" : "", yes() ? "discard=on" : "", bus !== "sata" && yes() ? "iothread=1" : "", `size=${pick([8, 16, 32, 100, 2048])}G`];
        const size = opts.pop() as string;
        const sized = size === "size=2048G" ? "size=2T" : size;
        config[`${bus}${d}`] = [`${storage}:vm-${vmid}-disk-${d}`, ...opts.filter(Boolean), sized].join(",");
      }
      const nics = 1 + Math.floor(r() * 2);
      for (let n = 0; n < nics; n++) {
        const opts = [`bridge=vmbr${n}`, yes() ? "firewall=1" : "", yes() ? `tag=${10 + n}` : ""].filter(Boolean);
        config[`net${n}`] = [`${pick(["virtio", "e1000"])}=${mac()}`, ...opts].join(",");
      }
      if (yes()) {
        config.ide2 = `${storage}:vm-${vmid}-cloudinit,media=cdrom`;
        config.ipconfig0 = yes() ? "ip=dhcp" : `ip=10.1.${i % 250}.${(i % 200) + 10}/24,gw=10.1.${i % 250}.1`;
        if (yes()) config.ciuser = "ops";
      }
      if (yes()) {
        config.bios = "ovmf";
        config.efidisk0 = `${storage}:vm-${vmid}-disk-9,efitype=4m,pre-enrolled-keys=1,size=4M`;
      }
      if (yes()) config.boot = "order=scsi0;net0";
      if (yes()) config.agent = pick(["1", "0", "1,fstrim_cloned_disks=1"]);
      if (yes()) config.onboot = 1;
      if (yes()) config.tags = pick(["prod", "a;b", "db;prod;web"]);
      if (yes(0.2)) config.template = 1;
      if (yes(0.3)) config.unused0 = `${storage}:vm-${vmid}-disk-7`;
      config.digest = "0123456789abcdef";
      out.push({ vmid, type: "qemu", node: pick(["pve1", "pve2"]), name, status: pick(["running", "stopped"]), template: config.template === 1, config });
    } else {
      const config: Record<string, unknown> = { hostname: name, arch: "amd64", cores: 1 + Math.floor(r() * 4), memory: 256 * (1 + Math.floor(r() * 8)), swap: pick([0, 512]) };
      config.ostype = pick(["debian", "ubuntu", "alpine"]);
      config.rootfs = `${storage}:subvol-${vmid}-disk-0,size=${pick(["8G", "32G", "1032M"])}`;
      if (yes()) config.unprivileged = 1;
      if (yes()) config.features = pick(["nesting=1", "keyctl=1,nesting=1", "fuse=1,mount=nfs;cifs"]);
      const mps = Math.floor(r() * 3);
      for (let m = 0; m < mps; m++) {
        config[`mp${m}`] = yes() ? `${storage}:subvol-${vmid}-disk-${m + 1},mp=/data${m},backup=1,size=${pick(["10G", "1T"])}` : `/srv/share${m},mp=/share${m},ro=1`;
      }
      const nics = 1 + Math.floor(r() * 2);
      for (let n = 0; n < nics; n++) {
        const ip = yes() ? "ip=dhcp" : `gw=10.2.${n}.1,hwaddr=${mac()},ip=10.2.${n}.${(i % 200) + 10}/24`;
        const parts = [`name=eth${n}`, `bridge=vmbr${n}`, yes() ? "firewall=1" : "", ip.startsWith("gw") ? ip : `hwaddr=${mac()},${ip}`, yes() ? `tag=${20 + n}` : "", "type=veth"];
        config[`net${n}`] = parts.filter(Boolean).join(",");
      }
      if (yes()) config.onboot = 1;
      if (yes()) config.tags = pick(["ct", "db;prod"]);
      if (yes()) config.nameserver = "1.1.1.1 8.8.8.8";
      if (yes(0.2)) config.template = 1;
      config.digest = "fedcba9876543210";
      out.push({ vmid, type: "lxc", node: pick(["pve1", "pve2"]), name, status: pick(["running", "stopped"]), template: config.template === 1, config });
    }
  }
  return out;
}

/** Every guest the tests use for variety. */
export function allGuests(): AdoptableGuest[] {
  return [...syntheticGuests(), ...recordedGuests(), ...generatedGuests(60)];
}
