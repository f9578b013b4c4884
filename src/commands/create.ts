/**
 * `create vm|ct --name N …`: write the desired state of new guests as
 * terraform/<name>.tf (and their inventory entries). Every value is checked
 * first; a bad one is a one-line error (exit 2) and nothing is written.
 * `--dry-run` prints the files instead; `--apply` applies them at once.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "../core/errors.js";
import type { GuestSpec, NewGuestInput } from "../iac/model.js";
import type { GuestRecord, NodeRecord, StorageRecord } from "../state/types.js";
import type { ApplyRequest } from "./apply.js";
import { defineCommand } from "./define.js";
import { ENGINE_OPTION } from "./engine-context.js";
import { requireWorkspace } from "./context.js";
import { defineOptions, flag, list, number, text } from "./options.js";
import type { CommandContext, CommandResult } from "./types.js";
import { checkGateway, checkGuestName, checkIp, checkVmid, expandNames, parseDiskGiB, parseMemoryMiB } from "./validate.js";

export const createCommand = defineCommand({
  name: "create",
  summary: "Write the IaC for new VMs or containers (terraform/<name>.tf); --apply creates them at once",
  description:
    "Chooses a free vmid (the cluster's next id, skipping guests of the store and of pending .tf files), the workspace's default node and storage, and checks every value before writing anything. A container needs an OS template: --ostemplate, else the workspace's `ostemplate`, else the newest vztmpl on the node.",
  examples: [
    "proxmox-mpc create vm --name web-01",
    "proxmox-mpc create vm --name web-{n} --count 3 --cores 4 --memory 8G --disk 64 --clone debian-12-cloudinit --ip dhcp --tag web",
    "proxmox-mpc create ct --name cache-01 --memory 1G --ip 10.0.0.20/24 --gateway 10.0.0.1 --dry-run",
    "proxmox-mpc create ct --name db-01 --ostemplate local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
  ],
  arguments: [{ name: "kind", description: "vm or ct", required: true, choices: ["vm", "ct"] }],
  options: defineOptions({
    name: text("--name <name>", "guest name (a DNS name); with --count, {n} becomes 01, 02, …"),
    node: text("--node <node>", "node (default: the workspace's default node)", { completion: "node" }),
    cores: number("--cores <n>", "CPU cores (default 2 for VMs, 1 for containers)", { int: true, min: 1, max: 512 }),
    memory: text("--memory <size>", "memory in MiB or with a unit: 2048, 2G, 512M"),
    disk: text("--disk <size>", "disk size in GiB or with a unit: 32, 32G, 1T"),
    storage: text("--storage <storage>", "storage for the disk (default: the workspace's default storage)", { completion: "storage" }),
    clone: text("--clone <template>", "clone this template (name or vmid) instead of creating an empty guest", { completion: "guest" }),
    ip: text("--ip <cidr|dhcp>", "address of the first network interface: dhcp or 10.0.0.5/24"),
    gateway: text("--gateway <ip>", "default gateway for a static --ip"),
    sshKey: text("--ssh-key <file>", "public SSH key file for the cloud-init user / container root"),
    tag: list("--tag <tag>", "tag (repeatable)", { completion: "tag" }),
    count: number("--count <k>", "create K guests named from the {n} pattern", { int: true, min: 1, max: 100, default: 1 }),
    vmid: number("--vmid <id>", "use this vmid (default: the next free one)", { int: true }),
    ostemplate: text("--ostemplate <volid>", "container OS template, e.g. local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"),
    bridge: text("--bridge <bridge>", "network bridge (default vmbr0)"),
    force: flag("--force", "accept an --ostemplate that is not on the node yet (warns; download it before applying)"),
    dryRun: flag("--dry-run", "print the files; write nothing"),
    apply: flag("--apply", "apply the new guests right away (asks for confirmation unless --yes)"),
    engine: ENGINE_OPTION,
  }),
  workspace: "required",
  mcp: { tool: "write" },
  async run(ctx, input) {
    const ws = requireWorkspace(ctx);
    const kind = input.args[0] === "ct" ? "lxc" : "qemu";
    const flags = input.options;
    if (!flags.name) throw new UsageError("--name is required.", `e.g. proxmox-mpc create ${input.args[0]} --name web-01`);
    const count = flags.count;
    const names = expandNames(flags.name, count).map(checkGuestName);
    if (flags.vmid !== undefined && count > 1) throw new UsageError("--vmid and --count cannot be combined.");
    const cores = flags.cores;
    const memory = flags.memory === undefined ? undefined : parseMemoryMiB(flags.memory);
    const diskGiB = flags.disk === undefined ? undefined : parseDiskGiB(flags.disk);
    const ip = flags.ip === undefined ? undefined : checkIp(flags.ip);
    const gateway = flags.gateway === undefined ? undefined : checkGateway(flags.gateway);
    if (gateway && (!ip || ip === "dhcp")) throw new UsageError("--gateway needs a static --ip.");
    const sshKeys = flags.sshKey ? readKeys(resolve(ctx.cwd, flags.sshKey)) : undefined;

    const store = await ctx.services.store();
    const [guests, nodes, storages] = await Promise.all([store.guests.list(), store.nodes.list(), store.storage.list()]);
    if (!nodes.length) throw new UsageError("The store knows no nodes yet.", "Run `proxmox-mpc sync` first.", "not-synced");
    const { indexTerraformDir } = await import("../iac/tf-index.js");
    const files = await indexTerraformDir(ws.paths.terraform);

    checkNamesFree(names, guests, files);
    const node = pickNode(flags.node ?? ws.config.defaultNode, nodes);
    const clone = flags.clone ? findTemplate(flags.clone, kind, guests) : undefined;
    const storage = pickStorage(flags.storage ?? ws.config.defaultStorage, node, kind, storages);
    const addresses = ip && ip !== "dhcp" ? nextAddresses(ip, names.length, guests, files) : undefined;
    const ostemplate = kind === "lxc" && !clone ? await pickOsTemplate(ctx, flags.ostemplate ?? ws.config.ostemplate, node, storages, Boolean(flags.force)) : undefined;
    const vmids = flags.vmid !== undefined ? [checkVmidFree(checkVmid(flags.vmid), guests, files)] : await freeVmids(ctx, names.length, guests, files);

    const { newGuestSpec } = await import("../iac/model.js");
    const specs: GuestSpec[] = names.map((name, i) => {
      const spec = newGuestSpec({
        kind, name, vmid: vmids[i], node, cores, memory, diskGiB, storage, ip: addresses?.[i] ?? ip, gateway, sshKeys,
        tags: flags.tag, ostemplate, bridge: flags.bridge,
        clone: clone ? { vmId: clone.vmid, full: true, nodeName: clone.node === node ? undefined : clone.node } : undefined,
      } satisfies NewGuestInput);
      if (files.some((f) => f.file === `${spec.resourceName}.tf`)) spec.resourceName = `${spec.resourceName}_${spec.vmid}`;
      return spec;
    });

    const { renderGuest, writeTerraform } = await import("../iac/terraform/index.js");
    const created = specs.map((s) => ({ name: s.name, vmid: s.vmid, node: s.node, type: s.kind, file: `terraform/${s.resourceName}.tf` }));
    if (flags.dryRun) {
      const text = specs.map((s) => `# terraform/${s.resourceName}.tf\n${renderGuest(s)}`).join("\n");
      return { kind: "data", data: { dryRun: true, created, files: specs.map((s) => ({ file: `terraform/${s.resourceName}.tf`, content: renderGuest(s) })) }, text };
    }
    await writeTerraform(ws.paths.terraform, specs);
    await refreshInventory(ctx, guests);
    const lines = created.map((c) => `Wrote ${c.file} (${c.type === "qemu" ? "VM" : "container"} ${c.name}, vmid ${c.vmid} on ${c.node})`);
    if (ostemplate) lines.push(`OS template: ${ostemplate}${flags.ostemplate ? "" : ws.config.ostemplate ? " (the workspace's ostemplate)" : " (the newest on the node)"}`);
    if (flags.apply) return applyNow(ctx, names, lines, flags.engine);
    lines.push("Next: proxmox-mpc plan, then proxmox-mpc apply");
    return { kind: "data", data: { dryRun: false, created, ostemplate: ostemplate ?? null }, text: lines.join("\n") };
  },
});

/** Rewrite the inventory so it lists the new (planned) guests too. */
export async function refreshInventory(ctx: CommandContext, guests: GuestRecord[]): Promise<void> {
  const ws = requireWorkspace(ctx);
  const [{ pendingGuests }, { generateAnsible, writeAnsible }] = await Promise.all([import("../iac/pending.js"), import("../iac/ansible/index.js")]);
  const pending = await pendingGuests(ws.paths.terraform, new Set(guests.map((g) => g.vmid)));
  await writeAnsible(ws.paths.ansible, generateAnsible([...guests, ...pending], { endpoint: ws.config.endpoint, tokenId: ws.config.tokenId, tls: ws.config.tls }));
}

