/**
 * Generated clusters: N guests on enough nodes (about one per 75 guests, at
 * least two), with realistic names, tags, disks, NICs and cloud-init, ~25 %
 * containers, ~10 % stopped and a few cloud-init templates at vmid 9000+.
 * Everything but run-time counters (uptime) depends only on randomSeed.
 */
import { simGuest, type ClusterInit } from "./cluster.js";
import { CPU_MODELS, CT_TEMPLATES, ENVIRONMENTS, localVolumes, ROLES, seq, VM_TEMPLATES, type Role } from "./generator-data.js";
import { coerceConfig } from "./guest-config.js";
import { pveProfile } from "./pve-version.js";
import { Random } from "./random.js";
import type { SimGuest, SimNode, SimStorage } from "./types.js";

const GiB = 1024 ** 3;
const TiB = 1024 ** 4;
const EPOCH = 1_704_067_200; // 2024-01-01, base of generated ctimes
const SSH_KEY = "ssh-ed25519%20AAAAC3NzaC1lZDI1NTE5AAAAIGd3QzM0c2ltdWxhdG9ya2V5Zm9ydGVzdHM%20admin%40mgmt%0A";

/** The version a cluster reports unless startSimulator sets that of its `pveVersion` (the newest). */
export const DEFAULT_VERSION = pveProfile().version;

/** A fake but stable certificate fingerprint for a node. */
export function fakeFingerprint(random: Random): string {
  return random.hex(64).toUpperCase().match(/../g)!.join(":");
}

/** Build the nodes pve1..pveN. */
export function generateNodes(count: number, random: Random, now = Date.now()): SimNode[] {
  const nodes: SimNode[] = [];
  for (let i = 0; i < count; i++) {
    nodes.push({
      name: `pve${i + 1}`,
      cpus: random.pick([16, 32, 48, 64]),
      memory: random.pick([128, 256, 384, 512]) * GiB,
      status: "online",
      ip: `10.0.${Math.floor(i / 240)}.${(i % 240) + 11}`,
      nodeid: i + 1,
      bootedAt: now - random.int(3, 120) * 86_400_000,
      rootfs: random.pick([100, 200, 480]) * GiB,
      cpuModel: random.pick(CPU_MODELS),
      sslFingerprint: fakeFingerprint(random),
      volumes: { local: localVolumes(now) },
    });
  }
  return nodes;
}

interface Plan {
  random: Random;
  nodes: SimNode[];
  shared?: SimStorage;
  counters: Map<string, number>;
  ipCounters: number[];
  macs: Set<string>;
}

function nextName(plan: Plan, role: string): string {
  const n = (plan.counters.get(role) ?? 0) + 1;
  plan.counters.set(role, n);
  return `${role}-${seq(n)}`;
}

function address(plan: Plan, envIndex: number): { ip: string; gw: string } {
  const k = plan.ipCounters[envIndex]++;
  const second = (envIndex + 1) * 10 + Math.floor(k / (240 * 256));
  const third = Math.floor(k / 240) % 256;
  return { ip: `10.${second}.${third}.${(k % 240) + 10}/24`, gw: `10.${second}.${third}.1` };
}

function mac(plan: Plan): string {
  for (;;) {
    const m = `BC:24:11:${plan.random.hex(6).toUpperCase().match(/../g)!.join(":")}`;
    if (!plan.macs.has(m)) {
      plan.macs.add(m);
      return m;
    }
  }
}

