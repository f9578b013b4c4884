#!/usr/bin/env node
/**
 * The natural-language data set: `node scripts/nl-dataset.mjs` (after
 * `npm run build`) writes data/nl/{context.json,train.jsonl,dev.jsonl,test.jsonl}
 * reproducibly (seeded). Each example is {input, commands, safety, intent}:
 * the expected command lines are built here from the template's slot values
 * (never by the parser), the safety from the registry's metadata.
 *
 * Every intent has several sentence frames; frames are dealt to the splits
 * (most to train, one in five to dev, one in five to test), so dev and test
 * hold phrasings the model never saw in training, and test's were never
 * looked at while tuning. Paraphrases of verbs, sizes, counts and names are
 * shared. data/nl/hard.jsonl holds hand-written hard cases (kept by hand).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { COMMANDS } from "../dist/commands/registry.js";
import { planSafety } from "../dist/nl/types.js";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "..", "data", "nl");
const SIZES = { train: 8000, dev: 2000, test: 2000 };

/** mulberry32: a small seeded generator, so the data set is the same on every run. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let random = rng(20261128);
const pick = (list) => list[Math.floor(random() * list.length)];
const chance = (p) => random() < p;
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));

/** The store the examples talk about (the console fills the same shape from the real store). */
const g = (vmid, name, type, node, tags, status) => ({ name, vmid, type, node, tags, status });
export const CONTEXT = {
  nodes: ["pve1", "pve2", "pve3"],
  storages: ["local", "local-lvm", "ceph-pool", "nfs-backup"],
  guests: [
    g(100, "debian-12-cloudinit", "qemu", "pve1", ["template"], "stopped"),
    g(101, "web-01", "qemu", "pve1", ["prod", "web"], "running"),
    g(102, "web-02", "qemu", "pve2", ["prod", "web"], "running"),
    g(103, "web-03", "qemu", "pve3", ["web"], "stopped"),
    g(104, "db-01", "qemu", "pve1", ["db", "prod"], "running"),
    g(105, "db-02", "qemu", "pve2", ["db"], "running"),
    g(106, "cache-01", "lxc", "pve1", ["cache"], "running"),
    g(107, "cache-02", "lxc", "pve2", ["cache"], "stopped"),
    g(108, "proxy-01", "lxc", "pve3", ["prod", "proxy"], "running"),
    g(109, "dns-01", "lxc", "pve1", ["dns"], "running"),
    g(110, "monitor-01", "lxc", "pve2", ["monitoring"], "running"),
    g(111, "k8s-master-01", "qemu", "pve1", ["k8s"], "running"),
    g(112, "k8s-worker-01", "qemu", "pve2", ["k8s"], "running"),
    g(113, "k8s-worker-02", "qemu", "pve3", ["k8s"], "running"),
    g(114, "mail-01", "qemu", "pve3", ["mail"], "stopped"),
    g(115, "gitlab", "qemu", "pve2", ["ci"], "running"),
    g(116, "ci-runner-01", "lxc", "pve3", ["ci"], "running"),
    g(117, "backup-01", "qemu", "pve1", ["backup"], "stopped"),
    g(118, "grafana", "lxc", "pve1", ["monitoring"], "running"),
  ],
};
const GUESTS = CONTEXT.guests.filter((x) => !x.tags.includes("template"));
const kindOf = (guest) => (guest.type === "qemu" ? "vm" : "ct");
const numeric = (a, b) => a.localeCompare(b, "en", { numeric: true });
const TAGS = [...new Set(GUESTS.flatMap((x) => x.tags))].sort();
const tagged = (tag) => GUESTS.filter((x) => x.tags.includes(tag));

// ---- paraphrase pools (shared by every split) ----
const NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
const countText = (n) => (n <= 12 && chance(0.35) ? NUMBER_WORDS[n] : String(n));
const VM_PLURAL = ["VMs", "vms", "virtual machines", "VMs", "servers", "machines"];
const VM_SINGULAR = ["VM", "vm", "virtual machine", "server", "machine"];
const CT_PLURAL = ["containers", "LXC containers", "cts", "CTs", "lxc containers"];
const CT_SINGULAR = ["container", "LXC container", "ct", "CT", "lxc"];
const kindNoun = (kind, n) => pick(kind === "ct" ? (n === 1 ? CT_SINGULAR : CT_PLURAL) : n === 1 ? VM_SINGULAR : VM_PLURAL);
const ROLES = ["web", "api", "app", "db", "worker", "cache", "redis", "ldap", "vpn", "jenkins", "kafka", "nginx", "mysql", "gateway"];

function memoryPhrase() {
  const gib = pick([1, 2, 4, 8, 16, 32]);
  if (gib <= 2 && chance(0.4)) {
    const mib = pick([512, 768, 1024, 2048]);
    return [pick([`${mib} MB of RAM`, `${mib}MB RAM`, `${mib} MiB memory`, `${mib}M of memory`, `${mib} megs of ram`]), mib];
  }
  return [pick([`${gib}GB RAM`, `${gib} GB of RAM`, `${gib} gigs of ram`, `${gib}G memory`, `${gib} GiB of memory`, `${gib}gb ram`, `${countText(gib)} gigabytes of memory`, `RAM of ${gib}GB`, `memory ${gib}G`]), gib * 1024];
}
function diskPhrase() {
  const gib = pick([10, 20, 32, 50, 64, 100, 200, 500]);
  if (chance(0.1)) return [pick(["a 1TB disk", "1 TB of disk", "a 1T disk"]), 1024];
  return [pick([`a ${gib}G disk`, `${gib}GB disk`, `a ${gib} GB disk`, `${gib} gigs of disk`, `disk ${gib}G`, `a disk of ${gib}GB`, `${gib}GB of storage`, `a ${gib}GB drive`]), gib];
}
function coresPhrase() {
  const n = pick([1, 2, 4, 8, 16]);
  return [pick([`${n} cores`, `${countText(n)} cores`, `${n} CPUs`, `${n} vCPUs`, `${n} cpu cores`, `${countText(n)} CPUs`]).replace(/^1 cores|^one cores/, "1 core").replace(/^1 CPUs/, "1 CPU").replace(/^one CPUs/, "one CPU").replace(/^1 vCPUs/, "1 vCPU").replace(/^1 cpu cores/, "1 cpu core"), n];
}

