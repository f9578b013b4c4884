/**
 * What `test --live` asks the cluster, behind a small interface (so the
 * checks do not depend on the API client): where each guest is and its
 * status, whether a VM's guest agent answers, the bridges of a node and the
 * volumes of a storage. Every path is in the vendored PVE API schema and
 * served by the simulator.
 */
import type { ProxmoxClient } from "../../proxmox/client.js";
import { argumentLine } from "./locate.js";
import { storageUses } from "./references.js";
import { CheckRecorder, plural, type CheckInput, type CheckResult } from "./types.js";

/** Where a guest runs and how it is. */
export interface LiveStatus {
  node: string;
  type: "qemu" | "lxc";
  status: string;
  uptime: number;
}

/** The questions --live asks. */
export interface LiveCluster {
  /** Every guest of the cluster by vmid (one request). */
  guests(): Promise<Map<number, LiveStatus>>;
  /** The current status of one guest. */
  status(node: string, type: "qemu" | "lxc", vmid: number): Promise<LiveStatus>;
  /** Undefined when the QEMU guest agent answers; else why not. */
  agent(node: string, vmid: number): Promise<string | undefined>;
  /** Bridge names (Linux and OVS) of a node. */
  bridges(node: string): Promise<Set<string>>;
  /** Volume ids of one content type on a storage of a node. */
  volumes(node: string, storage: string, content: string): Promise<Set<string>>;
}

/** Ctrl-C: stop the run instead of reporting it as an unreachable node. */
function aborted(err: unknown): boolean {
  return (err as { code?: string }).code === "aborted";
}

function reason(err: unknown): string {
  const pve = (err as { pveMessage?: string }).pveMessage;
  return (pve ?? (err instanceof Error ? err.message : String(err))).trim().split("\n")[0];
}

/** The live questions answered by the API client (answers cached for the run). */
export function liveCluster(client: ProxmoxClient, signal?: AbortSignal): LiveCluster {
  const cache = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    let p = cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load();
      cache.set(key, p);
    }
    return p;
  };
  return {
    guests: () =>
      once("guests", async () => {
        const out = new Map<number, LiveStatus>();
        for (const r of await client.clusterResources("vm", { signal })) {
          if ((r.type === "qemu" || r.type === "lxc") && r.vmid !== undefined) out.set(r.vmid, { node: r.node ?? "", type: r.type, status: r.status ?? "unknown", uptime: r.uptime ?? 0 });
        }
        return out;
      }),
    status: async (node, type, vmid) => {
      const s = await client.guestStatus(node, type, vmid, { signal });
      return { node, type, status: s.status, uptime: Number(s.uptime ?? 0) };
    },
    agent: async (node, vmid) => {
      try {
        await client.request("GET", `/nodes/${node}/qemu/${vmid}/agent/network-get-interfaces`, {}, { signal });
        return undefined;
      } catch (err) {
        if (signal?.aborted) throw err;
        return reason(err);
      }
    },
    bridges: (node) =>
      once(`bridges/${node}`, async () => {
        const rows = await client.request<{ iface: string }[]>("GET", `/nodes/${node}/network`, { type: "any_bridge" }, { signal });
        return new Set(rows.map((r) => r.iface));
      }),
    volumes: (node, storage, content) =>
      once(`volumes/${node}/${storage}/${content}`, async () => new Set((await client.storageContent(node, storage, { content }, { signal })).map((v) => v.volid))),
  };
}

/** bridges (live): every bridge a guest uses exists on its node. */
export async function checkLiveBridges(input: CheckInput, live: LiveCluster): Promise<CheckResult[]> {
  const rec = new CheckRecorder("bridges", input.root);
  const nodes = new Set(input.facts.nodes.filter((n) => n.status === "online").map((n) => n.name));
  let count = 0;
  for (const g of input.terraform.specs) {
    if (input.facts.synced && !nodes.has(g.node)) continue;
    const nics = g.kind === "qemu" ? g.networkDevices.map((n, i) => ({ n, path: `network_device[${i}].bridge` })) : g.networkInterfaces.map((n, i) => ({ n, path: `network_interface[${i}].bridge` }));
    for (const { n, path } of nics) {
      if (!n.enabled) continue;
      const bridge = n.bridge ?? "vmbr0";
      let bridges: Set<string>;
      try {
        bridges = await live.bridges(g.node);
      } catch (err) {
        if (aborted(err)) throw err;
        rec.warn(`cannot list the bridges of ${g.node}: ${reason(err)}`, g.file, g.line);
        continue;
      }
      count++;
      if (bridges.has(bridge)) continue;
      const line = argumentLine(input.terraform.texts.get(g.file), g.line, path);
      const known = [...bridges].sort().join(", ") || "none";
      // SDN vnets are not node interfaces: only a vmbrN name is surely wrong.
      if (/^vmbr\d+$/.test(bridge)) rec.fail(`bridge ${bridge} of ${g.name} does not exist on ${g.node} (bridges: ${known})`, g.file, line);
      else rec.warn(`bridge ${bridge} of ${g.name} is not a bridge of ${g.node} (bridges: ${known}); fine if it is an SDN vnet`, g.file, line);
    }
  }
  return rec.done(`${plural(count, "bridge reference")} exist on their nodes`);
}

/** volumes (live): the OS template, ISO and snippet volumes of new guests exist. */
export async function checkLiveVolumes(input: CheckInput, live: LiveCluster): Promise<CheckResult[]> {
  const rec = new CheckRecorder("volumes", input.root);
  const existing = new Set(input.facts.guests.map((g) => g.vmid));
  let count = 0;
  for (const g of input.terraform.specs) {
    if (existing.has(g.vmid)) continue;
    const uses = storageUses(g).filter((u) => u.volume);
    const template = g.kind === "lxc" && !g.clone ? g.operatingSystem.templateFileId : undefined;
    const wanted = uses.map((u) => ({ volume: u.volume ?? "", storage: u.storage, content: u.content as string, path: u.path }));
    if (template && /^[^:/\s]+:/.test(template)) wanted.push({ volume: template.includes(":vztmpl/") ? template : template.replace(":", ":vztmpl/"), storage: template.split(":")[0], content: "vztmpl", path: "operating_system.template_file_id" });
    for (const w of wanted) {
      const line = argumentLine(input.terraform.texts.get(g.file), g.line, w.path);
      let volumes: Set<string>;
      try {
        volumes = await live.volumes(g.node, w.storage, w.content);
      } catch (err) {
        if (aborted(err)) throw err;
        rec.warn(`cannot list ${w.content} on ${w.storage} (${g.node}): ${reason(err)}`, g.file, line);
        continue;
      }
      count++;
      if (!volumes.has(w.volume)) rec.fail(`${w.volume} (${w.path}) of ${g.name} does not exist on ${g.node}`, g.file, line);
    }
  }
  return rec.done(`${plural(count, "volume")} of new guests exist (template, ISO, snippets)`);
}
