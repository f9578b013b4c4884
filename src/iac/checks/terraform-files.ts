/**
 * Reading the workspace's terraform/ folder for `test` (each file parsed once,
 * or taken from the parse cache when its text did not change), and the checks
 * on the files themselves: they parse, their resource types are known, and
 * every argument is one the bpg/proxmox provider documents.
 */
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { CancelledError } from "../../core/errors.js";
import { specFromPve, type AdoptableGuest, type GuestSpec } from "../model.js";
import { CT_RESOURCE, VM_RESOURCE, parseTerraformFile, readHeader, renderGuest, renderImports, renderProvider, type ParsedGuestSpec, type ParsedWorkspace } from "../terraform/index.js";
import { argumentLine } from "./locate.js";
import { sha256, type ParseCache } from "./parse-cache.js";
import { CheckRecorder, plural, type CheckInput, type CheckResult, type TerraformFiles } from "./types.js";
import allowlist from "../bpg-arguments.json" with { type: "json" };
import { distance } from "../../core/suggest.js";

/** How readTerraformFiles may avoid the WASM parser. */
export interface ReadOptions {
  /** Parse results of files whose text did not change since the last run. */
  cache?: ParseCache;
  /**
   * The guests of the last sync: a file byte-identical to what the generator
   * writes for one of them reads back as that guest's spec (the renderer and
   * the reader are exact inverses, tested in tests/iac/terraform-parse), so it
   * needs no parsing.
   */
  synced?: readonly AdoptableGuest[] | Promise<readonly AdoptableGuest[]>;
  /** Ctrl-C: stop between files. */
  signal?: AbortSignal;
}

/** Read and parse every `*.tf` file of `dir` (none when the folder is missing). */
export async function readTerraformFiles(dir: string, options: ReadOptions = {}): Promise<TerraformFiles> {
  const { cache } = options;
  let names: string[];
  try {
    names = (await readdir(dir)).filter((f) => f.endsWith(".tf")).sort();
  } catch {
    names = [];
  }
  const paths = names.map((f) => join(dir, f));
  const texts = new Map<string, string>();
  for (let i = 0; i < paths.length; i += 256) {
    const chunk = paths.slice(i, i + 256);
    const read = await Promise.all(chunk.map((p) => readFile(p, "utf8")));
    chunk.forEach((p, k) => texts.set(p, read[k]));
  }
  const out: TerraformFiles = { specs: [], errors: [], unknown: [], imports: [], texts, fileCount: paths.length };
  const hashes = paths.map((p) => (cache ? sha256(texts.get(p) ?? "") : ""));
  // The store may still be loading while the files are read: wait for it only now.
  const byVmid = new Map(((await options.synced) ?? []).map((g) => [g.vmid, g]));
  // First the cache and the guest files the generator wrote; then provider.tf and imports.tf
  // (they can only be recognised once the guests are known); the WASM parser for the rest.
  const fromCache = paths.map((p, i) => cache?.get(p, hashes[i]));
  const results = paths.map((p, i) => fromCache[i] ?? generatedGuest(p, texts.get(p) ?? "", byVmid));
  // What sync's imports.tf holds: an import block for every synced guest.
  const synced = results.flatMap((r) => r?.specs ?? []).filter((s) => byVmid.has(s.vmid)).map((s) => ({ ...s, adopted: true }));
  for (let i = 0; i < paths.length; i++) {
    if (options.signal?.aborted) throw new CancelledError("Stopped reading terraform/.");
    const text = texts.get(paths[i]) ?? "";
    const result = results[i] ?? generatedOther(paths[i], text, synced) ?? (await parseTerraformFile(paths[i], text));
    results[i] = result;
    if (!fromCache[i]) cache?.set(paths[i], hashes[i], result);
  }
  for (const result of results) {
    if (!result) continue;
    out.specs.push(...result.specs);
    out.errors.push(...result.errors);
    out.unknown.push(...result.unknown);
    out.imports.push(...result.imports);
  }
  // Imports apply across files (imports.tf names the resources of the guest files).
  const imported = new Set(out.imports.map((i) => `${i.resourceType}.${i.resourceName}`));
  for (const spec of out.specs) if (imported.has(`${address(spec)}`)) spec.adopted = true;
  return out;
}

