/**
 * The local engine: plain English to proxmox-mpc command lines, offline.
 * The sentence is split into steps ("create 3 web VMs and deploy them"),
 * each step's intent comes from the trained model (classifier.ts) and its
 * slots from the words and the store's names (slots.ts); the command lines
 * are built from the registry's own option declarations, in their order.
 * Below the confidence threshold, or for a destructive step without an
 * explicit, known target, it proposes nothing and says why.
 */
import { COMMANDS } from "../../commands/registry.js";
import type { Command } from "../../commands/types.js";
import { planSafety, safetyOf, type NlContext, type NlGuest, type NlPlan } from "../types.js";
import { analyze, featureOf, indexOf, type Token } from "./analyze.js";
import { classify, type Scored } from "./classifier.js";
import { BACKUP_WORDS, CORE_WORDS, DEPLOY_WORDS, DISK_WORDS, MEMORY_WORDS, PRONOUNS, SNAPSHOT_WORDS, STEP_VERBS, type Intent } from "./lexicon.js";
import { readSlots, type Slots } from "./slots.js";

/** Below this, a step is not understood. */
export const MIN_CONFIDENCE = 0.5;
/** A destructive step needs at least this (and an explicit target). */
export const DESTRUCTIVE_CONFIDENCE = 0.7;

/** Words that only lead into a request ("go ahead and …", "can you …"). */
const LEAD_IN = new Set(["go", "ahead", "please", "pls", "ok", "okay", "so", "now", "can", "could", "would", "you", "let", "'s", "us", "hey", ",", "i", "need", "want", "to", "just", "quickly", "then", "first"]);

/** Words that may follow a closing "please check" ("… , please check it for me, thanks?"). */
const TRAILING = new Set(["please", "pls", "it", "that", "this", "for", "me", "us", "thanks", "thank", "you", "?", ".", "!", ",", "now", "again"]);

/** What one step became. */
interface Step {
  intent: Intent;
  p: number;
  ranked: Scored[];
  slots: Slots;
  commands: string[];
  /** The guests it acts on (what "them" means in the next step). */
  targets: string[];
  targetGuests: NlGuest[];
  /** Why it proposes nothing. */
  problem?: string;
  /** The step's tokens (snapshot names, tags, disk keys are read from them). */
  tokens: Token[];
  /** A destructive line without guests whose every argument is still exact (backup list, a volume id). */
  exact?: boolean;
  /** Power by selection: the selected guests the store already has in the wanted state (the command skips them). */
  skipped?: { names: string[]; state: string };
}

/** Split the tokens into steps at "then", and at "and" / "," / ";" before a verb. */
function splitSteps(tokens: readonly Token[]): Token[][] {
  const steps: Token[][] = [[]];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const current = steps[steps.length - 1];
    const afterwards = t.text === "then" || t.text === "afterwards" || t.text === "after" && tokens[i + 1]?.text === "that";
    if (afterwards && current.length) {
      steps.push([]);
      if (t.text === "after") i++;
      continue;
    }
    if (t.text === "and" || t.text === "," || t.text === ";" || t.text === "&" || t.text === "plus") {
      let j = i + 1;
      while (tokens[j] && ["also", "please", "then", "and", "finally", "afterwards"].includes(tokens[j].text)) j++;
      const next = tokens[j];
      // "…, please check", "… and check please": politeness at the end, not a step of its own.
      if (next && ["check", "verify", "confirm"].includes(next.text) && tokens.slice(j + 1).every((w) => TRAILING.has(w.text))) break;
      // "go ahead and create …", "please and thank you": no step before the "and" yet.
      const onlyFiller = current.every((w) => LEAD_IN.has(w.text));
      if (next && (STEP_VERBS.has(next.lemma) || STEP_VERBS.has(next.text)) && current.length && !onlyFiller) {
        steps.push([]);
        i = j - 1;
        continue;
      }
    }
    current.push(t);
  }
  return steps.filter((s) => s.length);
}

