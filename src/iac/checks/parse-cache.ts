/**
 * A cache of parsed .tf files, keyed by the SHA-256 of each file's text, so
 * `test` and the native `plan` parse a file only when it changed since the
 * last run (of either). The WASM HCL parser costs ~1.5 ms a file (about 1.6 s
 * for 1,000 guests, 3–4 s with the reading around it); hashing and reading
 * the cache back cost a few tens of milliseconds. The Ansible inventory's
 * hosts are kept the same way (a 1,000-host inventory is ~250 KB of YAML).
 *
 * Each result is kept as its JSON text and parsed on every `get`: callers
 * own what they get (a caller that changes a spec cannot change the cache).
 * The cache is disposable (`.proxmox-mpc/cache/terraform-parse.json`): a
 * missing, unreadable or foreign-version file is simply rebuilt.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ParsedWorkspace } from "../terraform/index.js";

/** Bump when the cached shape changes. */
const FORMAT = 2;

interface CacheFile {
  format: number;
  /** The proxmox-mpc version that parsed the files (the reader may change between versions). */
  version: string;
  /** File name → its hash and its parse result (as JSON text, `file` fields holding the name). */
  files: Record<string, { sha256: string; json: string }>;
  /** The Ansible inventory's hosts (name → proxmox_vmid) for the hash of its text. */
  inventory?: { sha256: string; hosts: [string, unknown][] };
}

/** The SHA-256 of a text (hex). */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Parse results of unchanged files, and what to write back. */
export class ParseCache {
  private changed = false;
  private readonly used = new Set<string>();

  private constructor(
    private readonly path: string,
    private readonly data: CacheFile,
  ) {}

  /**
   * Open the cache at `path` for this version (an empty one when missing or
   * stale). The reader's build time is part of the version, so a rebuilt
   * development copy never reuses results of an older reader.
   */
  static async open(path: string, proxmoxMpcVersion: string): Promise<ParseCache> {
    const version = `${proxmoxMpcVersion}+${await readerStamp()}`;
    let data: CacheFile = { format: FORMAT, version, files: {} };
    try {
      const parsed = JSON.parse(await readFile(path, "utf8")) as CacheFile;
      if (parsed.format === FORMAT && parsed.version === version && parsed.files && typeof parsed.files === "object") data = parsed;
    } catch {
      // No cache yet, or a broken one: start empty.
    }
    return new ParseCache(path, data);
  }

  /** The cached result of `file` when its text still hashes to the same value (a fresh copy, the caller's own). */
  get(file: string, hash: string): ParsedWorkspace | undefined {
    const name = basename(file);
    this.used.add(name);
    const entry = this.data.files[name];
    if (!entry || entry.sha256 !== hash || typeof entry.json !== "string") return undefined;
    try {
      return withFile(JSON.parse(entry.json) as ParsedWorkspace, file);
    } catch {
      return undefined;
    }
  }

  /** Remember the result of `file` (as it is now: later changes to `result` are not seen). */
  set(file: string, hash: string, result: ParsedWorkspace): void {
    const name = basename(file);
    this.used.add(name);
    const named = {
      specs: result.specs.map((x) => ({ ...x, file: name })),
      errors: result.errors.map((x) => ({ ...x, file: name })),
      unknown: result.unknown.map((x) => ({ ...x, file: name })),
      imports: result.imports.map((x) => ({ ...x, file: name })),
    };
    this.data.files[name] = { sha256: hash, json: JSON.stringify(named) };
    this.changed = true;
  }

  /** The hosts of an inventory whose text hashes to `hash`, when known. */
  inventoryHosts(hash: string): [string, unknown][] | undefined {
    return this.data.inventory?.sha256 === hash ? this.data.inventory.hosts : undefined;
  }

  /** Remember the hosts of an inventory text. */
  setInventoryHosts(hash: string, hosts: [string, unknown][]): void {
    this.data.inventory = { sha256: hash, hosts };
    this.changed = true;
  }

  /** Write the cache back when it changed (entries of files that are gone are dropped). */
  async save(): Promise<void> {
    for (const name of Object.keys(this.data.files)) {
      if (!this.used.has(name)) {
        delete this.data.files[name];
        this.changed = true;
      }
    }
    if (!this.changed) return;
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${randomBytes(4).toString("hex")}.tmp`;
    await writeFile(tmp, JSON.stringify(this.data));
    await rename(tmp, this.path);
    this.changed = false;
  }
}

/** Where the reader's modules are: the parser and the model codecs it uses. */
const READER_DIRS = ["../terraform/parse/", "../terraform/spec/", "../terraform/"];

/**
 * When the HCL reader was last built: the newest mtime of its modules (.js in
 * dist/, .ts under ts-jest), "" when none can be found. A rebuilt development
 * copy so never reuses results of an older reader.
 */
async function readerStamp(): Promise<string> {
  let newest = 0;
  for (const rel of READER_DIRS) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    const names = await readdir(dir).catch(() => [] as string[]);
    const modules = names.filter((n) => /\.(js|ts)$/.test(n) && !n.endsWith(".d.ts"));
    const times = await Promise.all(modules.map((n) => stat(join(dir, n)).then((s) => s.mtimeMs, () => 0)));
    newest = Math.max(newest, ...times);
  }
  return newest ? String(newest) : "";
}

/** A per-file result whose `file` fields say `file` (in place: the result is a fresh copy). */
function withFile(result: ParsedWorkspace, file: string): ParsedWorkspace {
  for (const list of [result.specs, result.errors, result.unknown, result.imports]) {
    for (const item of list as { file: string }[]) item.file = file;
  }
  return result;
}
