/**
 * The guests as the API lists them (GET /api/v1/vms and /cts, every page of
 * them), in one list with their kind.
 */
import { load, query } from "./api.js";

/** One guest of `get vms` / `get cts`. */
export interface Guest {
  vmid: number;
  name: string;
  node: string;
  type: "qemu" | "lxc";
  status: string;
  cores: number | null;
  memory: number | null;
  disk: number | null;
  tags: string[];
  template: boolean;
  ipAddresses: string[];
}

interface Page {
  items: Guest[];
  nextCursor: string | null;
}

export const kindOf = (g: Pick<Guest, "type">): "vm" | "ct" => (g.type === "lxc" ? "ct" : "vm");

async function all(resource: "vms" | "cts"): Promise<Guest[]> {
  const out: Guest[] = [];
  let cursor: string | undefined;
  do {
    const page = await load<Page>(`/api/v1/${resource}${query({ limit: 500, cursor })}`);
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/** VMs and containers, by vmid. */
export async function loadGuests(): Promise<Guest[]> {
  const [vms, cts] = await Promise.all([all("vms"), all("cts")]);
  return [...vms, ...cts].sort((a, b) => a.vmid - b.vmid);
}