function q(word: string): string {
  return /^[A-Za-z0-9_.:/{}=,@+-]+$/.test(word) ? word : `"${word.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** A command line with options in the order the command declares them. */
function line(commands: readonly Command[], name: string, args: string[], options: Record<string, string | number | boolean | string[] | undefined>): string {
  const command = commands.find((c) => c.name === name);
  if (!command) throw new Error(`The registry has no command ${name}.`);
  const words = [name, ...args.map(q)];
  for (const option of command.options ?? []) {
    const value = options[option.key];
    if (value === undefined || value === false) continue;
    if (value === true) words.push(option.long);
    else for (const v of Array.isArray(value) ? value : [value]) words.push(option.long, q(String(v)));
  }
  return words.join(" ");
}

const kindWord = (type: NlGuest["type"]): "vm" | "ct" => (type === "qemu" ? "vm" : "ct");
const collator = new Intl.Collator("en", { numeric: true });
const sortNames = (guests: readonly NlGuest[]): string[] => guests.map((g) => g.name).sort(collator.compare);

/** The guests a step points at: named, or the step before's ("them"), or a tag / prefix of the store. */
function targetsOf(s: Slots, previous: Step | undefined): { guests: NlGuest[]; by: "names" | "tag" | "prefix" | "previous" | "none"; names?: string[] } {
  if (s.guests.length) return { guests: s.guests, by: "names" };
  if (s.pronoun && previous && previous.targets.length) return { guests: previous.targetGuests, by: "previous", names: previous.targets };
  const kindFilter = (g: NlGuest): boolean => !s.kind || s.kind === "both" || kindWord(g.type) === s.kind;
  if (s.tag) return { guests: [], by: "tag" };
  if (s.prefix) return { guests: s.prefix.guests.filter(kindFilter), by: "prefix" };
  return { guests: [], by: "none" };
}

/** The guests with the step's tag (from the store's index). */
const tagged = (s: Slots, ctx: NlContext): NlGuest[] => (s.tag ? indexOf(ctx).byTag.get(s.tag) ?? [] : []);

/** Where a selection looks: the tag's guests, else the node's, else all (from the store's index, not a scan). */
function pool(s: Slots, ctx: NlContext): readonly NlGuest[] {
  const index = indexOf(ctx);
  return s.tag ? index.byTag.get(s.tag) ?? [] : s.node ? index.byNode.get(s.node) ?? [] : ctx.guests;
}

/** The kinds (vm, ct) a tag or node selection covers: the kind said, else those of the store's matching guests. */
function kindsFor(s: Slots, ctx: NlContext, match: (g: NlGuest) => boolean): ("vm" | "ct")[] {
  if (s.kind === "vm" || s.kind === "ct") return [s.kind];
  const present = new Set(pool(s, ctx).filter(match).map((g) => kindWord(g.type)));
  if (s.vmish && !s.kind) return present.has("vm") || !present.size ? ["vm"] : [...present].sort().reverse() as ("vm" | "ct")[];
  return (["vm", "ct"] as const).filter((k) => present.has(k));
}

function byKind(guests: NlGuest[]): [("vm" | "ct"), string[]][] {
  const out: [("vm" | "ct"), string[]][] = [];
  for (const k of ["vm", "ct"] as const) {
    const names = sortNames(guests.filter((g) => kindWord(g.type) === k));
    if (names.length) out.push([k, names]);
  }
  return out;
}

/** The first free name `base-NN` in the store. */
function freeName(base: string, ctx: NlContext): string {
  const taken = indexOf(ctx).guestNames;
  for (let n = 1; ; n++) {
    const name = `${base}-${String(n).padStart(2, "0")}`;
    if (!taken.has(name)) return name;
  }
}

/** `count` names from a `{n}` pattern that the store does not have yet. */
function freeNames(pattern: string, count: number, taken: Set<string>): string[] {
  const out: string[] = [];
  for (let n = 1; out.length < count; n++) {
    const name = pattern.replaceAll("{n}", String(n).padStart(2, "0"));
    if (!taken.has(name.toLowerCase())) out.push(name);
  }
  return out;
}

function expand(pattern: string, count: number): string[] {
  if (!pattern.includes("{n}")) return [pattern];
  const width = Math.max(2, String(count).length);
  return Array.from({ length: count }, (_, i) => pattern.replaceAll("{n}", String(i + 1).padStart(width, "0")));
}

function build(step: Step, ctx: NlContext, commands: readonly Command[], previous: Step | undefined): void {
  const s = step.slots;
  const cmd = (name: string, args: string[] = [], options: Record<string, string | number | boolean | string[] | undefined> = {}): string => line(commands, name, args, options);
  const unknown = (): string | undefined => (s.unknown.length ? `${s.unknown.map((n) => `"${n}"`).join(", ")} ${s.unknown.length === 1 ? "is" : "are"} not in the store (run sync if ${s.unknown.length === 1 ? "it is" : "they are"} new).` : undefined);
  const target = targetsOf(s, previous);
  const setTargets = (guests: NlGuest[], names = sortNames(guests)): void => {
    step.targetGuests = guests;
    step.targets = names;
  };
  switch (step.intent) {
    case "list": {
      if (s.guests.length === 1 && !s.resource) {
        const g = s.guests[0];
        step.commands.push(cmd("describe", [kindWord(g.type), g.name]));
        setTargets([g]);
        return;
      }
      if (s.resource === "nodes") return void step.commands.push(cmd("get", ["nodes"], { live: s.words.has("live") }));
      if (s.resource === "storage") return void step.commands.push(cmd("get", ["storage"], { node: s.node, live: s.words.has("live") }));
      if (s.resource === "tasks") return void step.commands.push(cmd("get", ["tasks"], { node: s.node }));
      if (s.unknown.length) return void (step.problem = unknown());
      if (!s.kind && !s.vmish && !s.tag && !s.status && !s.node) return void (step.problem = "List what? vms, containers, nodes, storage or tasks.");
      const kinds = s.kind === "vm" || s.kind === "ct" ? [s.kind] : s.tag ? kindsFor(s, ctx, () => true) : s.vmish ? ["vm" as const] : ["vm" as const, "ct" as const];
      for (const k of kinds.length ? kinds : ["vm" as const]) step.commands.push(cmd("get", [k === "vm" ? "vms" : "cts"], { node: s.node, status: s.status, tag: s.tag, live: s.words.has("live") }));
      return;
    }
    case "describe": {
      const guests = target.by === "tag" ? tagged(s, ctx) : target.guests;
      if (!guests.length) return void (step.problem = unknown() ?? "Which guest? Name it (web-01) or give its vmid.");
      for (const g of [...guests].sort((a, b) => collator.compare(a.name, b.name))) step.commands.push(cmd("describe", [kindWord(g.type), g.name]));
      setTargets(guests);
      return;
    }
    case "create": {
      const kind = s.kind === "ct" ? "ct" : "vm";
      const count = s.count ?? 1;
      // "create a vm qa-02": a name the store does not have, right after the kind word, is the new guest's.
      const given = s.newName ?? s.kindName;
      const base = given ?? s.role ?? kind;
      const name = count > 1 ? (base.includes("{n}") ? base : `${base}-{n}`) : given ?? freeName(base, ctx);
      const clone = s.guests.find((g) => g.type === (kind === "vm" ? "qemu" : "lxc"));
      const tags = [...(s.role && !given ? [s.role] : []), ...s.tags.filter((t) => t !== s.role)];
      const options = {
        node: s.node, cores: s.cores, memory: s.memory, disk: s.disk, storage: s.storage, clone: clone?.name,
        ip: s.ip ?? (s.words.has("dhcp") ? "dhcp" : undefined), gateway: s.ip ? s.gateway : undefined, tag: tags.length ? tags : undefined,
      };
      const taken = indexOf(ctx).guestNames;
      const names = expand(name, count);
      if (count > 1 && names.some((n) => taken.has(n.toLowerCase()))) {
        // web-01… exist already: --count would start at 01, so each new guest gets its own create with the next free names.
        step.targets = freeNames(name, count, taken);
        for (const one of step.targets) step.commands.push(cmd("create", [kind], { name: one, ...options }));
      } else {
        step.commands.push(cmd("create", [kind], { name, ...options, count: count > 1 ? count : undefined }));
        step.targets = names;
      }
      step.targetGuests = [];
      return;
    }
    case "delete":
    case "start":
    case "stop":
    case "shutdown":
    case "reboot": {
      const action = step.intent;
      if (target.by === "names" || target.by === "previous" || target.by === "prefix") {
        if (s.unknown.length && target.by === "names") return void (step.problem = unknown());
        if (target.by === "previous" && !target.guests.length && target.names?.length) {
          // The guests of the step before are new (create): their kind is the step's.
          const kind = previous?.slots.kind === "ct" ? "ct" : "vm";
          step.commands.push(cmd(action, [kind, ...target.names]));
          step.targets = target.names;
          step.targetGuests = [];
          return;
        }
        for (const [k, names] of byKind(target.guests)) step.commands.push(cmd(action, [k, ...names]));
        setTargets(target.guests);
        return;
      }
      if (s.unknown.length) return void (step.problem = unknown());
      if (action === "delete") {
        if (!s.tag) return void (step.problem = "Which guests? Name them (delete web-03) or give their tag.");
        const guests = tagged(s, ctx).filter((g) => (!s.kind || s.kind === "both" || kindWord(g.type) === s.kind) && (!s.node || g.node === s.node));
        for (const [k, names] of byKind(guests)) step.commands.push(cmd("delete", [k, ...names]));
        setTargets(guests);
        return;
      }
      if (!s.tag && !s.node && !s.status) return void (step.problem = `Which guests? Name them, or choose them by tag or node (e.g. ${action} vm --selector tag=web).`);
      const status = s.status && !s.tag ? s.status : undefined;
      const selector = [s.tag ? `tag=${s.tag}` : "", status ? `status=${status}` : ""].filter(Boolean).join(",") || undefined;
      const match = (g: NlGuest): boolean => (!s.tag || tagged(s, ctx).includes(g)) && (!s.node || g.node === s.node);
      const kinds = kindsFor(s, ctx, match);
      if (!kinds.length) return void (step.problem = `No guest of the store has ${s.tag ? `the tag ${s.tag}` : ""}${s.tag && s.node ? " on " : ""}${s.node ? `node ${s.node}` : ""}.`);
      for (const k of kinds) step.commands.push(cmd(action, [k], { selector, node: s.node }));
      // Exactly the guests the power command's own selection picks (src/commands/power.ts `select`): its kinds only, tag, node, status, no template.
      const picked = pool(s, ctx).filter((g) => match(g) && kinds.includes(kindWord(g.type)) && (!status || g.status === status) && !g.template);
      setTargets(picked);
      // The command skips a guest already in the wanted state: those the store says so are said apart.
      const done = action === "start" ? "running" : "stopped";
      step.skipped = { names: sortNames(picked.filter((g) => g.status === done)), state: done };
      return;
    }
    case "sync":
      step.commands.push(cmd("sync", [], { dryRun: s.words.has("dry") || s.words.has("preview") || s.words.has("simulate") || (s.words.has("without") && s.words.has("write")) }));
      return;
    case "plan":
    case "apply": {
      if (s.unknown.length) return void (step.problem = unknown());
      const guests = target.by === "tag" ? tagged(s, ctx) : target.guests;
      const names = target.names ?? sortNames(guests);
      if (previous?.intent === "create" && (s.pronoun || !names.length) && step.intent === "apply") {
        step.commands.push(cmd("test"), cmd("plan", previous.targets), cmd("apply", previous.targets));
        step.targets = previous.targets;
        step.targetGuests = [];
        return;
      }
      step.commands.push(cmd(step.intent, names));
      step.targets = names;
      step.targetGuests = guests;
      return;
    }
    case "test":
      step.commands.push(cmd("test", [], { live: s.words.has("live") || s.words.has("cluster") }));
      return;
    case "health":
      step.commands.push(cmd("health"));
      return;
    case "logs": {
      const op = ["sync", "apply", "plan", "create", "delete", "test", "health"].find((o) => s.words.has(o));
      const guest = target.by === "names" || target.by === "previous" ? target.guests[0] : undefined;
      if (s.unknown.length) return void (step.problem = unknown());
      step.commands.push(
        cmd("logs", [], {
          since: s.since, level: s.level, op, resource: guest?.name ?? target.names?.[0], limit: s.limit,
          follow: ["follow", "tail", "stream", "live", "watch"].some((w) => s.words.has(w)), operations: s.words.has("operation"),
        }),
      );
      return;
    }
    case "report": {
      const summary = s.quoted ?? reportSummary(step);
      if (!summary) return void (step.problem = "What went wrong? Say it in a sentence, e.g. report an issue: sync fails with a timeout.");
      step.commands.push(cmd("report-issue", [summary], { anonymize: ["anonymize", "anonymise", "anonymized", "anonymised", "redact", "anonymous", "scrub"].some((w) => s.words.has(w)) }));
      return;
    }
    case "set":
      return buildSet(step, target, unknown, setTargets, cmd);
    case "snapshot":
      return buildSnapshot(step, ctx, target, unknown, setTargets, cmd);
    case "backup":
      return buildBackup(step, ctx, target, unknown, setTargets, cmd);
    case "clone":
      return buildClone(step, target, unknown, setTargets, cmd);
    case "migrate":
      return buildMigrate(step, ctx, target, unknown, setTargets, commands);
    case "context":
      return buildContext(step, cmd);
    case "none":
      step.problem = "This does not look like a proxmox-mpc request.";
  }
}

type Cmd = (name: string, args?: string[], options?: Record<string, string | number | boolean | string[] | undefined>) => string;
type Target = ReturnType<typeof targetsOf>;
type SetTargets = (guests: NlGuest[], names?: string[]) => void;

const has = (s: Slots, ...words: string[]): boolean => words.some((w) => s.words.has(w));
/** A plain word (no name, number or placeholder) that can be a snapshot's or a tag's name. */
const plain = (t: Token | undefined): t is Token => Boolean(t && !t.mention && t.num === undefined && /^[a-z][a-z0-9_]*$/.test(t.text));
const NOT_A_NAME = new Set(["when", "you", "can", "asap", "right", "thanks", "pls", "now", "ok", "the", "a", "an", "its", "it", "their", "my", "our", "this", "that", "last", "latest", "previous", "earlier", "old", "older", "newest", "before", "after", "yesterday", "today", "now", "snapshot", "snapshots", "snap", "state", "version", "one", "am", "i", "is", "are", "be", "remove", "delete", "drop", "roll", "revert", "restore", "rollback", "go", "of", "on", "for", "from", "to", "with", "and", "please", "back", "again", "vm", "ct", "container", "guest", "server", "machine"]);
/** One exact guest said by name or vmid (not a tag, prefix or pronoun). */
const exactOne = (target: Target): NlGuest | undefined => (target.by === "names" && target.guests.length === 1 ? target.guests[0] : undefined);
/** Size in GiB as `set --disk` takes it. */
const sizeText = (gib: number): string => (Number.isInteger(gib) ? `${gib}G` : `${Math.round(gib * 1024)}M`);

/** The current value of a guest the store may carry (the console's store can add cores and memory to each guest). */
function current(g: NlGuest, key: "cores" | "memory"): number | undefined {
  const value = (g as NlGuest & { cores?: number; memory?: number })[key];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** `set vm|ct NAME --cores --memory --disk KEY=[+]SIZE --add-tag/--remove-tag`. */
function buildSet(step: Step, target: Target, unknown: () => string | undefined, setTargets: SetTargets, cmd: Cmd): void {
  const s = step.slots;
  const tokens = step.tokens;
  if (s.unknown.length) return void (step.problem = unknown());
  const guests = target.by === "names" || target.by === "previous" ? target.guests : [];
  if (guests.length !== 1) return void (step.problem = "Which guest? set changes one guest at a time: name it (set vm web-01 --memory 8G).");
  const g = guests[0];
  const kind = kindWord(g.type);
  const lowering = has(s, "remove", "reduce", "decrease", "shrink", "lower", "drop", "take", "cut", "less", "fewer", "minus") && !has(s, "tag", "label");
  const fewer = lowering && (has(s, "less", "fewer", "minus", "by", "from", "away") || s.words.has("remove"));
  const relative = fewer || has(s, "more", "extra", "additional", "another", "by") || (has(s, "add") && !has(s, "tag", "label"));
  const sign = fewer ? -1 : 1;
  const diskWord = tokens.some((t) => DISK_WORDS.has(t.lemma) || DISK_WORDS.has(t.text) || /^(scsi|virtio|sata|ide|mp|efidisk)\d+$/.test(t.text));
  const memoryWord = tokens.some((t) => MEMORY_WORDS.has(t.lemma) || MEMORY_WORDS.has(t.text));
  const options: Record<string, string | number | string[] | undefined> = {};
  let memory = s.memory;
  let disk = s.disk;
  if (diskWord && !memoryWord && memory !== undefined && disk === undefined) {
    disk = memory / 1024;
    memory = undefined;
  }
  // "change the cpu count of dns-01 to 16", "set the cores of web-03 to 12": a bare number in a sentence about cores.
  if (s.cores === undefined && memory === undefined && disk === undefined && tokens.some((t) => CORE_WORDS.has(t.lemma) || CORE_WORDS.has(t.text))) {
    const bare = tokens.filter((t) => t.num !== undefined && Number.isInteger(t.num) && t.num > 0 && t.num <= 512);
    if (bare.length === 1) s.cores = bare[0].num;
  }
  const why: string[] = [];
  if (s.cores !== undefined) {
    if (relative) {
      const now = current(g, "cores");
      if (now === undefined) why.push(`${s.cores} ${sign < 0 ? "fewer" : "more"} cores: the store does not say how many ${g.name} has now; say the total (set ${kind} ${g.name} --cores N)`);
      else if (now + sign * s.cores < 1) why.push(`${g.name} has ${now} cores: it cannot lose ${s.cores}`);
      else options.cores = now + sign * s.cores;
    } else options.cores = s.cores;
  }
  if (memory !== undefined) {
    if (relative) {
      const now = current(g, "memory");
      if (now === undefined) why.push(`${memory} MiB ${sign < 0 ? "less" : "more"} memory: the store does not say how much ${g.name} has now; say the total (set ${kind} ${g.name} --memory 8G)`);
      else if (now + sign * memory < 16) why.push(`${g.name} has ${now} MiB: it cannot lose ${memory}`);
      else options.memory = now + sign * memory;
    } else options.memory = memory;
  }
  if (disk !== undefined && lowering) why.push("a disk only grows (PVE cannot shrink one): say the size to grow it to, or by how much");
  else if (disk !== undefined) {
    const key = tokens.find((t) => /^(scsi|virtio|sata|ide|mp|efidisk)\d+$/.test(t.text) || t.text === "rootfs")?.text ?? (kind === "vm" ? "scsi0" : "rootfs");
    options.disk = `${key}=${relative ? "+" : ""}${sizeText(disk)}`;
  }
  // Tags: "tag web-01 with prod", "add the tag prod to web-01", "remove the tag prod from web-01".
  const tags: string[] = [];
  tokens.forEach((t, i) => {
    if (t.lemma !== "tag" && t.lemma !== "label" && t.text !== "tagged") return;
    for (let j = i + 1; j < tokens.length && j <= i + 4; j++) {
      const w = tokens[j];
      if (w.mention || ["with", "as", "the", "to", "from", ":", "=", "of", "vm", "ct", "container", "guest", "server", "machine"].includes(w.text)) continue;
      if (plain(w) && !NOT_A_NAME.has(w.text) && !tags.includes(w.text)) tags.push(w.text);
      break;
    }
  });
  if (tags.length) {
    if (has(s, "remove", "delete", "drop", "untag", "strip", "clear")) options.removeTag = tags;
    else options.addTag = tags;
  }
  if (why.length) return void (step.problem = `${why.join("; ")}.`);
  if (!Object.keys(options).length) return void (step.problem = `What should change on ${g.name}? Cores, memory, a disk's size or its tags (set ${kind} ${g.name} --cores 4 --memory 8G).`);
  step.commands.push(cmd("set", [kind, g.name], options));
  setTargets([g]);
}