/** A create request: head frame + random specs; returns input, the create line and the new names. */
function createExample(head, { bare = false } = {}) {
  const kind = chance(0.7) ? "vm" : "ct";
  // bare: a new numbered name said right after the kind word ("create a vm qa-02 with 4G") is the name (one guest).
  const count = bare || chance(0.45) ? 1 : int(2, 8);
  const useRole = !bare && chance(0.75);
  const role = useRole ? pick(ROLES) : undefined;
  const named = bare ? pick(["qa-02", "lab-07", "sandbox-03", "demo-05", "tmp-11", "test-04", "staging-09", "dev-12"]) : !useRole && chance(0.6) ? pick(["gitlab2", "builder", "files", "vault", "bastion", "media", "wiki", "proxy-edge"]) : undefined;
  const specs = [];
  const opts = {};
  if (chance(0.5)) { const [t, n] = coresPhrase(); specs.push(t); opts.cores = n; }
  if (chance(0.55)) { const [t, m] = memoryPhrase(); specs.push(t); opts.memory = m; }
  if (chance(0.35)) { const [t, d] = diskPhrase(); specs.push(t); opts.disk = d; }
  const where = [];
  if (chance(0.4)) { opts.node = pick(CONTEXT.nodes); where.push(pick([`on ${opts.node}`, `on node ${opts.node}`, `on ${opts.node}`])); }
  if (chance(0.2)) { opts.storage = pick(["local-lvm", "ceph-pool"]); where.push(pick([`on storage ${opts.storage}`, `using ${opts.storage}`, `on ${opts.storage}`])); }
  if (chance(0.12)) { const ip = `10.0.${int(0, 9)}.${int(10, 200)}`; opts.ip = `${ip}/24`; specs.push(pick([`ip ${ip}/24`, `IP address ${ip}/24`, `address ${ip}/24`])); }
  else if (chance(0.06)) { opts.ip = "dhcp"; specs.push(pick(["dhcp", "DHCP networking"])); }
  if (kind === "vm" && chance(0.12)) { opts.clone = "debian-12-cloudinit"; specs.push(pick(["from template debian-12-cloudinit", "cloned from debian-12-cloudinit"])); }
  const extraTag = chance(0.15) ? pick(["prod", "staging", "blue", "internal"]) : undefined;
  if (extraTag) specs.push(pick([`tagged ${extraTag}`, `with tag ${extraTag}`]));
  const name = named ? (count > 1 ? `${named}-{n}` : named) : count > 1 ? `${role ?? kind}-{n}` : freeName(role ?? kind);
  const tags = [...(role ? [role] : []), ...(extraTag && extraTag !== role ? [extraTag] : [])];
  const countWord = bare ? pick(["a", "a new", "new", ""]) : count === 1 ? pick(["a", "a new", "one", "1", "a single"]) : `${countText(count)}${chance(0.2) ? " new" : ""}`;
  const noun = `${role ? `${role} ` : ""}${kindNoun(kind, count)}`;
  const nameText = bare ? ` ${named}` : named ? ` ${pick(["named", "called"])} ${count > 1 ? `${named}-{n}` : named}` : "";
  const specText = specs.length ? ` ${pick(["with", "having", "with"])} ${joinList(specs)}` : "";
  const whereText = where.length ? ` ${where.join(" ")}` : "";
  const input = head({ count: countWord, noun, rest: `${nameText}${specText}${whereText}` }).replace(/ {2,}/g, " ");
  const width = Math.max(2, String(count).length);
  let names = name.includes("{n}") ? Array.from({ length: count }, (_, i) => name.replace("{n}", String(i + 1).padStart(width, "0"))) : [name];
  // Names the store has already: one create per new guest, with the next free names (--count always starts at 01).
  const collides = count > 1 && names.some((n) => CONTEXT.guests.some((x) => x.name === n));
  if (collides) {
    names = [];
    for (let n = 1; names.length < count; n++) {
      const candidate = name.replace("{n}", String(n).padStart(2, "0"));
      if (!CONTEXT.guests.some((x) => x.name === candidate)) names.push(candidate);
    }
  }
  const lineFor = (oneName, withCount) => {
  const line = ["create", kind, "--name", oneName];
  if (opts.node) line.push("--node", opts.node);
  if (opts.cores) line.push("--cores", opts.cores);
  if (opts.memory) line.push("--memory", opts.memory);
  if (opts.disk) line.push("--disk", opts.disk);
  if (opts.storage) line.push("--storage", opts.storage);
  if (opts.clone) line.push("--clone", opts.clone);
  if (opts.ip) line.push("--ip", opts.ip);
  for (const t of tags) line.push("--tag", t);
  if (withCount && count > 1) line.push("--count", count);
  return line.join(" ");
  };
  const commands = collides ? names.map((n) => lineFor(n, false)) : [lineFor(name, true)];
  return { intent: "create", input, commands, names, kind };
}
function joinList(items) {
  if (items.length === 1) return items[0];
  const sep = pick([", ", " and ", ", "]);
  return `${items.slice(0, -1).join(sep === " and " ? ", " : sep)} and ${items[items.length - 1]}`;
}
function freeName(base) {
  for (let n = 1; ; n++) {
    const name = `${base}-${String(n).padStart(2, "0")}`;
    if (!CONTEXT.guests.some((x) => x.name === name)) return name;
  }
}

// ---- frames: each intent's sentence shapes (structures), dealt to the splits by index: i % 5 === 3 → dev, 4 → test, else train.
// The paraphrase pools (verbs, phrases, sizes, names) are shared by every split; the shapes are not.
const guestRef = (guest) => (chance(0.12) ? pick([`${kindOf(guest) === "vm" ? "vm" : "container"} ${guest.vmid}`, `vmid ${guest.vmid}`]) : chance(0.2) ? `${kindOf(guest) === "vm" ? pick(["vm", "the vm", "VM"]) : pick(["container", "ct", "the container"])} ${guest.name}` : guest.name);
const oneGuest = () => pick(GUESTS);
const ex = (intent, input, commands) => ({ intent, input, commands });

/** Imperative shapes around "{v} {x}" (x: a guest, or nothing). */
const SHAPES = [
  (v) => v, (v) => `please ${v}`, (v) => `${v} now`, (v) => `can you ${v}?`, (v) => `${v} for me`,
  (v) => `I need you to ${v}`, (v) => `go ahead and ${v}`, (v) => `${v} please`, (v) => `could you ${v}`, (v) => `${v} asap`,
  (v) => `I want to ${v}`, (v) => `hey, ${v}`, (v) => `${v} right away`, (v) => `would you ${v}?`, (v) => `${v}, thanks`,
  (v) => `let's ${v}`, (v) => `ok ${v}`, (v) => `quickly ${v}`, (v) => `${v} when you can`, (v) => `pls ${v}`,
];
/** Frames for an intent from a verb pool and an argument: one frame per shape. */
const shaped = (intent, make) => SHAPES.map((shape) => () => { const [v, commands] = make(); return ex(intent, shape(v), commands); });