function vmConfig(plan: Plan, vmid: number, role: Role, env: string, envIndex: number, name: string): Record<string, string | number> {
  const r = plan.random;
  const useShared = plan.shared !== undefined && r.chance(0.15);
  const store = useShared ? plan.shared!.storage : "local-lvm";
  const vol = (n: number): string => (useShared ? `${store}:${vmid}/vm-${vmid}-disk-${n}.qcow2` : `${store}:vm-${vmid}-disk-${n}`);
  const windows = role.name.startsWith("win");
  const vlan = env === "staging" ? ",tag=20" : env === "dev" ? ",tag=30" : "";
  const c: Record<string, string | number> = {
    boot: "order=scsi0;net0",
    cores: r.pick(role.cores),
    cpu: windows ? "host" : r.pick(["x86-64-v2-AES", "x86-64-v2-AES", "host"]),
    memory: String(r.pick(role.memory)),
    meta: `creation-qemu=8.1.5,ctime=${EPOCH + r.int(0, 365 * 86400)}`,
    name,
    net0: `virtio=${mac(plan)},bridge=vmbr0${r.chance(0.5) ? ",firewall=1" : ""}${vlan}`,
    numa: 0,
    ostype: windows ? "win11" : "l26",
    scsi0: `${vol(0)},iothread=1,size=${r.pick(role.disk)}G`,
    scsihw: "virtio-scsi-single",
    smbios1: `uuid=${r.uuid()}`,
    sockets: 1,
    tags: [env, ...role.tags].sort().join(";"),
    vmgenid: r.uuid(),
  };
  if (r.chance(0.6)) c.agent = "1";
  if (r.chance(0.7)) c.onboot = 1;
  if (role.name === "db") c.scsi1 = `${vol(1)},iothread=1,size=${r.pick([100, 250, 500])}G`;
  if (windows) {
    Object.assign(c, { bios: "ovmf", machine: "pc-q35-8.1", efidisk0: `${vol(1)},efitype=4m,pre-enrolled-keys=1,size=4M`, tpmstate0: `${vol(2)},size=4M,version=v2.0` });
  } else if (r.chance(0.6)) {
    const a = address(plan, envIndex);
    Object.assign(c, { ide2: `${store}:vm-${vmid}-cloudinit,media=cdrom`, ciuser: r.pick(["debian", "ubuntu", "admin"]), ipconfig0: r.chance(0.8) ? `ip=${a.ip},gw=${a.gw}` : "ip=dhcp", sshkeys: SSH_KEY });
  }
  return c;
}

function ctConfig(plan: Plan, vmid: number, role: Role, env: string, envIndex: number, name: string): Record<string, string | number> {
  const r = plan.random;
  const tmpl = r.pick(CT_TEMPLATES);
  const a = address(plan, envIndex);
  const ip = r.chance(0.8) ? `gw=${a.gw},` : "";
  const net = `name=eth0,bridge=vmbr0,${r.chance(0.5) ? "firewall=1," : ""}${ip}hwaddr=${mac(plan)},ip=${ip ? a.ip : "dhcp"}${env === "staging" ? ",tag=20" : env === "dev" ? ",tag=30" : ""},type=veth`;
  const c: Record<string, string | number> = {
    arch: "amd64",
    cores: r.pick(role.cores),
    features: "nesting=1",
    hostname: name,
    memory: r.pick(role.memory),
    net0: net,
    ostype: tmpl.ostype,
    rootfs: `local-lvm:vm-${vmid}-disk-0,size=${r.pick(role.disk)}G`,
    swap: 512,
    tags: [env, ...role.tags].sort().join(";"),
    unprivileged: 1,
  };
  if (r.chance(0.7)) c.onboot = 1;
  return c;
}

