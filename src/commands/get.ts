/**
 * `get nodes|vms|cts|guests|storage|tasks [NAME|VMID]`: list resources from
 * the store (no network), or from the server with --live. Tasks are always
 * live. Guest lists page on request (--limit, --cursor: paging.ts) and keep
 * the keys --fields names.
 */
import { UsageError } from "../core/errors.js";
import type { GuestRecord, JsonValue } from "../state/types.js";
import { defineCommand } from "./define.js";
import { defineOptions, flag, number, text, type OptionsOf } from "./options.js";
import type { Store } from "../state/store.js";
import { decodeCursor, encodeCursor, pageOf, parseFields, pickFields } from "./paging.js";
import type { Column, CommandContext, CommandResult } from "./types.js";

export const RESOURCES = ["nodes", "vms", "cts", "guests", "storage", "tasks"] as const;
type Resource = (typeof RESOURCES)[number];

const ALIASES: Record<string, Resource> = { node: "nodes", vm: "vms", qemu: "vms", ct: "cts", lxc: "cts", containers: "cts", guest: "guests", storages: "storage", task: "tasks" };

/** The keys of a guest in `-o json` (what --fields chooses from). */
export const GUEST_FIELDS = ["vmid", "name", "node", "type", "status", "cores", "memory", "disk", "tags", "template", "ipAddresses", "updatedAt", "stale", "staleReason", "staleValuesAt", "configRead"] as const;

/** Tasks listed per node unless --limit says. */
const TASKS_PER_NODE = 50;

const GET_OPTIONS = defineOptions({
  node: text("--node <node>", "only on this node", { completion: "node" }),
  status: text("--status <status>", "only with this status (running, stopped, …)", { completion: ["running", "stopped", "paused"] }),
  tag: text("--tag <tag>", "only guests with this tag", { completion: "tag" }),
  live: flag("--live", "ask the server instead of the store"),
  limit: number("--limit <n>", `vms, cts, guests: a page of at most N guests (the answer is then {items, total, nextCursor}; without --limit or --cursor, every guest); tasks: how many per node (${TASKS_PER_NODE} unless given)`, { int: true }),
  cursor: text("--cursor <cursor>", "vms, cts, guests: the next page: the nextCursor the previous page gave"),
  fields: text("--fields <keys>", `vms, cts, guests: only these keys, comma-separated (${GUEST_FIELDS.join(", ")})`, { completion: GUEST_FIELDS }),
});

type GetFlags = OptionsOf<typeof GET_OPTIONS>;

export const GUEST_COLUMNS: Column[] = [
  { key: "vmid", header: "VMID", align: "right" },
  { key: "name", header: "NAME" },
  { key: "node", header: "NODE" },
  { key: "status", header: "STATUS" },
  { key: "cores", header: "CORES", align: "right" },
  { key: "memory", header: "MEM(MiB)", align: "right" },
  { key: "disk", header: "DISK(GiB)", align: "right" },
  { key: "tags", header: "TAGS" },
  { key: "ipAddresses", header: "IP", wide: true },
  { key: "template", header: "TEMPLATE", wide: true },
  { key: "type", header: "TYPE", wide: true },
];

const NODE_COLUMNS: Column[] = [
  { key: "name", header: "NAME" },
  { key: "status", header: "STATUS" },
  { key: "cpuPercent", header: "CPU", align: "right" },
  { key: "maxcpu", header: "CORES", align: "right" },
  { key: "memText", header: "MEMORY", align: "right" },
  { key: "uptimeText", header: "UPTIME", align: "right" },
];

const STORAGE_COLUMNS: Column[] = [
  { key: "node", header: "NODE" },
  { key: "storage", header: "STORAGE" },
  { key: "type", header: "TYPE" },
  { key: "content", header: "CONTENT" },
  { key: "usedText", header: "USED", align: "right" },
  { key: "totalText", header: "TOTAL", align: "right" },
  { key: "shared", header: "SHARED", wide: true },
  { key: "active", header: "ACTIVE", wide: true },
];