const EMPTY: ParsedWorkspace = { specs: [], errors: [], unknown: [], imports: [] };

/** The parse result of a file that is exactly what the generator writes for a synced guest, else undefined. */
function generatedGuest(path: string, text: string, byVmid: Map<number, AdoptableGuest>): ParsedWorkspace | undefined {
  const vmid = byVmid.size ? readHeader(text)?.vmid : undefined;
  const guest = vmid === undefined ? undefined : byVmid.get(vmid);
  if (!guest) return undefined;
  const { adopted: _adopted, ...spec } = { ...specFromPve(guest), resourceName: basename(path, ".tf") };
  if (renderGuest(spec as GuestSpec) !== text) return undefined;
  const line = text.slice(0, text.indexOf("\nresource ") + 1).split("\n").length;
  return { ...EMPTY, specs: [{ ...(spec as GuestSpec), file: path, line }] };
}

/** The parse result of a generated provider.tf, or of the imports.tf of the synced guests; else undefined. */
function generatedOther(path: string, text: string, known: GuestSpec[]): ParsedWorkspace | undefined {
  if (text === renderProvider()) return { ...EMPTY };
  if (!known.length || text !== renderImports(known)) return undefined;
  const imports = known.map((s) => ({ file: path, resourceType: s.kind === "lxc" ? CT_RESOURCE : VM_RESOURCE, resourceName: s.resourceName, id: `${s.node}/${s.vmid}` }));
  return { ...EMPTY, imports: imports.sort((a, b) => (a.resourceName < b.resourceName ? -1 : a.resourceName > b.resourceName ? 1 : 0)) };
}

/** `proxmox_virtual_environment_vm.web_01` */
export function address(spec: Pick<ParsedGuestSpec, "kind" | "resourceName">): string {
  return `${spec.kind === "lxc" ? CT_RESOURCE : VM_RESOURCE}.${spec.resourceName}`;
}

/** What proxmox-mpc cannot evaluate is not wrong for Terraform: a warning, not a failure. */
const NOT_EVALUATED = /uses an expression|cannot expand/;

/** hcl-parse: every file parses, and each guest can be read (vm_id, node_name, literal values, one definition). */
export function checkParse(input: CheckInput): CheckResult[] {
  const rec = new CheckRecorder("hcl-parse", input.root);
  const { terraform } = input;
  for (const e of terraform.errors) {
    // An error about one argument is reported on that argument's line, like an unknown argument.
    const line = e.argument ? argumentLine(terraform.texts.get(e.file), e.line ?? 1, e.argument) : e.line;
    if (NOT_EVALUATED.test(e.message)) rec.warn(`${e.message} (not checked)`, e.file, line);
    else rec.fail(e.message, e.file, line);
  }
  const seen = new Map<string, ParsedGuestSpec>();
  for (const spec of terraform.specs) {
    const key = address(spec);
    const first = seen.get(key);
    if (first) rec.fail(`${key} is already defined in ${rec.where(first)}`, spec.file, spec.line);
    else seen.set(key, spec);
  }
  if (terraform.fileCount === 0) rec.warn("terraform/ has no .tf files: nothing to check (run sync, or create vm)");
  return rec.done(`${plural(terraform.fileCount, ".tf file")} parse (${plural(terraform.specs.length, "guest")})`);
}

const BPG_PREFIX = "proxmox_virtual_environment_";
/** Real bpg/proxmox resources that look like a misspelt VM or container type. */
const NOT_TYPOS = new Set([`${BPG_PREFIX}vm2`]);

/** resource-types: only the VM and container resources are checked; anything else is reported. */
export function checkResourceTypes(input: CheckInput): CheckResult[] {
  const rec = new CheckRecorder("resource-types", input.root);
  for (const u of input.terraform.unknown) {
    if (u.argument !== "") continue;
    const label = `${u.resourceType}.${u.resourceName}`;
    const near = NOT_TYPOS.has(u.resourceType) ? undefined : [VM_RESOURCE, CT_RESOURCE].find((known) => distance(known, u.resourceType) <= 2);
    if (near) rec.fail(`unknown resource type ${u.resourceType} (${label}): did you mean ${near}?`, u.file, u.line);
    else if (u.resourceType.startsWith(BPG_PREFIX)) rec.warn(`${label} is a bpg/proxmox resource proxmox-mpc does not check`, u.file, u.line);
    else rec.warn(`${label} belongs to another provider; proxmox-mpc does not check it`, u.file, u.line);
  }
  return rec.done(`resource types are ${VM_RESOURCE} or ${CT_RESOURCE}`);
}

