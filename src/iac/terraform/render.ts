/**
 * Terraform text for guests: one resource file per guest, provider.tf and
 * imports.tf. Output is already in `terraform fmt` layout and deterministic.
 *
 * Every generated file starts with a header that records the SHA-256 of the
 * rest of the file, so a later run can tell an untouched file (safe to
 * rewrite) from a hand-edited one (kept, and reported with a diff).
 */
import { createHash } from "node:crypto";
import { fillTemplate, readTemplate } from "../../core/templates.js";
import type { GuestSpec } from "../model.js";
import { attr, block, BLANK, expr, renderFile, type HclItem } from "./hcl/writer.js";
import { CT_RESOURCE, VM_RESOURCE } from "./render-common.js";
import { lxcItems } from "./render-lxc.js";
import { qemuItems } from "./render-qemu.js";

/** The provider version constraint written to provider.tf (its `{{PROVIDER_VERSION}}`). */
export const PROVIDER_VERSION = "~> 0.103";

const HEADER = /^# Managed by proxmox-mpc: (.*)\. Edit freely: proxmox-mpc keeps hand edits \(sha256:([0-9a-f]{64})\)$/;

/** The resource type of a spec. */
export function resourceType(spec: Pick<GuestSpec, "kind">): string {
  return spec.kind === "lxc" ? CT_RESOURCE : VM_RESOURCE;
}

/** SHA-256 (hex) of a text. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Put the header (with the body's hash) in front of a generated body. */
export function withHeader(subject: string, body: string): string {
  return `# Managed by proxmox-mpc: ${subject}. Edit freely: proxmox-mpc keeps hand edits (sha256:${sha256(body)})\n${body}`;
}

/** What a file's header says, and whether its body still has the recorded hash. */
export interface HeaderInfo {
  subject: string;
  hash: string;
  /** The body is byte-identical to what proxmox-mpc wrote. */
  untouched: boolean;
  /** The vmid of a guest file ("100 on pve"). */
  vmid?: number;
}

/** Read the header of a file; undefined when it has none (not written by proxmox-mpc). */
export function readHeader(text: string): HeaderInfo | undefined {
  const newline = text.indexOf("\n");
  const first = newline === -1 ? text : text.slice(0, newline);
  const m = HEADER.exec(first);
  if (!m) return undefined;
  const body = newline === -1 ? "" : text.slice(newline + 1);
  const vmid = /^(\d+) on /.exec(m[1]);
  return { subject: m[1], hash: m[2], untouched: sha256(body) === m[2], vmid: vmid ? Number(vmid[1]) : undefined };
}

/** The resource block of a guest, without header. */
export function renderGuestBody(spec: GuestSpec): string {
  const body = spec.kind === "lxc" ? lxcItems(spec) : qemuItems(spec);
  return renderFile([block("resource", body, [resourceType(spec), spec.resourceName])]);
}

/** The file of one guest: header + its resource block. */
export function renderGuest(spec: GuestSpec): string {
  return withHeader(`${spec.vmid} on ${spec.node}`, renderGuestBody(spec));
}

/**
 * provider.tf: the provider and its version; credentials and endpoint come
 * from the environment. The text is templates/terraform/provider.tf with
 * PROVIDER_VERSION filled in.
 */
export function renderProvider(): string {
  return fillTemplate(readTemplate("terraform/provider.tf"), { PROVIDER_VERSION });
}

/** imports.tf: an `import` block per adopted guest (Terraform ≥ 1.5), sorted by resource name. */
/** What an import block needs of a guest. */
export type ImportedGuest = Pick<GuestSpec, "kind" | "resourceName" | "node" | "vmid" | "adopted">;

export function renderImports(specs: readonly ImportedGuest[]): string {
  const adopted = specs.filter((s) => s.adopted).sort((a, b) => (a.resourceName < b.resourceName ? -1 : a.resourceName > b.resourceName ? 1 : 0));
  const items: HclItem[] = [];
  for (const spec of adopted) {
    if (items.length) items.push(BLANK);
    items.push(block("import", [attr("to", expr(`${resourceType(spec)}.${spec.resourceName}`)), attr("id", `${spec.node}/${spec.vmid}`)]));
  }
  return withHeader("imports for guests found by sync", renderFile(items));
}
