/**
 * Capacity against the nodes and storage of the last sync: a guest's vCPUs
 * fit its node, its memory fits its node (and the guests set to run on a
 * node fit it together, a warning because ballooning and KSM stretch it),
 * and the disks of guests still to create fit the free space of their
 * storage.
 */
import { DEFAULT_MEMORY_MIB, mountPointGiB, vcpus } from "./guest-facts.js";
import { argumentLine } from "./locate.js";
import { guestIndex, storageIndex } from "./references.js";
import { CheckRecorder, plural, type CheckInput, type CheckResult, type Guest } from "./types.js";

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

function gib(mib: number): string {
  const v = mib / 1024;
  return `${Number.isInteger(v) ? v : v.toFixed(1)} GiB`;
}

/** cpu-capacity: cores × sockets of each guest ≤ the node's CPUs. */
export function checkCpu(input: CheckInput): CheckResult[] {
  const rec = new CheckRecorder("cpu-capacity", input.root);
  if (!input.facts.synced) {
    rec.skip("nothing synced yet: node sizes unknown (run `proxmox-mpc sync`)");
    return rec.results;
  }
  const nodes = new Map(input.facts.nodes.map((n) => [n.name, n]));
  for (const g of input.terraform.specs) {
    const node = nodes.get(g.node);
    const want = vcpus(g);
    if (!node || !node.maxcpu || want <= node.maxcpu) continue;
    const what = g.kind === "qemu" && (g.cpu.sockets ?? 1) > 1 ? `${want} vCPUs (${g.cpu.cores ?? 1} cores × ${g.cpu.sockets} sockets)` : `${want} cores`;
    rec.fail(`${g.name} asks for ${what}; ${g.node} has ${node.maxcpu}`, g.file, argumentLine(input.terraform.texts.get(g.file), g.line, "cpu.cores"));
  }
  return rec.done("every guest's cores fit its node");
}

/** memory-capacity: each guest's memory ≤ its node's; the guests set to run on a node together (warning). */
export function checkMemory(input: CheckInput): CheckResult[] {
  const rec = new CheckRecorder("memory-capacity", input.root);
  if (!input.facts.synced) {
    rec.skip("nothing synced yet: node sizes unknown (run `proxmox-mpc sync`)");
    return rec.results;
  }
  const nodes = new Map(input.facts.nodes.map((n) => [n.name, n]));
  const running = new Map<string, { mib: number; guests: number }>();
  for (const g of input.terraform.specs) {
    const node = nodes.get(g.node);
    if (!node?.maxmem) continue;
    const mib = g.memory.dedicated ?? DEFAULT_MEMORY_MIB;
    const nodeMib = node.maxmem / MIB;
    if (mib > nodeMib) rec.fail(`${g.name} asks for ${gib(mib)} of memory; ${g.node} has ${gib(nodeMib)}`, g.file, argumentLine(input.terraform.texts.get(g.file), g.line, "memory.dedicated"));
    if (g.started && !g.template) {
      const sum = running.get(g.node) ?? { mib: 0, guests: 0 };
      running.set(g.node, { mib: sum.mib + mib, guests: sum.guests + 1 });
    }
  }
  for (const [name, sum] of [...running.entries()].sort()) {
    const nodeMib = (nodes.get(name)?.maxmem ?? 0) / MIB;
    if (sum.mib > nodeMib) rec.warn(`the ${plural(sum.guests, "guest")} set to run on ${name} want ${gib(sum.mib)} of memory together; the node has ${gib(nodeMib)}`);
  }
  return rec.done("every guest's memory fits its node");
}

/** The new disks of a guest: storage, GiB and argument path. */
function newDisks(g: Guest): { storage: string; gib: number; path: string }[] {
  if (g.kind === "qemu") {
    // A disk with a recorded volume exists already (an edited adopted file); the rest is allocated.
    return g.disks.map((d, i) => ({ storage: d.datastoreId, gib: d.sizeGiB, path: `disk[${i}].size`, exists: Boolean(d.volume) })).filter((d) => !d.exists);
  }
  const out = g.rootDisk && !g.rootDisk.volume ? [{ storage: g.rootDisk.datastoreId, gib: g.rootDisk.sizeGiB, path: "disk.size" }] : [];
  g.mountPoints.forEach((m, i) => {
    const alloc = /^([^/:]+):(\d+(?:\.\d+)?)$/.exec(m.volume);
    if (alloc) out.push({ storage: alloc[1], gib: mountPointGiB(m.volume, m.size), path: `mount_point[${i}].size` });
  });
  return out;
}

/** disk-capacity: the disks of guests not yet created fit the free space of their storage (shared storage counted once). */
export function checkDisks(input: CheckInput): CheckResult[] {
  const rec = new CheckRecorder("disk-capacity", input.root);
  if (!input.facts.synced) {
    rec.skip("nothing synced yet: free space unknown (run `proxmox-mpc sync`)");
    return rec.results;
  }
  const cluster = guestIndex(input.facts.guests);
  const index = storageIndex(input.facts.storage);
  const used = new Map<string, { gib: number; guests: string[]; reported: boolean }>();
  let creates = 0;
  for (const g of input.terraform.specs) {
    if (cluster.has(g.vmid)) continue;
    creates++;
    for (const d of newDisks(g)) {
      const s = index.get(`${g.node}/${d.storage}`);
      if (!s) continue; // reported by `storage`
      const key = s.shared ? s.storage : `${g.node}/${s.storage}`;
      const sum = used.get(key) ?? { gib: 0, guests: [], reported: false };
      sum.gib += d.gib;
      if (!sum.guests.includes(g.name)) sum.guests.push(g.name);
      used.set(key, sum);
      const free = s.avail / GIB;
      if (sum.gib > free && !sum.reported) {
        sum.reported = true;
        const others = sum.guests.length > 1 ? `new guests need ${Math.ceil(sum.gib)} GiB there (${sum.guests.join(", ")})` : `it needs ${Math.ceil(sum.gib)} GiB`;
        rec.fail(`the disks of ${g.name} do not fit on ${s.storage}${s.shared ? "" : ` (${g.node})`}: ${others}; ${Math.floor(free)} GiB free at the last sync`, g.file, argumentLine(input.terraform.texts.get(g.file), g.line, d.path));
      }
    }
  }
  return rec.done(creates ? `the disks of ${plural(creates, "new guest")} fit their storage` : "no new guest needs disk space");
}
