/**
 * Seed files: a YAML description of nodes, storage, guests and tokens
 * (format in docs/simulator.md). Parsed, checked (unknown nodes, duplicate
 * vmids, bad values → UsageError with one line) and turned into the model.
 */
import { readFileSync } from "node:fs";
import { load } from "js-yaml";
import { z } from "zod";
import { UsageError } from "../core/errors.js";
import { parseToken } from "./auth.js";
import { simGuest, type ClusterInit } from "./cluster.js";
import { CT_TEMPLATES, ISOS, localVolumes, volumeFormat } from "./generator-data.js";
import { DEFAULT_VERSION, fakeFingerprint } from "./generator.js";
import { coerceConfig } from "./guest-config.js";
import { hash32, Random } from "./random.js";
import type { SeedDocument, SeedStorage, SimGuest, SimNode, SimStorage, SimVolume } from "./types.js";

const size = z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?\s*[KMGT]i?B?$/i)]);
const storageSchema = z.object({
  storage: z.string().regex(/^[a-z][a-z0-9\-_.]*[a-z0-9]$/i, "not a valid storage ID"),
  type: z.string().optional(),
  content: z.union([z.string(), z.array(z.string())]).optional(),
  shared: z.union([z.boolean(), z.literal(0), z.literal(1)]).optional(),
  total: size.optional(),
  used: size.optional(),
  volumes: z.array(z.union([z.string(), z.object({ volid: z.string(), size: size.optional() })])).optional(),
});
const privileges = z.union([z.literal("all"), z.array(z.string()), z.record(z.string(), z.array(z.string()))]);
const seedSchema = z.object({
  cluster: z.object({ name: z.string().optional() }).optional(),
  version: z.object({ version: z.string().optional(), release: z.string().optional(), repoid: z.string().optional() }).optional(),
  nodes: z
    .array(
      z.object({
        name: z.string().regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/, "not a valid node name"),
        cpus: z.number().int().positive().optional(),
        memory: size.optional(),
        status: z.enum(["online", "offline"]).optional(),
        ip: z.string().optional(),
        storage: z.array(storageSchema).optional(),
      }),
    )
    .min(1),
  storage: z.array(storageSchema).optional(),
  guests: z
    .array(
      z.object({
        vmid: z.number().int().min(100).max(999_999_999),
        type: z.enum(["qemu", "lxc"]).optional(),
        node: z.string(),
        name: z.string().optional(),
        status: z.enum(["running", "stopped"]).optional(),
        pool: z.string().regex(/^[A-Za-z0-9_.-]+$/, "not a valid pool ID").optional(),
        ha: z.enum(["started", "stopped", "disabled", "ignored"]).optional(),
        config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
      }),
    )
    .optional(),
  pools: z.array(z.object({ poolid: z.string().regex(/^[A-Za-z0-9_.-]+$/, "not a valid pool ID"), comment: z.string().optional() })).optional(),
  tokens: z
    .array(z.object({ token: z.string().refine((t) => parseToken(t) !== undefined, "must look like user@realm!tokenid=secret"), privileges }))
    .optional(),
});

/** Bytes of a size: numbers are MiB (like PVE's memory), strings carry a unit ("500G"). */
export function seedBytes(value: number | string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === "number") return Math.round(value * 1024 * 1024);
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT])/i.exec(value)!;
  return Math.round(Number(m[1]) * 1024 ** ("KMGT".indexOf(m[2].toUpperCase()) + 1));
}

/** Read and check a seed (a file path or a parsed document). */
export function readSeed(seed: SeedDocument | string): SeedDocument {
  let doc: unknown = seed;
  const where = typeof seed === "string" ? `seed file ${seed}` : "seed";
  if (typeof seed === "string") {
    let text: string;
    try {
      text = readFileSync(seed, "utf8");
    } catch (err) {
      throw new UsageError(`Cannot read ${where}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}.`);
    }
    try {
      doc = load(text);
    } catch (err) {
      throw new UsageError(`Invalid ${where}: ${(err as Error).message.split("\n")[0]}.`);
    }
  }
  const parsed = seedSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`Invalid ${where}: ${issue.path.join(".") || "(top level)"}: ${issue.message}.`, "See docs/simulator.md for the seed format.");
  }
  return parsed.data as SeedDocument;
}

function contentOf(volid: string): SimVolume["content"] {
  const m = /:(iso|vztmpl|backup|snippets|import)\//.exec(volid);
  return (m?.[1] as SimVolume["content"]) ?? "iso";
}