/** One line per kind for the guests of a tag (`--selector tag=…`) or a node (`--node`), as snapshot and backup create take them. */
function bySelection(step: Step, ctx: NlContext, setTargets: SetTargets, line: (kind: "vm" | "ct", selection: { selector?: string; node?: string }) => string): void {
  const s = step.slots;
  const match = (g: NlGuest): boolean => (!s.tag || tagged(s, ctx).includes(g)) && (!s.node || g.node === s.node);
  const kinds = kindsFor(s, ctx, match);
  if (!kinds.length) return void (step.problem = "No guest of the store matches that.");
  for (const k of kinds) step.commands.push(line(k, { selector: s.tag ? `tag=${s.tag}` : undefined, node: s.tag ? undefined : s.node }));
  setTargets(pool(s, ctx).filter(match));
}

/** The snapshot's name: quoted, hyphenated, after named/called/as, after "to"/"snapshot" (rollback, delete), or "before the upgrade" (create only). */
function snapshotName(step: Step, creating: boolean): string | undefined {
  const s = step.slots;
  const tokens = step.tokens;
  const valid = (n: string | undefined): string | undefined => (n && /^[a-z][a-z0-9_-]{0,39}$/i.test(n) ? n : undefined);
  if (s.quoted !== undefined) return valid(s.quoted.trim().replace(/\s+/g, "-"));
  if (s.label) return valid(s.label);
  if (s.newName && !s.newName.includes("{n}")) return valid(s.newName);
  // "named X" first, then "snapshot X", then "to X" (rollback, delete).
  const leads = creating ? [["named", "called", "as"]] : [["named", "called", "as"], ["snapshot", "snap"], ["to"]];
  for (const lead of leads) {
    for (let i = 0; i < tokens.length; i++) {
      const next = tokens[i + 1];
      if (lead.includes(tokens[i].text) && plain(next) && !NOT_A_NAME.has(next.text) && !SNAPSHOT_WORDS.has(next.text)) return valid(next.text);
    }
  }
  if (creating) {
    const at = tokens.findIndex((t) => t.text === "before" || t.text === "pre");
    if (at >= 0) {
      let j = at + 1;
      while (tokens[j] && ["the", "a", "an", "this", "our", "my", "next"].includes(tokens[j].text)) j++;
      const w = tokens[j];
      if (plain(w)) return valid(`before-${w.text}`);
    }
  }
  return undefined;
}