const TASK_COLUMNS: Column[] = [
  { key: "node", header: "NODE" },
  { key: "type", header: "TYPE" },
  { key: "id", header: "ID" },
  { key: "user", header: "USER" },
  { key: "started", header: "STARTED" },
  { key: "status", header: "STATUS" },
  { key: "upid", header: "UPID", wide: true },
];

export const getCommand = defineCommand({
  name: "get",
  summary: "List nodes, VMs, containers, storage or tasks (from the store; --live asks the server)",
  description:
    "Reads what the last sync stored, without touching the network. NAME|VMID shows one guest. Filters combine. -o json gives the documented fields (vmid, name, node, type, status, cores, memory MiB, disk GiB, tags, template, stale). A guest the last sync could not read shows as \"running (stale)\". Guest lists page with --limit N: the answer is {items, total, nextCursor}, and --cursor NEXTCURSOR gives the next page (nextCursor is null on the last); --fields vmid,name,status keeps only those keys. An MCP client's list is paged at 100 unless it gives limit.",
  examples: ["proxmox-mpc get vms", "proxmox-mpc get vms --node pve1 --status running --tag web -o wide", "proxmox-mpc get vm web-01 -o json", "proxmox-mpc get guests --limit 100 --fields vmid,name,status -o json", "proxmox-mpc get nodes --live", "proxmox-mpc get tasks --node pve1"],
  arguments: [
    { name: "resource", description: `what to list: ${RESOURCES.join(", ")}`, required: true, completion: RESOURCES },
    { name: "name", description: "one guest by name or vmid (vms, cts, guests), or one node or storage", completion: "guest" },
  ],
  options: GET_OPTIONS,
  workspace: "required",
  // A tool call is paged by default: an assistant asking for "the VMs" of 10,000 gets 100 and a cursor.
  mcp: { tool: "read", defaults: { limit: 100 } },
  async run(ctx, input) {
    const resource = parseResource(input.args[0]);
    const flags = input.options;
    const name = input.args[1];
    if (resource !== "vms" && resource !== "cts" && resource !== "guests" && (flags.cursor !== undefined || flags.fields !== undefined)) {
      throw new UsageError(`--${flags.cursor !== undefined ? "cursor" : "fields"} applies to guest lists (vms, cts, guests), not to ${resource}.`, `Leave it out, or list guests: proxmox-mpc get guests --limit 50 --fields vmid,name,status`);
    }
    switch (resource) {
      case "vms":
      case "cts":
      case "guests":
        return guests(ctx, resource === "vms" ? "qemu" : resource === "cts" ? "lxc" : undefined, flags, name);
      case "nodes":
        return nodes(ctx, flags, name);
      case "storage":
        return storage(ctx, flags, name);
      case "tasks":
        return tasks(ctx, flags);
    }
  },
});

/** `vms`, `vm`, `qemu` … → the canonical resource, or a usage error naming the valid ones. */
export function parseResource(value: string | undefined): Resource {
  const v = (value ?? "").toLowerCase();
  const resource = (RESOURCES as readonly string[]).includes(v) ? (v as Resource) : ALIASES[v];
  if (!resource) throw new UsageError(`Unknown resource "${value}".`, `Use one of: ${RESOURCES.join(", ")}.`);
  return resource;
}