/** Generate a cluster with `size` guests, deterministic for `randomSeed`. */
export function generateCluster(size: number, randomSeed = 1, now = Date.now()): ClusterInit {
  const random = new Random(randomSeed);
  const nodeCount = Math.max(2, Math.round(size / 75));
  const nodes = generateNodes(nodeCount, random, now);
  const shared: SimStorage | undefined =
    nodeCount >= 3 || random.chance(0.5)
      ? { storage: "nas01", type: "nfs", content: ["backup", "images", "iso", "rootdir"], shared: true, total: 40 * TiB, baseUsed: 6 * TiB, path: "/mnt/pve/nas01" }
      : undefined;
  const plan: Plan = { random, nodes, shared, counters: new Map(), ipCounters: [0, 0, 0], macs: new Set() };
  const guests: SimGuest[] = [];
  const templateCount = size >= 4 ? Math.min(VM_TEMPLATES.length, Math.max(1, Math.round(size / 250))) : 0;
  const templateIds = new Set(Array.from({ length: templateCount }, (_, i) => 9000 + i));
  const load = (): SimGuest["load"] => ({ cpu: random.int(1, 600) / 1000, mem: random.int(300, 900) / 1000, disk: random.int(100, 700) / 1000 });

  VM_TEMPLATES.slice(0, templateCount).forEach((t, i) => {
    const vmid = 9000 + i;
    const config = {
      agent: "1", boot: "order=scsi0", cores: 2, cpu: "x86-64-v2-AES", memory: "2048", name: t.name,
      net0: `virtio=${mac(plan)},bridge=vmbr0`, ostype: "l26",
      scsi0: `local-lvm:base-${vmid}-disk-0,iothread=1,size=3G`, scsihw: "virtio-scsi-single",
      ide2: `local-lvm:vm-${vmid}-cloudinit,media=cdrom`, ipconfig0: "ip=dhcp", ciuser: t.ciuser,
      serial0: "socket", vga: "serial0", smbios1: `uuid=${random.uuid()}`, vmgenid: random.uuid(),
      tags: [...t.tags].sort().join(";"), template: 1, meta: `creation-qemu=8.1.5,ctime=${EPOCH + i * 86400}`,
    };
    guests.push(simGuest({ vmid, type: "qemu", node: nodes[i % nodeCount].name, status: "stopped", config: coerceConfig("qemu", config), snapshots: [], ctime: EPOCH + i * 86400, load: load() }));
  });

  let vmid = 100;
  const vmRoles = ROLES.filter((r) => r.type === "qemu").map((r) => [r, r.weight] as const);
  const ctRoles = ROLES.filter((r) => r.type === "lxc").map((r) => [r, r.weight] as const);
  for (let i = 0; i < size - templateCount; i++) {
    while (templateIds.has(vmid)) vmid++;
    const role = random.chance(0.25) ? random.weighted(ctRoles) : random.weighted(vmRoles);
    const env = random.weighted(ENVIRONMENTS);
    const envIndex = ENVIRONMENTS.findIndex(([e]) => e === env);
    const name = nextName(plan, role.name);
    const raw = role.type === "qemu" ? vmConfig(plan, vmid, role, env, envIndex, name) : ctConfig(plan, vmid, role, env, envIndex, name);
    const running = !random.chance(0.1);
    guests.push(simGuest({
      vmid,
      type: role.type,
      node: nodes[random.int(0, nodeCount - 1)].name,
      status: running ? "running" : "stopped",
      startedAt: running ? now - random.int(600, 60 * 86400) * 1000 : undefined,
      config: coerceConfig(role.type, raw),
      snapshots: [],
      ctime: EPOCH + random.int(0, 365 * 86400),
      load: load(),
    }));
    vmid++;
  }

  const perNode = new Map<string, number>();
  for (const g of guests) perNode.set(g.node, (perNode.get(g.node) ?? 0) + 1);
  const maxPerNode = Math.max(1, ...perNode.values());
  const storages: SimStorage[] = [
    { storage: "local", type: "dir", content: ["backup", "iso", "vztmpl"], shared: false, total: 100 * GiB, baseUsed: 12 * GiB, path: "/var/lib/vz" },
    { storage: "local-lvm", type: "lvmthin", content: ["images", "rootdir"], shared: false, total: Math.max(2 * TiB, Math.ceil((maxPerNode * 180 * GiB) / TiB) * TiB), baseUsed: 0 },
  ];
  if (shared) storages.push(shared);
  return { name: "sim-cluster", version: DEFAULT_VERSION, nodes, storages, guests, sharedVolumes: shared ? { [shared.storage]: [] } : {} };
}
