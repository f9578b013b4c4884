/**
 * References resolve against the cluster as the last sync stored it: the
 * node exists, every datastore exists on that node and holds the right
 * content, a clone source exists and is a template, a container's OS
 * template sits on a storage that holds templates, and bridge names are
 * valid. (Whether a template volume or a bridge really exists needs the API:
 * `test --live`, see live.ts.)
 */
import type { GuestRecord, StorageRecord } from "../../state/types.js";
import { UNKNOWN_TEMPLATE_FILE_ID } from "../terraform/index.js";
import { argumentLine } from "./locate.js";
import { CheckRecorder, plural, type CheckInput, type CheckResult, type Guest } from "./types.js";

/** One datastore a guest uses: where it is written and what content it needs. */
export interface StorageUse {
  storage: string;
  content: "images" | "rootdir" | "iso" | "vztmpl" | "snippets";
  path: string;
  /** The volume id for file references ("local:iso/x.iso"). */
  volume?: string;
}

/** Every storage a spec refers to. */
export function storageUses(g: Guest): StorageUse[] {
  const uses: StorageUse[] = [];
  const file = (volume: string | undefined, content: StorageUse["content"], path: string): void => {
    const m = volume ? /^([^:/\s]+):(.+)$/.exec(volume) : null;
    if (m) uses.push({ storage: m[1], content, path, volume });
  };
  if (g.kind === "qemu") {
    g.disks.forEach((d, i) => uses.push({ storage: d.datastoreId, content: "images", path: `disk[${i}].datastore_id` }));
    if (g.efiDisk) uses.push({ storage: g.efiDisk.datastoreId, content: "images", path: "efi_disk.datastore_id" });
    if (g.tpmState) uses.push({ storage: g.tpmState.datastoreId, content: "images", path: "tpm_state.datastore_id" });
    const ci = g.initialization;
    if (ci?.datastoreId) uses.push({ storage: ci.datastoreId, content: "images", path: "initialization.datastore_id" });
    for (const key of ["userDataFileId", "vendorDataFileId", "networkDataFileId", "metaDataFileId"] as const) {
      file(ci?.[key], "snippets", `initialization.${key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`);
    }
    if (g.cdrom && g.cdrom.fileId !== "none" && g.cdrom.fileId !== "cdrom") file(g.cdrom.fileId, "iso", "cdrom.file_id");
    if (g.clone?.datastoreId) uses.push({ storage: g.clone.datastoreId, content: "images", path: "clone.datastore_id" });
  } else {
    if (g.rootDisk) uses.push({ storage: g.rootDisk.datastoreId, content: "rootdir", path: "disk.datastore_id" });
    g.mountPoints.forEach((m, i) => {
      if (!m.volume.startsWith("/")) file(m.volume, "rootdir", `mount_point[${i}].volume`);
    });
    if (g.clone?.datastoreId) uses.push({ storage: g.clone.datastoreId, content: "rootdir", path: "clone.datastore_id" });
  }
  file(g.hookScriptFileId, "snippets", "hook_script_file_id");
  return uses;
}

/** Storage records by `node/storage`. */
export function storageIndex(storage: StorageRecord[]): Map<string, StorageRecord> {
  return new Map(storage.map((s) => [`${s.node}/${s.storage}`, s]));
}

/** Guests of the store by vmid. */
export function guestIndex(guests: GuestRecord[]): Map<number, GuestRecord> {
  return new Map(guests.map((g) => [g.vmid, g]));
}

/** When nothing was synced, reference checks cannot run: one skipped result each. */
function notSynced(input: CheckInput, rec: CheckRecorder): CheckResult[] | undefined {
  if (input.facts.synced) return undefined;
  rec.skip("nothing synced yet: run `proxmox-mpc sync` so references can be checked");
  return rec.results;
}