async function applyNow(ctx: CommandContext, names: string[], lines: string[], engine: ApplyRequest["engine"]): Promise<CommandResult> {
  const { runApply } = await import("./apply.js");
  for (const line of lines) ctx.ui.info(line);
  return runApply(ctx, { targets: names, engine });
}

function readKeys(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`Cannot read the SSH key file ${file}.`, "Give a public key file, e.g. ~/.ssh/id_ed25519.pub.");
  }
  const keys = text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  if (!keys.length || !keys.every((k) => /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-\S+|sk-\S+) \S+/.test(k))) {
    throw new UsageError(`${file} is not an OpenSSH public key file.`, "Give the .pub file (it starts with ssh-ed25519, ssh-rsa or ecdsa-…), never the private key.");
  }
  return keys;
}

function checkNamesFree(names: string[], guests: GuestRecord[], files: { name?: string; file: string }[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    const guest = guests.find((g) => g.name === name);
    if (guest) throw new UsageError(`A guest named "${name}" already exists (vmid ${guest.vmid} on ${guest.node}).`, "Choose another --name.", "name-taken");
    const file = files.find((f) => f.name === name);
    if (file) throw new UsageError(`"${name}" is already planned in terraform/${file.file}.`, "Choose another --name, or apply/delete the pending one.", "name-taken");
    if (seen.has(name)) throw new UsageError(`--count produces "${name}" twice.`);
    seen.add(name);
  }
}