async function guests(ctx: CommandContext, type: "qemu" | "lxc" | undefined, flags: GetFlags, name: string | undefined): Promise<CommandResult> {
  const fields = flags.fields === undefined ? undefined : parseFields(flags.fields, GUEST_FIELDS);
  const paged = flags.limit !== undefined || flags.cursor !== undefined;
  if (flags.limit !== undefined && flags.limit < 1) throw new UsageError(`--limit must be 1 or more for a page of guests, got ${flags.limit}.`, "Leave --limit out to list every guest.");
  const what = type === "qemu" ? "VM" : type === "lxc" ? "container" : "guest";
  let rows: Record<string, JsonValue>[];
  if (flags.live) {
    rows = await liveGuests(ctx, type);
  } else {
    const { toGuestJson } = await import("../state/mappers.js");
    const store = await ctx.services.store();
    if (name) {
      const guest = await store.guests.get(/^\d+$/.test(name) ? Number(name) : name);
      if (!guest || (type && guest.type !== type)) throw notFound(what, name);
      return one(toGuestJson(guest), fields);
    }
    if (paged) return storePage(ctx, store, type, flags, fields);
    rows = (await store.guests.list({ type, node: flags.node, status: flags.status, tag: flags.tag })).map(toGuestJson);
    if (rows.length === 0 && !(await store.syncs.last())) ctx.ui.warn("Nothing synced yet: run `proxmox-mpc sync` first (or use --live).");
  }
  rows = rows.filter(
    (r) =>
      (!flags.node || r.node === flags.node) &&
      (!flags.status || r.status === flags.status) &&
      (!flags.tag || (r.tags as string[]).includes(flags.tag)) &&
      (!name || r.name === name || String(r.vmid) === name),
  );
  const stale = rows.filter((r) => r.stale === true);
  if (stale.length && !name) ctx.ui.warn(`${stale.length} guest${stale.length === 1 ? " was" : "s were"} not read by the last sync (stale): ${stale.map((r) => `${String(r.name)} (${String(r.vmid)})`).join(", ")}. Run \`proxmox-mpc sync\` again.`);
  if (name && rows.length === 1) return one(rows[0], fields);
  if (name && rows.length === 0) throw notFound(what, name);
  const page = pageOf(rows, (r) => Number(r.vmid), { limit: flags.limit, cursor: flags.cursor });
  if (page.nextCursor) ctx.ui.info(`${page.items.length} of ${page.total} guests; the next page: --cursor ${page.nextCursor}`);
  const items = fields ? page.items.map((r) => pickFields(r, fields)) : page.items;
  return { kind: "data", data: paged ? { ...page, items } : items, table: guestTable(page.items, fields) };
}

/**
 * A guest's JSON view, made once per record object: the read store hands out the same frozen
 * records for a page asked again until the guests change (read-guests.ts), so a list polled by a
 * dashboard or a script is not converted again on every call. The view is frozen too.
 */
const jsonViews = new WeakMap<GuestRecord, Record<string, JsonValue>>();
function jsonView(g: GuestRecord, toJson: (g: GuestRecord) => Record<string, JsonValue>): Record<string, JsonValue> {
  if (!Object.isFrozen(g)) return toJson(g);
  let view = jsonViews.get(g);
  if (!view) jsonViews.set(g, (view = Object.freeze(toJson(g))));
  return view;
}

/** The largest Int column value (no vmid is larger). */
const MAX_INT = 2 ** 31 - 1;

/** A page read in the store (only its rows are read and decoded): what an MCP client's list call costs. */
async function storePage(ctx: CommandContext, store: Store, type: "qemu" | "lxc" | undefined, flags: GetFlags, fields: readonly string[] | undefined): Promise<CommandResult> {
  const { toGuestJson } = await import("../state/mappers.js");
  const after = flags.cursor === undefined ? undefined : decodeCursor(flags.cursor);
  const limit = Math.min(flags.limit ?? MAX_INT, MAX_INT - 1);
  // One row more than the page: whether another page follows, without a second query.
  const read = await store.guests.page({ type, node: flags.node, status: flags.status, tag: flags.tag }, { after, limit: limit + 1 });
  const rows = read.items.slice(0, limit).map((g) => jsonView(g, toGuestJson));
  const last = rows[rows.length - 1];
  const nextCursor = read.items.length > limit && last !== undefined ? encodeCursor(Number(last.vmid)) : null;
  const stale = rows.filter((r) => r.stale === true);
  if (stale.length) ctx.ui.warn(`${stale.length} guest${stale.length === 1 ? " was" : "s were"} not read by the last sync (stale): ${stale.map((r) => `${String(r.name)} (${String(r.vmid)})`).join(", ")}. Run \`proxmox-mpc sync\` again.`);
  if (nextCursor) ctx.ui.info(`${rows.length} of ${read.total} guests; the next page: --cursor ${nextCursor}`);
  const items = fields ? rows.map((r) => pickFields(r, fields)) : rows;
  return { kind: "data", data: { items, total: read.total, nextCursor }, table: guestTable(rows, fields) };
}

