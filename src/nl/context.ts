/** What the engines may match names against (NlContext): the store's guests, nodes and storages. */
import type { Store } from "../state/store.js";
import type { NlContext } from "./types.js";

/** Read the context from an open store; an empty one when the store cannot be read (no sync yet). */
export async function readNlContext(store: () => Promise<Store>): Promise<NlContext> {
  try {
    const s = await store();
    // One after the other: a PostgreSQL store has one connection.
    const guests = await s.guests.list({});
    const nodes = await s.nodes.list();
    const storages = await s.storage.list();
    return {
      guests: guests.map((g) => ({ name: g.name, vmid: g.vmid, type: g.type, node: g.node, tags: [...g.tags], status: g.status, ...(g.template ? { template: true } : {}), cores: g.cores, memory: g.memory })),
      nodes: nodes.map((n) => n.name),
      storages: [...new Set(storages.map((x) => x.storage))],
    };
  } catch {
    return { guests: [], nodes: [], storages: [] };
  }
}