/** `snapshot list|create|rollback|delete vm|ct NAME [SNAP]`. */
function buildSnapshot(step: Step, ctx: NlContext, target: Target, unknown: () => string | undefined, setTargets: SetTargets, cmd: Cmd): void {
  const s = step.slots;
  if (s.unknown.length) return void (step.problem = unknown());
  const action = has(s, "roll", "rollback", "revert", "restore", "undo", "reset", "return") ? "rollback"
    : has(s, "delete", "remove", "drop", "destroy", "discard", "purge", "clean", "prune") ? "delete"
    : has(s, "list", "show", "which", "what", "display", "get", "many", "exist", "have", "see") && !has(s, "take", "make", "create") ? "list" : "create";
  if (action === "list") {
    const g = exactOne(target) ?? (target.by === "previous" && target.guests.length === 1 ? target.guests[0] : undefined);
    if (!g) return void (step.problem = "Whose snapshots? Name one guest (snapshot list vm web-01).");
    step.commands.push(cmd("snapshot", ["list", kindWord(g.type), g.name]));
    return setTargets([g]);
  }
  const name = snapshotName(step, action === "create");
  if (action === "create") {
    if (!name) return void (step.problem = "What should the snapshot be called? Say it (snapshot web-01 as before-upgrade).");
    const options = { vmstate: has(s, "ram", "vmstate", "memory") && s.kind !== "ct" ? true : undefined, description: undefined };
    if (target.by === "names" || target.by === "previous") {
      for (const g of [...target.guests].sort((a, b) => collator.compare(a.name, b.name))) step.commands.push(cmd("snapshot", ["create", kindWord(g.type), g.name, name], { ...options, vmstate: g.type === "qemu" ? options.vmstate : undefined }));
      return setTargets(target.guests);
    }
    if (s.tag || s.node) return bySelection(step, ctx, setTargets, (k, selection) => cmd("snapshot", ["create", k, name], { ...options, ...selection }));
    return void (step.problem = "Snapshot which guest? Name it, or choose guests by tag or node.");
  }
  // rollback / delete lose something: one guest named exactly and the snapshot's exact name.
  const g = exactOne(target);
  if (!g) return void (step.problem = `A snapshot ${action} needs one guest named exactly (snapshot ${action} vm web-01 before-upgrade).`);
  if (!name) return void (step.problem = `Which snapshot of ${g.name}? Give its exact name (snapshot list ${kindWord(g.type)} ${g.name} shows them).`);
  step.commands.push(cmd("snapshot", [action, kindWord(g.type), g.name, name], { start: action === "rollback" && has(s, "start", "restart", "boot") ? true : undefined }));
  setTargets([g]);
}