/** nodes: node_name is a node of the cluster (online at the last sync). */
export function checkNodes(input: CheckInput): CheckResult[] {
  const rec = new CheckRecorder("nodes", input.root);
  const skipped = notSynced(input, rec);
  if (skipped) return skipped;
  const nodes = new Map(input.facts.nodes.map((n) => [n.name, n]));
  const known = [...nodes.keys()].sort().join(", ");
  for (const g of input.terraform.specs) {
    const node = nodes.get(g.node);
    const line = (): number => argumentLine(input.terraform.texts.get(g.file), g.line, "node_name");
    if (!node) rec.fail(`node_name ${g.node} of ${g.name || g.resourceName} is not a node of the cluster (nodes: ${known || "none"})`, g.file, line());
    else if (node.status !== "online") rec.warn(`node ${g.node} of ${g.name || g.resourceName} was ${node.status} at the last sync`, g.file, line());
  }
  return rec.done(`every node_name is a node of the cluster (${plural(nodes.size, "node")})`);
}

/** storage: each datastore exists on the guest's node, is enabled and holds the content the guest needs. */
export function checkStorage(input: CheckInput): CheckResult[] {
  const rec = new CheckRecorder("storage", input.root);
  const skipped = notSynced(input, rec);
  if (skipped) return skipped;
  const index = storageIndex(input.facts.storage);
  const nodes = new Set(input.facts.nodes.map((n) => n.name));
  let count = 0;
  for (const g of input.terraform.specs) {
    if (!nodes.has(g.node)) continue; // reported by `nodes`
    for (const use of storageUses(g)) {
      count++;
      const s = index.get(`${g.node}/${use.storage}`);
      const line = (): number => argumentLine(input.terraform.texts.get(g.file), g.line, use.path);
      if (!s) {
        const onNode = input.facts.storage.filter((x) => x.node === g.node).map((x) => x.storage).sort();
        rec.fail(`storage ${use.storage} (${use.path}) does not exist on ${g.node} (there: ${onNode.join(", ") || "none"})`, g.file, line());
      } else if (!s.content.split(",").map((c) => c.trim()).includes(use.content)) {
        rec.fail(`storage ${use.storage} on ${g.node} does not hold ${use.content} (${use.path}); its content is ${s.content || "nothing"}`, g.file, line());
      } else if (!s.enabled || !s.active) {
        rec.warn(`storage ${use.storage} on ${g.node} was ${s.enabled ? "inactive" : "disabled"} at the last sync`, g.file, line());
      }
    }
  }
  return rec.done(`${plural(count, "storage reference")} resolve with the right content`);
}

/** clone-source: for guests still to create, the clone source exists, is a template of the same kind, on the right node. */
export function checkCloneSources(input: CheckInput): CheckResult[] {
  const rec = new CheckRecorder("clone-source", input.root);
  const skipped = notSynced(input, rec);
  if (skipped) return skipped;
  const cluster = guestIndex(input.facts.guests);
  const specs = new Map(input.terraform.specs.map((s) => [s.vmid, s]));
  let count = 0;
  for (const g of input.terraform.specs) {
    // An existing guest ignores its clone block (lifecycle ignore_changes): nothing to resolve.
    if (!g.clone || cluster.has(g.vmid)) continue;
    count++;
    const line = argumentLine(input.terraform.texts.get(g.file), g.line, "clone.vm_id");
    const id = g.clone.vmId;
    const source = cluster.get(id);
    if (!source) {
      const planned = specs.get(id);
      if (planned?.template) rec.warn(`clone source ${id} (${planned.name}) is not in the cluster yet: apply it before ${g.name}`, g.file, line);
      else rec.fail(`clone source vm_id ${id} of ${g.name} does not exist in the cluster`, g.file, line);
      continue;
    }
    if (!source.template) rec.fail(`clone source ${id} (${source.name}) of ${g.name} is not a template`, g.file, line);
    else if (source.type !== g.kind) rec.fail(`clone source ${id} (${source.name}) is a ${source.type === "qemu" ? "VM" : "container"} template; ${g.name} is a ${g.kind === "qemu" ? "VM" : "container"}`, g.file, line);
    else {
      const from = g.clone.nodeName ?? g.node;
      if (source.node !== from) rec.fail(`clone source ${id} (${source.name}) is on ${source.node}, not ${from}: set clone.node_name = "${source.node}"`, g.file, line);
    }
  }
  return rec.done(count ? `the clone sources of ${plural(count, "new guest")} exist and are templates` : "no new guest is cloned");
}

