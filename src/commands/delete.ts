/**
 * `delete vm|ct NAME…`: remove guests from the IaC (their .tf file, import
 * block and inventory entry). With --apply the guests are destroyed too,
 * after the plan is shown and confirmed.
 */
import { readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../core/errors.js";
import type { ImportedGuest } from "../iac/terraform/render.js";
import type { TfFileEntry } from "../iac/tf-index.js";
import { refreshInventory } from "./create.js";
import { defineCommand } from "./define.js";
import { ENGINE_OPTION } from "./engine-context.js";
import { requireWorkspace } from "./context.js";
import { defineOptions, flag } from "./options.js";
import type { CommandContext } from "./types.js";
import { declined } from "../core/result.js";

export const deleteCommand = defineCommand({
  name: "delete",
  summary: "Remove VMs or containers from the IaC; --apply also destroys them",
  description:
    "Removes terraform/<name>.tf, the guest's import block and its inventory entry, after showing them and asking (--yes skips; --no-input without --yes refuses). Without --apply the guest keeps running (and a sync adopts it again). With --apply the destruction is planned and shown with the files, confirmed, carried out, and only then are the files of the guests that were destroyed removed: answering n, a failed destroy or Ctrl-C leaves them as they were.",
  examples: ["proxmox-mpc delete vm web-03", "proxmox-mpc delete vm web-03 web-04 --apply", "proxmox-mpc delete ct 105 --yes"],
  arguments: [
    { name: "kind", description: "vm or ct", required: true, choices: ["vm", "ct"] },
    { name: "names", description: "names or vmids", required: true, variadic: true, completion: "guest" },
  ],
  options: defineOptions({ apply: flag("--apply", "also destroy the guests now (asks for confirmation unless --yes)"), engine: ENGINE_OPTION }),
  workspace: "required",
  mcp: { tool: "destructive" },
  async run(ctx, input) {
    const ws = requireWorkspace(ctx);
    const kind = input.args[0] === "ct" ? "lxc" : "qemu";
    const { indexTerraformDir } = await import("../iac/tf-index.js");
    const chosen = pickEntries(await indexTerraformDir(ws.paths.terraform), kind, input.args.slice(1));
    const files = chosen.map((e) => `terraform/${e.file} (${e.name ?? "?"}, vmid ${e.vmid ?? "?"})`);
    if (input.options.apply) {
      // Destroy first; the IaC of each guest goes only once the server has destroyed it.
      const { runApply } = await import("./apply.js");
      return runApply(ctx, {
        destroy: true,
        targets: chosen.map(targetOf),
        engine: input.options.engine,
        followUp: {
          describe: ["Then removes from the IaC (file, import block, inventory entry):", ...files.map((f) => `  - ${f}`)],
          question: `None of these guests exists in the cluster. Remove ${chosen.length === 1 ? "its file" : `these ${chosen.length} files`} from the IaC?`,
          run: async ({ planned: changes, done, ok }) => {
            const destroyed = new Set(done.map((c) => c.vmid));
            // Guests the plan did not touch do not exist in the cluster: their files go when the whole apply succeeded.
            const planned = new Set(changes.map((c) => c.vmid));
            const gone = chosen.filter((e) => destroyed.has(e.vmid ?? -1) || (ok && !planned.has(e.vmid ?? -1)));
            if (!gone.length) return [];
            await removeFromIac(ctx, gone);
            const kept = chosen.filter((e) => !gone.includes(e));
            return [...gone.map((e) => `Removed terraform/${e.file} (${e.name}, vmid ${e.vmid ?? "?"})`), ...kept.map((e) => `Kept terraform/${e.file}: ${e.name} was not destroyed.`)];
          },
        },
      });
    }
    for (const f of files) ctx.ui.info(`Removes ${f}`);
    const question = `Remove ${chosen.length === 1 ? "this guest" : `these ${chosen.length} guests`} from the IaC? ${chosen.length === 1 ? "It keeps" : "They keep"} running in the cluster.`;
    if (!(await ctx.ui.confirm(question))) return declined();
    await removeFromIac(ctx, chosen);
    const lines = chosen.map((e) => `Removed terraform/${e.file} (${e.name}, vmid ${e.vmid ?? "?"})`);
    lines.push("The guests still exist: `proxmox-mpc apply` destroys them (a sync before that adopts them again).");
    return { kind: "data", data: { removed: chosen.map((e) => ({ name: e.name, vmid: e.vmid, file: `terraform/${e.file}` })), applied: false }, text: lines.join("\n") };
  },
});

/** The files of the named guests (names or vmids) of one kind; a usage error names what is wrong. */
function pickEntries(entries: TfFileEntry[], kind: "qemu" | "lxc", names: string[]): TfFileEntry[] {
  const noun = (k: string | undefined): string => (k === "qemu" ? "VM" : "container");
  const chosen: TfFileEntry[] = [];
  for (const n of names) {
    const entry = entries.find((e) => e.kind === kind && (e.name === n || String(e.vmid) === n));
    if (!entry) {
      const other = entries.find((e) => e.name === n || String(e.vmid) === n);
      throw new UsageError(
        other ? `"${n}" is a ${noun(other.kind)}, not a ${noun(kind)}.` : `No ${noun(kind)} "${n}" in terraform/.`,
        other ? `Use: proxmox-mpc delete ${other.kind === "qemu" ? "vm" : "ct"} ${n}` : "Check the name with `get vms` / `get cts`; run `sync` to write files for existing guests.",
        "not-found",
      );
    }
    if (!chosen.includes(entry)) chosen.push(entry);
  }
  return chosen;
}

/** The engine target of a file: its resource address (unambiguous for both engines). */
function targetOf(entry: TfFileEntry): string {
  return entry.resourceName ? `proxmox_virtual_environment_${entry.kind === "qemu" ? "vm" : "container"}.${entry.resourceName}` : (entry.name ?? String(entry.vmid));
}

/** Remove the guests' files, their import blocks and their inventory entries. */
async function removeFromIac(ctx: CommandContext, entries: TfFileEntry[]): Promise<void> {
  const ws = requireWorkspace(ctx);
  for (const entry of entries) await unlink(join(ws.paths.terraform, entry.file)).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "ENOENT") throw err;
  });
  await dropImports(ws.paths.terraform, new Set(entries.map((e) => e.resourceName ?? "")));
  const store = await ctx.services.store();
  const gone = new Set(entries.map((e) => e.vmid));
  await refreshInventory(ctx, (await store.guests.list()).filter((g) => !gone.has(g.vmid)));
}

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
  const specs = blocks
    .filter((b) => !resourceNames.has(b[2]))
    .map((b): ImportedGuest => ({ kind: b[1] === "vm" ? "qemu" : "lxc", resourceName: b[2], node: b[3], vmid: Number(b[4]), adopted: true }));
  if (specs.length) await writeFile(file, renderImports(specs));
  else await unlink(file);
}