const TARGET_VERBS = {
  describe: ["describe", "tell me about", "show details of", "inspect", "give me info on", "show me the config of", "give me the details for", "look up", "what is the configuration of", "show everything about"],
  delete: ["delete", "remove", "destroy", "get rid of", "decommission", "drop", "delete the guest", "tear down", "trash", "remove from the iac"],
  start: ["start", "boot", "power on", "bring up", "fire up", "turn on", "start up", "spin up", "launch"],
  stop: ["stop", "kill", "power off", "hard stop", "force stop", "pull the plug on", "hard-stop", "halt", "force off"],
  shutdown: ["shut down", "shutdown", "cleanly shut down", "gracefully shut down", "turn off", "shut off", "power down"],
  reboot: ["reboot", "restart", "bounce", "power cycle", "reboot", "restart", "soft reboot"],
  plan: ["plan", "plan the changes for", "show the plan for", "preview the changes to", "what would change on"],
  apply: ["apply", "apply the changes to", "deploy", "roll out", "push the changes to", "apply the plan for"],
  logs: ["show the logs of", "show logs for", "what do the logs say about", "tail the logs of", "show log entries for"],
};
const targetCommand = (intent, x) => (intent === "plan" || intent === "apply" ? `${intent} ${x.name}` : intent === "logs" ? `logs --resource ${x.name}${/tail/.test("") ? "" : ""}` : `${intent} ${kindOf(x)} ${x.name}`);
const targetFrames = (intent) => shaped(intent, () => {
  const x = oneGuest();
  const v = pick(TARGET_VERBS[intent]);
  const follow = intent === "logs" && v.startsWith("tail");
  return [`${v} ${intent === "plan" || intent === "apply" || intent === "logs" ? x.name : guestRef(x)}`, [follow ? `logs --resource ${x.name} --follow` : targetCommand(intent, x)]];
});

function powerFrames(action) {
  const verbs = TARGET_VERBS[action];
  const pair = () => {
    const kind = pick(["vm", "ct"]);
    const pool = GUESTS.filter((x) => kindOf(x) === kind);
    const a = pick(pool); let b = pick(pool); while (b === a) b = pick(pool);
    return [`${pick(verbs)} ${a.name} ${pick(["and", ",", "and also"])} ${b.name}`.replace(" ,", ","), [`${action} ${kind} ${[a.name, b.name].sort(numeric).join(" ")}`]];
  };
  const byTag = () => {
    const tag = pick(TAGS.filter((t) => t !== "template"));
    const kinds = [...new Set(tagged(tag).map(kindOf))].sort().reverse();
    const said = kinds.length === 1 && chance(0.5) ? kinds[0] : undefined;
    const noun = said ? kindNoun(said, 2) : pick(["servers", "guests", "machines", "ones", "boxes"]);
    const useKinds = said ? [said] : noun === "servers" || noun === "machines" || noun === "boxes" ? (kinds.includes("vm") ? ["vm"] : kinds) : kinds;
    return [`${pick(verbs)} ${pick(["all the", "the", "every", "all"])} ${tag} ${noun}`, useKinds.map((k) => `${action} ${k} --selector tag=${tag}`)];
  };
  const byNode = () => {
    const node = pick(CONTEXT.nodes);
    const kind = pick(["vm", "ct"]);
    return [`${pick(verbs)} ${pick(["all", "all the", "the", "every"])} ${kindNoun(kind, 2)} on ${pick(["", "node "])}${node}`, [`${action} ${kind} --node ${node}`]];
  };
  return SHAPES.map((shape) => () => {
    const r = random();
    const [v, commands] = r < 0.6 ? (() => { const x = oneGuest(); return [`${pick(verbs)} ${guestRef(x)}`, [`${action} ${kindOf(x)} ${x.name}`]]; })() : r < 0.75 ? pair() : r < 0.9 ? byTag() : byNode();
    return ex(action, shape(v), commands);
  });
}

/** Phrase pools of the intents without a target: [phrase, commands]. */
const PHRASES = {
  sync: [["sync", ["sync"]], ["run a sync", ["sync"]], ["sync the workspace", ["sync"]], ["refresh the state from the cluster", ["sync"]], ["refresh the store", ["sync"]], ["pull the current state from proxmox", ["sync"]], ["update the inventory from the cluster", ["sync"]], ["re-read the cluster", ["sync"]], ["synchronize with proxmox", ["sync"]], ["resync", ["sync"]], ["import what exists on the cluster", ["sync"]], ["do a dry run sync", ["sync --dry-run"]], ["sync with dry run", ["sync --dry-run"]], ["preview a sync", ["sync --dry-run"]], ["simulate a sync", ["sync --dry-run"]], ["fetch the latest state of the cluster", ["sync"]], ["sync with the cluster", ["sync"]]],
  plan: [["plan", ["plan"]], ["run a plan", ["plan"]], ["show the plan", ["plan"]], ["show me what would change", ["plan"]], ["show pending changes", ["plan"]], ["diff the desired state against the cluster", ["plan"]], ["show the drift", ["plan"]], ["preview the changes", ["plan"]], ["run terraform plan", ["plan"]], ["make a plan", ["plan"]], ["check what apply would do", ["plan"]]],
  apply: [["apply", ["apply"]], ["apply the changes", ["apply"]], ["apply everything", ["apply"]], ["deploy the changes", ["apply"]], ["deploy", ["apply"]], ["push the changes to the cluster", ["apply"]], ["roll out the changes", ["apply"]], ["apply the plan", ["apply"]], ["run terraform apply", ["apply"]], ["apply the pending changes", ["apply"]], ["execute the plan", ["apply"]], ["carry out the changes", ["apply"]], ["make the changes live", ["apply"]]],
  test: [["run the tests", ["test"]], ["test the workspace", ["test"]], ["validate the workspace", ["test"]], ["validate the config", ["test"]], ["check the terraform files", ["test"]], ["check the iac", ["test"]], ["lint the configuration", ["test"]], ["run the infrastructure tests", ["test"]], ["verify the iac files", ["test"]], ["run the test specs", ["test"]], ["run the live tests", ["test --live"]], ["test against the cluster", ["test --live"]], ["run the tests live", ["test --live"]], ["test everything live", ["test --live"]]],
  health: [["run a health check", ["health"]], ["check cluster health", ["health"]], ["check the health of the cluster", ["health"]], ["show the health report", ["health"]], ["give me a health overview", ["health"]], ["diagnose the cluster health", ["health"]], ["check if everything is healthy", ["health"]], ["check the health", ["health"]], ["do a health check", ["health"]], ["check the workspace health", ["health"]]],
  logs: [["show logs", ["logs"]], ["show me the logs", ["logs"]], ["show the sync logs", ["logs --op sync"]], ["show the logs of the last sync", ["logs --op sync"]], ["show the apply logs", ["logs --op apply"]], ["tail the logs", ["logs --follow"]], ["follow the logs", ["logs --follow"]], ["stream the logs", ["logs --follow"]], ["show recent operations", ["logs --operations"]], ["list the recorded operations", ["logs --operations"]], ["show errors from today", ["logs --since 1d --level error"]], ["show the errors in the logs", ["logs --level error"]], ["show warnings in the logs", ["logs --level warn"]]],
  list: [["list the nodes", ["get nodes"]], ["show the nodes", ["get nodes"]], ["show me the cluster nodes", ["get nodes"]], ["list storage", ["get storage"]], ["show the storages", ["get storage"]], ["list all storage pools", ["get storage"]], ["show recent tasks", ["get tasks"]], ["list tasks", ["get tasks"]], ["show the task list", ["get tasks"]], ["list everything", ["get vms", "get cts"]], ["show all guests", ["get vms", "get cts"]], ["list all guests", ["get vms", "get cts"]]],
};
const phraseFrames = (intent) => shaped(intent, () => { const [p, c] = pick(PHRASES[intent]); return [p, c]; });

