/**
 * Named string formats of the PVE schema ("pve-vmid", "mac-addr", ...), with
 * the same checks and error texts as PVE::JSONSchema and friends. A format is
 * either a validator (returns PVE's error text, or undefined when valid) or a
 * property-string schema. Formats not listed here are accepted as they are.
 * `X-list` (comma/semicolon/space separated) and `X-opt` (empty allowed)
 * variants of every validator are handled by the caller.
 */
import { parseSize } from "../size.js";
import type { PropertySchema } from "./types.js";

export type FormatValidator = (value: string) => string | undefined;
export type NamedFormat = FormatValidator | Record<string, PropertySchema>;

const IPV4_OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4_RE = new RegExp(`^${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}$`);
const DNS_LABEL = "([a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?)";
const DNS_RE = new RegExp(`^(${DNS_LABEL}\\.)*${DNS_LABEL}$`);
const VOLUME_ID_RE = /^([a-z][a-z0-9\-_.]*[a-z0-9]):(.+)$/i;

/** IPv6 check without a giant regex: 8 groups, or fewer with one "::", optional IPv4 tail. */
export function isIPv6(text: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split("::").length > 2) return false;
  let groups = text.split(":");
  let extra = 0;
  const last = groups[groups.length - 1];
  if (last.includes(".")) {
    if (!IPV4_RE.test(last)) return false;
    groups = groups.slice(0, -1);
    extra = 2;
  }
  const filled = groups.filter((g) => g !== "");
  if (!filled.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  const total = filled.length + extra;
  return text.includes("::") ? total <= 7 : total === 8;
}

const isIPv4 = (t: string): boolean => IPV4_RE.test(t);

function cidr(text: string, v6: boolean): boolean {
  const m = /^(.+)\/(\d+)$/.exec(text);
  if (!m) return false;
  const bits = Number(m[2]);
  return v6 ? isIPv6(m[1]) && bits > 7 && bits <= 128 : isIPv4(m[1]) && bits > 7 && bits <= 32;
}

const check =
  (re: RegExp, message: (v: string) => string): FormatValidator =>
  (v) =>
    re.test(v) ? undefined : message(v);

const STORAGE_CONTENT = ["images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import", "none"];

/** The named formats the validator knows. */
export const NAMED_FORMATS: Record<string, NamedFormat> = {
  "pve-vmid": check(/^[1-9][0-9]{2,8}$/, () => "value does not look like a valid VM ID"),
  "pve-node": check(/^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)$/, () => "value does not look like a valid node name"),
  "pve-storage-id": check(/^[a-z][a-z0-9\-_.]*[a-z0-9]$/i, (v) => `storage ID '${v}' contains illegal characters`),
  "pve-bridge-id": check(/^[-_.\w]+$/, (v) => `invalid bridge ID '${v}'`),
  "pve-configid": check(/^[a-z][a-z0-9_-]+$/i, (v) => `invalid configuration ID '${v}'`),
  "pve-poolid": check(/^[A-Za-z0-9_\-/]+$/, (v) => `invalid pool ID '${v}'`),
  "pve-tag": check(/^[a-z0-9_][a-z0-9_\-+.]*$/i, () => "invalid characters in tag"),
  "dns-name": check(DNS_RE, () => "value does not look like a valid DNS name"),
  "mac-addr": check(/^[a-f0-9][02468ace](?::[a-f0-9]{2}){5}$/i, () => "value does not look like a valid unicast MAC address"),
  urlencoded: check(/^[-%a-zA-Z0-9_.!~*'()]*$/, (v) => `invalid urlencoded string: ${v}`),
  ipv4: (v) => (isIPv4(v) ? undefined : "value does not look like a valid IPv4 address"),
  ipv6: (v) => (isIPv6(v) ? undefined : "value does not look like a valid IPv6 address"),
  ip: (v) => (isIPv4(v) || isIPv6(v) ? undefined : "value does not look like a valid IP address"),
  address: (v) => (isIPv4(v) || isIPv6(v) || DNS_RE.test(v) ? undefined : `value does not look like a valid address: ${v}`),
  CIDRv4: (v) => (cidr(v, false) ? undefined : "value does not look like a valid IPv4 CIDR network"),
  CIDRv6: (v) => (cidr(v, true) ? undefined : "value does not look like a valid IPv6 CIDR network"),
  CIDR: (v) => (cidr(v, false) || cidr(v, true) ? undefined : "value does not look like a valid CIDR network"),
  "pve-ipv4-config": (v) =>
    /^(dhcp|manual)$/.test(v) || cidr(v, false) ? undefined : "value does not look like a valid ipv4 network configuration",
  "pve-ipv6-config": (v) =>
    /^(auto|dhcp|manual)$/.test(v) || cidr(v, true) ? undefined : "value does not look like a valid ipv6 network configuration",
  "disk-size": (v) => (parseSize(v, { strict: true }) === undefined ? `value does not look like a valid disk size: ${v}` : undefined),
  "pve-volume-id": check(VOLUME_ID_RE, (v) => `unable to parse volume ID '${v}'`),
  "pve-volume-id-or-qm-path": (v) =>
    VOLUME_ID_RE.test(v) || v.startsWith("/") || v === "none" || v === "cdrom" ? undefined : `invalid volume '${v}'`,
  "pve-storage-content": (v) => (STORAGE_CONTENT.includes(v) ? undefined : `invalid content type '${v}'`),
  "pve-startup-order": (v) =>
    v.split(",").every((p) => /^\s*$/.test(p) || /^(order=)?\d+$/.test(p) || /^(up|down)=\d+$/.test(p))
      ? undefined
      : "unable to parse startup options",
  "pve-qm-ipconfig": {
    ip: { type: "string", format: "pve-ipv4-config", optional: 1 },
    gw: { type: "string", format: "ipv4", optional: 1 },
    ip6: { type: "string", format: "pve-ipv6-config", optional: 1 },
    gw6: { type: "string", format: "ipv6", optional: 1 },
  },
  "pve-qm-boot": {
    legacy: { type: "string", pattern: "[acdn]{1,4}", default_key: 1, optional: 1 },
    order: { type: "string", optional: 1 },
  },
  "pve-vm-cpu-conf": {
    cputype: { type: "string", default_key: 1, optional: 1 },
    flags: { type: "string", optional: 1 },
    hidden: { type: "boolean", optional: 1 },
    "hv-vendor-id": { type: "string", optional: 1 },
    "phys-bits": { type: "string", optional: 1 },
    "guest-phys-bits": { type: "integer", optional: 1 },
    "reported-model": { type: "string", optional: 1 },
  },
  "pve-qm-smbios1": {
    uuid: { type: "string", optional: 1 },
    version: { type: "string", optional: 1 },
    serial: { type: "string", optional: 1 },
    manufacturer: { type: "string", optional: 1 },
    product: { type: "string", optional: 1 },
    sku: { type: "string", optional: 1 },
    family: { type: "string", optional: 1 },
    base64: { type: "boolean", optional: 1 },
  },
};
