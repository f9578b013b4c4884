/**
 * `describe vm|ct NAME|VMID`: everything known about one guest, from the
 * store, plus two things read live from the server: the changes that wait for
 * the guest's next restart (GET …/pending) and the snapshot tree (GET
 * …/snapshot, with the `current` position). When the server cannot be
 * reached those two say so and the rest is shown as usual.
 */
import { join, relative } from "node:path";
import { UsageError } from "../core/errors.js";
import type { PvePendingEntry, PveSnapshot } from "../proxmox/types.js";
import type { GuestRecord } from "../state/types.js";
import { requireWorkspace } from "./context.js";
import { defineCommand } from "./define.js";
import type { CommandContext } from "./types.js";

export const describeCommand = defineCommand({
  name: "describe",
  summary: "Show everything known about one VM or container: config, disks, network, IaC file, history",
  examples: ["proxmox-mpc describe vm web-01", "proxmox-mpc describe ct 105 -o yaml"],
  arguments: [
    { name: "kind", description: "vm or ct", required: true, choices: ["vm", "ct", "vms", "cts"] },
    { name: "name", description: "name or vmid", required: true, completion: "guest" },
  ],
  workspace: "required",
  mcp: { tool: "read" },
  async run(ctx, input) {
    const ws = requireWorkspace(ctx);
    const type = input.args[0].startsWith("vm") ? "qemu" : "lxc";
    const key = input.args[1];
    const store = await ctx.services.store();
    const guest = await store.guests.get(/^\d+$/.test(key) ? Number(key) : key);
    if (!guest || guest.type !== type) {
      throw new UsageError(`No ${type === "qemu" ? "VM" : "container"} named "${key}" in the store.`, "Check `proxmox-mpc get vms` / `get cts`, or run `proxmox-mpc sync`.", "not-found");
    }
    const { toGuestJson } = await import("../state/mappers.js");
    // The file is named after the resource name (web-01 → web_01.tf): find it the way delete and the engine do.
    const { indexTerraformDir } = await import("../iac/tf-index.js");
    const entries = await indexTerraformDir(ws.paths.terraform);
    const entry = entries.find((e) => e.kind === type && e.vmid === guest.vmid) ?? entries.find((e) => e.kind === type && e.vmid === undefined && e.name === guest.name);
    const changes = await store.syncs.changesOf(guest.vmid, 10);
    const operations = (await store.operations.list({ limit: 500 }))
      .filter((op) => JSON.stringify(op.arguments).includes(guest.name) || JSON.stringify(op.arguments).includes(String(guest.vmid)))
      .slice(0, 10);
    const live = await readLive(ctx, guest);
    const data = {
      ...toGuestJson(guest),
      digest: guest.digest,
      disks: guest.disks.map((d) => ({ key: d.key, storage: d.storage, volume: d.volume, sizeGiB: d.sizeGiB, format: d.format })),
      nets: guest.nets.map((n) => ({ key: n.key, model: n.model, mac: n.mac, bridge: n.bridge, vlanTag: n.vlanTag, ip: n.ip, firewall: n.firewall })),
      config: guest.config,
      iacFile: entry ? relative(ws.paths.root, join(ws.paths.terraform, entry.file)) : null,
      history: changes.map((c) => ({ syncRun: c.syncRunId, kind: c.kind, diff: c.diff })),
      operations: operations.map((o) => ({ command: o.command, actor: o.actor, startedAt: o.startedAt.toISOString(), result: o.result, correlationId: o.correlationId })),
      pending: live.pending?.map((p) => ({ key: p.key, value: p.value ?? null, pending: p.pending ?? null, delete: Boolean(p.delete) })) ?? null,
      snapshots: live.snapshots?.map(snapshotJson) ?? null,
      liveError: live.error ?? null,
    };
    const lines = [
      `${guest.type === "qemu" ? "VM" : "Container"} ${guest.name} (${guest.vmid}) on ${guest.node}: ${guest.status}${guest.template ? ", template" : ""}`,
      `  cores ${guest.cores}, memory ${guest.memory} MiB, disk ${guest.disk} GiB${guest.tags.length ? `, tags ${guest.tags.join(",")}` : ""}`,
      ...(guest.stale ? [`  ! Config not read in the last sync (${guest.stale.reason.replace(/\.$/, "")}); values are ${guest.stale.configRead ? "" : "only the /cluster/resources summary "}from ${guest.stale.valuesAt.toISOString()}`] : []),
      "Disks:",
      ...guest.disks.map((d) => `  ${d.key.padEnd(8)} ${d.volume} (${d.sizeGiB} GiB${d.format ? `, ${d.format}` : ""})`),
      "Network:",
      ...guest.nets.map((n) => `  ${n.key.padEnd(8)} ${n.model ?? "?"} ${n.mac ?? ""} bridge ${n.bridge ?? "-"}${n.vlanTag ? ` vlan ${n.vlanTag}` : ""}${n.ip ? ` ip ${n.ip}` : ""}${n.firewall ? " firewall" : ""}`),
      "Config:",
      ...Object.entries(guest.config)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `  ${k}: ${v}`),
      ...pendingLines(live),
      ...snapshotLines(live),
      `IaC file: ${data.iacFile ?? "(none yet)"}`,
      `History: ${changes.length ? changes.map((c) => `sync #${c.syncRunId} ${c.kind}${c.diff ? ` (${Object.keys(c.diff).join(", ")})` : ""}`).join("; ") : "(none)"}`,
      `Operations: ${operations.length ? operations.map((o) => `${o.command} ${o.result ?? "running"} ${o.startedAt.toISOString()}`).join("; ") : "(none)"}`,
    ];
    return { kind: "data", data, text: lines.join("\n") };
  },
});

