/**
 * Rows (as the Prisma client returns them) → the store's records, and the
 * JSON views of guests and nodes that `get … -o json` prints.
 */
import type { MetricsSnapshot } from "../core/metrics.js";
import type { Disk, Guest, NetworkInterface, Node, Operation, Storage, SyncChange, SyncRun } from "./generated/sqlite/client.js";
import type { OperationActor, OperationRecord, OperationResult } from "./operation-repository.js";
import type { ChangeKind, FieldDiff, SyncChangeRecord, SyncRunRecord, SyncStatus } from "./sync-types.js";
import type {
  DiskRecord,
  GuestDetail,
  GuestRecord,
  GuestType,
  JsonValue,
  NetRecord,
  NodeRecord,
  StorageRecord,
} from "./types.js";

/** Prisma's JSON value, structurally (the generated type is not exported by name). */
type RowJson = unknown;

function stringArray(value: RowJson): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function jsonObject(value: RowJson): Record<string, JsonValue> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, JsonValue>) : {};
}

function configObject(value: RowJson): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(jsonObject(value))) {
    if (typeof v === "string" || typeof v === "number") out[k] = v;
  }
  return out;
}

/** A Guest row → GuestRecord. */
export function toGuestRecord(row: Guest): GuestRecord {
  return {
    vmid: row.vmid,
    type: row.type as GuestType,
    node: row.node,
    name: row.name,
    status: row.status,
    template: row.template,
    cores: row.cores,
    memory: row.memory,
    disk: row.disk,
    tags: stringArray(row.tags),
    ipAddresses: stringArray(row.ipAddresses),
    config: configObject(row.config),
    digest: row.digest,
    updatedAt: row.updatedAt,
    firstSeenSyncId: row.firstSeenSyncId,
    lastChangedSyncId: row.lastChangedSyncId,
    ...(row.staleSyncId === null
      ? {}
      : {
          stale: {
            syncRunId: row.staleSyncId,
            reason: row.staleReason ?? "",
            valuesAt: row.staleValuesAt ?? row.updatedAt,
            // Stale since the sync that first stored it: only /cluster/resources' summary was ever stored.
            configRead: row.staleSyncId !== row.firstSeenSyncId,
          },
        }),
  };
}

/** A Disk row → DiskRecord. */
export function toDiskRecord(row: Disk): DiskRecord {
  return {
    vmid: row.vmid,
    key: row.key,
    storage: row.storage,
    volume: row.volume,
    sizeGiB: row.sizeGiB,
    format: row.format,
    raw: row.raw,
  };
}

/** A NetworkInterface row → NetRecord. */
export function toNetRecord(row: NetworkInterface): NetRecord {
  return {
    vmid: row.vmid,
    key: row.key,
    model: row.model,
    mac: row.mac,
    bridge: row.bridge,
    vlanTag: row.vlanTag,
    ip: row.ip,
    firewall: row.firewall,
    raw: row.raw,
  };
}

/** A Guest row with its disks and nets → GuestDetail (disks and nets sorted by key). */
export function toGuestDetail(row: Guest & { disks: Disk[]; nets: NetworkInterface[] }): GuestDetail {
  const byKey = (a: { key: string }, b: { key: string }) => a.key.localeCompare(b.key, "en", { numeric: true });
  return {
    ...toGuestRecord(row),
    disks: row.disks.map(toDiskRecord).sort(byKey),
    nets: row.nets.map(toNetRecord).sort(byKey),
  };
}

/** A Node row → NodeRecord. */
export function toNodeRecord(row: Node): NodeRecord {
  return {
    name: row.name,
    status: row.status,
    cpu: row.cpu,
    maxcpu: row.maxcpu,
    mem: row.mem,
    maxmem: row.maxmem,
    uptime: row.uptime,
    raw: jsonObject(row.raw),
    lastSyncId: row.lastSyncId,
    updatedAt: row.updatedAt,
  };
}

/** A Storage row → StorageRecord. */
export function toStorageRecord(row: Storage): StorageRecord {
  return {
    node: row.node,
    storage: row.storage,
    type: row.type,
    content: row.content,
    shared: row.shared,
    total: row.total,
    used: row.used,
    avail: row.avail,
    enabled: row.enabled,
    active: row.active,
    raw: jsonObject(row.raw),
    updatedAt: row.updatedAt,
  };
}

/** A SyncRun row → SyncRunRecord. */
export function toSyncRunRecord(row: SyncRun): SyncRunRecord {
  const { id, correlationId, pid, host, startedAt, finishedAt, nodes, guests, added, changed, removed, renamed } = row;
  return {
    id,
    correlationId,
    pid,
    host,
    startedAt,
    finishedAt,
    status: row.status as SyncStatus,
    nodes,
    guests,
    added,
    changed,
    removed,
    renamed,
    apiRequests: row.apiRequests,
    stale: row.stale,
    durationMs: row.durationMs,
    error: row.error,
  };
}

/** A SyncChange row → SyncChangeRecord. */
export function toSyncChangeRecord(row: SyncChange): SyncChangeRecord {
  return {
    id: row.id,
    syncRunId: row.syncRunId,
    vmid: row.vmid,
    name: row.name,
    kind: row.kind as ChangeKind,
    diff: row.diff && typeof row.diff === "object" && !Array.isArray(row.diff) ? (row.diff as FieldDiff) : null,
  };
}

/**
 * The JSON contract of a guest (`get vms -o json`): the documented fields
 * first, then extras; `stale` is true when the last sync could not read the
 * guest (then also `staleReason`, `staleValuesAt` and `configRead`).
 */
export function toGuestJson(guest: GuestRecord): Record<string, JsonValue> {
  return {
    vmid: guest.vmid,
    name: guest.name,
    node: guest.node,
    type: guest.type,
    status: guest.status,
    cores: guest.cores,
    memory: guest.memory,
    disk: guest.disk,
    tags: [...guest.tags],
    template: guest.template,
    ipAddresses: [...guest.ipAddresses],
    updatedAt: guest.updatedAt.toISOString(),
    stale: guest.stale !== undefined,
    ...(guest.stale
      ? { staleReason: guest.stale.reason, staleValuesAt: guest.stale.valuesAt.toISOString(), configRead: guest.stale.configRead }
      : {}),
  };
}

/** The JSON contract of a node (`get nodes -o json`): cpu 0..1, memory in bytes. */
export function toNodeJson(node: NodeRecord): Record<string, JsonValue> {
  return {
    name: node.name,
    status: node.status,
    cpu: node.cpu,
    maxcpu: node.maxcpu,
    mem: node.mem,
    maxmem: node.maxmem,
    uptime: node.uptime,
  };
}

/** An operation row as a record (the Prisma store and the read store alike). */
export function toOperationRecord(row: Operation): OperationRecord {
  const args = row.arguments;
  return {
    id: row.id,
    correlationId: row.correlationId,
    command: row.command,
    actor: row.actor as OperationActor,
    arguments: args && typeof args === "object" && !Array.isArray(args) ? (args as Record<string, JsonValue>) : {},
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    durationMs: row.durationMs,
    result: row.result as OperationResult | null,
    exitCode: row.exitCode,
    error: row.error,
    metrics: isMetrics(row.metrics) ? row.metrics : null,
    principal: row.principal,
    role: row.role,
    source: row.source,
    target: row.target,
  };
}

/** A stored metrics value as written by the runner (anything else reads as none). */
function isMetrics(value: unknown): value is MetricsSnapshot {
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  const v = value as Partial<MetricsSnapshot>;
  return typeof v.phases === "object" && typeof v.api === "object" && typeof v.db === "object";
}