function pickNode(name: string | undefined, nodes: NodeRecord[]): string {
  if (!name) {
    const online = nodes.find((n) => n.status === "online");
    if (!online) throw new UsageError("No online node to place the guest on.", "Give --node.");
    return online.name;
  }
  if (!nodes.some((n) => n.name === name)) throw new UsageError(`Node "${name}" does not exist.`, `Nodes: ${nodes.map((n) => n.name).join(", ")}.`, "unknown-node");
  return name;
}

function pickStorage(name: string | undefined, node: string, kind: "qemu" | "lxc", storages: StorageRecord[]): string {
  const content = kind === "qemu" ? "images" : "rootdir";
  const usable = storages.filter((s) => s.node === node && s.content.split(",").includes(content) && s.enabled);
  if (!name) {
    if (!usable.length) throw new UsageError(`No storage on ${node} holds ${content}.`, "Give --storage.", "unknown-storage");
    return usable[0].storage;
  }
  if (!storages.some((s) => s.node === node && s.storage === name)) {
    throw new UsageError(`Storage "${name}" does not exist on node ${node}.`, `Storages for ${content} on ${node}: ${usable.map((s) => s.storage).join(", ") || "none"}.`, "unknown-storage");
  }
  if (!usable.some((s) => s.storage === name)) throw new UsageError(`Storage "${name}" on ${node} does not hold ${content}.`, `Use one of: ${usable.map((s) => s.storage).join(", ") || "none"}.`, "unknown-storage");
  return name;
}

function findTemplate(ref: string, kind: "qemu" | "lxc", guests: GuestRecord[]): GuestRecord {
  const guest = guests.find((g) => g.name === ref || String(g.vmid) === ref);
  if (!guest) throw new UsageError(`No template "${ref}" in the store.`, `Templates: ${guests.filter((g) => g.template && g.type === kind).map((g) => g.name).join(", ") || "none"} (run sync if it is new).`, "unknown-template");
  if (!guest.template) throw new UsageError(`"${ref}" (vmid ${guest.vmid}) is not a template.`, "Convert it to a template in Proxmox first, or pick one of the templates.", "unknown-template");
  if (guest.type !== kind) throw new UsageError(`"${ref}" is a ${guest.type === "qemu" ? "VM" : "container"} template; it cannot be cloned into a ${kind === "qemu" ? "VM" : "container"}.`);
  return guest;
}

