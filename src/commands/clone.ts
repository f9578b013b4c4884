/**
 * `clone vm|ct SRC --name NEW [--full] [--node N] [--storage S] [--vmid N]`:
 * copy a guest through PVE's clone endpoint. A linked clone where PVE can
 * make one (the source is a template and every disk's storage can clone
 * volumes), else a full copy — the result says which, and why. Waits for
 * the task with progress, then syncs so the new guest gets its .tf file and
 * `plan` stays empty.
 */
import { ProxmoxMpcError, UsageError } from "../core/errors.js";
import { configDisks } from "../pve/guest-config.js";
import { defineCommand } from "./define.js";
import { gib, liveGuests } from "./migrate-checks.js";
import { followMoves } from "./migrate-iac.js";
import { defineOptions, flag, number, text } from "./options.js";
import type { CommandContext } from "./types.js";

/** Storage types whose volumes cannot be linked clones (PVE's `clone` feature is missing there). */
const NO_LINKED_CLONES = new Set(["lvm", "iscsi", "iscsidirect", "pbs"]);
/** PVE's `dns-name` format, which clone's name and hostname take. */
const DNS_NAME = /^(?=.{1,255}$)([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)(\.([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?))*$/;

export const cloneCommand = defineCommand({
  name: "clone",
  summary: "Clone a VM or container (a linked clone of a template where the storage can, else a full copy)",
  description:
    "Clones SRC into a new guest named --name with PVE's clone endpoint. A template whose disks are on storage that can clone volumes (LVM-thin, ZFS, Ceph, directories, …) gives a linked clone; --full, a source that is not a template, --storage, or a storage that cannot (thick LVM, iSCSI) gives a full copy — the result says which and why. --node clones to another node (PVE allows that only from shared storage). Waits for the task, then syncs so the new guest gets its terraform/<name>.tf and `plan` stays empty.",
  examples: [
    "proxmox-mpc clone vm debian-12-template --name web-03",
    "proxmox-mpc clone vm web-01 --name web-01-copy --storage local-lvm",
    "proxmox-mpc clone vm debian-12-template --name build-01 --full --node pve2 --vmid 150",
    "proxmox-mpc clone ct ct-template --name dns-02",
  ],
  arguments: [
    { name: "kind", description: "vm or ct", required: true, choices: ["vm", "ct"] },
    { name: "source", description: "the guest or template to clone (name or vmid)", required: true, completion: "guest" },
  ],
  options: defineOptions({
    name: text("--name <name>", "name of the new guest (hostname of a container)"),
    full: flag("--full", "a full copy even where a linked clone is possible"),
    node: text("--node <node>", "node of the new guest (default: the source's)", { completion: "node" }),
    storage: text("--storage <storage>", "storage for the copied disks (full clones only)", { completion: "storage" }),
    vmid: number("--vmid <id>", "vmid of the new guest (default: the next free one)", { int: true, min: 100, max: 999999999 }),
    timeout: number("--timeout <seconds>", "how long to wait for the clone task", { min: 1, default: 3600 }),
  }),
  workspace: "required",
  mcp: { tool: "write" },
  async run(ctx, input) {
    const [kind, source] = input.args;
    const type = kind === "vm" ? "qemu" : "lxc";
    const { name, full: wantFull, node: wantNode, storage, vmid: wantVmid, timeout } = input.options;
    if (!name) throw new UsageError("Name the new guest: --name NEW.", `e.g. proxmox-mpc clone ${kind} ${source} --name ${source}-copy`);
    if (!DNS_NAME.test(name)) throw new UsageError(`"${name}" is not a valid ${type === "qemu" ? "VM name" : "hostname"}: letters, digits, hyphens and dots.`, "e.g. --name web-03");

    const client = await ctx.services.proxmox();
    const store = await ctx.services.store();
    const [live, nodes, record, taken] = await Promise.all([
      client.clusterResources("vm", { signal: ctx.signal }).then(liveGuests),
      client.nodes({ signal: ctx.signal }),
      store.guests.get(/^\d+$/.test(source) ? Number(source) : source),
      store.guests.get(name),
    ]);
    const src = live.find((g) => (record ? g.vmid === record.vmid : g.name === source || String(g.vmid) === source));
    if (!src) throw new UsageError(`Not in the cluster: ${source}.`, "Check the name with `get vms` / `get cts`, or run `sync` if it is new.", "not-found");
    if (src.type !== type) throw new UsageError(`${source} is not a ${type === "qemu" ? "VM" : "container"}.`, `Use \`clone ${src.type === "qemu" ? "vm" : "ct"} ${source}\`.`);
    if (taken || live.some((g) => g.name === name)) throw new UsageError(`A guest named ${name} already exists.`, "Pick another --name.");
    const node = wantNode ?? src.node;
    const target = nodes.find((n) => n.node === node);
    if (!target) throw new UsageError(`Unknown node ${node}: the cluster has ${nodes.map((n) => n.node).sort().join(", ")}.`, "Name a node of `get nodes`.", "not-found");
    if (target.status !== "online") throw new ProxmoxMpcError(`Node ${node} is ${target.status}: nothing can be cloned there now.`, { code: "node-offline" });

    const config = await client.guestConfig(src.node, type, src.vmid, { signal: ctx.signal });
    const disks = configDisks(type, config);
    const storages = new Map((await client.storage(src.node, {}, { signal: ctx.signal })).map((s) => [s.storage, s]));
    const local = disks.filter((d) => d.storage && !Number(storages.get(d.storage)?.shared ?? 0));
    if (node !== src.node && local.length) {
      throw new UsageError(
        `${src.name}'s disks are on local storage (${[...new Set(local.map((d) => d.storage))].join(", ")}): PVE clones to another node only from shared storage.`,
        `Clone it on ${src.node}, then \`proxmox-mpc migrate ${kind} ${name} --to ${node} --with-local-disks\`.`,
      );
    }
    if (storage !== undefined) {
      const there = (await client.storage(node, {}, { signal: ctx.signal })).find((s) => s.storage === storage);
      if (!there) throw new UsageError(`Node ${node} has no storage ${storage}.`, "See `get storage`.", "not-found");
    }
    // Linked where PVE can: a template, no --full or --storage, and every disk's storage can clone.
    const unable = disks.map((d) => (d.storage ? storages.get(d.storage) : undefined)).find((s) => s && NO_LINKED_CLONES.has(s.type));
    const [mode, why] = wantFull
      ? (["full", "--full asked for a full copy"] as const)
      : !src.template
        ? (["full", `${src.name} is not a template (PVE links clones only to templates)`] as const)
        : storage !== undefined
          ? (["full", `--storage ${storage} given (a linked clone stays on the template's storage)`] as const)
          : unable
            ? (["full", `storage ${unable.storage} (${unable.type}) cannot make linked clones`] as const)
            : (["linked", `${src.name} is a template on ${[...new Set(disks.map((d) => d.storage))].join(", ") || "no disks"}, which can link clones`] as const);

    const vmid: number = wantVmid ?? (await freeVmid(ctx));
    if (wantVmid !== undefined) {
      try {
        await client.nextId(wantVmid, { signal: ctx.signal });
      } catch {
        throw new UsageError(`vmid ${wantVmid} is already taken.`, "Pick another --vmid, or leave it out for the next free one.");
      }
    }
    const size = disks.reduce((s, d) => s + d.sizeGiB, 0);
    const spinner = ctx.ui.spinner(`Cloning ${src.name} into ${name} (${mode}${mode === "full" ? `, ${gib(size * 1024 ** 3)}` : ""})…`);
    let upid: string;
    try {
      upid = await client.cloneGuest(src.node, type, src.vmid, {
        newid: vmid,
        ...(type === "qemu" ? { name } : { hostname: name }),
        full: mode === "full",
        target: node === src.node ? undefined : node,
        storage,
      }, { signal: ctx.signal });
      await client.waitForTask(upid, {
        signal: ctx.signal,
        timeoutMs: timeout * 1000,
        maxPollMs: 1000,
        onProgress: (_s, ms) => spinner.update(`Cloning ${src.name} into ${name} (${mode})… ${Math.round(ms / 1000)}s`),
      });
    } catch (err) {
      spinner.fail(`Clone of ${src.name} failed.`);
      throw err;
    }
    spinner.succeed(`${name} (${vmid}) on ${node}: a ${mode} clone of ${src.name}.`);
    const follow = await followMoves(ctx, [{ vmid, node }]);
    if (follow.warning) ctx.ui.warn(follow.warning);
    else ctx.ui.info(`Synced: ${name} has its terraform file; \`plan\` shows no change for it.`);
    const data = { vmid, name, node, type, source: { vmid: src.vmid, name: src.name, node: src.node }, mode, why, upid };
    return { kind: "data", data, text: `Cloned ${src.name} into ${name} (vmid ${vmid} on ${node}): ${mode} clone — ${why}.` };
  },
});

/** The cluster's next free vmid, skipping vmids that .tf files not applied yet already claim (clone, backup restore). */
export async function freeVmid(ctx: CommandContext): Promise<number> {
  const client = await ctx.services.proxmox();
  const { indexTerraformDir } = await import("../iac/tf-index.js");
  const claimed = new Set((ctx.workspace ? await indexTerraformDir(ctx.workspace.paths.terraform) : []).map((e) => e.vmid));
  const first = await client.nextId(undefined, { signal: ctx.signal });
  let vmid = first;
  while (claimed.has(vmid)) vmid++;
  if (vmid !== first) await client.nextId(vmid, { signal: ctx.signal }); // still free in the cluster?
  return vmid;
}