const listFrames = shaped("list", () => {
  const r = random();
  const k = pick(["vm", "ct"]);
  if (r < 0.25) return [`${pick(["list", "show", "show me", "display", "list all", "show all", "get"])} ${pick(["", "the ", "all "])}${kindNoun(k, 2)}`.replace("all all", "all"), [`get ${k}s`]];
  if (r < 0.4) { const st = pick(["running", "stopped"]); return [`${pick(["list", "show", "show me"])} the ${st} ${kindNoun(k, 2)}`, [`get ${k}s --status ${st}`]]; }
  if (r < 0.55) { const n = pick(CONTEXT.nodes); return [`${pick(["list", "show", "show me"])} ${pick(["the ", ""])}${kindNoun(k, 2)} on ${pick(["", "node "])}${n}`, [`get ${k}s --node ${n}`]]; }
  if (r < 0.65) { const n = pick(CONTEXT.nodes); const st = pick(["running", "stopped"]); return [`${pick(["list", "show"])} ${st} ${kindNoun(k, 2)} on ${n}`, [`get ${k}s --node ${n} --status ${st}`]]; }
  if (r < 0.75) { const tag = pick(["web", "db", "k8s", "mail", "backup"]); return [`${pick(["list", "show", "show me"])} the ${tag} vms`, [`get vms --tag ${tag}`]]; }
  if (r < 0.8) { const tag = pick(["cache", "dns", "proxy"]); return [`${pick(["list", "show"])} containers tagged ${tag}`, [`get cts --tag ${tag}`]]; }
  const [p, c] = pick(PHRASES.list);
  return [p, c];
});

/** Questions (no imperative verb): their own shapes. */
const QUESTION_SHAPES = [(q) => `${q}?`, (q) => q, (q) => `hey, ${q}?`, (q) => `quick question: ${q}?`, (q) => `${q} right now?`, (q) => `so ${q}?`, (q) => `tell me, ${q}?`, (q) => `${q} at the moment?`, (q) => `i wonder ${q}`, (q) => `${q}, please check`];
const QUESTIONS = {
  health: [["is everything healthy", ["health"]], ["is everything ok", ["health"]], ["how is the cluster doing", ["health"]], ["any problems", ["health"]], ["is anything broken", ["health"]], ["are all nodes healthy", ["health"]], ["how healthy is the setup", ["health"]], ["is proxmox ok", ["health"]], ["is the cluster healthy", ["health"]], ["what is the health of the workspace", ["health"]]],
  list: [["which vms are running", ["get vms --status running"]], ["which containers are stopped", ["get cts --status stopped"]], ["what vms are on pve2", ["get vms --node pve2"]], ["what containers are on pve1", ["get cts --node pve1"]], ["which nodes do we have", ["get nodes"]], ["what storage is there", ["get storage"]], ["how many vms do we have", ["get vms"]], ["what guests do we have", ["get vms", "get cts"]], ["what tasks ran recently", ["get tasks"]], ["which vms are stopped", ["get vms --status stopped"]], ["what containers do we have", ["get cts"]], ["which vms run on pve3", ["get vms --node pve3"]]],
  plan: [["what would change", ["plan"]], ["what will change if I apply", ["plan"]], ["what changes are pending", ["plan"]], ["is there any drift", ["plan"]], ["what would apply do", ["plan"]]],
  describe: [["how is web-01 configured", ["describe vm web-01"]], ["what does db-02 look like", ["describe vm db-02"]], ["what do we know about cache-01", ["describe ct cache-01"]], ["how much memory does gitlab have", ["describe vm gitlab"]], ["what is grafana", ["describe ct grafana"]], ["where does mail-01 run", ["describe vm mail-01"]]],
  test: [["are my terraform files valid", ["test"]], ["is the config valid", ["test"]], ["do the tests pass", ["test"]], ["is the iac correct", ["test"]]],
  logs: [["what went wrong in the last hour", ["logs --since 1h --level error"]], ["were there errors today", ["logs --since 1d --level error"]], ["any warnings in the past 30 minutes", ["logs --since 30m --level warn"]], ["what did the last sync log", ["logs --op sync"]], ["what happened with web-02", ["logs --resource web-02"]]],
};
const questionFrames = (intent) => QUESTION_SHAPES.map((shape) => () => { const [q, c] = pick(QUESTIONS[intent]); return ex(intent, shape(q), c); });

const logsNumberFrames = shaped("logs", () => {
  const r = random();
  if (r < 0.3) { const h = int(1, 12); return [`show the logs of the last ${h === 1 ? "hour" : `${h} hours`}`, [`logs --since ${h}h`]]; }
  if (r < 0.5) { const d = int(2, 7); return [`show errors in the last ${d} days`, [`logs --since ${d}d --level error`]]; }
  if (r < 0.7) { const n = pick([10, 20, 50]); return [`show the last ${n} log lines`, [`logs --limit ${n}`]]; }
  if (r < 0.85) { const m = pick([15, 30, 45]); return [`show warnings from the past ${m} minutes`, [`logs --since ${m}m --level warn`]]; }
  const x = oneGuest(); return [`show the errors of ${x.name}`, [`logs --level error --resource ${x.name}`]];
});