function checkVmidFree(vmid: number, guests: GuestRecord[], files: { vmid?: number; file: string }[]): number {
  const guest = guests.find((g) => g.vmid === vmid);
  if (guest) throw new UsageError(`vmid ${vmid} is taken by ${guest.name}.`, "Leave out --vmid to get a free one.", "vmid-taken");
  const file = files.find((f) => f.vmid === vmid);
  if (file) throw new UsageError(`vmid ${vmid} is already planned in terraform/${file.file}.`, "Leave out --vmid to get a free one.", "vmid-taken");
  return vmid;
}

/** Free vmids from the cluster's next id, skipping the store's and pending files'. */
async function freeVmids(ctx: CommandContext, count: number, guests: GuestRecord[], files: { vmid?: number }[]): Promise<number[]> {
  const used = new Set<number>([...guests.map((g) => g.vmid), ...files.flatMap((f) => (f.vmid === undefined ? [] : [f.vmid]))]);
  let next: number;
  try {
    next = await (await ctx.services.proxmox()).nextId(undefined, { signal: ctx.signal });
  } catch (err) {
    next = Math.max(99, ...used) + 1;
    ctx.ui.warn(`Could not ask the cluster for the next free vmid (${err instanceof Error ? err.message : err}); using ${next} from the store.`);
  }
  const out: number[] = [];
  for (let id = next; out.length < count; id++) if (!used.has(id)) out.push(id);
  return out;
}

/** Static addresses for K guests: the given one, then the next host addresses; all unused. */
function nextAddresses(cidr: string, count: number, guests: GuestRecord[], files: { addresses: string[] }[]): string[] {
  const [addr, prefix] = cidr.split("/");
  const taken = new Set([...guests.flatMap((g) => g.ipAddresses), ...files.flatMap((f) => f.addresses)]);
  const base = addr.split(".").map(Number).reduce((n, o) => n * 256 + o, 0);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = base + i;
    const text = [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join(".");
    if (taken.has(text)) throw new UsageError(`The address ${text} is already used by another guest.`, "Choose another --ip.", "ip-taken");
    out.push(`${text}/${prefix}`);
  }
  return out;
}

/**
 * The container's OS template: the one asked for, checked against the node's
 * storage content (a template not downloaded yet passes only with --force, with
 * a warning), else the newest one there.
 */
async function pickOsTemplate(ctx: CommandContext, wanted: string | undefined, node: string, storages: StorageRecord[], force: boolean): Promise<string> {
  if (wanted && !/^[\w.-]+:vztmpl\/\S+$/.test(wanted)) throw new UsageError(`"${wanted}" is not a container template volume.`, "e.g. local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst", "invalid-template");
  let candidates: { volid: string; ctime: number }[];
  try {
    candidates = await listOsTemplates(ctx, node, storages);
  } catch (err) {
    if (!wanted || !force) throw err;
    ctx.ui.warn(`Could not list the templates on ${node} (${err instanceof Error ? err.message : err}); writing ${wanted} unchecked (--force).`);
    return wanted;
  }
  if (wanted) {
    if (candidates.some((c) => c.volid === wanted)) return wanted;
    if (force) {
      ctx.ui.warn(`${wanted} is not on ${node} yet; download it before applying (pveam download …).`);
      return wanted;
    }
    throw new UsageError(
      `The container template ${wanted} is not on node ${node}.`,
      candidates.length
        ? `Templates on ${node}: ${candidates.map((c) => c.volid).join(", ")}. Pass --force to write it anyway (download it before applying).`
        : `There is no container template on ${node}: download one (pveam download local debian-12-standard…), or pass --force to write it anyway.`,
      "unknown-template",
    );
  }
  if (!candidates.length) throw new UsageError(`No container template on ${node}.`, "Download one (pveam download local debian-12-standard…) or give --ostemplate.", "no-template");
  return [...candidates].sort((a, b) => b.ctime - a.ctime || b.volid.localeCompare(a.volid))[0].volid;
}

/** Every vztmpl volume on the node's storages that hold templates. */
async function listOsTemplates(ctx: CommandContext, node: string, storages: StorageRecord[]): Promise<{ volid: string; ctime: number }[]> {
  const client = await ctx.services.proxmox();
  const lists = await Promise.all(
    storages
      .filter((st) => st.node === node && st.content.split(",").includes("vztmpl"))
      .map((s) => client.storageContent(node, s.storage, { content: "vztmpl" }, { signal: ctx.signal })),
  );
  return lists.flat().map((v) => ({ volid: v.volid, ctime: v.ctime ?? 0 }));
}
