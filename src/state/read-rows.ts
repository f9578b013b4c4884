/**
 * Raw rows of the read path → the same objects the Prisma client returns
 * (so the mappers of mappers.ts turn both into identical records). SQLite
 * hands back booleans as 0/1, Json as text and DateTime as ISO text (or epoch
 * milliseconds); `pg` hands back parsed jsonb and (with read-connection's
 * parser) UTC dates.
 */
import type { ApiToken, Disk, Guest, InboundHook, NetworkInterface, Node, Operation, Storage, SyncChange, SyncRun, Webhook, WebhookDelivery, WorkspaceLock } from "./generated/sqlite/client.js";
import type { RawRow } from "./read-connection.js";
import type { StoreProvider } from "./url.js";

type Kind = "int" | "float" | "text" | "bool" | "json" | "date";

/** The scalar columns of each model the read path returns, as in prisma/models.prisma. */
const MODELS = {
  Guest: {
    vmid: "int", type: "text", node: "text", name: "text", status: "text", template: "bool", cores: "int", memory: "int", disk: "float",
    tags: "json", ipAddresses: "json", config: "json", digest: "text", hash: "text", updatedAt: "date", firstSeenSyncId: "int",
    lastChangedSyncId: "int", staleSyncId: "int", staleReason: "text", staleValuesAt: "date",
  },
  Disk: { id: "int", vmid: "int", key: "text", storage: "text", volume: "text", sizeGiB: "float", format: "text", raw: "text" },
  NetworkInterface: {
    id: "int", vmid: "int", key: "text", model: "text", mac: "text", bridge: "text", vlanTag: "int", ip: "text", firewall: "bool", raw: "text",
  },
  Node: { name: "text", status: "text", cpu: "float", maxcpu: "int", mem: "float", maxmem: "float", uptime: "int", raw: "json", lastSyncId: "int", updatedAt: "date" },
  Storage: {
    node: "text", storage: "text", type: "text", content: "text", shared: "bool", total: "float", used: "float", avail: "float", enabled: "bool",
    active: "bool", raw: "json", updatedAt: "date",
  },
  SyncRun: {
    id: "int", correlationId: "text", pid: "int", host: "text", startedAt: "date", finishedAt: "date", status: "text", nodes: "int", guests: "int",
    added: "int", changed: "int", removed: "int", renamed: "int", apiRequests: "int", durationMs: "int", error: "text", stale: "int",
  },
  SyncChange: { id: "int", syncRunId: "int", vmid: "int", name: "text", kind: "text", diff: "json" },
  Operation: {
    id: "int", correlationId: "text", command: "text", actor: "text", arguments: "json", startedAt: "date", finishedAt: "date", durationMs: "int",
    result: "text", exitCode: "int", error: "text", metrics: "json", principal: "text", role: "text", source: "text", target: "text",
  },
  WorkspaceLock: { name: "text", token: "text", pid: "int", host: "text", correlationId: "text", acquiredAt: "date", heartbeatAt: "date" },
  ApiToken: { id: "text", name: "text", role: "text", hash: "text", createdAt: "date", expiresAt: "date", revokedAt: "date", lastUsedAt: "date" },
  Webhook: { id: "text", url: "text", events: "text", secret: "text", createdAt: "date", disabledAt: "date" },
  WebhookDelivery: { id: "int", webhookId: "text", eventId: "text", event: "text", attempt: "int", status: "text", httpStatus: "int", error: "text", durationMs: "int", createdAt: "date" },
  InboundHook: { id: "text", name: "text", action: "text", secret: "text", allowApply: "bool", createdAt: "date", disabledAt: "date", lastCalledAt: "date" },
} satisfies Record<string, Record<string, Kind>>;

/** The Prisma row type of each model. */
export interface ModelRows {
  Guest: Guest;
  Disk: Disk;
  NetworkInterface: NetworkInterface;
  Node: Node;
  Storage: Storage;
  SyncRun: SyncRun;
  SyncChange: SyncChange;
  Operation: Operation;
  WorkspaceLock: WorkspaceLock;
  ApiToken: ApiToken;
  Webhook: Webhook;
  WebhookDelivery: WebhookDelivery;
  InboundHook: InboundHook;
}

/** A model the read path reads. */
export type ReadModel = keyof ModelRows;

/** DateTime as Prisma's SQLite adapter stores it: ISO text (+00:00), or epoch milliseconds. */
function sqliteDate(value: unknown): Date {
  if (typeof value === "number" || typeof value === "bigint") return new Date(Number(value));
  const text = String(value);
  if (/^\d+$/.test(text)) return new Date(Number(text));
  // Text without a zone is UTC, as Prisma reads it.
  return new Date(/(Z|[+-]\d\d:?\d\d)$/i.test(text) ? text : `${text.replace(" ", "T")}Z`);
}

function sqliteJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function decodeValue(kind: Kind, value: unknown, provider: StoreProvider): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case "int": {
      const n = Number(value);
      // Prisma's adapters truncate a fractional value read from an Int column.
      return Number.isInteger(n) ? n : Math.trunc(n);
    }
    case "float":
      return Number(value);
    case "bool":
      return value === true || value === 1 || value === 1n || value === "1" || value === "true";
    case "text":
      return String(value);
    case "json":
      return provider === "sqlite" ? sqliteJson(value) : value;
    case "date":
      return value instanceof Date ? value : provider === "sqlite" ? sqliteDate(value) : new Date(String(value));
  }
}

/** One raw row of `model` → the object Prisma's findMany returns for it. */
export function decodeRow<M extends ReadModel>(model: M, row: RawRow, provider: StoreProvider): ModelRows[M] {
  const out: Record<string, unknown> = {};
  for (const [column, kind] of Object.entries(MODELS[model]) as [string, Kind][]) out[column] = decodeValue(kind, row[column], provider);
  return out as unknown as ModelRows[M];
}

/** Raw rows of `model` → Prisma-shaped rows. */
export function decodeRows<M extends ReadModel>(model: M, rows: RawRow[], provider: StoreProvider): ModelRows[M][] {
  return rows.map((row) => decodeRow(model, row, provider));
}