/** `backup create|list|restore|delete`. */
function buildBackup(step: Step, ctx: NlContext, target: Target, unknown: () => string | undefined, setTargets: SetTargets, cmd: Cmd): void {
  const s = step.slots;
  if (s.unknown.length) return void (step.problem = unknown());
  const action = has(s, "restore", "recover") ? "restore"
    : has(s, "delete", "remove", "drop", "destroy", "purge", "prune") ? "delete"
    : has(s, "list", "show", "which", "what", "display", "get", "many", "exist", "have", "see", "newest", "latest") && !has(s, "take", "make", "create", "run") ? "list" : "create";
  const nodeOn = s.nodes.find((n) => ["on", "onto", "to"].includes(n.before))?.name ?? s.node;
  if (action === "restore" || action === "delete") {
    if (!s.volid) return void (step.problem = `Which backup? A ${action} needs the backup's exact volume id (backup list${target.guests[0] ? ` ${target.guests[0].name}` : ""} shows them).`);
    if (action === "restore" && s.guests.length) return void (step.problem = `Restoring over ${s.guests.map((g) => g.name).join(", ")} needs --force, which I do not propose: restore to a new vmid, or run backup restore … --force yourself.`);
    const vmidAt = step.tokens.findIndex((t) => t.text === "vmid" || t.text === "id");
    const vmid = vmidAt >= 0 ? step.tokens[vmidAt + 1]?.num : undefined;
    step.commands.push(cmd("backup", [action, s.volid], action === "restore" ? { storage: s.storage, node: nodeOn, vmid } : { node: nodeOn }));
    step.exact = true;
    return;
  }
  if (action === "list") {
    const g = exactOne(target);
    if (target.guests.length > 1) return void (step.problem = "backup list takes one guest (or none for every backup).");
    step.commands.push(cmd("backup", ["list", ...(g ? [g.name] : [])], { storage: s.storage, node: s.node }));
    if (g) setTargets([g]);
    step.exact = true;
    return;
  }
  const mode = has(s, "suspend", "suspended") ? "suspend" : s.words.has("stop") && has(s, "mode", "stopped") ? "stop" : undefined;
  const compress = ["zstd", "gzip", "lzo"].find((c) => s.words.has(c));
  const options = { storage: s.storage, mode, compress };
  if (target.by === "names" || target.by === "previous") {
    for (const [k, names] of byKind(target.guests)) step.commands.push(cmd("backup", ["create", k, ...names], options));
    return setTargets(target.guests);
  }
  if (s.tag || s.node) return bySelection(step, ctx, setTargets, (k, selection) => cmd("backup", ["create", k], { ...options, ...selection }));
  step.problem = "Back up which guests? Name them, or choose them by tag or node.";
}

