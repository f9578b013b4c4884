/**
 * Reading the cluster for a plan: one /cluster/resources listing, then the
 * config (with its digest) of every guest a spec or the managed set refers
 * to, with bounded concurrency. Guests nobody refers to are listed but
 * their configs are never read.
 */
import type { ProxmoxClient } from "../../proxmox/client.js";
import { NotFoundError } from "../../proxmox/errors.js";
import type { LiveGuest } from "./types.js";

/** Configs read at once (the client's own limit applies too). */
const CONFIG_CONCURRENCY = 16;

/** The guests of the cluster by vmid (no configs yet). */
export async function listGuests(client: ProxmoxClient, signal?: AbortSignal): Promise<Map<number, LiveGuest>> {
  const resources = await client.clusterResources("vm", { signal });
  const live = new Map<number, LiveGuest>();
  for (const r of resources) {
    if ((r.type !== "qemu" && r.type !== "lxc") || typeof r.vmid !== "number" || !r.node) continue;
    live.set(r.vmid, {
      vmid: r.vmid,
      node: r.node,
      type: r.type,
      name: typeof r.name === "string" ? r.name : "",
      status: typeof r.status === "string" ? r.status : "unknown",
      template: r.template === 1,
    });
  }
  return live;
}

/** Read the configs (and digests) of these live guests; guests that vanished meanwhile are dropped. */
export async function readConfigs(client: ProxmoxClient, live: Map<number, LiveGuest>, vmids: Iterable<number>, signal?: AbortSignal): Promise<void> {
  const toRead = [...new Set(vmids)].map((vmid) => live.get(vmid)).filter((g): g is LiveGuest => g !== undefined && g.config === undefined);
  await pool(toRead, CONFIG_CONCURRENCY, async (guest) => {
    try {
      const config = await client.guestConfig(guest.node, guest.type, guest.vmid, { signal });
      const { digest, ...rest } = config;
      guest.config = rest;
      guest.digest = typeof digest === "string" ? digest : undefined;
    } catch (err) {
      // Gone between the listing and the read: it is not live any more.
      if (err instanceof NotFoundError) live.delete(guest.vmid);
      else throw err;
    }
  });
}

/** Run `work` over `items`, at most `size` at once; the first error wins. */
export async function pool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await work(item);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  if (failed) throw failed.error;
}
