/**
 * A cache of parsed .tf files, keyed by the SHA-256 of each file's text, so
 * `test` parses a file only when it changed since the last run. The WASM HCL
 * parser costs ~1.5 ms a file (about 1.6 s for 1,000 guests); hashing and
 * reading the cache back cost a few milliseconds. The Ansible inventory's
 * hosts are kept the same way (a 1,000-host inventory is ~250 KB of YAML).
 *
 * The cache is disposable (`.proxmox-mpc/cache/terraform-parse.json`): a
 * missing, unreadable or foreign-version file is simply rebuilt.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { ParsedWorkspace } from "../terraform/index.js";

/** Bump when the cached shape changes. */
const FORMAT = 1;

interface CacheFile {
  format: number;
  /** The proxmox-mpc version that parsed the files (the reader may change between versions). */
  version: string;
  /** File name → its hash and its parse result. */
  files: Record<string, { sha256: string; result: ParsedWorkspace }>;
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

  /** The cached result of `file` when its text still hashes to the same value. */
  get(file: string, hash: string): ParsedWorkspace | undefined {
    const name = basename(file);
    this.used.add(name);
    const entry = this.data.files[name];
    if (!entry || entry.sha256 !== hash) return undefined;
    return withFile(entry.result, file);
  }

  /** Remember the result of `file`. */
  set(file: string, hash: string, result: ParsedWorkspace): void {
    const name = basename(file);
    this.used.add(name);
    this.data.files[name] = { sha256: hash, result: withFile(result, name) };
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

/** When the HCL reader was built (its module's mtime), or "" when it cannot be found. */
async function readerStamp(): Promise<string> {
  for (const ext of ["js", "ts"]) {
    try {
      return String((await stat(fileURLToPath(new URL(`../terraform/parse/index.${ext}`, import.meta.url)))).mtimeMs);
    } catch {
      // try the next
    }
  }
  return "";
}

/** A copy of a per-file result whose `file` fields say `file`. */
function withFile(result: ParsedWorkspace, file: string): ParsedWorkspace {
  return {
    specs: result.specs.map((s) => ({ ...s, file })),
    errors: result.errors.map((e) => ({ ...e, file })),
    unknown: result.unknown.map((u) => ({ ...u, file })),
    imports: result.imports.map((i) => ({ ...i, file })),
  };
}
