/** `status`: the workspace, its server, the last sync and its age, and what the store holds. */
import { describeDrift, readDrift } from "../core/drift.js";
import { redactString } from "../core/redact.js";
import { duration } from "./get.js";
import { requireWorkspace } from "./context.js";
import { defineCommand } from "./define.js";
import { defineOptions, flag } from "./options.js";

export const statusCommand = defineCommand({
  name: "status",
  summary: "Show the workspace, the server, the last sync and its age, and counts",
  examples: ["proxmox-mpc status", "proxmox-mpc status -o json"],
  options: defineOptions({ offline: flag("--offline", "do not contact the server") }),
  workspace: "required",
  mcp: { tool: "read" },
  slash: true,
  async run(ctx, input) {
    const ws = requireWorkspace(ctx);
    const store = await ctx.services.store();
    const [counts, last, lastOk] = await Promise.all([store.counts(), store.syncs.last(), store.syncs.last({ status: "completed" })]);
    let server: { reachable: boolean; version?: string; error?: string; roundTripMs?: number } = { reachable: false };
    if (!input.options.offline) {
      try {
        const client = await ctx.services.proxmox({ connection: { timeout: 3 } });
        const started = performance.now();
        const version = await client.version({ signal: ctx.signal });
        server = { reachable: true, version: version.version, roundTripMs: Math.round(performance.now() - started) };
      } catch (err) {
        server = { reachable: false, error: redactString(err instanceof Error ? err.message : String(err)) };
      }
    }
    const ageSeconds = lastOk?.finishedAt ? Math.round((Date.now() - lastOk.finishedAt.getTime()) / 1000) : null;
    const data = {
      workspace: ws.paths.root,
      endpoint: ws.config.endpoint,
      tokenId: ws.config.tokenId,
      database: { provider: store.info().provider, location: store.info().location, schemaVersion: store.info().schemaVersion },
      server,
      lastSync: lastOk ? { id: lastOk.id, finishedAt: lastOk.finishedAt?.toISOString() ?? null, ageSeconds, guests: lastOk.guests, added: lastOk.added, changed: lastOk.changed, removed: lastOk.removed } : null,
      lastAttempt: last && last.id !== lastOk?.id ? { id: last.id, status: last.status, error: last.error } : null,
      counts,
      drift: readDrift(ws.paths) ?? null,
    };
    const lines = [
      `Workspace  ${ws.name} (${ws.paths.root})`,
      `Server     ${ws.config.endpoint} ${server.reachable ? `— Proxmox VE ${server.version}, ${server.roundTripMs} ms` : input.options.offline ? "(not contacted)" : `— unreachable: ${server.error}`}`,
      `Token      ${ws.config.tokenId}`,
      `Database   ${store.info().provider} ${store.info().location}`,
      `Last sync  ${lastOk ? `#${lastOk.id}, ${duration(ageSeconds ?? 0)} ago (${lastOk.guests} guests; +${lastOk.added} ~${lastOk.changed} -${lastOk.removed})` : "never — run `proxmox-mpc sync`"}`,
      ...(data.lastAttempt ? [`           the latest attempt #${data.lastAttempt.id} ${data.lastAttempt.status}${data.lastAttempt.error ? `: ${data.lastAttempt.error}` : ""}`] : []),
      `Drift      ${data.drift ? `${describeDrift(data.drift)} (plan at ${data.drift.at.replace("T", " ").slice(0, 19)})` : "unknown — run `proxmox-mpc plan`"}`,
      `Store      ${counts.nodes} nodes, ${counts.vms} VMs, ${counts.containers} containers (${counts.templates} templates, ${counts.running} running), ${counts.storage} storages, ${counts.operations} operations`,
    ];
    return { kind: "data", data, text: lines.join("\n") };
  },
});
