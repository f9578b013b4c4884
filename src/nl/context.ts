/** What the engines may match names against (NlContext): the store's guests, nodes and storages. */
import type { Store } from "../state/store.js";
import type { NlContext } from "./types.js";

/** Read the context from an open store; an empty one when the store cannot be read (no sync yet). */
export async function readNlContext(store: () => Promise<Store>): Promise<NlContext> {
  try {
    const s = await store();
    const [guests, nodes, storages] = await Promise.all([s.guests.list({}), s.nodes.list(), s.storage.list()]);
    return {
      guests: guests.map((g) => ({ name: g.name, vmid: g.vmid, type: g.type, node: g.node, tags: [...g.tags], status: g.status })),
      nodes: nodes.map((n) => n.name),
      storages: [...new Set(storages.map((x) => x.storage))],
    };
  } catch {
    return { guests: [], nodes: [], storages: [] };
  }
}