type Allowlist = Record<string, Record<string, string[]>>;
const DOCUMENTED = (allowlist as { resources: Allowlist }).resources;

/** Whether `path` ("cpu.cores", "disk.speed.read") is a documented argument or block of `type`. */
export function documented(type: string, path: string): boolean {
  const parts = path.split(".");
  const parent = parts.length === 1 ? "." : parts.slice(0, -1).join(".");
  return DOCUMENTED[type]?.[parent]?.includes(parts[parts.length - 1]) ?? false;
}

/** Every undocumented argument path inside a documented block (hcl2json JSON), for blocks the model does not read. */
export function undocumentedInside(type: string, path: string, body: unknown, out: string[]): void {
  if (!Array.isArray(body)) return;
  for (const block of body) {
    if (!block || typeof block !== "object" || Array.isArray(block)) continue;
    for (const [key, value] of Object.entries(block as Record<string, unknown>)) {
      const child = `${path}.${key}`;
      if (!documented(type, child)) out.push(child);
      else if (DOCUMENTED[type][child] && Array.isArray(value)) undocumentedInside(type, child, value, out);
    }
  }
}

/**
 * arguments: every argument of a VM or container is documented by the provider
 * (src/iac/bpg-arguments.json). Documented arguments proxmox-mpc does not model
 * are fine (Terraform uses them; proxmox-mpc keeps them in the file).
 */
export async function checkArguments(input: CheckInput): Promise<CheckResult[]> {
  const rec = new CheckRecorder("arguments", input.root);
  const { terraform } = input;
  const rawBlocks: { file: string; line: number; type: string; name: string; path: string }[] = [];
  let unmodelled = 0;
  for (const u of terraform.unknown) {
    if (u.argument === "") continue;
    const line = argumentLine(terraform.texts.get(u.file), u.line ?? 1, u.argument);
    if (!documented(u.resourceType, u.argument)) {
      rec.fail(`${u.argument} is not an argument of ${u.resourceType} (${u.resourceName}); see the bpg/proxmox provider's documentation`, u.file, line);
    } else {
      unmodelled++;
      if (DOCUMENTED[u.resourceType]?.[u.argument]) rawBlocks.push({ file: u.file, line: u.line ?? 1, type: u.resourceType, name: u.resourceName, path: u.argument });
    }
  }
  // Blocks the model does not read were not looked into: read them raw (rare, so parsed again here).
  if (rawBlocks.length) {
    const { parse } = await hclParser();
    const byFile = new Map<string, Record<string, unknown>>();
    for (const b of rawBlocks) {
      if (!byFile.has(b.file)) byFile.set(b.file, (await parse(b.file, terraform.texts.get(b.file) ?? "").catch(() => ({}))) as Record<string, unknown>);
      const resource = (byFile.get(b.file)?.resource ?? {}) as Record<string, Record<string, Record<string, unknown>[]>>;
      const body = resource[b.type]?.[b.name]?.[0] ?? {};
      const bad: string[] = [];
      undocumentedInside(b.type, b.path, body[b.path.split(".")[0]], bad);
      for (const path of bad) rec.fail(`${path} is not an argument of ${b.type} (${b.name}); see the bpg/proxmox provider's documentation`, b.file, argumentLine(terraform.texts.get(b.file), b.line, path));
    }
  }
  const note = unmodelled ? ` (${plural(unmodelled, "documented argument")} not modelled by proxmox-mpc, kept as written)` : "";
  return rec.done(`every argument is documented by the bpg/proxmox provider${note}`);
}

async function hclParser(): Promise<{ parse: (file: string, text: string) => Promise<unknown> }> {
  const mod = (await import("@cdktf/hcl2json")) as { parse?: (f: string, t: string) => Promise<unknown>; default?: { parse: (f: string, t: string) => Promise<unknown> } };
  const parse = mod.parse ?? mod.default?.parse;
  if (!parse) throw new Error("@cdktf/hcl2json has no parse()");
  return { parse };
}
