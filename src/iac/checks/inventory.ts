/**
 * The Ansible inventory (ansible/inventory.yml, written by sync) agrees with
 * the Terraform guests: the same non-template guests are hosts, under the
 * same names, with the same proxmox_vmid. A guest that is still to be created
 * is not in the inventory yet (sync adds it after apply): a warning only.
 */
import { readFile } from "node:fs/promises";
import type { GuestRecord } from "../../state/types.js";
import { hostNames } from "../ansible/index.js";
import { guestIndex } from "./references.js";
import { CheckRecorder, plural, type CheckInput, type CheckResult, type Guest } from "./types.js";
import { sha256, type ParseCache } from "./parse-cache.js";
import { lineAt, readYaml, type YamlDocument, type YamlPosition } from "./yaml-positions.js";

type HostVars = Record<string, unknown>;

/** The hosts of an inventory document (`all.hosts`, and hosts listed under groups). */
function inventoryHosts(doc: unknown): Map<string, HostVars> | undefined {
  const all = isMapping(doc) ? doc.all : undefined;
  if (!isMapping(all)) return undefined;
  const hosts = new Map<string, HostVars>();
  const collect = (group: Record<string, unknown>): void => {
    if (isMapping(group.hosts)) {
      // A host listed in several groups: Ansible merges its variables.
      for (const [name, vars] of Object.entries(group.hosts)) hosts.set(name, { ...(hosts.get(name) ?? {}), ...(isMapping(vars) ? vars : {}) });
    }
    if (isMapping(group.children)) for (const child of Object.values(group.children)) if (isMapping(child)) collect(child);
  };
  collect(all);
  return hosts;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** inventory: ansible/inventory.yml lists exactly the non-template guests of terraform/, with the same vmids. */
export async function checkInventory(input: CheckInput, inventoryPath: string, cache?: ParseCache): Promise<CheckResult[]> {
  const rec = new CheckRecorder("inventory", input.root);
  const file = rec.relative(inventoryPath);
  let text: string;
  try {
    text = await readFile(inventoryPath, "utf8");
  } catch {
    rec.warn(`${file} is missing: run \`proxmox-mpc sync\` to write it`);
    return rec.results;
  }
  let yaml: YamlDocument | undefined;
  const hash = sha256(text);
  const cached = cache?.inventoryHosts(hash);
  let hosts: Map<string, HostVars> | undefined = cached && new Map(cached.map(([name, vmid]) => [name, vmid === undefined ? {} : { proxmox_vmid: vmid }]));
  if (!hosts) {
    try {
      yaml = readYaml(text);
    } catch (err) {
      const mark = (err as { mark?: { line?: number } }).mark;
      const reason = (err as { reason?: string }).reason ?? (err instanceof Error ? err.message.split("\n")[0] : String(err));
      rec.fail(`${file} is not valid YAML: ${reason}`, inventoryPath, mark?.line !== undefined ? mark.line + 1 : undefined);
      return rec.results;
    }
    hosts = inventoryHosts(yaml.value);
    if (!hosts) {
      rec.fail(`${file} has no \`all:\` group: it is not an Ansible YAML inventory`, inventoryPath, 1);
      return rec.results;
    }
    cache?.setInventoryHosts(hash, [...hosts].map(([name, vars]) => [name, vars.proxmox_vmid]));
  }
  // Line numbers are needed only to report a problem: the YAML is parsed for them then.
  const positions = (): YamlPosition | undefined => (yaml ??= readYaml(text)).positions();
  const hostLine = (name: string): number | undefined => lineAt(positions(), "all", "hosts", name);
  const guests = input.terraform.specs.filter((g) => !g.template && Number.isFinite(g.vmid));
  // The same host names sync gives (a shared name becomes <name>-<vmid>).
  const names = hostNames(guests.map((g) => ({ vmid: g.vmid, name: g.name })) as GuestRecord[]);
  const cluster = guestIndex(input.facts.guests);
  const expected = new Map<string, Guest>();
  for (const g of guests) expected.set(names.get(g.vmid) ?? g.name, g);

  const hostOfVmid = new Map<unknown, string>();
  for (const [host, vars] of hosts) if (!hostOfVmid.has(vars.proxmox_vmid)) hostOfVmid.set(vars.proxmox_vmid, host);
  const byVmid = new Map([...expected.values()].map((g) => [g.vmid, g]));

  for (const [name, g] of expected) {
    const vars = hosts.get(name);
    if (vars === undefined) {
      const other = hostOfVmid.get(g.vmid);
      if (other !== undefined && !expected.has(other)) continue; // the same guest under another name: reported below
      if (cluster.get(g.vmid)?.name === g.name) rec.fail(`${name} (${rec.where(g)}) is not a host in ${file}: run \`proxmox-mpc sync\``, inventoryPath);
      else rec.warn(`${name} is not in ${file} yet: sync adds it once it exists (after apply)`, g.file, g.line);
      continue;
    }
    const vmid = vars.proxmox_vmid;
    const line = (): number | undefined => lineAt(positions(), "all", "hosts", name, "proxmox_vmid") ?? hostLine(name);
    if (vmid === undefined) rec.fail(`host ${name} has no proxmox_vmid; ${rec.where(g)} says vm_id ${g.vmid}`, inventoryPath, line());
    else if (vmid !== g.vmid) rec.fail(`host ${name} has proxmox_vmid ${String(vmid)}; ${rec.where(g)} says vm_id ${g.vmid}`, inventoryPath, line());
  }
  for (const [name, vars] of hosts) {
    if (expected.has(name)) continue;
    const g = typeof vars.proxmox_vmid === "number" ? byVmid.get(vars.proxmox_vmid) : undefined;
    if (!g) rec.fail(`host ${name} in ${file} has no guest in terraform/`, inventoryPath, hostLine(name));
    // The file renames a guest the cluster still has under its old name: the inventory follows after apply and sync.
    else if (cluster.get(g.vmid)?.name === name) rec.warn(`${g.name} (${rec.where(g)}) is still ${name} in ${file}: sync renames it after apply`, inventoryPath, hostLine(name));
    else rec.fail(`host ${name} has proxmox_vmid ${g.vmid}, which is ${g.name} in ${rec.where(g)}: run \`proxmox-mpc sync\``, inventoryPath, hostLine(name));
  }
  return rec.done(`${file} matches the Terraform guests (${plural(expected.size, "host")})`);
}
