/**
 * The files of a workspace's ansible/ folder: what they are
 * (`generateAnsible`, pure and deterministic: the same guests and options
 * give byte-identical files in the same sorted order, whatever order the
 * guests come in) and putting them on disk (`writeAnsible`).
 *
 * writeAnsible writes a generated file only when its content differs (so an
 * unchanged file keeps its mtime) and a stub only when it does not exist (so
 * user edits survive); files it did not generate (a user's own playbooks,
 * group_vars/ …) are never touched. Each write goes to a temporary file
 * first and is renamed into place, so a crash never leaves a half-written
 * inventory.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import { ProxmoxMpcError } from "../../core/errors.js";
import type { WorkspaceConfig } from "../../core/workspace.js";
import type { GuestRecord } from "../../state/types.js";
import { DYNAMIC_INVENTORY_FILE, renderDynamicInventory } from "./dynamic.js";
import { buildInventory, compareText, renderInventory } from "./inventory.js";
import { ansibleCfg, PLAYBOOK_STUBS, sitePlaybook } from "./playbooks.js";

/**
 * One generated file. `kind` says how `writeAnsible` treats it:
 * - `generated`: owned by proxmox-mpc, rewritten whenever its content changes
 *   (inventory.yml, proxmox.yml);
 * - `stub`: a starting point owned by the user once it exists (playbooks,
 *   ansible.cfg), written only when missing so user edits survive.
 */
export interface GeneratedFile {
  /** Path relative to the workspace's `ansible/` folder, `/`-separated. */
  path: string;
  content: string;
  kind: "generated" | "stub";
}

/** What `generateAnsible` needs besides the guests (from the workspace config). */
export interface AnsibleOptions {
  /** The API endpoint, e.g. `https://pve1:8006` (a trailing `/api2/json` is dropped). */
  endpoint: string;
  /** `user@realm!tokenid`, never the secret. */
  tokenId: string;
  tls: WorkspaceConfig["tls"];
}

/** Result of `writeAnsible`: relative paths, sorted. */
export interface WriteResult {
  /** Files created or rewritten. */
  written: string[];
  /** Files left as they were (same content, or a stub that already exists). */
  unchanged: string[];
}

/** Relative path of the static inventory. */
export const INVENTORY_FILE = "inventory.yml";

/** Relative path of the site playbook. */
export const SITE_PLAYBOOK = "playbooks/site.yml";

/**
 * The files of the workspace's `ansible/` folder for these guests:
 * inventory.yml and proxmox.yml (generated, rewritten on change), and
 * ansible.cfg, playbooks/site.yml and playbooks/<role>.yml (stubs, written
 * only when missing). Sorted by path.
 */
export function generateAnsible(guests: readonly GuestRecord[], options: AnsibleOptions): GeneratedFile[] {
  const ordered = [...guests].sort((a, b) => a.vmid - b.vmid || compareText(a.name, b.name));
  const files: GeneratedFile[] = [
    { path: INVENTORY_FILE, content: renderInventory(buildInventory(ordered)), kind: "generated" },
    { path: DYNAMIC_INVENTORY_FILE, content: renderDynamicInventory(options), kind: "generated" },
    { path: "ansible.cfg", content: ansibleCfg(), kind: "stub" },
    { path: SITE_PLAYBOOK, content: sitePlaybook(), kind: "stub" },
    ...PLAYBOOK_STUBS.map((s): GeneratedFile => ({ path: `playbooks/${s.name}.yml`, content: s.content, kind: "stub" })),
  ];
  return files.sort((a, b) => compareText(a.path, b.path));
}

/** The absolute target of a relative generated path; refuses paths that leave `dir`. */
function targetOf(dir: string, path: string): string {
  const rel = normalize(path);
  if (!path || isAbsolute(path) || rel === ".." || rel.startsWith(`..${sep}`)) {
    throw new ProxmoxMpcError(`Refusing to write "${path}": generated files must stay inside ${dir}.`, { code: "unsafe-path", hint: "This is a bug in proxmox-mpc: run again with --debug and keep that output and .proxmox-mpc/logs/ for the bug report." });
  }
  return join(dir, rel);
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

async function writeAtomic(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, content, { mode: 0o644 });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Write `files` under `dir` (the workspace's ansible/ folder, created if
 * needed). Returns the relative paths written and left unchanged, sorted.
 */
export async function writeAnsible(dir: string, files: readonly GeneratedFile[]): Promise<WriteResult> {
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const file of files) {
    const target = targetOf(dir, file.path);
    const current = await readIfExists(target);
    const keep = current !== undefined && (file.kind === "stub" || current === file.content);
    if (keep) {
      unchanged.push(file.path);
      continue;
    }
    await writeAtomic(target, file.content);
    written.push(file.path);
  }
  return { written: written.sort(compareText), unchanged: unchanged.sort(compareText) };
}
