/**
 * writeTerraform: bring a workspace's terraform/ directory in line with a set
 * of specs, without ever losing a hand edit.
 *
 * - provider.tf is written when missing, never rewritten.
 * - one `<resourceName>.tf` per guest; imports.tf for adopted guests.
 * - a file is only written when its content changes (untouched files keep
 *   their mtime).
 * - a file whose body no longer matches the hash in its header was edited by
 *   hand: it is kept and reported with a diff, unless `overwrite`.
 * - files of guests that no longer exist are reported as stale, and removed
 *   with `prune` unless they were edited by hand.
 */
import { mkdir, readdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { GuestSpec } from "../model.js";
import { assignResourceNames } from "./spec/names.js";
import { unifiedDiff } from "./diff-lines.js";
import { readHeader, renderGuest, renderImports, renderProvider } from "./render.js";

/** Options of writeTerraform. */
export interface WriteOptions {
  /** Rewrite hand-edited files too (their edits are lost). */
  overwrite?: boolean;
  /** Remove files of guests that no longer exist (hand-edited ones are kept). */
  prune?: boolean;
}

/** What writeTerraform did; file names are relative to the directory. */
export interface WriteReport {
  written: string[];
  unchanged: string[];
  /** Hand-edited files that were kept; `diff` goes from the generated text to the file's text. */
  keptEdited: { file: string; diff: string }[];
  removed: string[];
  /** Files proxmox-mpc wrote for guests that are not in `specs` any more. */
  staleFiles: string[];
}

const PROVIDER_FILE = "provider.tf";
const IMPORTS_FILE = "imports.tf";

/** Write the Terraform files of `specs` into `dir` (see the module comment). */
export async function writeTerraform(dir: string, specs: GuestSpec[], options: WriteOptions = {}): Promise<WriteReport> {
  await mkdir(dir, { recursive: true });
  const report: WriteReport = { written: [], unchanged: [], keptEdited: [], removed: [], staleFiles: [] };
  const existing = await readExisting(dir);
  // Names guests already have in this workspace win, so files are never renamed under a user.
  // (An untouched file wins over an edited copy that still carries the same header.)
  const previous = new Map<number, string>();
  for (const untouchedPass of [true, false]) {
    for (const [file, text] of existing) {
      const header = readHeader(text);
      if (header?.vmid === undefined || file === IMPORTS_FILE || header.untouched !== untouchedPass) continue;
      if (!previous.has(header.vmid)) previous.set(header.vmid, file.slice(0, -".tf".length));
    }
  }
  const named = assignResourceNames(specs, previous).sort((a, b) => (a.resourceName < b.resourceName ? -1 : 1));

  const wanted = new Map<string, string>();
  for (const spec of named) wanted.set(`${spec.resourceName}.tf`, renderGuest(spec));
  if (named.some((s) => s.adopted)) wanted.set(IMPORTS_FILE, renderImports(named));

  if (!existing.has(PROVIDER_FILE)) {
    await atomicWrite(join(dir, PROVIDER_FILE), renderProvider());
    report.written.push(PROVIDER_FILE);
  }
  const pending: Promise<void>[] = [];
  for (const [file, content] of wanted) {
    const current = existing.get(file);
    if (current === content) {
      report.unchanged.push(file);
    } else if (current === undefined || options.overwrite || readHeader(current)?.untouched) {
      pending.push(atomicWrite(join(dir, file), content));
      report.written.push(file);
    } else {
      report.keptEdited.push({ file, diff: editDiff(file, content, current) });
    }
    // Enough writes in flight to keep libuv's threads busy, without one promise per file at 10,000 guests.
    if (pending.length >= 128) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);

  for (const [file, text] of existing) {
    if (wanted.has(file) || file === PROVIDER_FILE) continue;
    const header = readHeader(text);
    if (!header) continue; // not written by proxmox-mpc: not ours to judge
    report.staleFiles.push(file);
    if (options.prune && header.untouched) {
      await unlink(join(dir, file));
      report.removed.push(file);
    }
  }
  for (const list of [report.written, report.unchanged, report.removed, report.staleFiles]) list.sort();
  report.keptEdited.sort((a, b) => (a.file < b.file ? -1 : 1));
  return report;
}

/** generated → current, without the header line (its hash always differs once a file is edited). */
function editDiff(file: string, generated: string, current: string): string {
  const body = (text: string): string => (readHeader(text) ? text.slice(text.indexOf("\n") + 1) : text);
  const head = readHeader(current) ? current.slice(0, current.indexOf("\n") + 1) : "";
  return unifiedDiff(head + body(generated), current, `${file} (generated)`, `${file} (current)`);
}

/** The `.tf` files of a directory with their text. */
async function readExisting(dir: string): Promise<Map<string, string>> {
  const names = (await readdir(dir)).filter((f) => f.endsWith(".tf")).sort();
  const out = new Map<string, string>();
  for (let i = 0; i < names.length; i += 128) {
    const chunk = names.slice(i, i + 128);
    const texts = await Promise.all(chunk.map((f) => readFile(join(dir, f), "utf8")));
    chunk.forEach((f, k) => out.set(f, texts[k]));
  }
  return out;
}

/** Write through a temporary file and rename, so a crash never leaves half a file. */
export async function atomicWrite(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content, "utf8");
  await rename(tmp, path);
}