/** What describe reads from the server; `error` when it could not (the store's part is shown anyway). */
interface LiveFacts {
  pending?: PvePendingEntry[];
  snapshots?: PveSnapshot[];
  error?: string;
}

async function readLive(ctx: CommandContext, guest: GuestRecord): Promise<LiveFacts> {
  try {
    const client = await ctx.services.proxmox({ retries: 0 });
    const [pending, snapshots] = await Promise.all([
      client.guestPending(guest.node, guest.type, guest.vmid, { signal: ctx.signal }),
      client.listSnapshots(guest.node, guest.type, guest.vmid, { signal: ctx.signal }),
    ]);
    return { pending, snapshots };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** The entries of GET …/pending that wait for a restart, as "memory 4096 → 8192 (applies at next restart)". */
export function pendingChanges(entries: PvePendingEntry[]): { key: string; text: string }[] {
  const show = (v: unknown): string => (v === undefined || v === null || v === "" ? "(unset)" : String(v));
  return entries
    .filter((e) => e.pending !== undefined || e.delete)
    .map((e) => ({ key: e.key, text: `${e.key} ${show(e.value)} → ${e.delete ? "(removed)" : show(e.pending)} (applies at next restart)` }));
}

function pendingLines(live: LiveFacts): string[] {
  if (!live.pending) return [`Pending: (not read: ${live.error ?? "unknown"})`];
  const changes = pendingChanges(live.pending);
  return changes.length ? changes.map((c) => `pending: ${c.text}`) : ["Pending: (none)"];
}

function snapshotJson(s: PveSnapshot): Record<string, unknown> {
  return {
    name: s.name,
    parent: s.parent ?? null,
    current: s.name === "current",
    snaptime: s.snaptime ? new Date(s.snaptime * 1000).toISOString() : null,
    description: s.description ?? null,
    ...(s.vmstate !== undefined ? { vmstate: Boolean(s.vmstate) } : {}),
  };
}

/** The snapshot tree (parents above children, oldest first), `current` marked where the guest is now. */
function snapshotLines(live: LiveFacts): string[] {
  if (!live.snapshots) return [`Snapshots: (not read: ${live.error ?? "unknown"})`];
  const snaps = live.snapshots;
  if (!snaps.some((s) => s.name !== "current")) return ["Snapshots: (none)"];
  const names = new Set(snaps.map((s) => s.name));
  const children = (parent: string | undefined): PveSnapshot[] =>
    snaps
      .filter((s) => (parent === undefined ? !s.parent || !names.has(s.parent) : s.parent === parent))
      .sort((a, b) => (a.name === "current" ? 1 : b.name === "current" ? -1 : (a.snaptime ?? 0) - (b.snaptime ?? 0)));
  const label = (s: PveSnapshot): string => {
    if (s.name === "current") return "current (you are here)";
    const when = s.snaptime ? ` ${new Date(s.snaptime * 1000).toISOString().slice(0, 16).replace("T", " ")}` : "";
    return `${s.name}${when}${s.vmstate ? " (with RAM)" : ""}${s.description?.trim() ? ` — ${s.description.trim().split("\n")[0]}` : ""}`;
  };
  const lines = ["Snapshots:"];
  const walk = (parent: string | undefined, prefix: string, depth: number): void => {
    const kids = children(parent);
    kids.forEach((s, i) => {
      const last = i === kids.length - 1;
      lines.push(`  ${prefix}${depth ? (last ? "└─ " : "├─ ") : ""}${label(s)}`);
      if (s.name !== "current") walk(s.name, depth ? `${prefix}${last ? "   " : "│  "}` : prefix, depth + 1);
    });
  };
  walk(undefined, "", 0);
  return lines;
}
