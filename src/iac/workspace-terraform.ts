/**
 * terraform/ after a sync, touching only what changed: the files of the
 * guests the sync added, changed or renamed are rendered and written (never
 * over a hand edit), removed guests' untouched files are deleted, imports.tf
 * follows; every other guest's file is left unread. Resource names come from
 * the managed set (.proxmox-mpc/native-state.json), so a guest keeps its file.
 *
 * It applies when every unchanged guest is in the managed set with its file
 * in place and no other file holds a synced guest; otherwise it returns null
 * and the caller regenerates everything (writeTerraform), which also repairs
 * a workspace edited outside proxmox-mpc.
 */
import { readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ManagedGuest } from "./managed-set.js";
import type { GuestRecord, GuestSpec } from "./model.js";
import type { TfFileEntry } from "./tf-index.js";

/** What a sync's terraform/ step did; file names are relative to terraform/. */
export interface TerraformChanges {
  written: string[];
  unchanged: number;
  keptEdited: { file: string; diff: string }[];
  removed: string[];
  /** The resource name of every guest, by vmid. */
  names: Map<number, string>;
  /** Files of guests that are not in the cluster (created, not applied yet). */
  pending: TfFileEntry[];
}

/** What writeChangedTerraform works from. */
export interface TerraformChangeInput {
  dir: string;
  /** Every guest of the cluster as synced. */
  guests: readonly GuestRecord[];
  /** The guests whose files must be (re)written. */
  changed: ReadonlySet<number>;
  /** Guests this sync saw removed: their untouched files are deleted. */
  removed: ReadonlySet<number>;
  managed: ReadonlyMap<number, ManagedGuest>;
}

const PROVIDER_FILE = "provider.tf";
/** Guests rendered and written between two turns of the event loop. */
const CHUNK = 200;
const IMPORTS_FILE = "imports.tf";

const resourceOf = (entry: ManagedGuest): string => entry.address.slice(entry.address.indexOf(".") + 1);

/** Bring terraform/ in line with a sync by writing only what changed (see the module comment); null when it cannot. */
export async function writeChangedTerraform(input: TerraformChangeInput): Promise<TerraformChanges | null> {
  const { dir, guests, changed, managed } = input;
  await mkdir(dir, { recursive: true });
  const listing = new Set((await readdir(dir)).filter((f) => f.endsWith(".tf")));
  const fileOf = (vmid: number): string | undefined => {
    const entry = managed.get(vmid);
    return entry ? `${resourceOf(entry)}.tf` : undefined;
  };
  const current = new Set(guests.map((g) => g.vmid));
  for (const g of guests) {
    const file = fileOf(g.vmid);
    if (!changed.has(g.vmid) && (!file || !listing.has(file))) return null;
  }
  const known = new Set([...current, ...input.removed].map(fileOf).filter((f): f is string => f !== undefined));
  const others = [...listing].filter((f) => f !== PROVIDER_FILE && f !== IMPORTS_FILE && !known.has(f));
  const { indexText } = await import("./tf-index.js");
  const pending: TfFileEntry[] = [];
  for (const file of others) {
    const entry = indexText(file, await readFile(join(dir, file), "utf8"));
    if (entry?.vmid !== undefined && current.has(entry.vmid)) return null; // a synced guest's file under another name
    if (entry) pending.push(entry);
  }

  const [{ renderGuest, renderImports, renderProvider, readHeader, unifiedDiff }, { assignResourceNames }, { specFromPve }] = await Promise.all([
    import("./terraform/index.js"),
    import("./terraform/spec/names.js"),
    import("./model.js"),
  ]);
  const previous = new Map<number, string>();
  for (const g of guests) {
    const entry = managed.get(g.vmid);
    if (entry) previous.set(g.vmid, resourceOf(entry));
  }
  for (const p of pending) if (p.vmid !== undefined && p.resourceName) previous.set(p.vmid, p.resourceName);
  // Names need only a guest's name, kind and vmid: every guest (and pending file) takes part, none is rendered for it.
  const standIns = guests.map((g) => placeholder(g));
  for (const p of pending) if (p.vmid !== undefined && !current.has(p.vmid)) standIns.push(placeholder({ vmid: p.vmid, type: p.kind ?? "qemu", node: p.node ?? "", config: {} }, p.name));
  const named = assignResourceNames(standIns, previous).filter((s) => current.has(s.vmid));
  const names = new Map(named.map((s) => [s.vmid, s.resourceName]));

  const out: TerraformChanges = { written: [], unchanged: 0, keptEdited: [], removed: [], names, pending };
  // Plain synchronous file calls, a chunk at a time: on the machines measured they cost half the CPU of
  // fs/promises (whose overhead per call dominates for 2 KB files), and the event loop gets a turn between chunks.
  const write = (file: string, content: string): void => {
    const existing = listing.has(file) ? readFileSync(join(dir, file), "utf8") : undefined;
    if (existing === content) out.unchanged++;
    else if (existing === undefined || readHeader(existing)?.untouched) {
      atomicWrite(join(dir, file), content);
      out.written.push(file);
    } else {
      const body = (text: string): string => (readHeader(text) ? text.slice(text.indexOf("\n") + 1) : text);
      const head = readHeader(existing) ? existing.slice(0, existing.indexOf("\n") + 1) : "";
      out.keptEdited.push({ file, diff: unifiedDiff(head + body(content), existing, `${file} (generated)`, `${file} (current)`) });
    }
  };
  if (!listing.has(PROVIDER_FILE)) write(PROVIDER_FILE, renderProvider());
  // One guest at a time from spec to file: at 10,000 guests no list of every spec or every text is held.
  const rendered = guests.filter((g) => changed.has(g.vmid));
  for (let i = 0; i < rendered.length; i++) {
    const g = rendered[i];
    const spec: GuestSpec = { ...specFromPve(g), adopted: true, resourceName: names.get(g.vmid) as string };
    write(`${spec.resourceName}.tf`, renderGuest(spec));
    if (i % CHUNK === CHUNK - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  out.unchanged += guests.length - rendered.length;
  write(IMPORTS_FILE, renderImports(named));

  for (const vmid of input.removed) {
    const file = fileOf(vmid);
    if (!file || !listing.has(file)) continue;
    if (readHeader(readFileSync(join(dir, file), "utf8"))?.untouched) {
      unlinkSync(join(dir, file));
      out.removed.push(file);
    }
  }
  for (const list of [out.written, out.removed]) list.sort();
  out.keptEdited.sort((a, b) => (a.file < b.file ? -1 : 1));
  return out;
}

/**
 * A guest standing in only for its resource name and its import block: the
 * name a spec would have (the config's name, or hostname for a container).
 */
function placeholder(g: Pick<GuestRecord, "vmid" | "type" | "node" | "config">, name?: string): GuestSpec {
  const value = g.config[g.type === "lxc" ? "hostname" : "name"];
  const configName = typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : "";
  const spec = { kind: g.type, vmid: g.vmid, node: g.node, name: name ?? configName, resourceName: "", adopted: true };
  return spec as unknown as GuestSpec;
}



/** Write through a temporary file and rename, so a crash never leaves half a file. */
function atomicWrite(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, "utf8");
  renameSync(tmp, path);
}
