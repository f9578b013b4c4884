/**
 * What hcl2json does not give: where each resource starts (line numbers),
 * and the `# pve…` comment lines proxmox-mpc writes inside a resource.
 */
import { EXTRA_PREFIX, UNMAPPED_PREFIX, unescapeCommentValue, VOLUME_PREFIX } from "../render-common.js";
import { parseProps } from "../../../pve/property-string.js";

/** Where a resource block is in a file (1-based lines, end inclusive). */
export interface ResourceLocation {
  type: string;
  name: string;
  line: number;
  endLine: number;
}

const RESOURCE = /^\s*resource\s+("([^"]*)"|([\w-]+))\s+("([^"]*)"|([\w-]+))\s*\{/;
const TOP_LEVEL = /^[A-Za-z_]/;

/** Every `resource "T" "N" {` of a text, with the line range up to the next top-level block. */
export function locateResources(text: string): ResourceLocation[] {
  const lines = text.split("\n");
  const out: ResourceLocation[] = [];
  lines.forEach((line, i) => {
    const m = RESOURCE.exec(line);
    if (m) {
      const last = out[out.length - 1];
      if (last && last.endLine === lines.length) last.endLine = i;
      out.push({ type: m[2] ?? m[3], name: m[5] ?? m[6], line: i + 1, endLine: lines.length });
    } else if (TOP_LEVEL.test(line)) {
      const last = out[out.length - 1];
      if (last && last.endLine === lines.length && i + 1 > last.line) last.endLine = i;
    }
  });
  return out;
}

/** The `# pve…` comments of one resource. */
export interface PveComments {
  /** `# pve: key = value`: keys the model does not map. */
  unmapped: Record<string, string>;
  /** `# pve-volume: key = volume[,size=…]`. */
  volumes: Record<string, { volume?: string; size?: string }>;
  /** `# pve-extra: key = options`. */
  extras: Record<string, Record<string, string>>;
}

function commentLine(prefix: string): RegExp {
  return new RegExp(`^\\s*#\\s*${prefix.replace(/[-:]/g, (c) => `\\${c}`)}\\s+(\\S+)\\s*=\\s?(.*)$`);
}

const UNMAPPED = commentLine(UNMAPPED_PREFIX);
const VOLUME = commentLine(VOLUME_PREFIX);
const EXTRA = commentLine(EXTRA_PREFIX);

/** Collect the `# pve…` comments between two lines (1-based, inclusive). */
export function pveComments(text: string, from: number, to: number): PveComments {
  const out: PveComments = { unmapped: {}, volumes: {}, extras: {} };
  const lines = text.split("\n").slice(from - 1, to);
  for (const line of lines) {
    let m = UNMAPPED.exec(line);
    if (m) {
      out.unmapped[m[1]] = unescapeCommentValue(m[2]);
      continue;
    }
    m = VOLUME.exec(line);
    if (m) {
      const props = parseProps(m[2], "volume");
      out.volumes[m[1]] = { volume: props.volume || undefined, size: props.size };
      continue;
    }
    m = EXTRA.exec(line);
    if (m) out.extras[m[1]] = parseProps(unescapeCommentValue(m[2]));
  }
  return out;
}
