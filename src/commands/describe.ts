/** `describe vm|ct NAME|VMID`: everything known about one guest, from the store. */
import { join, relative } from "node:path";
import { UsageError } from "../core/errors.js";
import { requireWorkspace } from "./context.js";
import { defineCommand } from "./define.js";

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
    const data = {
      ...toGuestJson(guest),
      digest: guest.digest,
      disks: guest.disks.map((d) => ({ key: d.key, storage: d.storage, volume: d.volume, sizeGiB: d.sizeGiB, format: d.format })),
      nets: guest.nets.map((n) => ({ key: n.key, model: n.model, mac: n.mac, bridge: n.bridge, vlanTag: n.vlanTag, ip: n.ip, firewall: n.firewall })),
      config: guest.config,
      iacFile: entry ? relative(ws.paths.root, join(ws.paths.terraform, entry.file)) : null,
      history: changes.map((c) => ({ syncRun: c.syncRunId, kind: c.kind, diff: c.diff })),
      operations: operations.map((o) => ({ command: o.command, actor: o.actor, startedAt: o.startedAt.toISOString(), result: o.result, correlationId: o.correlationId })),
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
      `IaC file: ${data.iacFile ?? "(none yet)"}`,
      `History: ${changes.length ? changes.map((c) => `sync #${c.syncRunId} ${c.kind}${c.diff ? ` (${Object.keys(c.diff).join(", ")})` : ""}`).join("; ") : "(none)"}`,
      `Operations: ${operations.length ? operations.map((o) => `${o.command} ${o.result ?? "running"} ${o.startedAt.toISOString()}`).join("; ") : "(none)"}`,
    ];
    return { kind: "data", data, text: lines.join("\n") };
  },
});
