/**
 * Backup volumes across the cluster, for `backup list|restore|delete`: every
 * storage that holds backups (content `backup`) on every online node, shared
 * storages read once, and what a volume name says (`vzdump-qemu-101-…`).
 */
import { UsageError } from "../core/errors.js";
import type { ProxmoxClient } from "../proxmox/client.js";
import type { GuestType, PveStorageContent } from "../proxmox/types.js";

/** One backup volume and where it was seen. */
export interface BackupVolume {
  volid: string;
  storage: string;
  /** The nodes that can read it (all of them for a shared storage). */
  nodes: string[];
  shared: boolean;
  type?: GuestType;
  vmid?: number;
  size: number;
  /** Unix seconds. */
  ctime: number;
  format: string;
  notes?: string;
  protected: boolean;
}

/** What a vzdump file name says: `…/vzdump-qemu-101-2026_11_28-12_00_00.vma.zst`. */
export function parseBackupVolid(volid: string): { type: GuestType; vmid: number; ctime?: number } | undefined {
  const m = /vzdump-(qemu|lxc|openvz)-(\d+)-(\d{4})_(\d\d)_(\d\d)-(\d\d)_(\d\d)_(\d\d)/.exec(volid);
  if (m) return { type: m[1] === "qemu" ? "qemu" : "lxc", vmid: Number(m[2]), ctime: Date.UTC(+m[3], +m[4] - 1, +m[5], +m[6], +m[7], +m[8]) / 1000 };
  const pbs = /:backup\/(vm|ct)\/(\d+)\//.exec(volid);
  return pbs ? { type: pbs[1] === "vm" ? "qemu" : "lxc", vmid: Number(pbs[2]) } : undefined;
}

/** Every backup volume of the cluster (optionally of one vmid or one storage), newest first. */
export async function listBackups(client: ProxmoxClient, filter: { vmid?: number; storage?: string; node?: string; signal?: AbortSignal } = {}): Promise<BackupVolume[]> {
  const nodes = (await client.nodes({ signal: filter.signal })).filter((n) => n.status === "online" && (!filter.node || n.node === filter.node)).map((n) => n.node);
  const byVolid = new Map<string, BackupVolume>();
  const sharedSeen = new Set<string>();
  await Promise.all(
    nodes.map(async (node) => {
      const storages = (await client.storage(node, { content: "backup", enabled: true }, { signal: filter.signal })).filter((s) => !filter.storage || s.storage === filter.storage);
      for (const s of storages) {
        const shared = Boolean(Number(s.shared ?? 0));
        if (shared && sharedSeen.has(s.storage)) {
          for (const v of byVolid.values()) if (v.storage === s.storage) v.nodes.push(node);
          continue;
        }
        if (shared) sharedSeen.add(s.storage);
        const rows: PveStorageContent[] = await client.storageContent(node, s.storage, { content: "backup", vmid: filter.vmid }, { signal: filter.signal });
        for (const row of rows) {
          const known = byVolid.get(row.volid);
          if (known) {
            known.nodes.push(node);
            continue;
          }
          const parsed = parseBackupVolid(row.volid);
          const extra = row as PveStorageContent & { subtype?: string; protected?: number | string };
          byVolid.set(row.volid, {
            volid: row.volid,
            storage: s.storage,
            nodes: [node],
            shared,
            type: extra.subtype === "qemu" || extra.subtype === "lxc" ? extra.subtype : parsed?.type,
            vmid: row.vmid ?? parsed?.vmid,
            size: Number(row.size ?? 0),
            ctime: Number(row.ctime ?? parsed?.ctime ?? 0),
            format: row.format,
            ...(row.notes ? { notes: row.notes } : {}),
            protected: Boolean(Number(extra.protected ?? 0)),
          });
        }
      }
    }),
  );
  return [...byVolid.values()].map((v) => ({ ...v, nodes: v.nodes.sort() })).sort((a, b) => b.ctime - a.ctime || b.volid.localeCompare(a.volid));
}

/** The backup `volid` and a node that can read it (`node` if given and it can), or a usage error listing how to find one. */
export async function locateBackup(client: ProxmoxClient, volid: string, node: string | undefined, signal?: AbortSignal): Promise<{ volume: BackupVolume; node: string }> {
  if (!/^[^:\s]+:.+/.test(volid)) throw new UsageError(`"${volid}" is not a volume id.`, "Give it as STORAGE:backup/FILE, e.g. local:backup/vzdump-qemu-101-2026_11_28-12_00_00.vma.zst (see `proxmox-mpc backup list`).");
  const storage = volid.split(":")[0];
  const volume = (await listBackups(client, { storage, signal })).find((v) => v.volid === volid);
  if (!volume) throw new UsageError(`No backup ${volid} on any node.`, "See the backups there are with `proxmox-mpc backup list`.", "not-found");
  if (node && !volume.nodes.includes(node)) {
    throw new UsageError(`Node ${node} cannot read ${volid} (it is on ${volume.nodes.join(", ")}).`, `Use --node ${volume.nodes[0]}, or copy the file to a storage ${node} can read.`);
  }
  return { volume, node: node ?? volume.nodes[0] };
}
