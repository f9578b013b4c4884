/**
 * Reading a Terraform workspace back into GuestSpecs, with a real HCL parser
 * (@cdktf/hcl2json, the HCL2 library compiled to WASM).
 *
 * Only proxmox_virtual_environment_vm and proxmox_virtual_environment_container
 * resources become specs. Every other resource type — other providers', and
 * the bpg provider's other resources (pools, files, firewall …) — is
 * "unknown to proxmox-mpc": listed in `unknown`, not an error. Other blocks
 * (terraform, provider, variable, output, data, module) are skipped.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import type { GuestSpec } from "../../model.js";
import { CT_RESOURCE, VM_RESOURCE } from "../render-common.js";
import { BodyReader, type HclObject, type ReadIssue } from "./body.js";
import { locateResources, pveComments } from "./comments.js";
import { lxcFromHcl } from "./lxc.js";
import { qemuFromHcl } from "./qemu.js";

/** A spec read from a file, with where it was found. */
export type ParsedGuestSpec = GuestSpec & { file: string; line: number };

/** Something in the files proxmox-mpc cannot use. */
export interface ParseError {
  file: string;
  /** The resource's line (for an error about one argument, `argument` says where inside it). */
  line?: number;
  message: string;
  /** Argument path inside the resource ("cpu.cores") when the error is about one argument. */
  argument?: string;
}

/** A resource type, or an argument of a known resource, that proxmox-mpc does not model. */
export interface UnknownItem {
  file: string;
  line?: number;
  resourceType: string;
  resourceName: string;
  /** Argument path ("watchdog", "disk.import_from"); "" when the whole resource is unknown. */
  argument: string;
}

/** An `import { to = T.N  id = "node/vmid" }` block. */
export interface ImportBlock {
  file: string;
  resourceType: string;
  resourceName: string;
  id: string;
}

/** The result of reading one file or a whole directory. */
export interface ParsedWorkspace {
  specs: ParsedGuestSpec[];
  errors: ParseError[];
  unknown: UnknownItem[];
  imports: ImportBlock[];
}

type HclParse = (filename: string, contents: string) => Promise<Record<string, unknown>>;
let hclParse: HclParse | undefined;

/** Load the WASM parser once (lazily: it is only needed when files are read). */
async function parser(): Promise<HclParse> {
  if (!hclParse) {
    // A CommonJS package: its exports may come as named exports or under `default`.
    const mod = (await import("@cdktf/hcl2json")) as { parse?: HclParse; default?: { parse: HclParse } };
    hclParse = mod.parse ?? mod.default?.parse;
    if (!hclParse) throw new Error("@cdktf/hcl2json has no parse()");
  }
  return hclParse;
}

/** Read one file's text. Guests are marked adopted when the same file imports them. */
export async function parseTerraformFile(path: string, text: string): Promise<ParsedWorkspace> {
  const out: ParsedWorkspace = { specs: [], errors: [], unknown: [], imports: [] };
  let json: Record<string, unknown>;
  try {
    json = await (await parser())(basename(path), text);
  } catch (err) {
    out.errors.push(syntaxError(path, err));
    return out;
  }
  const locations = locateResources(text);
  const resources = (json.resource ?? {}) as Record<string, Record<string, HclObject[]>>;
  for (const [type, byName] of Object.entries(resources)) {
    for (const [name, bodies] of Object.entries(byName)) {
      const loc = locations.find((l) => l.type === type && l.name === name);
      const line = loc?.line;
      if (type !== VM_RESOURCE && type !== CT_RESOURCE) {
        out.unknown.push({ file: path, line, resourceType: type, resourceName: name, argument: "" });
        continue;
      }
      if (bodies.length > 1) out.errors.push({ file: path, line, message: `${type}.${name} is defined more than once.` });
      const issues: ReadIssue[] = [];
      const reader = new BodyReader(bodies[0], "", issues);
      const comments = pveComments(text, loc?.line ?? 1, loc?.endLine ?? text.split("\n").length);
      const spec = type === VM_RESOURCE ? qemuFromHcl(name, reader, comments) : lxcFromHcl(name, reader, comments);
      reader.finish();
      for (const issue of issues) {
        if (issue.kind === "unknown") out.unknown.push({ file: path, line, resourceType: type, resourceName: name, argument: issue.argument });
        else out.errors.push({ file: path, line, message: `${type}.${name}: ${issue.argument} ${issue.message}.`, argument: issue.argument });
      }
      if (Number.isFinite(spec.vmid) && spec.node) out.specs.push({ ...spec, file: path, line: line ?? 1 });
    }
  }
  out.imports = readImports(path, json);
  markAdopted(out.specs, out.imports);
  const byLine = (a: { line?: number }, b: { line?: number }): number => (a.line ?? 0) - (b.line ?? 0);
  out.specs.sort(byLine);
  out.errors.sort(byLine);
  out.unknown.sort(byLine);
  return out;
}

/**
 * Parse results of files whose text did not change, by the SHA-256 of the
 * text (iac/checks/parse-cache.ts keeps them on disk between runs).
 */
export interface ParseResultCache {
  /** A result of `file` whose text hashed to `hash`, owned by the caller; undefined when not known. */
  get(file: string, hash: string): ParsedWorkspace | undefined;
  /** Remember the result of `file` whose text hashes to `hash`. */
  set(file: string, hash: string, result: ParsedWorkspace): void;
}

