/**
 * The slots of one step of a request, read from its tokens: which guests
 * (named, by vmid, by tag or name prefix from the store), kind, count,
 * sizes, cores, node, storage, tags, addresses, and the flags of the read
 * commands. Names are only ever taken from the store (NlContext) or, for a
 * new guest, from the words the user gave.
 */
import type { NlContext, NlGuest } from "../types.js";
import { indexOf, type Token } from "./analyze.js";
import { CORE_WORDS, CT_WORDS, DISK_WORDS, MEMORY_WORDS, NOT_ROLES, PRONOUNS, SIZE_UNITS, TIME_UNITS, VM_WORDS } from "./lexicon.js";

export interface Slots {
  /** vm / ct said explicitly ("vms", "containers"); "both" for guests / everything. */
  kind?: "vm" | "ct" | "both";
  /** A weak word for a VM was used (server, machine, instance). */
  vmish: boolean;
  resource?: "nodes" | "storage" | "tasks";
  /** Guests named (by name or vmid). */
  guests: NlGuest[];
  /** Name-like words the store does not know. */
  unknown: string[];
  /** A tag of the store's guests ("the web servers"). */
  tag?: string;
  /** Guests whose names start with a word said ("the k8s boxes" → k8s-…). */
  prefix?: { word: string; guests: NlGuest[] };
  /** The role of new guests ("3 web VMs"). */
  role?: string;
  /** Tags said with tag/tagged/label. */
  tags: string[];
  newName?: string;
  /** A name the store does not know, said right after a kind word ("create a vm qa-02"): a new guest's name when the step creates. */
  kindName?: string;
  count?: number;
  cores?: number;
  memory?: number;
  disk?: number;
  node?: string;
  /** Every node named, with the word before it ("to pve2", "from pve1"). */
  nodes: { name: string; before: string }[];
  /** Node-like words the store does not have ("on pve9"). */
  unknownNodes: string[];
  /** A backup's volume id. */
  volid?: string;
  /** A hyphenated snapshot name (before-upgrade). */
  label?: string;
  storage?: string;
  ip?: string;
  gateway?: string;
  status?: "running" | "stopped";
  pronoun: boolean;
  quoted?: string;
  since?: string;
  level?: "error" | "warn" | "debug";
  limit?: number;
  /** The step's words as typed (a report's summary). */
  reportText?: string;
  words: Set<string>;
}

const FILLER = new Set(["of", "for", "the", "a", "an", "with", "and", "on", "per", "each", "in", "to", "worth", ":", "=", ","]);
const CORE_PREFIX: Record<string, number> = { single: 1, dual: 2, quad: 4, hexa: 6, octa: 8 };
const LOG_UNITS = new Set(["line", "lines", "entry", "entries", "message", "messages", "event", "events", "log", "logs", "record", "records"]);
const KIND_NOUNS = (t: Token): boolean => VM_WORDS.has(t.lemma) || CT_WORDS.has(t.lemma) || VM_WORDS.has(t.text) || CT_WORDS.has(t.text) || t.lemma === "guest";

function kindOf(t: Token): "vm" | "ct" | "weak" | undefined {
  if (CT_WORDS.has(t.text) || CT_WORDS.has(t.lemma)) return "ct";
  if (["vm", "vms", "virtual", "qemu", "kvm", "virtualmachine"].includes(t.text) || t.lemma === "vm") return "vm";
  if (VM_WORDS.has(t.lemma) || VM_WORDS.has(t.text)) return "weak";
  return undefined;
}

const SKIP_AFTER = new Set(["of", "for", "the", "a", "an", "worth", "in"]);