const SUMMARIES = ["sync times out after a minute", "the apply hangs on web-02", "plan shows changes right after a sync", "the console crashes on startup", "login to the api fails with 401", "terraform apply fails with a lock error", "cache-01 never comes up", "health says the node is unreachable", "disk usage looks wrong", "the token is rejected", "creating a container fails with a template error", "the dashboard shows stale data", "web-03 keeps rebooting", "logs are empty since yesterday"];
const REPORT_VERBS = [["report an issue:", false], ["file a bug:", false], ["open an issue that", false], ["report a problem:", false], ["create an anonymized bug report:", true], ["submit a bug report:", false], ["report an anonymized issue:", true], ["file an issue because", false], ["raise a ticket:", false], ["write a bug report:", false], ["report a bug:", false], ["make a diagnostics bundle because", false], ["file an anonymised bug report:", true]];
const REPORT_SHAPES = [(v) => v, (v) => `please ${v}`, (v) => `can you ${v}?`, (v) => `hey, ${v}`, (v) => `I need you to ${v}`, (v) => `could you ${v}`, (v) => `go ahead and ${v}`, (v) => `would you ${v}?`, (v) => `pls ${v}`, (v) => `ok ${v}.`];
const reportFrames = REPORT_SHAPES.map((shape) => () => { const s = pick(SUMMARIES); const [v, anon] = pick(REPORT_VERBS); return ex("report", shape(`${v} ${s}`), [`report-issue "${s}"${anon ? " --anonymize" : ""}`]); });

const NONE = [
  "what's the weather like today", "will it rain tomorrow", "tell me a joke", "sing me a song", "order a pizza", "book a table for two", "who won the football game", "what is the capital of france", "hello", "thanks!",
  "good morning", "translate hello into french", "write a poem about clouds", "play some music", "set an alarm for 7", "how do I cook pasta", "recommend a movie", "asdf qwerty", "blah blah", "what time is it in tokyo",
  "remind me to call mom", "how tall is mount everest", "who are you", "what's your favourite colour", "buy milk", "open the pod bay doors", "how old is the universe", "send an email to bob", "what is love", "explain quantum physics",
  "good night", "i am hungry", "convert 5 miles to km", "what day is it", "call a taxi", "find me a hotel in paris", "how do you spell necessary", "lol", "yes", "no thanks",
  "never mind", "what's up", "tell me a story about dragons", "how much is a bitcoin", "show me cat pictures", "where is my phone", "turn on the kitchen lights", "who wrote hamlet", "is it lunch time", "what should I eat",
  "what is the meaning of life", "show me the way home", "list your favourite books", "what's the best pizza in town", "give me a recipe for soup", "how are you", "what is the speed of light", "show me a picture of a dog", "list the planets", "what's two plus two",
  "who is the president", "make me a sandwich", "what's the time", "describe a sunset", "tell me about the roman empire", "start a timer for 5 minutes", "stop the music", "create a shopping list", "delete my last text message", "plan my vacation",
  "what rhymes with orange", "which team will win the cup", "how many legs does a spider have", "show me the news", "what's trending today", "how far is the moon", "give me a compliment", "what's a good name for a cat", "list some jokes", "describe your day",
];
const noneFrames = Array.from({ length: 10 }, (_, k) => () => ex("none", NONE[k + 10 * Math.floor(random() * (NONE.length / 10))], []));


// ---- day-2 commands: set, snapshot, backup, clone, migrate, context ----
const otherNode = (x) => pick(CONTEXT.nodes.filter((n) => n !== x.node));
const gref = (x) => (chance(0.15) ? `${kindOf(x) === "vm" ? pick(["vm", "the vm", "VM"]) : pick(["container", "ct", "the container"])} ${x.name}` : x.name);
const SNAP_NAMES = ["pre-patch", "before-upgrade", "nightly", "baseline", "pre-kernel-update", "clean-install", "pre-migration", "known-good"];
const SNAP_EVENTS = ["upgrade", "update", "patch", "migration", "deploy", "maintenance", "reinstall"];
const NEW_NAMES = ["web-09", "db-05", "app-01", "staging-01", "test-02", "web-11", "api-03", "worker-07"];
const VOLIDS = ["nfs-backup:backup/vzdump-qemu-101-2026_11_27-01_00_00.vma.zst", "local:backup/vzdump-lxc-106-2026_11_26-23_30_00.tar.zst", "nfs-backup:backup/vzdump-qemu-104-2026_11_20-02_15_00.vma.zst", "local:backup/vzdump-qemu-115-2026_11_28-12_00_00.vma.zst"];
const gibText = (n) => pick([`${n}G`, `${n}GB`, `${n} GB`, `${n} gigs`, `${n}GiB`]);

const setFrames = shaped("set", () => {
  const x = oneGuest();
  const k = kindOf(x);
  const r = random();
  if (r < 0.25) {
    const n = pick([2, 4, 6, 8, 12, 16]);
    return [pick([`set ${gref(x)} to ${countText(n)} cores`, `give ${gref(x)} ${countText(n)} cores`, `change ${x.name} to ${n} cpus`, `set the cores of ${x.name} to ${n}`, `resize ${gref(x)} to ${n} vcpus`, `change the cpu count of ${x.name} to ${n}`]), [`set ${k} ${x.name} --cores ${n}`]];
  }
  if (r < 0.5) {
    const gib = pick([2, 4, 8, 16, 32]);
    return [pick([`set the memory of ${x.name} to ${gibText(gib)}`, `give ${gref(x)} ${gib}GB of RAM`, `change ${x.name}'s memory to ${gibText(gib)}`, `set ${x.name} to ${gib} gigs of ram`, `bump the ram of ${x.name} to ${gibText(gib)}`, `resize the memory of ${gref(x)} to ${gibText(gib)}`]), [`set ${k} ${x.name} --memory ${gib * 1024}`]];
  }
  if (r < 0.62) {
    const n = pick([2, 4, 8]);
    const gib = pick([4, 8, 16]);
    return [pick([`give ${x.name} ${n} cores and ${gib}GB of RAM`, `set ${x.name} to ${n} cores and ${gibText(gib)} memory`, `change ${gref(x)} to ${n} cpus and ${gib} gigs of ram`]), [`set ${k} ${x.name} --cores ${n} --memory ${gib * 1024}`]];
  }
  const key = k === "vm" ? "scsi0" : "rootfs";
  if (r < 0.82) {
    const gib = pick([5, 10, 20, 50, 100]);
    return [pick([`add ${gibText(gib)} to ${x.name}'s disk`, `grow the disk of ${gref(x)} by ${gibText(gib)}`, `extend ${x.name}'s disk by ${gibText(gib)}`, `give ${x.name} ${gibText(gib)} more disk`, `increase the disk of ${x.name} by ${gibText(gib)}`, `add ${gibText(gib)} of disk space to ${x.name}`]), [`set ${k} ${x.name} --disk ${key}=+${gib}G`]];
  }
  if (r < 0.9) {
    const gib = pick([32, 64, 100, 200]);
    return [pick([`resize the disk of ${x.name} to ${gibText(gib)}`, `grow ${x.name}'s disk to ${gibText(gib)}`, `make the disk of ${gref(x)} ${gibText(gib)}`]), [`set ${k} ${x.name} --disk ${key}=${gib}G`]];
  }
  const tag = pick(["staging", "blue", "internal", "critical", "legacy"]);
  if (r < 0.96) return [pick([`tag ${x.name} with ${tag}`, `add the tag ${tag} to ${x.name}`, `label ${gref(x)} as ${tag}`, `add tag ${tag} to ${x.name}`]), [`set ${k} ${x.name} --add-tag ${tag}`]];
  return [pick([`remove the tag ${tag} from ${x.name}`, `drop the tag ${tag} from ${x.name}`, `remove tag ${tag} from ${gref(x)}`]), [`set ${k} ${x.name} --remove-tag ${tag}`]];
});

