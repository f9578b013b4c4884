/**
 * Uniqueness across all guests of the workspace: VMIDs (also against guests
 * of the cluster that have no file), names (valid DNS names), and static IP
 * addresses (valid ones).
 */
import { isIPv4, isIPv6 } from "node:net";
import { guestFacts } from "./guest-facts.js";
import { argumentLine } from "./locate.js";
import { guestIndex } from "./references.js";
import { CheckRecorder, plural, type CheckInput, type CheckResult, type Guest } from "./types.js";

const label = (g: Guest): string => g.name || g.resourceName;

/**
 * Specs grouped by a key, in file order. In a group of several, the one the
 * cluster agrees with (`owns`) keeps the value and the others are reported;
 * without one, the first keeps it.
 */
function duplicates(specs: Guest[], key: (g: Guest) => string | number, owns: (g: Guest) => boolean): { owner: Guest; others: Guest[] }[] {
  const groups = new Map<string | number, Guest[]>();
  for (const g of specs) {
    const list = groups.get(key(g));
    if (list) list.push(g);
    else groups.set(key(g), [g]);
  }
  const out: { owner: Guest; others: Guest[] }[] = [];
  for (const list of groups.values()) {
    if (list.length < 2) continue;
    const owner = list.find(owns) ?? list[0];
    out.push({ owner, others: list.filter((g) => g !== owner) });
  }
  return out;
}

/** unique-vmids: every vm_id is used once, in PVE's range, and not taken in the cluster by another guest. */
export function checkVmids(input: CheckInput): CheckResult[] {
  const rec = new CheckRecorder("unique-vmids", input.root);
  const cluster = guestIndex(input.facts.guests);
  const line = (g: Guest): number => argumentLine(input.terraform.texts.get(g.file), g.line, "vm_id");
  const reported = new Set<Guest>();
  for (const { owner, others } of duplicates(input.terraform.specs, (g) => g.vmid, (g) => cluster.get(g.vmid)?.name === g.name)) {
    for (const g of others) {
      reported.add(g);
      rec.fail(`vm_id ${g.vmid} is also used by ${rec.where(owner)} (${label(owner)})`, g.file, line(g));
    }
  }
  for (const g of input.terraform.specs) {
    if (reported.has(g)) continue;
    if (!Number.isInteger(g.vmid) || g.vmid < 100 || g.vmid > 999_999_999) {
      rec.fail(`vm_id ${g.vmid} of ${label(g)} is outside PVE's range 100..999999999`, g.file, line(g));
      continue;
    }
    // A new guest (no import block) whose VMID another guest already has in the cluster.
    const other = cluster.get(g.vmid);
    if (!g.adopted && other && (other.name !== g.name || other.type !== g.kind)) {
      rec.fail(`vm_id ${g.vmid} is taken in the cluster by ${other.name} (${other.type} on ${other.node}); ${label(g)} needs another one`, g.file, line(g));
    }
  }
  return rec.done(`${plural(new Set(input.terraform.specs.map((g) => g.vmid)).size, "vm_id")} used once each`);
}

const DNS_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Why `name` is not a valid DNS name, or undefined when it is. */
export function invalidDnsName(name: string): string | undefined {
  if (name.length > 253) return "is longer than 253 characters";
  for (const part of name.split(".")) {
    if (!part) return "has an empty label (two dots, or a dot at an end)";
    if (part.length > 63) return `has a label longer than 63 characters (${part.slice(0, 20)}…)`;
    if (!DNS_LABEL.test(part)) return "must be letters, digits and hyphens (no hyphen at the start or end of a label)";
  }
  return undefined;
}

/** unique-names: names are valid DNS names and no two guests share one (case-insensitive). */
export function checkNames(input: CheckInput): CheckResult[] {
  const rec = new CheckRecorder("unique-names", input.root);
  const line = (g: Guest): number => argumentLine(input.terraform.texts.get(g.file), g.line, g.kind === "lxc" ? "initialization.hostname" : "name");
  const named: Guest[] = [];
  for (const g of input.terraform.specs) {
    if (!g.name) {
      rec.warn(`${g.resourceName} (vm_id ${g.vmid}) has no name: Ansible and DNS cannot address it`, g.file, line(g));
      continue;
    }
    named.push(g);
    const why = invalidDnsName(g.name);
    if (why) rec.fail(`name "${g.name}" ${why}`, g.file, line(g));
  }
  const cluster = guestIndex(input.facts.guests);
  for (const { owner, others } of duplicates(named, (g) => g.name.toLowerCase(), (g) => cluster.get(g.vmid)?.name === g.name)) {
    for (const g of others) rec.fail(`name ${g.name} is also used by ${rec.where(owner)} (vm_id ${owner.vmid})`, g.file, line(g));
  }
  return rec.done(`${plural(new Set(named.map((g) => g.name.toLowerCase())).size, "name")} unique, valid DNS names`);
}

/** Why a CIDR address is invalid, or undefined. */
export function invalidCidr(cidr: string): string | undefined {
  const [ip, prefix, ...rest] = cidr.split("/");
  if (rest.length) return "has more than one /";
  const v4 = isIPv4(ip);
  if (!v4 && !isIPv6(ip)) return "is not an IP address";
  if (prefix === undefined) return "needs a prefix length (10.0.0.5/24)";
  const bits = Number(prefix);
  if (!/^\d{1,3}$/.test(prefix) || bits > (v4 ? 32 : 128)) return `has an invalid prefix length /${prefix}`;
  return undefined;
}

/** unique-ips: static addresses are valid and no two running-capable guests share one. Templates are left out. */
export function checkIps(input: CheckInput): CheckResult[] {
  const rec = new CheckRecorder("unique-ips", input.root);
  const seen = new Map<string, Guest>();
  for (const g of input.terraform.specs) {
    if (g.template) continue;
    for (const a of guestFacts(g).addresses) {
      const line = (): number => argumentLine(input.terraform.texts.get(g.file), g.line, a.path);
      const why = invalidCidr(a.cidr);
      if (why) {
        rec.fail(`address ${a.cidr} of ${label(g)} ${why}`, g.file, line());
        continue;
      }
      const ip = a.cidr.split("/")[0].toLowerCase();
      const first = seen.get(ip);
      if (first && first !== g) rec.fail(`IP ${ip} of ${label(g)} is also used by ${rec.where(first)} (${label(first)})`, g.file, line());
      else if (first === g) rec.fail(`IP ${ip} is set twice on ${label(g)}`, g.file, line());
      else seen.set(ip, g);
    }
  }
  return rec.done(`${plural(seen.size, "static IP address", "static IP addresses")} used once each`);
}