function volumesOf(s: SeedStorage, content: string[], now: number): SimVolume[] {
  if (s.volumes === undefined) {
    if (!content.includes("iso") && !content.includes("vztmpl")) return [];
    return localVolumes(now).map((v) => ({ ...v, volid: v.volid.replace(/^local:/, `${s.storage}:`) })).filter((v) => content.includes(v.content));
  }
  const known = new Map<string, number>([...CT_TEMPLATES, ...ISOS].map((t) => [t.volid.split(":")[1], t.size]));
  return s.volumes.map((v) => {
    const volid = typeof v === "string" ? v : v.volid;
    const bytes = typeof v === "string" || v.size === undefined ? known.get(volid.split(":")[1]) ?? 512 * 1024 ** 2 : seedBytes(v.size, 0);
    return { volid, content: contentOf(volid), format: volumeFormat(volid), size: bytes, ctime: Math.floor(now / 1000) - 86400 };
  });
}

function toStorage(s: SeedStorage, nodes: string[] | undefined): SimStorage {
  const type = s.type ?? (s.storage === "local" ? "dir" : s.storage === "local-lvm" ? "lvmthin" : "dir");
  const content = typeof s.content === "string" ? s.content.split(",").map((c) => c.trim()) : s.content ?? (type === "dir" ? ["backup", "iso", "vztmpl"] : ["images", "rootdir"]);
  const shared = s.shared === undefined ? ["nfs", "cifs", "cephfs", "rbd", "pbs", "glusterfs"].includes(type) : Boolean(s.shared);
  return { storage: s.storage, type, content, shared, nodes, total: seedBytes(s.total, 1024 ** 4), baseUsed: seedBytes(s.used, 0), ...(type === "dir" ? { path: s.storage === "local" ? "/var/lib/vz" : `/mnt/pve/${s.storage}` } : {}) };
}

/** Build the model from a checked seed. */
export function clusterFromSeed(doc: SeedDocument, randomSeed: number, now = Date.now()): ClusterInit {
  const random = new Random(randomSeed);
  const storages = new Map<string, SimStorage>();
  const sharedVolumes: Record<string, SimVolume[]> = {};
  const nodes: SimNode[] = doc.nodes.map((n, i) => ({
    name: n.name, cpus: n.cpus ?? 16, memory: seedBytes(n.memory, 64 * 1024 ** 3), status: n.status ?? "online",
    ip: n.ip ?? `10.0.0.${11 + i}`, nodeid: i + 1, bootedAt: now - (3 + i) * 86_400_000, rootfs: 100 * 1024 ** 3,
    cpuModel: "AMD EPYC 7543P 32-Core Processor", sslFingerprint: fakeFingerprint(random), volumes: {},
  }));
  doc.nodes.forEach((n, i) => {
    const list = n.storage ?? [{ storage: "local" }, { storage: "local-lvm" }];
    for (const s of list) {
      const existing = storages.get(s.storage);
      const st = existing ?? toStorage(s, []);
      if (!existing) storages.set(s.storage, st);
      st.nodes!.push(n.name);
      if (st.shared) sharedVolumes[s.storage] ??= volumesOf(s, st.content, now);
      else nodes[i].volumes[s.storage] = volumesOf(s, st.content, now);
    }
  });
  for (const s of doc.storage ?? []) {
    if (storages.has(s.storage)) throw new UsageError(`Invalid seed: storage '${s.storage}' is defined twice.`);
    const st = toStorage(s, undefined);
    storages.set(s.storage, st);
    if (st.shared) sharedVolumes[s.storage] = volumesOf(s, st.content, now);
    else for (const n of nodes) n.volumes[s.storage] = volumesOf(s, st.content, now);
  }
  const names = new Set(nodes.map((n) => n.name));
  const seen = new Set<number>();
  const guests: SimGuest[] = (doc.guests ?? []).map((g) => {
    if (!names.has(g.node)) throw new UsageError(`Invalid seed: guest ${g.vmid} is on unknown node '${g.node}'.`);
    if (seen.has(g.vmid)) throw new UsageError(`Invalid seed: vmid ${g.vmid} is used twice.`);
    seen.add(g.vmid);
    const type = g.type ?? "qemu";
    const raw: Record<string, string | number | boolean> = { ...(g.config ?? {}) };
    if (g.name !== undefined) raw[type === "qemu" ? "name" : "hostname"] = g.name;
    const config = coerceConfig(type, raw);
    const template = config.template === 1;
    const status = template ? "stopped" : g.status ?? "running";
    const r = new Random(hash32(`seed:${g.vmid}`));
    return simGuest({
      vmid: g.vmid, type, node: g.node, status, config, snapshots: [], pool: g.pool, ha: g.ha,
      startedAt: status === "running" ? now - r.int(600, 30 * 86400) * 1000 : undefined,
      ctime: Math.floor(now / 1000) - r.int(86400, 365 * 86400),
      load: { cpu: r.int(1, 500) / 1000, mem: r.int(300, 900) / 1000, disk: r.int(100, 700) / 1000 },
    });
  });
  return {
    name: doc.cluster?.name ?? "sim-cluster",
    version: { ...DEFAULT_VERSION, ...(doc.version ?? {}) },
    nodes,
    storages: [...storages.values()],
    guests,
    sharedVolumes,
    pools: doc.pools,
  };
}