function one(guest: Record<string, JsonValue>, fields?: readonly string[]): CommandResult {
  return { kind: "data", data: fields ? pickFields(guest, fields) : guest, table: guestTable([guest], fields) };
}

/** The table of guests: every column, or the chosen fields' (all shown, as -o wide would). */
function guestTable(rows: Record<string, JsonValue>[], fields: readonly string[] | undefined): { columns: Column[]; rows: Record<string, JsonValue>[] } {
  const columns = fields ? fields.map((key): Column => ({ ...(GUEST_COLUMNS.find((c) => c.key === key) ?? { key, header: key.toUpperCase() }), wide: false })) : GUEST_COLUMNS;
  return { columns, rows: rows.map(staleStatus) };
}

/** In tables, a guest the last sync could not read shows "running (stale)": its values may be out of date. */
function staleStatus(guest: Record<string, JsonValue>): Record<string, JsonValue> {
  return guest.stale === true ? { ...guest, status: `${String(guest.status)} (stale)` } : guest;
}

function notFound(what: string, name: string): UsageError {
  return new UsageError(`No ${what} named "${name}" in the store.`, "Check `proxmox-mpc get vms` / `get cts`, or run `proxmox-mpc sync` if it is new.", "not-found");
}

async function liveGuests(ctx: CommandContext, type: "qemu" | "lxc" | undefined): Promise<Record<string, JsonValue>[]> {
  const { parseTags } = await import("../pve/tags.js");
  const client = await ctx.services.proxmox();
  const resources = await client.clusterResources("vm", { signal: ctx.signal });
  return resources
    .filter((r) => (type ? r.type === type : r.type === "qemu" || r.type === "lxc"))
    .map((r) => ({
      vmid: r.vmid ?? 0,
      name: r.name ?? `${r.type === "qemu" ? "vm" : "ct"}-${r.vmid}`,
      node: r.node ?? "",
      type: r.type,
      status: r.status ?? "unknown",
      cores: r.maxcpu ?? 0,
      memory: Math.round((r.maxmem ?? 0) / 1024 ** 2),
      disk: Math.round(((r.maxdisk ?? 0) / 1024 ** 3) * 1000) / 1000,
      tags: parseTags(r.tags),
      template: r.template === 1,
    }))
    .sort((a, b) => a.vmid - b.vmid);
}

async function nodes(ctx: CommandContext, flags: GetFlags, name: string | undefined): Promise<CommandResult> {
  let rows: Record<string, JsonValue>[];
  if (flags.live) {
    const client = await ctx.services.proxmox();
    rows = (await client.nodes({ signal: ctx.signal })).map((n) => ({ name: n.node, status: n.status, cpu: n.cpu ?? 0, maxcpu: n.maxcpu ?? 0, mem: n.mem ?? 0, maxmem: n.maxmem ?? 0, uptime: n.uptime ?? 0 }));
  } else {
    const { toNodeJson } = await import("../state/mappers.js");
    rows = (await (await ctx.services.store()).nodes.list()).map(toNodeJson);
  }
  rows = rows.filter((n) => (!name || n.name === name) && (!flags.status || n.status === flags.status) && (!flags.node || n.name === flags.node)).sort((a, b) => String(a.name).localeCompare(String(b.name)));
  if (name && rows.length === 0) throw new UsageError(`No node named "${name}".`, "See `proxmox-mpc get nodes`.", "not-found");
  const table = rows.map((n) => ({
    ...n,
    cpuPercent: `${Math.round(Number(n.cpu) * 1000) / 10}%`,
    memText: `${gib(Number(n.mem))}/${gib(Number(n.maxmem))} GiB`,
    uptimeText: duration(Number(n.uptime)),
  }));
  return { kind: "data", data: name ? rows[0] : rows, table: { columns: NODE_COLUMNS, rows: table } };
}