/** `clone vm|ct SRC --name NEW [--full] [--node N] [--storage S]`. */
function buildClone(step: Step, target: Target, unknown: () => string | undefined, setTargets: SetTargets, cmd: Cmd): void {
  const s = step.slots;
  const source = target.by === "names" || target.by === "previous" ? target.guests[0] : undefined;
  if (!source) return void (step.problem = unknown() ?? "Clone which guest? Name it (clone web-01 as web-09).");
  if (target.guests.length > 1) return void (step.problem = `${target.guests[1].name} exists already: clone ${source.name} under a new name.`);
  const name = s.newName ?? (s.unknown.length === 1 ? s.unknown[0].toLowerCase() : undefined);
  if (!name || name.includes("{n}")) return void (step.problem = `What should the clone of ${source.name} be called? (clone ${source.name} as ${source.name}-copy)`);
  const node = s.nodes.find((n) => ["on", "onto", "to", "into"].includes(n.before))?.name ?? s.node;
  step.commands.push(cmd("clone", [kindWord(source.type), source.name], { name, full: has(s, "full", "independent") ? true : undefined, node, storage: s.storage }));
  step.targets = [name];
  step.targetGuests = [];
  void setTargets;
}

/** `migrate vm|ct NAME --to NODE [--online]`, or a drain: `migrate [vm|ct] --from NODE --to NODE`. */
function buildMigrate(step: Step, ctx: NlContext, target: Target, unknown: () => string | undefined, setTargets: SetTargets, commands: readonly Command[]): void {
  const s = step.slots;
  if (s.unknown.length) return void (step.problem = unknown());
  const TO = ["to", "onto", "into", "towards", "over", "node"];
  const FROM = ["from", "off", "of", "leave", "drain", "evacuate", "empty", "clear"];
  const to = s.nodes.find((n) => TO.includes(n.before))?.name;
  const from = s.nodes.find((n) => FROM.includes(n.before) && n.name !== to)?.name;
  const online = has(s, "live", "online", "hot") ? " --online" : "";
  // Built by hand, --from before --to as people say it; the registry parses it (tests).
  void commands;
  const guests = target.by === "names" || target.by === "previous" ? target.guests : [];
  if (guests.length) {
    if (!to) return void (step.problem = `Move ${guests.map((g) => g.name).join(", ")} to which node? (${ctx.nodes.join(", ")})`);
    const already = guests.filter((g) => g.node === to);
    if (already.length) return void (step.problem = `${already.map((g) => g.name).join(", ")} ${already.length === 1 ? "is" : "are"} on ${to} already.`);
    for (const g of [...guests].sort((a, b) => collator.compare(a.name, b.name))) step.commands.push(`migrate ${kindWord(g.type)} ${g.name} --to ${to}${online}`);
    return setTargets(guests);
  }
  const draining = Boolean(from) && (has(s, "drain", "evacuate", "empty", "clear", "everything", "all", "every", "guest", "vm", "ct", "container", "workload") || s.vmish || s.kind !== undefined);
  if (!draining) return void (step.problem = s.nodes.length ? "Move what? Name the guest (move web-01 to pve2), or drain a node (drain pve1 into pve2)." : `Move which guest to which node? (${ctx.nodes.join(", ")})`);
  if (!to) return void (step.problem = `Drain ${from} into which node? (${ctx.nodes.filter((n) => n !== from).join(", ")})`);
  const kind = s.kind === "vm" || s.kind === "ct" ? s.kind : s.vmish && !s.kind ? "vm" : undefined;
  const moving = (indexOf(ctx).byNode.get(from!) ?? []).filter((g) => !kind || kindWord(g.type) === kind);
  if (!moving.length) return void (step.problem = `The store has no ${kind === "ct" ? "container" : kind === "vm" ? "VM" : "guest"} on ${from}.`);
  step.commands.push(`migrate${kind ? ` ${kind}` : ""} --from ${from} --to ${to}${online}`);
  setTargets(moving);
}

/** `context list|show|use NAME` (add and remove are left to the command itself). */
function buildContext(step: Step, cmd: Cmd): void {
  const s = step.slots;
  const tokens = step.tokens;
  const at = tokens.findIndex((t) => t.lemma === "context");
  const word = at >= 0 ? tokens[at].text : "";
  const usable = (t: Token | undefined): t is Token => plain(t) && !NOT_A_NAME.has(t.text) && !["current", "active", "which", "what", "list", "show", "use", "switch", "change", "select", "all", "other", "another", "different", "i", "named", "called"].includes(t.text);
  let after = tokens[at + 1];
  if (after && ["to", "named", "called", ":"].includes(after.text)) after = tokens[at + 2];
  const before = tokens[at - 1];
  const name = at < 0 ? undefined : usable(before) ? before.text : usable(after) ? after.text : undefined;
  if (has(s, "add", "create", "new", "remove", "delete", "drop")) return void (step.problem = "Adding or removing a context needs its endpoint, token and secret: run context add / context remove yourself.");
  if (tokens.some((t) => ["current", "active", "am", "currently"].includes(t.text)) && !has(s, "list", "all")) return void step.commands.push(cmd("context", ["show"]));
  if (name && has(s, "use", "switch", "change", "select", "activate", "go", "work")) return void step.commands.push(cmd("context", ["use", name]));
  if (word.endsWith("s") || has(s, "list", "all")) return void step.commands.push(cmd("context", ["list"]));
  if (has(s, "use", "switch", "change", "select", "activate") && !has(s, "current", "active", "am")) return void (step.problem = "Switch to which context? (context list shows them)");
  step.commands.push(cmd("context", ["show", ...(name ? [name] : [])]));
}

