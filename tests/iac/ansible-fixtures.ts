/**
 * Shared fixtures of the Ansible tests: a small cluster as raw PVE data
 * (list entries + configs), the GuestRecords the real sync normalizer makes
 * of it, and a runner for the real ansible tools. (The dynamic inventory
 * test serves these guests from the simulator.)
 */
import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { guestFromConfig } from "../../src/pve/guest-config.js";
import type { AnsibleOptions } from "../../src/iac/ansible/index.js";
import type { GuestRecord } from "../../src/state/types.js";
import { havePart } from "../helpers/real-parts.js";

/** A guest as PVE has it: the list entry fields and the raw config. */
export interface RawGuest {
  vmid: number;
  type: "qemu" | "lxc";
  node: string;
  status: string;
  template?: boolean;
  config: Record<string, string | number>;
}

export const RAW_GUESTS: RawGuest[] = [
  { vmid: 101, type: "qemu", node: "pve1", status: "running", config: { name: "web-01", cores: 2, sockets: 1, memory: "2048", tags: "web;prod", agent: "1", net0: "virtio=BC:24:11:00:00:01,bridge=vmbr0", net1: "virtio=BC:24:11:00:00:11,bridge=vmbr1", ipconfig0: "ip=10.0.0.11/24,gw=10.0.0.1", ipconfig1: "ip=10.1.0.11/24", scsi0: "local-lvm:vm-101-disk-0,size=32G" } },
  { vmid: 102, type: "qemu", node: "pve1", status: "stopped", config: { name: "web-02", cores: 1, sockets: 2, memory: "1024", tags: "web", net0: "virtio=BC:24:11:00:00:02,bridge=vmbr0", net1: "virtio=BC:24:11:00:00:12,bridge=vmbr1", ipconfig0: "ip=dhcp", ipconfig1: "ip=192.168.7.2/24", scsi0: "local-lvm:vm-102-disk-0,size=16G" } },
  { vmid: 103, type: "qemu", node: "pve-2", status: "running", config: { name: "db-main", cores: 4, memory: "8192", tags: "db-primary", net0: "virtio=BC:24:11:00:00:03,bridge=vmbr0", ipconfig0: "ip=dhcp", scsi0: "local-lvm:vm-103-disk-0,size=64G" } },
  { vmid: 200, type: "lxc", node: "pve-2", status: "running", config: { hostname: "dns-01", cores: 1, memory: 512, tags: "infra", net0: "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:20,ip=10.0.0.53/24,gw=10.0.0.1,type=veth", rootfs: "local-lvm:subvol-200-disk-0,size=8G" } },
  { vmid: 201, type: "lxc", node: "pve1", status: "stopped", config: { hostname: "cache", cores: 2, memory: 1024, net0: "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:21,ip=dhcp,type=veth", rootfs: "local-lvm:subvol-201-disk-0,size=8G" } },
  { vmid: 9000, type: "qemu", node: "pve1", status: "stopped", template: true, config: { name: "debian-12-tpl", cores: 2, memory: "2048", template: 1, tags: "template", net0: "virtio=BC:24:11:00:00:90,bridge=vmbr0", ipconfig0: "ip=10.0.0.90/24", scsi0: "local-lvm:base-9000-disk-0,size=8G" } },
];

/** The records the store keeps for RAW_GUESTS, made by the real normalizer. */
export function guestRecords(raw: readonly RawGuest[] = RAW_GUESTS): GuestRecord[] {
  return raw.map((g) => {
    const observed = guestFromConfig({ type: g.type, node: g.node, vmid: g.vmid, status: g.status, template: g.template ? 1 : 0, maxcpu: Number(g.config.cores ?? 1) }, g.config);
    const { disks: _disks, nets: _nets, ...rest } = observed;
    return { ...rest, digest: null, updatedAt: new Date(0), firstSeenSyncId: 1, lastChangedSyncId: 1 };
  });
}

export const OPTIONS: AnsibleOptions = { endpoint: "https://pve1.example.com:8006/api2/json/", tokenId: "automation@pve!mpc", tls: { fingerprint: "AA:BB" } };

/** The secret of OPTIONS.tokenId (the dynamic inventory test gives it to the simulator). */
export const SECRET = "0b1d6c1e-5f7a-4c1b-9d2e-3f4a5b6c7d8e";

/** Result of running a command. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * True when the real ansible tools are installed (`apt-get install -y ansible`): the same check
 * as tests/helpers/real-parts.ts. To skip tests without ansible, use `describeWith("ansible")`
 * from there, which fails instead of skipping under CI=true.
 */
export async function ansibleInstalled(): Promise<boolean> {
  return havePart("ansible");
}

/** An environment that keeps Ansible's temp files and config out of the user's home. */
export function ansibleEnv(tmp: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ANSIBLE_LOCAL_TEMP: join(tmp, ".ansible-tmp"), ANSIBLE_HOME: join(tmp, ".ansible"), ANSIBLE_NOCOLOR: "1", ...extra };
  for (const key of ["ANSIBLE_CONFIG", "PROXMOX_VE_API_TOKEN", "PROXMOX_TOKEN_SECRET", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"]) if (!(key in extra)) delete env[key];
  return env;
}

/** Run a command; never rejects (the exit code is in the result). */
export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, maxBuffer: 32 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? Number((err as { code?: unknown }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** A fresh temporary directory. */
export const tempDir = (prefix: string): Promise<string> => mkdtemp(join(tmpdir(), prefix));
