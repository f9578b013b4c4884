/**
 * `delete vm|ct NAME…`: remove guests from the IaC (their .tf file, import
 * block and inventory entry). With --apply the guests are destroyed too,
 * after the plan is shown and confirmed.
 */
import { readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../core/errors.js";
import type { GuestSpec } from "../iac/model.js";
import { refreshInventory } from "./create.js";
import { ENGINE_OPTION } from "./engine-context.js";
import { getStore, requireWorkspace } from "./services.js";
import type { Command } from "./types.js";

export const deleteCommand: Command = {
  name: "delete",
  summary: "Remove VMs or containers from the IaC; --apply also destroys them",
  description:
    "Deletes terraform/<name>.tf, the guest's import block and its inventory entry. Without --apply the guest keeps running (and a sync adopts it again); with --apply the deletion is planned, shown, confirmed (--yes skips) and carried out.",
  examples: ["proxmox-mpc delete vm web-03", "proxmox-mpc delete vm web-03 web-04 --apply --yes", "proxmox-mpc delete ct 105"],
  arguments: [
    { name: "kind", description: "vm or ct", required: true, choices: ["vm", "ct"] },
    { name: "names", description: "names or vmids", required: true, variadic: true, completion: "guest" },
  ],
  options: [{ flags: "--apply", description: "also destroy the guests now (asks for confirmation unless --yes)" }, ENGINE_OPTION],
  workspace: "required",
  async run(ctx, input) {
    const ws = requireWorkspace(ctx);
    const kind = input.args[0] === "ct" ? "lxc" : "qemu";
    const names = input.args.slice(1);
    const { indexTerraformDir } = await import("../iac/tf-index.js");
    const entries = await indexTerraformDir(ws.paths.terraform);
    const chosen = names.map((n) => {
      const entry = entries.find((e) => e.kind === kind && (e.name === n || String(e.vmid) === n));
      if (!entry) {
        const other = entries.find((e) => e.name === n || String(e.vmid) === n);
        throw new UsageError(
          other ? `"${n}" is a ${other.kind === "qemu" ? "VM" : "container"}, not a ${kind === "qemu" ? "VM" : "container"}.` : `No ${kind === "qemu" ? "VM" : "container"} "${n}" in terraform/.`,
          other ? `Use: proxmox-mpc delete ${other.kind === "qemu" ? "vm" : "ct"} ${n}` : "Check the name with `get vms` / `get cts`; run `sync` to write files for existing guests.",
          "not-found",
        );
      }
      return entry;
    });
    for (const entry of chosen) await unlink(join(ws.paths.terraform, entry.file));
    await dropImports(ws.paths.terraform, new Set(chosen.map((e) => e.resourceName ?? "")));
    const store = await getStore(ctx);
    const gone = new Set(chosen.map((e) => e.vmid));
    await refreshInventory(ctx, (await store.guests.list()).filter((g) => !gone.has(g.vmid)));
    const lines = chosen.map((e) => `Removed terraform/${e.file} (${e.name}, vmid ${e.vmid ?? "?"})`);
    if (input.options.apply) {
      const { runApply } = await import("./apply.js");
      for (const line of lines) ctx.ui.info(line);
      return runApply(ctx, { targets: chosen.map((e) => e.name ?? String(e.vmid)), engine: input.options.engine });
    }
    lines.push("The guests still exist: `proxmox-mpc apply` destroys them (a sync before that adopts them again).");
    return { kind: "data", data: { removed: chosen.map((e) => ({ name: e.name, vmid: e.vmid, file: `terraform/${e.file}` })), applied: false }, text: lines.join("\n") };
  },
};

/** Rewrite imports.tf without the import blocks of `resourceNames` (keeping its proxmox-mpc header valid). */
async function dropImports(dir: string, resourceNames: Set<string>): Promise<void> {
  const file = join(dir, "imports.tf");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return;
  }
  const { readHeader, renderImports } = await import("../iac/terraform/index.js");
  const blocks = [...text.matchAll(/import\s*\{\s*to\s*=\s*proxmox_virtual_environment_(vm|container)\.(\S+)\s+id\s*=\s*"([^"/]+)\/(\d+)"\s*\}/g)];
  if (!blocks.some((b) => resourceNames.has(b[2]))) return;
  if (!readHeader(text)?.untouched) {
    // Hand-edited: remove just the blocks, leave the rest as the user wrote it.
    const kept = text.replace(/import\s*\{\s*to\s*=\s*proxmox_virtual_environment_(vm|container)\.(\S+)\s+id\s*=\s*"[^"]*"\s*\}\n*/g, (all, _k, name: string) => (resourceNames.has(name) ? "" : all));
    await writeFile(file, kept);
    return;
  }
  // renderImports needs only these fields of a spec.
  const specs = blocks
    .filter((b) => !resourceNames.has(b[2]))
    .map((b) => ({ kind: b[1] === "vm" ? "qemu" : "lxc", resourceName: b[2], node: b[3], vmid: Number(b[4]), adopted: true }) as unknown as GuestSpec);
  if (specs.length) await writeFile(file, renderImports(specs));
  else await unlink(file);
}