/** The words of a report after its verb phrase: "can you report a bug: sync hangs?" → "sync hangs". */
function reportSummary(step: Step): string | undefined {
  const text = step.slots.reportText ?? "";
  const m = /\b(?:report|file|open|submit|raise|write(?:\s+up)?|make|create|log|send|prepare|collect|generate)\s+(?:an?\s+|the\s+|new\s+|anonymi[sz]ed\s+)*(?:github\s+)?(?:bug\s+report|issue|bug|problem|ticket|incident|defect|diagnostics?(?:\s+bundle)?|report)(?:\s+report)?\s*(?:that|about|saying|for|because|regarding|on|:|-|—|,)?\s*/i.exec(text);
  const rest = (m ? text.slice(m.index + m[0].length) : text.replace(/^\s*report\s*/i, "")).replace(/^[\s:,-]+|[\s.!?]+$/g, "");
  return rest.length >= 3 ? rest : undefined;
}

const NEAREST: Record<Intent, string> = {
  list: "get vms", describe: "describe vm NAME", create: "create vm --name NAME", delete: "delete vm NAME", start: "start vm NAME", stop: "stop vm NAME",
  shutdown: "shutdown vm NAME", reboot: "reboot vm NAME", sync: "sync", plan: "plan", apply: "apply", test: "test", health: "health", logs: "logs --since 1h", report: 'report-issue "what went wrong"',
  set: "set vm NAME --cores N --memory 8G", snapshot: "snapshot list vm NAME", backup: "backup list", clone: "clone vm SRC --name NEW", migrate: "migrate vm NAME --to NODE", context: "context list", none: "help",
};

/** The words of a step as typed (for a report's summary), rebuilt from its tokens. */
function typedText(text: string, tokens: readonly Token[], all: readonly Token[]): string {
  if (tokens.length === all.length) return text;
  return tokens.map((t) => (t.mention ? t.mention.text : t.text)).join(" ").replace(/\s+([,.:;!?])/g, "$1").replace(/\s+'/g, "'");
}

/**
 * Turn a request into a plan, offline. Names are taken from `ctx` only; a
 * guest the store does not know is never invented.
 */
export function parseLocal(text: string, ctx: NlContext, commands: readonly Command[] = COMMANDS): NlPlan {
  const analysis = analyze(text, ctx);
  const steps: Step[] = [];
  // A report's summary is free text: it is never split into steps ("report a bug: sync fails and apply hangs").
  const whole = classify(analysis.features);
  const parts = whole[0].intent === "report" && whole[0].p >= MIN_CONFIDENCE ? [analysis.tokens] : splitSteps(analysis.tokens);
  for (const tokens of parts) {
    const previous = steps[steps.length - 1];
    // "… and delete it": a pronoun that points at the step before's guests reads as a guest.
    const refers = (t: Token): boolean => Boolean(previous?.targets.length) && PRONOUNS.has(t.text);
    const lemmas = tokens.map((t, k) => (t.num !== undefined ? featureOf(t, tokens[k - 1]) : refers(t) ? "xguest" : t.lemma)).filter((l) => /[a-z0-9]/.test(l));
    const ranked = classify(lemmas);
    let { intent, p } = ranked[0];
    // "create … and deploy them": deploying new guests is an apply.
    if (previous?.intent === "create" && tokens.some((t) => DEPLOY_WORDS.has(t.lemma) || DEPLOY_WORDS.has(t.text))) {
      intent = "apply";
      p = Math.max(p, ranked.find((r) => r.intent === "apply")?.p ?? 0, previous.p);
    }
    const slots = readSlots(tokens, ctx);
    slots.reportText = typedText(analysis.text, tokens, analysis.tokens);
    // Whatever the verb, a step about snapshots or backups is one ("delete the snapshot pre-patch of web-01" is no guest delete); a tag removed is a set.
    // "the backup boxes": a tag of the store before a kind noun is no backup request.
    const said = (set: Set<string>): boolean => tokens.some((t, k) => !t.mention && (set.has(t.text) || set.has(t.lemma)) && !asTag(t, tokens[k + 1], ctx));
    const backUp = tokens.some((t, k) => t.text === "back" && tokens[k + 1]?.text === "up");
    if (!["report", "logs", "none"].includes(intent) && said(SNAPSHOT_WORDS)) intent = "snapshot";
    else if (!["report", "logs", "none", "snapshot"].includes(intent) && (said(BACKUP_WORDS) || backUp)) intent = "backup";
    else if (["delete", "stop", "shutdown"].includes(intent) && tokens.some((t) => t.lemma === "tag" || t.lemma === "label") && slots.guests.length) intent = "set";
    // "roll back the last apply", "revert to …": a rollback is a snapshot's, never an apply or a deploy.
    else if (!["report", "logs", "none", "snapshot"].includes(intent) && tokens.some((t, k) => (t.text === "roll" && tokens[k + 1]?.text === "back") || t.text === "rollback" || t.lemma === "revert")) intent = "snapshot";
    // "give me 2 containers": new guests, not a change of one.
    else if ((intent === "set" || intent === "none") && (!slots.guests.length || tokens.some((t) => t.text === "cloned" || t.text === "template")) && (slots.kind || slots.vmish) && tokens.some((t, k) => t.lemma === "give" && ["me", "us"].includes(tokens[k + 1]?.text ?? ""))) {
      intent = "create";
      p = Math.max(p, MIN_CONFIDENCE);
    }
    // "… cloned from debian-12-cloudinit": a create from a template, not a clone command.
    else if (intent === "clone" && tokens.some((t, k) => t.text === "from" && tokens[k + 1]?.mention?.kind === "guest") && tokens.some((t) => t.text === "cloned")) intent = "create";
    // "give me ct staging-09", "provision a new vm qa-02": a name the store does not have, right after the kind word,
    // with a word that only creates, is a new guest (a start, stop or describe of it is refused as unknown).
    if (intent !== "create" && intent !== "report" && slots.kindName && !slots.guests.length && !tokens.some((t) => t.lemma === "tag" || t.lemma === "label") && tokens.some((t, k) => CREATES.has(t.lemma) || CREATES.has(t.text) || (t.lemma === "give" && ["me", "us"].includes(tokens[k + 1]?.text ?? "")) || (["set", "stand", "spin"].includes(t.lemma) && tokens[k + 1]?.text === "up"))) {
      intent = "create";
      p = Math.max(p, MIN_CONFIDENCE);
    }
    const step: Step = { intent, p, ranked, slots, commands: [], targets: [], targetGuests: [], tokens };
    if (p < MIN_CONFIDENCE) step.problem = `Not sure what "${slots.reportText}" asks for.`;
    else build(step, ctx, commands, previous);
    // A set with nothing to set ("logs for gitlab from the last 2 hours"): the runner-up intent, if it is close, reads it instead.
    const second = ranked[1];
    // Only to an intent that reads, and only when set found nothing to change (a refused relative change stays refused).
    if (step.intent === "set" && step.problem?.startsWith("What should change") && !step.commands.length && second && second.p >= 0.3 && READ_INTENTS.has(second.intent)) {
      Object.assign(step, { intent: second.intent, p: second.p, problem: undefined, commands: [], targets: [], targetGuests: [] });
      intent = second.intent;
      p = second.p;
      build(step, ctx, commands, previous);
    }
    if (previous?.intent === "create" && intent === "start" && step.commands.length && !previous.commands.some((c) => c.startsWith("apply"))) {
      step.commands.unshift(line(commands, "test", [], {}), line(commands, "plan", previous.targets, {}), line(commands, "apply", previous.targets, {}));
    }
    // A node the store does not have ("on pve9") is said back, never dropped.
    if (slots.unknownNodes.length && step.intent !== "report" && step.intent !== "none") {
      step.problem = `${slots.unknownNodes.map((n) => `"${n}"`).join(", ")} ${slots.unknownNodes.length === 1 ? "is not a node" : "are not nodes"} of the store (it has ${ctx.nodes.join(", ") || "none"}).`;
      step.commands = [];
    }
    if (!step.problem && step.commands.some((c) => safetyOf(c, commands) === "dangerous" && !READS.test(c)) && (p < DESTRUCTIVE_CONFIDENCE || (intent !== "apply" && !step.targets.length && !step.exact))) {
      step.problem = `"${slots.reportText}" would ${intent} guests, and I am not sure enough of it to propose that.`;
      step.commands = [];
    }
    steps.push(step);
  }
  // "don't delete web-01", "never stop db-01": a negated change is not proposed at all.
  for (const step of steps) {
    const negated = step.slots.words.has("not") || step.slots.words.has("n't") || step.slots.words.has("never") || step.slots.words.has("dont");
    if (negated && !step.problem && step.intent !== "report" && step.commands.some((c) => safetyOf(c, commands) !== "safe")) {
      step.problem = `"${step.slots.reportText}" says not to; I do not propose a change that was negated.`;
      step.commands = [];
    }
  }
  // A question ("why is web-01 down?") asks to read: it never becomes a change.
  if (/^\s*(why|what|how|where|when|who|which)\b/i.test(text)) {
    for (const step of steps) {
      if (!step.problem && step.commands.some((c) => safetyOf(c, commands) !== "safe" && !READS.test(c))) {
        step.problem = `"${text.trim()}" is a question; I only answer questions with commands that read.`;
        step.commands = [];
      }
    }
  }
  const confidence = steps.length ? Math.min(...steps.map((s) => s.p)) : 0;
  const failed = steps.find((s) => s.problem || !s.commands.length);
  if (!steps.length || failed) {
    const near = [...new Set((failed?.ranked ?? []).filter((r) => r.intent !== "none").slice(0, 3).map((r) => NEAREST[r.intent]))];
    const problem = failed?.problem ?? "Nothing to do.";
    return {
      engine: "local",
      commands: [],
      confidence: Math.round(confidence * 100) / 100,
      explanation: `${problem}${near.length ? ` Nearest commands: ${near.join(", ")}.` : ""}`,
      requiresConfirmation: false,
    };
  }
  const lines = steps.flatMap((s) => s.commands);
  const safety = planSafety(lines, commands);
  return {
    engine: "local",
    commands: lines,
    confidence: Math.round(confidence * 100) / 100,
    explanation: `${steps.map((s, i) => (i ? lowerFirst(describeStep(s)) : describeStep(s))).join(" Then ")}${safety === "safe" ? "" : safety === "dangerous" ? " This changes or removes guests: confirm first." : " This writes: confirm first."}`,
    requiresConfirmation: safety !== "safe",
  };
}

/** Words that only create (a new guest's name after the kind word makes the step a create). */
const CREATES = new Set(["create", "make", "provision", "build", "new"]);

/** Intents whose commands only read. */
const READ_INTENTS = new Set<Intent>(["list", "describe", "logs", "health", "plan", "test"]);

/** A word that is a tag of the store and stands before a kind noun ("the backup vms"). */
function asTag(t: Token, next: Token | undefined, ctx: NlContext): boolean {
  return indexOf(ctx).tags.has(t.text) && Boolean(next && (KIND_NOUN.test(next.text) || KIND_NOUN.test(next.lemma)));
}
const KIND_NOUN = /^(vms?|cts?|containers?|lxcs?|servers?|machines?|boxes|box|ones|guests?|instances?|hosts?|virtual)$/;

/** Actions that only read, of commands the registry rates as a whole (snapshot, backup, context): a question may still list them. */
const READS = /^(snapshot list|backup list|context (list|show))\b/;

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);

