/**
 * Shared parts of the third-party client tests: the cluster they run
 * against, a child-process runner (stdin in, exit code and output back, never
 * rejecting) and an environment that keeps Ansible's files in a temp folder.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SeedDocument } from "../../src/sim/index.js";

/** Debian's python, where apt installs proxmoxer (`python3` on PATH may be a pyenv shim without it). */
export const DEBIAN_PYTHON = "/usr/bin/python3";

/** The container template the seed's `local` storage holds. */
export const CT_TEMPLATE = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";

/** A two-node cluster with pools, a VM with spare disks, a container, a stopped VM and a template. */
export const SEED: SeedDocument = {
  cluster: { name: "thirdparty" },
  nodes: [
    {
      name: "pve1",
      storage: [
        { storage: "local", type: "dir", content: "iso,vztmpl,backup", volumes: [CT_TEMPLATE] },
        { storage: "local-lvm", type: "lvmthin", content: "images,rootdir", total: "2T" },
      ],
    },
    { name: "pve2" },
  ],
  pools: [{ poolid: "prod", comment: "Production" }],
  guests: [
    {
      vmid: 100, node: "pve1", name: "web-01", pool: "prod",
      config: {
        cores: 2, memory: 2048, agent: 1, tags: "prod;web", scsihw: "virtio-scsi-single",
        scsi0: "local-lvm:vm-100-disk-0,iothread=1,size=32G", scsi1: "local-lvm:vm-100-disk-1,size=4G", scsi2: "local-lvm:vm-100-disk-2,size=2G",
        net0: "virtio=BC:24:11:20:00:01,bridge=vmbr0", ipconfig0: "ip=10.0.20.11/24,gw=10.0.20.1",
      },
    },
    { vmid: 101, type: "lxc", node: "pve1", name: "dns-01", pool: "prod", config: { rootfs: "local-lvm:vm-101-disk-0,size=8G", net0: "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:20:00:02,ip=10.0.20.53/24,type=veth" } },
    { vmid: 102, node: "pve2", name: "db-01", status: "stopped", config: { cores: 4, memory: 8192, scsi0: "local-lvm:vm-102-disk-0,size=64G" } },
    { vmid: 9000, node: "pve1", name: "debian-12-tpl", config: { template: 1, scsi0: "local-lvm:base-9000-disk-0,size=3G" } },
  ],
};

/** What a finished process gave. */
export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a program (no shell), optionally feeding stdin; resolves when it exits. */
export function runProcess(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("error", (err) => resolve({ code: 127, stdout, stderr: stderr + String(err) }));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** A temp folder and its removal. */
export async function tempFolder(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** An environment for ansible-* that keeps its temp files, config and collections lookups out of the user's home. */
export function ansibleEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ANSIBLE_LOCAL_TEMP: join(dir, ".ansible-tmp"), ANSIBLE_HOME: join(dir, ".ansible"), ANSIBLE_NOCOLOR: "1", ANSIBLE_RETRY_FILES_ENABLED: "0" };
  for (const key of ["ANSIBLE_CONFIG", "PROXMOX_VE_API_TOKEN", "PROXMOX_TOKEN_SECRET", "PROXMOX_PASSWORD", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"]) delete env[key];
  return { ...env, ...extra };
}

/** `host:port` of a simulator URL, as proxmoxer and the Ansible modules take it. */
export function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}
