/**
 * Files the plan need not parse: a guest file byte-identical to what the
 * generator writes for the live guest on its vm_id reads back as that guest's
 * spec, and an imports.tf or provider.tf identical to what sync writes reads
 * back as its import blocks (the renderer and the HCL reader are exact
 * inverses: tests/iac/checks-units.test.ts, tests/engine/native/plan-speed.test.ts).
 * Right after a sync every file is such a file, so the first plan of a
 * workspace needs no WASM parsing (3–4 s for 1,000 guests) — only the live
 * configs it reads anyway. Any other file is parsed as before.
 */
import { basename } from "node:path";
import { specFromPve, type GuestSpec } from "../../iac/model.js";
import { CT_RESOURCE, VM_RESOURCE, readHeader, renderGuest, renderImports, renderProvider, type ParsedWorkspace } from "../../iac/terraform/index.js";
import type { DirReadOptions, FileText } from "../../iac/terraform/parse/index.js";
import type { LiveGuest } from "./types.js";

const EMPTY: ParsedWorkspace = { specs: [], errors: [], unknown: [], imports: [] };

/**
 * A `known` reader for parseTerraformDir over the live guests whose configs
 * were read (those of the managed set). A failed live read only means no
 * shortcut: the files are parsed, and the plan reports the read's error.
 */
export function generatedFiles(live: Promise<Map<number, LiveGuest>>): NonNullable<DirReadOptions["known"]> {
  return async (files, results) => {
    const guests = await live.catch(() => undefined);
    if (!guests) return files.map(() => undefined);
    const out = files.map((f) => guestFile(f, guests));
    // What sync's imports.tf holds: an import block for every guest it adopted.
    const adopted = [...results, ...out]
      .flatMap((r) => r?.specs ?? [])
      .filter((s) => guests.get(s.vmid)?.config !== undefined)
      .map((s) => ({ ...s, adopted: true }));
    return out.map((r, i) => r ?? otherFile(files[i], adopted));
  };
}

/** The spec of a file that is exactly what the generator writes for the live guest on its vm_id, else undefined. */
function guestFile(file: FileText, guests: Map<number, LiveGuest>): ParsedWorkspace | undefined {
  const vmid = readHeader(file.text)?.vmid;
  const guest = vmid === undefined ? undefined : guests.get(vmid);
  if (!guest?.config) return undefined;
  const { adopted: _adopted, ...spec } = { ...specFromPve({ ...guest, config: guest.config }), resourceName: basename(file.path, ".tf") };
  if (renderGuest(spec as GuestSpec) !== file.text) return undefined;
  const line = file.text.slice(0, file.text.indexOf("\nresource ") + 1).split("\n").length;
  return { ...EMPTY, specs: [{ ...(spec as GuestSpec), file: file.path, line }] };
}

/** A generated provider.tf, or the imports.tf of the adopted guests; else undefined. */
function otherFile(file: FileText, adopted: GuestSpec[]): ParsedWorkspace | undefined {
  if (file.text === renderProvider()) return { ...EMPTY, specs: [], errors: [], unknown: [], imports: [] };
  if (!adopted.length || file.text !== renderImports(adopted)) return undefined;
  const type = (s: GuestSpec): string => (s.kind === "lxc" ? CT_RESOURCE : VM_RESOURCE);
  const imports = adopted.map((s) => ({ file: file.path, resourceType: type(s), resourceName: s.resourceName, id: `${s.node}/${s.vmid}` }));
  return { ...EMPTY, imports: imports.sort((a, b) => (a.resourceName < b.resourceName ? -1 : a.resourceName > b.resourceName ? 1 : 0)) };
}