const snapshotFrames = shaped("snapshot", () => {
  const x = oneGuest();
  const k = kindOf(x);
  const r = random();
  if (r < 0.3) {
    const ev = pick(SNAP_EVENTS);
    return [pick([`snapshot ${gref(x)} before the ${ev}`, `take a snapshot of ${x.name} before the ${ev}`, `make a snapshot of ${gref(x)} before the ${ev}`, `snapshot ${x.name} before ${ev}`]), [`snapshot create ${k} ${x.name} before-${ev}`]];
  }
  if (r < 0.5) {
    const n = pick(SNAP_NAMES);
    return [pick([`take a snapshot of ${x.name} called ${n}`, `snapshot ${gref(x)} as ${n}`, `create a snapshot named ${n} of ${x.name}`, `make a snapshot of ${x.name} named ${n}`, `snapshot ${x.name} and call it ${n}`.replace(" and call it", " called")]), [`snapshot create ${k} ${x.name} ${n}`]];
  }
  if (r < 0.6) {
    const tag = pick(["web", "db", "k8s", "cache"]);
    const kinds = [...new Set(tagged(tag).map(kindOf))].sort().reverse();
    const ev = pick(SNAP_EVENTS);
    return [`${pick(["snapshot", "take snapshots of"])} ${pick(["all the", "the", "every"])} ${tag} ${kinds.length === 1 ? kindNoun(kinds[0], 2) : "guests"} before the ${ev}`, kinds.map((kk) => `snapshot create ${kk} before-${ev} --selector tag=${tag}`)];
  }
  if (r < 0.75) return [pick([`list the snapshots of ${x.name}`, `show ${x.name}'s snapshots`, `show the snapshots of ${gref(x)}`, `list snapshots of ${x.name}`, `display the snapshot tree of ${x.name}`]), [`snapshot list ${k} ${x.name}`]];
  const n = pick(SNAP_NAMES);
  if (r < 0.9) return [pick([`roll ${x.name} back to ${n}`, `rollback ${gref(x)} to ${n}`, `revert ${x.name} to snapshot ${n}`, `roll back ${x.name} to ${n}`, `restore ${x.name} to the snapshot ${n}`, `revert ${gref(x)} to ${n}`]), [`snapshot rollback ${k} ${x.name} ${n}`]];
  return [pick([`delete the snapshot ${n} of ${x.name}`, `remove snapshot ${n} from ${x.name}`, `drop ${x.name}'s snapshot ${n}`, `delete snapshot ${n} on ${gref(x)}`]), [`snapshot delete ${k} ${x.name} ${n}`]];
});

const backupFrames = shaped("backup", () => {
  const x = oneGuest();
  const k = kindOf(x);
  const r = random();
  if (r < 0.35) {
    const storage = chance(0.35) ? pick(["nfs-backup", "local"]) : undefined;
    const mode = chance(0.2) ? pick(["stop", "suspend"]) : undefined;
    const text = `${pick([`back up ${gref(x)}`, `backup ${x.name}`, `make a backup of ${x.name}`, `take a backup of ${gref(x)}`, `run a backup of ${x.name}`, `create a backup of ${x.name}`])}${storage ? ` ${pick(["to", "on", "onto"])} ${storage}` : ""}${mode ? ` in ${mode} mode` : ""}`;
    return [text, [`backup create ${k} ${x.name}${storage ? ` --storage ${storage}` : ""}${mode ? ` --mode ${mode}` : ""}`]];
  }
  if (r < 0.45) {
    const pool = GUESTS.filter((y) => kindOf(y) === k);
    let y = pick(pool); while (y === x) y = pick(pool);
    return [`${pick(["back up", "backup", "make backups of"])} ${x.name} and ${y.name}`, [`backup create ${k} ${[x.name, y.name].sort(numeric).join(" ")}`]];
  }
  if (r < 0.55) {
    const tag = pick(["web", "db", "k8s", "cache", "monitoring"]);
    const kinds = [...new Set(tagged(tag).map(kindOf))].sort().reverse();
    return [`${pick(["back up", "backup", "take backups of"])} ${pick(["all the", "the", "every"])} ${tag} ${kinds.length === 1 ? kindNoun(kinds[0], 2) : "guests"}`, kinds.map((kk) => `backup create ${kk} --selector tag=${tag}`)];
  }
  if (r < 0.75) {
    const rr = random();
    if (rr < 0.4) return [pick(["list the backups", "show all backups", "list backups", "show the backup list", "which backups do we have"]), ["backup list"]];
    if (rr < 0.8) return [pick([`list the backups of ${x.name}`, `show backups of ${x.name}`, `show ${x.name}'s backups`, `list ${x.name}'s backups`]), [`backup list ${x.name}`]];
    return [pick(["list the backups on nfs-backup", "show backups stored on nfs-backup"]), ["backup list --storage nfs-backup"]];
  }
  const v = pick(VOLIDS);
  if (r < 0.9) return [pick([`restore ${v}`, `restore the backup ${v}`, `restore backup ${v}`, `recover from ${v}`]), [`backup restore ${v}`]];
  const node = pick(CONTEXT.nodes);
  return [pick([`restore ${v} on ${node}`, `restore the backup ${v} onto ${node}`]), [`backup restore ${v} --node ${node}`]];
});

const cloneFrames = shaped("clone", () => {
  const x = chance(0.15) ? CONTEXT.guests[0] : oneGuest();
  const k = kindOf(x);
  const n = pick(NEW_NAMES);
  const node = chance(0.2) ? otherNode(x) : undefined;
  const template = chance(0.15);
  const text = `${pick([`clone ${x.name} as ${n}`, `make a copy of ${x.name} called ${n}`, `duplicate ${x.name} as ${n}`, `create a clone of ${x.name} named ${n}`, `clone ${gref(x)} and name it ${n}`.replace(" and name it", " named"), `copy ${x.name} to a new guest named ${n}`])}${node ? ` on ${node}` : ""}`;
  const full = template && text.startsWith("clone ");
  return [full ? text.replace(/^clone /, pick(["full clone ", "make a full clone of "])) : text, [`clone ${k} ${x.name} --name ${n}${full ? " --full" : ""}${node ? ` --node ${node}` : ""}`]];
});