async function storage(ctx: CommandContext, flags: GetFlags, name: string | undefined): Promise<CommandResult> {
  let rows: Record<string, JsonValue>[];
  if (flags.live) {
    const client = await ctx.services.proxmox();
    const nodeNames = flags.node ? [flags.node] : (await client.nodes({ signal: ctx.signal })).filter((n) => n.status === "online").map((n) => n.node);
    // One request per node, at once (the client limits how many run together); rows in node order.
    const perNode = await Promise.all(nodeNames.map(async (node) => ({ node, list: await client.storage(node, {}, { signal: ctx.signal }) })));
    rows = perNode.flatMap(({ node, list }) =>
      list.map((s) => ({ node, storage: s.storage, type: s.type, content: s.content, shared: s.shared === 1, total: s.total ?? 0, used: s.used ?? 0, avail: s.avail ?? 0, enabled: s.enabled !== 0, active: s.active !== 0 })),
    );
  } else {
    rows = (await (await ctx.services.store()).storage.list(flags.node)).map((s) => ({
      node: s.node, storage: s.storage, type: s.type, content: s.content, shared: s.shared, total: s.total, used: s.used, avail: s.avail, enabled: s.enabled, active: s.active,
    }));
  }
  rows = rows.filter((s) => (!flags.node || s.node === flags.node) && (!name || s.storage === name));
  const table = rows.map((s) => ({ ...s, usedText: `${gib(Number(s.used))} GiB`, totalText: `${gib(Number(s.total))} GiB` }));
  return { kind: "data", data: rows, table: { columns: STORAGE_COLUMNS, rows: table } };
}

async function tasks(ctx: CommandContext, flags: GetFlags): Promise<CommandResult> {
  const client = await ctx.services.proxmox();
  const nodeNames = flags.node ? [flags.node] : (await client.nodes({ signal: ctx.signal })).filter((n) => n.status === "online").map((n) => n.node);
  const perNode = await Promise.all(nodeNames.map(async (node) => ({ node, list: await client.tasks(node, { limit: flags.limit ?? TASKS_PER_NODE }, { signal: ctx.signal }) })));
  const rows: Record<string, JsonValue>[] = perNode.flatMap(({ node, list }) =>
    list.map((t) => ({ node, upid: t.upid, type: t.type, id: t.id ?? "", user: t.user, starttime: t.starttime, endtime: t.endtime ?? null, status: t.status ?? "running" })),
  );
  const filtered = rows.filter((t) => !flags.status || String(t.status).toLowerCase().startsWith(flags.status.toLowerCase())).sort((a, b) => Number(b.starttime) - Number(a.starttime));
  const table = filtered.map((t) => ({ ...t, started: new Date(Number(t.starttime) * 1000).toISOString().replace("T", " ").slice(0, 19) }));
  return { kind: "data", data: filtered, table: { columns: TASK_COLUMNS, rows: table } };
}

function gib(bytes: number): string {
  return (bytes / 1024 ** 3).toFixed(1);
}

/** 3d 4h, 5h 2m, 40s */
export function duration(seconds: number): string {
  if (seconds < 1) return "0s";
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  return m ? `${m}m` : `${Math.floor(seconds)}s`;
}