/** memory / disk, from the words after a size ("8GB of RAM"). */
function wordAfter(tokens: readonly Token[], from: number): "memory" | "disk" | undefined {
  for (let j = from; j < tokens.length && j < from + 3; j++) {
    const t = tokens[j];
    if (MEMORY_WORDS.has(t.lemma) || MEMORY_WORDS.has(t.text)) return "memory";
    if (DISK_WORDS.has(t.lemma) || DISK_WORDS.has(t.text)) return "disk";
    if (!SKIP_AFTER.has(t.text)) return undefined;
  }
  return undefined;
}

/** memory / disk, from the nearest word before a size ("RAM of 8GB", "disk 50G"). */
function wordBefore(tokens: readonly Token[], at: number): "memory" | "disk" | undefined {
  for (let j = at - 1; j >= 0 && j >= at - 3; j--) {
    const t = tokens[j];
    if (t.num !== undefined || t.mention) return undefined;
    if (MEMORY_WORDS.has(t.lemma) || MEMORY_WORDS.has(t.text)) return "memory";
    if (DISK_WORDS.has(t.lemma) || DISK_WORDS.has(t.text)) return "disk";
  }
  return undefined;
}

/** Read the slots of one step. */
export function readSlots(tokens: readonly Token[], ctx: NlContext): Slots {
  const s: Slots = { vmish: false, guests: [], unknown: [], tags: [], pronoun: false, nodes: [], unknownNodes: [], words: new Set(tokens.map((t) => t.lemma)) };
  const index = indexOf(ctx);
  const ctxTags = index.tags;
  const used = new Set<number>();
  const at = (i: number): Token | undefined => tokens[i];
  const near = (i: number, dir: 1 | -1, set: Set<string>, reach = 3): boolean => {
    for (let k = 1, j = i + dir; k <= reach && j >= 0 && j < tokens.length; k++, j += dir) {
      const t = tokens[j];
      if (set.has(t.lemma) || set.has(t.text)) return true;
      if (t.num !== undefined || t.mention) return false;
    }
    return false;
  };

  let kinds = new Set<string>();
  tokens.forEach((t, i) => {
    const k = kindOf(t);
    if (k === "weak") s.vmish = true;
    else if (k) kinds.add(k);
    if (t.lemma === "guest" || t.text === "everything" || t.lemma === "workload") kinds.add("both");
    if (PRONOUNS.has(t.text)) s.pronoun = true;
    if (["node", "nodes", "hypervisor", "hypervisors", "cluster"].includes(t.text) && !at(i + 1)?.mention && !(at(i + 1)?.num !== undefined)) s.resource ??= t.text === "cluster" ? undefined : "nodes";
    if (["storage", "storages", "datastore", "datastores", "pool", "pools"].includes(t.text) && !near(i, -1, new Set(["xnum"]), 2) && tokens[i - 1]?.num === undefined) s.resource = "storage";
    if (["task", "tasks", "job", "jobs"].includes(t.text)) s.resource = "tasks";
    // "running", "stopped"; "up" / "down" only as a state ("which vms are down"), never as a verb's particle ("bring up").
    const state = ["are", "is", "be", "were", "was"].includes(tokens[i - 1]?.text ?? "");
    if (t.text === "running" || t.text === "online" || (state && t.text === "up")) s.status ??= "running";
    if (t.text === "stopped" || t.text === "offline" || (state && t.text === "down")) s.status ??= "stopped";
  });
  if (kinds.has("vm") && kinds.has("ct")) kinds = new Set(["both"]);
  s.kind = kinds.has("both") ? "both" : kinds.has("vm") ? "vm" : kinds.has("ct") ? "ct" : undefined;

  tokens.forEach((t, i) => {
    const m = t.mention;
    if (!m) return;
    const before = tokens[i - 1]?.lemma ?? "";
    if (m.kind === "guest") {
      if (!s.guests.includes(m.guest)) s.guests.push(m.guest);
    } else if (m.kind === "node") {
      if (m.unknown) s.unknownNodes.push(m.text);
      else {
        s.node ??= m.text;
        s.nodes.push({ name: m.text, before: before === "node" ? tokens[i - 2]?.lemma ?? "" : before });
      }
    } else if (m.kind === "volid") s.volid ??= m.text;
    else if (m.kind === "label") s.label ??= m.text;
    else if (m.kind === "storage") s.storage ??= m.text;
    else if (m.kind === "text") s.quoted ??= m.text;
    else if (m.kind === "ip") {
      if (["gateway", "gw", "via", "router"].includes(before) || tokens[i - 2]?.lemma === "gateway") s.gateway ??= m.text.replace(/\/\d+$/, "");
      else s.ip ??= m.text.includes("/") ? m.text : `${m.text}/24`;
    } else if (m.kind === "name") {
      if (["name", "call", "named", "called", "as"].includes(before) || tokens[i - 2]?.text === "name") s.newName ??= m.text.toLowerCase();
      else {
        if (VM_WORDS.has(before) || CT_WORDS.has(before) || VM_WORDS.has(tokens[i - 1]?.text ?? "") || CT_WORDS.has(tokens[i - 1]?.text ?? "")) s.kindName ??= m.text.toLowerCase();
        s.unknown.push(m.text);
      }
    }
    used.add(i);
  });

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const next = at(i + 1);
    // "named api", "call it gitlab", "name: billing".
    if (!s.newName && ["named", "called"].includes(t.text) && next && !next.mention && next.num === undefined && /^[a-z][a-z0-9-]*$/.test(next.text)) {
      s.newName = next.text;
      used.add(i + 1);
    }
    if (!s.newName && t.lemma === "call" && next && PRONOUNS.has(next.text) && at(i + 2) && !at(i + 2)?.mention && /^[a-z][a-z0-9-]*$/.test(at(i + 2)!.text)) {
      s.newName = at(i + 2)!.text;
      used.add(i + 2);
    }
    // "tagged prod", "with tag db", "label it monitoring".
    if (["tag", "tagged", "label", "labelled", "labeled"].includes(t.text) || t.lemma === "tag") {
      let j = i + 1;
      while (at(j) && ["with", "as", "it", "them", ":", "="].includes(at(j)!.text)) j++;
      const w = at(j);
      if (w && !w.mention && w.num === undefined && /^[a-z][a-z0-9_-]*$/.test(w.text) && !FILLER.has(w.text)) {
        if (!s.tags.includes(w.text)) s.tags.push(w.text);
        if (ctxTags.has(w.text)) s.tag ??= w.text;
        used.add(j);
      }
    }
    if (t.num === undefined) {
      // "quad-core", "dual core".
      if (t.text in CORE_PREFIX && next && CORE_WORDS.has(next.lemma === "-" ? at(i + 2)?.lemma ?? "" : next.lemma)) s.cores ??= CORE_PREFIX[t.text];
      continue;
    }
    const n = t.num;
    const unit = next ? (next.text in SIZE_UNITS ? next.text : next.lemma in SIZE_UNITS ? next.lemma : undefined) : undefined;
    if (unit) {
      const mib = n * SIZE_UNITS[unit];
      // The word right after the size decides ("8GB RAM", "a 50G disk"), else the nearest before it ("memory 8G", "disk: 50G").
      const what = wordAfter(tokens, i + 2) ?? wordBefore(tokens, i);
      if (what === "memory" || (!what && s.memory === undefined && mib <= 64 * 1024)) s.memory ??= mib;
      else s.disk ??= mib / 1024;
      i++;
      continue;
    }
    if (next && CORE_WORDS.has(next.lemma)) {
      s.cores ??= n;
      continue;
    }
    if (near(i, -1, CORE_WORDS, 2)) {
      s.cores ??= n;
      continue;
    }
    if (near(i, -1, MEMORY_WORDS, 2)) {
      s.memory ??= n < 256 ? n * 1024 : n;
      continue;
    }
    if (near(i, -1, DISK_WORDS, 2)) {
      s.disk ??= n >= 1024 ? n / 1024 : n;
      continue;
    }
    if (next && (next.text in TIME_UNITS || next.lemma in TIME_UNITS)) {
      const [k, u] = TIME_UNITS[next.text] ?? TIME_UNITS[next.lemma];
      s.since ??= `${n * k}${u}`;
      continue;
    }
    if (next && LOG_UNITS.has(next.text)) {
      s.limit ??= n;
      continue;
    }
    // "3 web VMs", "two more containers", "5 new debian boxes".
    for (let j = i + 1; j <= i + 3 && j < tokens.length; j++) {
      if (KIND_NOUNS(tokens[j])) {
        s.count ??= n;
        break;
      }
      if (tokens[j].num !== undefined || tokens[j].mention) break;
    }
  }

  // "last hour", "past day", "today".
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (["last", "past", "previous"].includes(t.text) && at(i + 1) && (at(i + 1)!.text in TIME_UNITS || at(i + 1)!.lemma in TIME_UNITS)) {
      const [k, u] = TIME_UNITS[at(i + 1)!.text] ?? TIME_UNITS[at(i + 1)!.lemma];
      s.since ??= `${k}${u}`;
    }
    if (t.text === "today" || t.text === "yesterday") s.since ??= "1d";
    if (["error", "errors", "failure", "failures", "failed", "fail", "wrong"].includes(t.text)) s.level ??= "error";
    if (["warning", "warnings", "warn"].includes(t.text)) s.level ??= "warn";
    if (t.text === "debug") s.level ??= "debug";
  }

  // Tags of the store and name prefixes: "the web servers", "k8s boxes".
  tokens.forEach((t, i) => {
    if (t.mention || t.num !== undefined || used.has(i) || t.text.length < 2) return;
    const word = t.text;
    const singular = word.endsWith("s") ? word.slice(0, -1) : word;
    // "backup all the web VMs": the verb, not the store's tag "backup" (that one stands before a kind noun: "the backup boxes").
    const verbNotTag = (word === "backup" || word === "backups" || word === "snapshot") && !(at(i + 1) && KIND_NOUNS(at(i + 1)!) || at(i + 1)?.text === "ones");
    const tag = verbNotTag ? undefined : ctxTags.has(word) ? word : ctxTags.has(singular) ? singular : undefined;
    if (tag && !s.tag) {
      s.tag = tag;
      return;
    }
    if (!s.prefix && !NOT_ROLES.has(word) && !FILLER.has(word)) {
      const guests = index.prefixes.get(word);
      if (guests?.length) s.prefix = { word, guests };
    }
  });

  // The role of new guests: the word before the kind noun ("3 web VMs"), or after "for" ("VMs for the api").
  for (let i = 0; i < tokens.length && !s.role; i++) {
    if (!KIND_NOUNS(tokens[i])) continue;
    for (let j = i - 1; j >= 0 && j >= i - 3; j--) {
      const w = tokens[j];
      if (w.num !== undefined || w.mention) break;
      if (/^[a-z][a-z0-9]*$/.test(w.text) && !NOT_ROLES.has(w.text) && !FILLER.has(w.text) && !kindOf(w) && !CORE_WORDS.has(w.text) && !/^(create|make|spin|provision|deploy|build|launch|add|need|want|set|give|new|start|get|i|we|please|quickly|up|stand|bring|fire|like|d|'d)$/.test(w.lemma)) {
        s.role = w.text;
        break;
      }
      if (!NOT_ROLES.has(w.text) && !FILLER.has(w.text)) break;
    }
    const f = tokens[i + 1];
    if (!s.role && f?.text === "for") {
      const w = tokens[i + 2]?.text === "the" ? tokens[i + 3] : tokens[i + 2];
      if (w && !w.mention && w.num === undefined && /^[a-z][a-z0-9]*$/.test(w.text) && !NOT_ROLES.has(w.text)) s.role = w.text;
    }
  }
  return s;
}