const migrateFrames = shaped("migrate", () => {
  const r = random();
  if (r < 0.65) {
    const x = oneGuest();
    const to = otherNode(x);
    const online = chance(0.25);
    const text = online ? pick([`live migrate ${gref(x)} to ${to}`, `move ${x.name} to ${to} online`, `migrate ${x.name} live to ${to}`]) : pick([`move ${gref(x)} to ${to}`, `migrate ${x.name} to ${to}`, `migrate ${gref(x)} over to ${to}`, `move ${x.name} onto ${to}`, `relocate ${x.name} to ${to}`, `send ${x.name} over to node ${to}`]);
    return [text, [`migrate ${kindOf(x)} ${x.name} --to ${to}${online ? " --online" : ""}`]];
  }
  const from = pick(CONTEXT.nodes);
  const to = pick(CONTEXT.nodes.filter((n) => n !== from));
  if (r < 0.85) return [pick([`drain ${from} into ${to}`, `evacuate ${from} to ${to}`, `move everything off ${from} to ${to}`, `move all guests from ${from} to ${to}`, `empty ${from} onto ${to}`, `drain node ${from} to ${to}`]), [`migrate --from ${from} --to ${to}`]];
  const kk = pick(["vm", "ct"]);
  return [pick([`move all ${kindNoun(kk, 2)} from ${from} to ${to}`, `migrate every ${kindNoun(kk, 1)} off ${from} onto ${to}`, `evacuate the ${kindNoun(kk, 2)} of ${from} to ${to}`]), [`migrate ${kk} --from ${from} --to ${to}`]];
});

const CONTEXT_NAMES = ["lab", "prod", "staging", "homelab", "dr"];
const contextFrames = shaped("context", () => {
  const r = random();
  if (r < 0.35) return [pick(["list my contexts", "show all contexts", "list the contexts", "which contexts do I have", "which contexts can I switch to", "list the configured contexts"]), ["context list"]];
  if (r < 0.55) return [pick(["show the current context", "which context am I using", "show the active context", "what context am I in"]), ["context show"]];
  const n = pick(CONTEXT_NAMES);
  return [pick([`switch to the ${n} context`, `use context ${n}`, `change to the ${n} context`, `switch context to ${n}`, `use the ${n} context`, `select context ${n}`]), [`context use ${n}`]];
});

/** The head frames of a create request. */
const CREATE_HEADS = [
    ({ count, noun, rest }) => `create ${count} ${noun}${rest}`, ({ count, noun, rest }) => `please VERB ${count} ${noun}${rest}`, ({ count, noun, rest }) => `I need ${count} ${noun}${rest}`,
    ({ count, noun, rest }) => `can you VERB ${count} ${noun}${rest}?`, ({ count, noun, rest }) => `VERB ${count} ${noun}${rest} please`, ({ count, noun, rest }) => `VERB ${count} ${noun}${rest}`,
    ({ count, noun, rest }) => `we want ${count} ${noun}${rest}`, ({ count, noun, rest }) => `I'd like ${count} ${noun}${rest}`, ({ count, noun, rest }) => `let's VERB ${count} ${noun}${rest}`,
    ({ count, noun, rest }) => `give me ${count} ${noun}${rest}`, ({ count, noun, rest }) => `VERB ${count} ${noun} for me${rest}`, ({ count, noun, rest }) => `go ahead and VERB ${count} ${noun}${rest}`,
    ({ count, noun, rest }) => `VERB ${count} ${noun}${rest} asap`, ({ count, noun, rest }) => `could you VERB ${count} ${noun}${rest}`, ({ count, noun, rest }) => `I want you to VERB ${count} ${noun}${rest}`,
  ];

