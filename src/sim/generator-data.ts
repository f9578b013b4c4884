/**
 * Vocabulary of generated clusters: guest roles with their sizes, tags and
 * kind, container and ISO images, CPU models. Kept apart from the generator
 * so the generator reads as the recipe.
 */
import type { GuestType, SimVolume } from "./types.js";

/** A kind of workload. */
export interface Role {
  name: string;
  type: GuestType;
  cores: readonly number[];
  /** MiB */
  memory: readonly number[];
  /** GiB */
  disk: readonly number[];
  tags: readonly string[];
  weight: number;
}

/** Roles of generated guests (VM roles and container roles). */
export const ROLES: readonly Role[] = [
  { name: "web", type: "qemu", cores: [2, 4], memory: [2048, 4096], disk: [32, 50], tags: ["web"], weight: 10 },
  { name: "api", type: "qemu", cores: [2, 4], memory: [4096, 8192], disk: [32], tags: ["api"], weight: 8 },
  { name: "db", type: "qemu", cores: [4, 8], memory: [8192, 16384], disk: [100, 200], tags: ["db"], weight: 6 },
  { name: "k8s-master", type: "qemu", cores: [2, 4], memory: [4096, 8192], disk: [50], tags: ["k8s"], weight: 3 },
  { name: "k8s-worker", type: "qemu", cores: [4, 8], memory: [8192, 16384], disk: [100], tags: ["k8s"], weight: 10 },
  { name: "app", type: "qemu", cores: [2, 4], memory: [4096], disk: [40], tags: ["app"], weight: 6 },
  { name: "ci-runner", type: "qemu", cores: [4, 8], memory: [8192], disk: [80], tags: ["ci"], weight: 4 },
  { name: "mq", type: "qemu", cores: [2], memory: [4096], disk: [32], tags: ["mq"], weight: 3 },
  { name: "search", type: "qemu", cores: [4], memory: [16384], disk: [200], tags: ["search"], weight: 2 },
  { name: "win-ad", type: "qemu", cores: [2], memory: [4096], disk: [64], tags: ["windows"], weight: 1 },
  { name: "dns", type: "lxc", cores: [1], memory: [512], disk: [4, 8], tags: ["dns"], weight: 3 },
  { name: "proxy", type: "lxc", cores: [1, 2], memory: [1024], disk: [8], tags: ["proxy"], weight: 3 },
  { name: "monitor", type: "lxc", cores: [2], memory: [2048], disk: [16], tags: ["monitoring"], weight: 3 },
  { name: "log", type: "lxc", cores: [2], memory: [2048, 4096], disk: [32], tags: ["logging"], weight: 2 },
  { name: "cache", type: "lxc", cores: [1, 2], memory: [1024, 2048], disk: [8], tags: ["cache"], weight: 3 },
  { name: "git", type: "lxc", cores: [2], memory: [2048], disk: [32], tags: ["dev"], weight: 1 },
  { name: "vault", type: "lxc", cores: [1], memory: [1024], disk: [8], tags: ["security"], weight: 1 },
];

/** Environments, used as a tag and in IP planning. */
export const ENVIRONMENTS = [
  ["prod", 5],
  ["staging", 2],
  ["dev", 2],
] as const;

/** Container templates on `local`. */
export const CT_TEMPLATES = [
  { volid: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst", ostype: "debian", size: 126_615_302 },
  { volid: "local:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst", ostype: "ubuntu", size: 141_023_497 },
  { volid: "local:vztmpl/alpine-3.20-default_20240908_amd64.tar.xz", ostype: "alpine", size: 3_142_356 },
] as const;

/** ISO images on `local`. */
export const ISOS = [
  { volid: "local:iso/debian-12.8.0-amd64-netinst.iso", size: 661_651_456 },
  { volid: "local:iso/ubuntu-24.04.1-live-server-amd64.iso", size: 2_773_874_688 },
] as const;

/** Cloud-init templates (vmid 9000 upward). */
export const VM_TEMPLATES = [
  { name: "debian-12-cloudinit", ciuser: "debian", tags: ["template", "debian"] },
  { name: "ubuntu-24.04-cloudinit", ciuser: "ubuntu", tags: ["template", "ubuntu"] },
  { name: "rocky-9-cloudinit", ciuser: "rocky", tags: ["template", "rocky"] },
  { name: "alma-9-cloudinit", ciuser: "almalinux", tags: ["template", "alma"] },
] as const;

/** Host CPU models. */
export const CPU_MODELS = [
  "AMD EPYC 7543P 32-Core Processor",
  "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz",
  "AMD EPYC 9354 32-Core Processor",
  "Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz",
] as const;

/** The static volumes of a node's `local` storage. */
export function localVolumes(now: number): SimVolume[] {
  const ctime = Math.floor(now / 1000) - 90 * 86400;
  return [
    ...CT_TEMPLATES.map((t, i) => ({ volid: t.volid, content: "vztmpl" as const, format: volumeFormat(t.volid), size: t.size, ctime: ctime + i * 3600 })),
    ...ISOS.map((t, i) => ({ volid: t.volid, content: "iso" as const, format: "iso", size: t.size, ctime: ctime + 7200 + i * 3600 })),
  ];
}

/** PVE's format of a volume from its name: tzst / txz / tgz for templates, iso, qcow2, raw. */
export function volumeFormat(volid: string): string {
  const tar = /\.tar\.(\w+)$/.exec(volid);
  if (tar) return tar[1] === "gz" ? "tgz" : `t${tar[1]}`;
  const ext = /\.(iso|qcow2|raw|vmdk|img)$/.exec(volid);
  if (ext) return ext[1] === "img" ? "iso" : ext[1];
  return "raw";
}

/** Two-digit (or wider) sequence suffix: web-01, web-100. */
export function seq(n: number): string {
  return String(n).padStart(2, "0");
}
