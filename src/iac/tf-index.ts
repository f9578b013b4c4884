/**
 * A quick index of terraform/: which guest each .tf file holds (vmid, name,
 * static addresses), read from the text with regular expressions instead of
 * the HCL parser, so `create` and `delete` stay fast on thousands of files.
 * Validation proper (`test`, `plan`) uses the real parser.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

export interface TfFileEntry {
  file: string;
  /** From the proxmox-mpc header, else from `vm_id = N`. */
  vmid?: number;
  /** `name` (VM) or `initialization { hostname }` (container). */
  name?: string;
  kind?: "qemu" | "lxc";
  resourceName?: string;
  node?: string;
  /** Static IPv4 addresses without prefix. */
  addresses: string[];
}

const RESOURCE = /resource\s+"proxmox_virtual_environment_(vm|container)"\s+"([^"]+)"/;

/** Index every .tf file of `dir` (missing dir → empty). */
export async function indexTerraformDir(dir: string): Promise<TfFileEntry[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith(".tf")).sort();
  } catch {
    return [];
  }
  const out: TfFileEntry[] = [];
  for (let i = 0; i < files.length; i += 256) {
    const chunk = files.slice(i, i + 256);
    const texts = await Promise.all(chunk.map((f) => readFile(join(dir, f), "utf8")));
    chunk.forEach((file, k) => {
      const entry = indexText(file, texts[k]);
      if (entry) out.push(entry);
    });
  }
  return out;
}

/** The entry of one file, or undefined when it holds no guest resource. */
export function indexText(file: string, text: string): TfFileEntry | undefined {
  const resource = RESOURCE.exec(text);
  if (!resource) return undefined;
  const kind = resource[1] === "vm" ? "qemu" : "lxc";
  const header = /^# Managed by proxmox-mpc: (\d+) on /.exec(text);
  const vmidAttr = /^\s*vm_id\s*=\s*(\d+)/m.exec(text);
  const name = kind === "qemu" ? /^\s{2}name\s*=\s*"([^"]+)"/m.exec(text) : /^\s*hostname\s*=\s*"([^"]+)"/m.exec(text);
  const node = /^\s*node_name\s*=\s*"([^"]+)"/m.exec(text);
  const addresses = [...text.matchAll(/^\s*address\s*=\s*"(\d+\.\d+\.\d+\.\d+)(?:\/\d+)?"/gm)].map((m) => m[1]);
  return {
    file,
    vmid: header ? Number(header[1]) : vmidAttr ? Number(vmidAttr[1]) : undefined,
    name: name?.[1],
    kind,
    resourceName: resource[2],
    node: node?.[1],
    addresses,
  };
}