/** os-template: a new container names an OS template on a storage of its node that holds templates. */
export function checkOsTemplates(input: CheckInput): CheckResult[] {
  const rec = new CheckRecorder("os-template", input.root);
  const skipped = notSynced(input, rec);
  if (skipped) return skipped;
  const cluster = guestIndex(input.facts.guests);
  const index = storageIndex(input.facts.storage);
  let count = 0;
  for (const g of input.terraform.specs) {
    // PVE does not record an existing container's template (ignore_changes keeps it out of plans).
    if (g.kind !== "lxc" || g.clone || cluster.has(g.vmid)) continue;
    count++;
    const id = g.operatingSystem.templateFileId;
    const line = argumentLine(input.terraform.texts.get(g.file), g.line, "operating_system.template_file_id");
    if (!id || id === UNKNOWN_TEMPLATE_FILE_ID) {
      rec.fail(`container ${g.name} is new but has no OS template: set operating_system.template_file_id (see \`pveam list local\`)`, g.file, line);
      continue;
    }
    const m = /^([^:/\s]+):(vztmpl\/)?(.+)$/.exec(id);
    if (!m) {
      rec.fail(`template_file_id ${id} is not a volume id like local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst`, g.file, line);
      continue;
    }
    const s = index.get(`${g.node}/${m[1]}`);
    if (!s) rec.fail(`the OS template's storage ${m[1]} does not exist on ${g.node}`, g.file, line);
    else if (!s.content.split(",").includes("vztmpl")) rec.fail(`storage ${m[1]} on ${g.node} does not hold container templates (vztmpl); its content is ${s.content}`, g.file, line);
  }
  return rec.done(count ? `the OS templates of ${plural(count, "new container")} are on template storage (the volumes themselves: --live)` : "no new container needs an OS template");
}

const BRIDGE = /^[A-Za-z][A-Za-z0-9_.-]{0,14}$/;

/** bridges: names are valid interface names and VLAN tags are 1..4094 (their existence needs --live). */
export function checkBridges(input: CheckInput, live: boolean): CheckResult[] {
  const rec = new CheckRecorder("bridges", input.root);
  let count = 0;
  for (const g of input.terraform.specs) {
    const nics = g.kind === "qemu" ? g.networkDevices.map((n, i) => ({ n, path: `network_device[${i}]` })) : g.networkInterfaces.map((n, i) => ({ n, path: `network_interface[${i}]` }));
    for (const { n, path } of nics) {
      if (!n.enabled) continue;
      count++;
      const text = input.terraform.texts.get(g.file);
      const bridge = n.bridge ?? "vmbr0";
      if (!BRIDGE.test(bridge)) rec.fail(`bridge "${bridge}" of ${g.name} is not a valid interface name (like vmbr0: a letter, then up to 14 letters, digits, _ . -)`, g.file, argumentLine(text, g.line, `${path}.bridge`));
      if (n.vlanId !== undefined && !(Number.isInteger(n.vlanId) && n.vlanId >= 1 && n.vlanId <= 4094)) rec.fail(`vlan_id ${n.vlanId} of ${g.name} is not 1..4094`, g.file, argumentLine(text, g.line, `${path}.vlan_id`));
    }
  }
  return rec.done(`${plural(count, "bridge name")} valid${live ? "" : " (whether they exist on their nodes: --live)"}`);
}