function describeStep(step: Step): string {
  const what: Record<Intent, string> = {
    list: "List from the store", describe: "Show", create: "Write the IaC for", delete: "Remove from the IaC", start: "Start", stop: "Hard-stop", shutdown: "Shut down", reboot: "Reboot",
    sync: "Sync the store with the cluster", plan: "Plan", apply: "Apply", test: "Check the workspace", health: "Check the health", logs: "Show the logs", report: "Write a diagnostics bundle",
    set: "Change", snapshot: "Snapshots of", backup: "Back up or restore", clone: "Clone into", migrate: "Migrate", context: "Contexts", none: "",
  };
  const skipped = new Set(step.skipped?.names ?? []);
  const acting = step.targets.filter((n) => !skipped.has(n));
  const targets = acting.length ? ` ${acting.slice(0, 5).join(", ")}${acting.length > 5 ? ", …" : ""}` : "";
  const note = skipped.size ? ` (${[...skipped].slice(0, 5).join(", ")}${skipped.size > 5 ? ", …" : ""} ${skipped.size === 1 ? "is" : "are"} ${step.skipped!.state} already in the store: skipped)` : "";
  if (skipped.size && !acting.length) return `${what[step.intent]} nothing${note}.`;
  return `${what[step.intent]}${["sync", "test", "health", "logs", "report", "list", "context"].includes(step.intent) ? "" : targets}${note}.`;
}

export { analyze } from "./analyze.js";