/** The SHA-256 of a file's text (hex): the key of a ParseResultCache. */
export function textHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A file's path and text. */
export interface FileText {
  path: string;
  text: string;
}

/** How parseTerraformDir may avoid the WASM parser. */
export interface DirReadOptions {
  /** Results of files whose text did not change since the last run. */
  cache?: ParseResultCache;
  /**
   * Results of files that need no parsing (for example byte-identical to what
   * the generator writes for a guest: the renderer and the reader are exact
   * inverses), undefined for the others; given the files the cache did not
   * have and every result known so far.
   */
  known?: (files: FileText[], results: ParsedWorkspace[]) => Promise<(ParsedWorkspace | undefined)[]>;
}

/** How many files are read between two turns of the event loop. */
const READ_AT_ONCE = 256;

/**
 * Read every `*.tf` file of a directory (sorted by name); imports apply
 * across files. With a cache (or `known`), only the other files are parsed.
 */
export async function parseTerraformDir(dir: string, options: DirReadOptions = {}): Promise<ParsedWorkspace> {
  const { cache } = options;
  const names = (await readdir(dir)).filter((f) => f.endsWith(".tf")).sort();
  const out: ParsedWorkspace = { specs: [], errors: [], unknown: [], imports: [] };
  // Plain synchronous reads, a chunk at a time with a turn of the event loop between chunks
  // (the plan's HTTP reads go on meanwhile): 1,000 small files measured 15–40 ms this way
  // against 110–290 ms of CPU through the thread pool (readFile in parallel).
  const files: FileText[] = [];
  for (let i = 0; i < names.length; i += READ_AT_ONCE) {
    if (i) await new Promise<void>((resolve) => setImmediate(resolve));
    for (const name of names.slice(i, i + READ_AT_ONCE)) files.push({ path: join(dir, name), text: readFileSync(join(dir, name), "utf8") });
  }
  const hashes = files.map((f) => (cache ? textHash(f.text) : ""));
  const results: (ParsedWorkspace | undefined)[] = files.map((f, i) => cache?.get(f.path, hashes[i]));
  const missing = files.map((_, i) => i).filter((i) => !results[i]);
  if (options.known && missing.length) {
    const known = await options.known(
      missing.map((i) => files[i]),
      results.filter((r): r is ParsedWorkspace => r !== undefined),
    );
    missing.forEach((i, k) => (results[i] = known[k]));
  }
  // The WASM parser (~1 ms a file) runs one file at a time: overlapping its calls, or
  // joining files into one call, measured no faster (the cost is in the text, not the calls).
  for (const i of missing) {
    results[i] ??= await parseTerraformFile(files[i].path, files[i].text);
    cache?.set(files[i].path, hashes[i], results[i] as ParsedWorkspace);
  }
  const seen = new Map<string, ParsedGuestSpec>();
  for (const r of results as ParsedWorkspace[]) {
    for (const spec of r.specs) {
      const key = `${spec.kind}:${spec.resourceName}`;
      const first = seen.get(key);
      if (first) out.errors.push({ file: spec.file, line: spec.line, message: `${spec.resourceName} is already defined in ${first.file}:${first.line}.` });
      else seen.set(key, spec);
      out.specs.push(spec);
    }
    out.errors.push(...r.errors);
    out.unknown.push(...r.unknown);
    out.imports.push(...r.imports);
  }
  markAdopted(out.specs, out.imports);
  return out;
}

function readImports(file: string, json: Record<string, unknown>): ImportBlock[] {
  const blocks = Array.isArray(json.import) ? (json.import as HclObject[]) : [];
  const out: ImportBlock[] = [];
  for (const b of blocks) {
    const m = typeof b.to === "string" ? /^\$\{([\w-]+)\.([\w-]+)\}$/.exec(b.to) : null;
    if (m && typeof b.id === "string") out.push({ file, resourceType: m[1], resourceName: m[2], id: b.id });
  }
  return out;
}

function markAdopted(specs: ParsedGuestSpec[], imports: ImportBlock[]): void {
  for (const spec of specs) {
    const type = spec.kind === "lxc" ? CT_RESOURCE : VM_RESOURCE;
    if (imports.some((i) => i.resourceType === type && i.resourceName === spec.resourceName)) spec.adopted = true;
  }
}

/** An hcl2json failure as a file/line error ("a.tf:10,18-19: Unclosed configuration block; …"). */
function syntaxError(file: string, err: unknown): ParseError {
  const text = err instanceof Error ? err.message : String(err);
  const m = /\[?[^\s:[]+:(\d+),\d+(?:-\d+(?:,\d+)?)?: ([^\]]*)\]?/.exec(text);
  if (!m) return { file, message: text.replace(/^Error: /, "") };
  // The parser lists every diagnostic it found ("f.tf:13,11-14,1: …, f.tf:14,16-15,1: …"): the first one
  // is the cause (the rest mostly follow from it); the others are counted, not pasted.
  const next = /[,\s]\s*[^\s:,[]+:\d+,\d+(?:-\d+(?:,\d+)?)?: /g;
  const cuts = [...m[2].matchAll(next)];
  const first = (cuts.length ? m[2].slice(0, cuts[0].index) : m[2]).trim();
  return { file, line: Number(m[1]), message: cuts.length ? `${first} (and ${cuts.length} more diagnostic${cuts.length === 1 ? "" : "s"} after it)` : first };
}
