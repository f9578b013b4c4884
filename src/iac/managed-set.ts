/**
 * The managed set: which guests this workspace owns, in
 * `.proxmox-mpc/native-state.json` (`{version: 1, resources: {[vmid]: …}}`).
 *
 * The native engine only deletes what is in this set (or in a .tf file):
 * a live guest that is in neither belongs to someone else and is never
 * touched. `sync` adds every guest it adopts, an apply adds what it creates
 * and removes what it destroys. Writes are atomic (temp file + rename) and
 * serialised per workspace, so parallel apply steps never lose an update.
 * It lives with the IaC (sync writes it with the .tf files; the native engine
 * reads and updates it), so the engine imports it from here, never the reverse.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ProxmoxMpcError } from "../core/errors.js";

/** One guest the workspace owns. */
export interface ManagedGuest {
  vmid: number;
  name: string;
  node: string;
  type: "qemu" | "lxc";
  /** Terraform resource address, e.g. proxmox_virtual_environment_vm.web_01. */
  address: string;
}

/** The file's shape. */
interface ManagedFile {
  version: 1;
  resources: Record<string, Omit<ManagedGuest, "vmid">>;
}

/** Where the managed set of a workspace lives. */
export function managedStatePath(root: string): string {
  return join(root, ".proxmox-mpc", "native-state.json");
}

/** The managed set of a workspace, by vmid (empty when the file does not exist yet). */
export async function readManaged(root: string): Promise<Map<number, ManagedGuest>> {
  const path = managedStatePath(root);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw err;
  }
  let data: ManagedFile;
  try {
    data = JSON.parse(text) as ManagedFile;
    if (data.version !== 1 || typeof data.resources !== "object" || data.resources === null) throw new Error("unknown layout");
  } catch (err) {
    throw new ProxmoxMpcError(`${path} is not a valid managed-set file (${(err as Error).message}).`, {
      code: "managed-state-invalid",
      hint: "Restore it from version control, or delete it and run sync to adopt the guests again.",
    });
  }
  const out = new Map<number, ManagedGuest>();
  for (const [key, entry] of Object.entries(data.resources)) {
    const vmid = Number(key);
    if (Number.isInteger(vmid)) out.set(vmid, { vmid, name: entry.name, node: entry.node, type: entry.type, address: entry.address });
  }
  return out;
}

/** Add (or refresh) guests in the managed set. */
export function markManaged(root: string, entries: ManagedGuest[]): Promise<void> {
  return update(root, (set) => {
    for (const e of entries) set.set(e.vmid, { vmid: e.vmid, name: e.name, node: e.node, type: e.type, address: e.address });
  });
}

/** Remove guests from the managed set (unknown vmids are ignored). */
export function forgetManaged(root: string, vmids: number[]): Promise<void> {
  return update(root, (set) => {
    for (const vmid of vmids) set.delete(vmid);
  });
}

/** One read-modify-write at a time per workspace. */
const queues = new Map<string, Promise<void>>();

function update(root: string, change: (set: Map<number, ManagedGuest>) => void): Promise<void> {
  const path = managedStatePath(root);
  const run = async (): Promise<void> => {
    const set = await readManaged(root);
    change(set);
    await writeAtomic(path, serialise(set));
  };
  const next = (queues.get(path) ?? Promise.resolve()).then(run, run);
  const tail = next.catch(() => undefined);
  queues.set(path, tail);
  void tail.then(() => {
    if (queues.get(path) === tail) queues.delete(path);
  });
  return next;
}

function serialise(set: Map<number, ManagedGuest>): string {
  const resources: ManagedFile["resources"] = {};
  for (const g of [...set.values()].sort((a, b) => a.vmid - b.vmid)) {
    resources[String(g.vmid)] = { name: g.name, node: g.node, type: g.type, address: g.address };
  }
  const file: ManagedFile = { version: 1, resources };
  return `${JSON.stringify(file, null, 2)}\n`;
}

let counter = 0;

async function writeAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${++counter}.tmp`;
  await writeFile(temp, text, "utf8");
  await rename(temp, path);
}