const FRAMES = {
  list: [...listFrames, ...questionFrames("list")],
  describe: [...targetFrames("describe"), ...questionFrames("describe")],
  create: CREATE_HEADS.map((head) => () => createExample((parts) => head(parts).replace("VERB", pick(CREATE_VERBS)))),

  delete: targetFrames("delete").concat([() => { const tag = pick(["cache", "dns", "mail", "backup", "k8s"]); const gs = tagged(tag); const k = kindOf(gs[0]); return ex("delete", `${pick(TARGET_VERBS.delete)} the ${tag} ${kindNoun(k, 2)}`, [`delete ${k} ${gs.map((x) => x.name).sort(numeric).join(" ")}`]); }]),
  start: powerFrames("start"),
  stop: powerFrames("stop"),
  shutdown: powerFrames("shutdown"),
  reboot: powerFrames("reboot"),
  sync: phraseFrames("sync"),
  plan: [...phraseFrames("plan"), ...targetFrames("plan"), ...questionFrames("plan")],
  apply: [...phraseFrames("apply"), ...targetFrames("apply")],
  test: [...phraseFrames("test"), ...questionFrames("test")],
  health: [...phraseFrames("health"), ...questionFrames("health")],
  logs: [...phraseFrames("logs"), ...targetFrames("logs"), ...logsNumberFrames, ...questionFrames("logs")],
  report: reportFrames,
  none: noneFrames,
  set: setFrames,
  snapshot: snapshotFrames,
  backup: backupFrames,
  clone: cloneFrames,
  migrate: migrateFrames,
  context: contextFrames,
  multi: [
    () => ex("multi", pick(["sync and then plan", "sync, then plan", "sync and plan"]), ["sync", "plan"]),
    () => ex("multi", pick(["plan and then apply", "plan then apply"]), ["plan", "apply"]),
    () => { const x = oneGuest(); return ex("multi", `stop ${x.name} and delete it`, [`stop ${kindOf(x)} ${x.name}`, `delete ${kindOf(x)} ${x.name}`]); },
    () => ex("multi", pick(["run the tests and then apply", "test, then apply"]), ["test", "apply"]),
    () => ex("multi", pick(["sync and then check health", "sync then run a health check"]), ["sync", "health"]),
    () => { const x = oneGuest(); return ex("multi", `reboot ${x.name} and show its logs`, [`reboot ${kindOf(x)} ${x.name}`, `logs --resource ${x.name}`]); },
    () => ex("multi", pick(["sync then list the vms", "sync and show the vms"]), ["sync", "get vms"]),
    () => { const x = oneGuest(); return ex("multi", `shut down ${x.name} and then start it again`, [`shutdown ${kindOf(x)} ${x.name}`, `start ${kindOf(x)} ${x.name}`]); },
    () => ex("multi", pick(["validate the config and then plan", "test and plan"]), ["test", "plan"]),
    () => { const x = oneGuest(); return ex("multi", `start ${x.name} then describe it`, [`start ${kindOf(x)} ${x.name}`, `describe ${kindOf(x)} ${x.name}`]); },
  ],
  deploy: [
    ({ count, noun, rest }) => `create ${count} ${noun}${rest} TAIL`, ({ count, noun, rest }) => `please VERB ${count} ${noun}${rest} TAIL`, ({ count, noun, rest }) => `VERB ${count} ${noun}${rest} TAIL`,
    ({ count, noun, rest }) => `can you VERB ${count} ${noun}${rest} TAIL`, ({ count, noun, rest }) => `I need ${count} ${noun}${rest} TAIL`, ({ count, noun, rest }) => `let's VERB ${count} ${noun}${rest} TAIL`,
    ({ count, noun, rest }) => `we want ${count} ${noun}${rest} TAIL`, ({ count, noun, rest }) => `VERB ${count} ${noun}${rest}, TAIL`, ({ count, noun, rest }) => `go ahead and VERB ${count} ${noun}${rest} TAIL`,
    ({ count, noun, rest }) => `give me ${count} ${noun}${rest} TAIL`,
  ].map((head) => () => {
    const tail = pick(DEPLOY_TAILS);
    const c = createExample((parts) => head(parts).replace("VERB", pick(CREATE_VERBS)));
    const input = c.input.replace("TAIL", c.names.length === 1 ? tail.replace("them", "it") : tail);
    return ex("deploy", input, [...c.commands, "test", `plan ${c.names.join(" ")}`, `apply ${c.names.join(" ")}`]);
  }),
  refuse: [
    () => ex("refuse", `start ${pick(["web-99", "db-07", "foo-01"])}`, []),
    () => ex("refuse", `delete ${pick(["web-42", "app-03", "bar-01"])}`, []),
    () => ex("refuse", pick(["delete everything", "delete all the things"]), []),
    () => ex("refuse", `describe ${pick(["mystery-01", "web-77"])}`, []),
    () => ex("refuse", pick(["stop all vms", "stop everything"]), []),
    () => ex("refuse", `stop ${pick(["web-98", "db-11"])}`, []),
    () => ex("refuse", `reboot ${pick(["web-50", "cache-09"])}`, []),
    () => ex("refuse", pick(["remove it", "delete them"]), []),
    () => ex("refuse", `shut down ${pick(["old-box-01", "mail-09"])}`, []),
    () => ex("refuse", pick(["kill it", "stop them all"]), []),
    () => { const x = oneGuest(); return ex("refuse", pick([`roll ${x.name} back`, `rollback ${x.name}`, `revert ${x.name} to the last snapshot`, `roll ${x.name} back to before the upgrade`]), []); },
    () => { const x = oneGuest(); return ex("refuse", pick([`restore ${x.name} from last night's backup`, `restore the latest backup of ${x.name}`, `restore ${x.name}`]), []); },
    () => { const x = oneGuest(); return ex("refuse", pick([`give ${x.name} two more cores`, `add 4GB of RAM to ${x.name}`, `give ${x.name} 8 gigs more memory`]), []); },
    () => { const x = oneGuest(); return ex("refuse", pick([`move ${x.name} to pve9`, `migrate ${x.name} to node pve7`, `start ${x.name} on pve9`]), []); },
    () => { const x = oneGuest(); return ex("refuse", pick([`delete ${x.name}'s snapshot`, `remove the snapshots of ${x.name}`, `delete the backup of ${x.name}`]), []); },
    () => { const x = oneGuest(); return ex("refuse", pick([`migrate ${x.name}`, `move ${x.name} to ${x.node}`, `drain ${x.node}`]), []); },
    () => { const x = oneGuest(); return ex("refuse", pick([`don't roll back ${x.name}`, `do not migrate ${x.name} to ${otherNode(x)}`, `never restore ${VOLIDS[0]}`]), []); },
  ],
};
const CREATE_VERBS = ["create", "spin up", "make", "provision", "set up", "add", "build", "launch", "stand up"];
const DEPLOY_TAILS = ["and deploy them", "then apply", "and roll them out", "and apply them", "then deploy them", "and provision them", "and push them out", "and then apply them", "and deploy"];

const WEIGHTS = { set: 1.2, snapshot: 1.2, backup: 1.1, clone: 0.8, migrate: 0.9, context: 0.5, create: 3, deploy: 1.2, multi: 1, refuse: 0.8, none: 1, list: 1.2, logs: 1, start: 1, stop: 1, shutdown: 0.8, reboot: 0.8 };
const splitOf = (i) => (i % 5 === 3 ? "dev" : i % 5 === 4 ? "test" : "train");

function generate(split, size) {
  const groups = Object.entries(FRAMES);
  const total = groups.reduce((a, [k]) => a + (WEIGHTS[k] ?? 1), 0);
  const seen = new Set();
  const out = [];
  let guard = 0;
  while (out.length < size && guard++ < size * 50) {
    let r = random() * total;
    let chosen = groups[0];
    for (const entry of groups) {
      r -= WEIGHTS[entry[0]] ?? 1;
      if (r <= 0) { chosen = entry; break; }
    }
    const frames = chosen[1].filter((_, i) => splitOf(i) === split);
    const example = pick(frames)();
    const key = example.input.toLowerCase();
    // Inputs do not repeat within a split; short fixed phrasings may repeat a few times (they are few).
    if (seen.has(key) && (chance(0.9) || example.input.length > 40)) continue;
    seen.add(key);
    out.push({ input: example.input, commands: example.commands, safety: planSafety(example.commands, COMMANDS), intent: example.intent });
  }
  return out;
}

mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, "context.json"), `${JSON.stringify(CONTEXT, null, 1)}\n`);
for (const [split, size] of Object.entries(SIZES)) {
  random = rng(20261128 + split.length * 7919 + split.charCodeAt(0));
  const rows = generate(split, size);
  // Added after the rest with a seed of their own (the examples above stay as they were): "create a vm qa-02 with 4G".
  random = rng(20261128 + 104729 + split.length * 7919 + split.charCodeAt(0));
  const bare = CREATE_HEADS.filter((head, i) => splitOf(i) === split && !String(head).includes("for me"));
  const seen = new Set(rows.map((r) => r.input.toLowerCase()));
  for (let n = 0, guard = 0; n < Math.round(size * 0.01) && guard < size; guard++) {
    const head = pick(bare);
    // Verbs that only create (launch or spin up an existing guest is a start).
    const e = createExample((parts) => head(parts).replace("VERB", pick(["create", "make", "provision", "build", "set up", "add"])), { bare: true });
    if (seen.has(e.input.toLowerCase())) continue;
    seen.add(e.input.toLowerCase());
    rows.push({ input: e.input, commands: e.commands, safety: planSafety(e.commands, COMMANDS), intent: e.intent });
    n++;
  }
  writeFileSync(join(OUT, `${split}.jsonl`), rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  console.log(`${split}: ${rows.length} examples`);
}
