/**
 * Read the whole cluster: nodes, storage, and every guest's config, with
 * bounded concurrency, into an ObservedSnapshot. Reads only; the store writes.
 * One failed read (after its retries) does not abort the sync:
 *  - a node that cannot forward or answer its storage read (595–599, timeout)
 *    is reported unreachable, so its guests are kept as they were instead of
 *    being counted as removed;
 *  - a guest whose config cannot be read is reported stale, with what
 *    /cluster/resources says of it, so the store keeps what it knew.
 * The node and resource lists are essential, and a rejected token, an
 * untrusted certificate or a cancel stop everything.
 */
import { AbortedError, AuthenticationError, NotFoundError, ProxmoxApiError, ProxyError, TimeoutError, TlsError } from "../proxmox/errors.js";
import type { ProxmoxClient, RetryPolicy } from "../proxmox/client.js";
import type { GuestType, PveClusterResource } from "../proxmox/types.js";
import type { ObservedGuest, ObservedSnapshot, ObservedStorage, StaleGuest } from "../state/types.js";
import { guestFromConfig, guestFromResource } from "../pve/guest-config.js";
import { normalizeNode, normalizeStorage } from "./normalize.js";

export interface DiscoverProgress {
  phase: "nodes" | "resources" | "storage" | "configs";
  done: number;
  total: number;
}

export interface DiscoverOptions {
  signal?: AbortSignal;
  /** Guest configs read at once (the client's own limit still applies). */
  concurrency?: number;
  /** How every read is retried (sync passes syncRetryPolicy()); default: the client's policy. */
  retry?: RetryPolicy;
  onProgress?: (progress: DiscoverProgress) => void;
  /**
   * Receives each guest as its config is read, instead of the snapshot (its
   * `guests` stay empty): a sync keeps only its own form of each guest, made
   * while the next configs are on their way.
   */
  onGuest?: (guest: ObservedGuest) => void;
}

export interface Discovery {
  snapshot: ObservedSnapshot;
  /** Guests that vanished between the resource list and their config read. */
  vanished: number[];
}

/** Read everything sync needs from the cluster. */
export async function discover(client: ProxmoxClient, options: DiscoverOptions = {}): Promise<Discovery> {
  const req = { signal: options.signal, retry: options.retry };
  options.onProgress?.({ phase: "nodes", done: 0, total: 1 });
  const [nodeList, resources] = await Promise.all([client.nodes(req), client.clusterResources("vm", req)]);
  const nodes = nodeList.map(normalizeNode).sort((a, b) => a.name.localeCompare(b.name));
  const unreachable = new Set(nodes.filter((n) => n.status !== "online").map((n) => n.name));

  const storage: ObservedStorage[] = [];
  let storageDone = 0;
  await Promise.all(
    nodes
      .filter((n) => !unreachable.has(n.name))
      .map(async (n) => {
        try {
          for (const s of await client.storage(n.name, {}, req)) storage.push(normalizeStorage(n.name, s));
        } catch (err) {
          if (!isNodeDown(err) || options.signal?.aborted) throw err;
          unreachable.add(n.name);
        }
        options.onProgress?.({ phase: "storage", done: ++storageDone, total: nodes.length });
      }),
  );

  const guestsToRead = resources.filter((r): r is PveClusterResource & { vmid: number; node: string } => (r.type === "qemu" || r.type === "lxc") && typeof r.vmid === "number" && !!r.node);
  const guests: ObservedGuest[] = [];
  const stale: StaleGuest[] = [];
  const vanished: number[] = [];
  let done = 0;
  const readOne = async (resource: PveClusterResource & { vmid: number; node: string }): Promise<void> => {
    if (unreachable.has(resource.node)) return;
    try {
      const config = await client.guestConfig(resource.node, resource.type as GuestType, resource.vmid, req);
      const guest = guestFromConfig(resource, config);
      if (options.onGuest) options.onGuest(guest);
      else guests.push(guest);
    } catch (err) {
      if (err instanceof NotFoundError) vanished.push(resource.vmid);
      else if (isFatal(err, options.signal)) throw err;
      else stale.push({ vmid: resource.vmid, reason: (err as Error).message, fallback: guestFromResource(resource) });
    }
    options.onProgress?.({ phase: "configs", done: ++done, total: guestsToRead.length });
  };
  await pool(guestsToRead, options.concurrency ?? 16, readOne, options.signal);
  // A partial read must never reach the store: missing guests would count as removed.
  if (options.signal?.aborted) throw new AbortedError("Sync cancelled; nothing was written.", { code: "aborted" });

  guests.sort((a, b) => a.vmid - b.vmid);
  stale.sort((a, b) => a.vmid - b.vmid);
  storage.sort((a, b) => a.node.localeCompare(b.node) || a.storage.localeCompare(b.storage));
  return { snapshot: { nodes, storage, guests, unreachableNodes: [...unreachable].sort(), staleGuests: stale }, vanished };
}

function isNodeDown(err: unknown): boolean {
  // 595-599 (the node we talk to cannot forward) and timeouts: that node is down, the cluster is not.
  return err instanceof ProxyError || err instanceof TimeoutError;
}

/** Errors that stop the whole sync: every other read would fail the same way, or the user cancelled (or a bug). */
function isFatal(err: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted || !(err instanceof ProxmoxApiError)) return true;
  return err instanceof AuthenticationError || err instanceof TlsError || err instanceof AbortedError;
}

/** Run `work` over `items` with at most `size` in flight; stops at the first error. */
async function pool<T>(items: T[], size: number, work: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async (): Promise<void> => {
    while (failed === undefined && next < items.length) {
      if (signal?.aborted) return;
      const item = items[next++];
      try {
        await work(item);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  if (failed !== undefined) throw failed;
}
