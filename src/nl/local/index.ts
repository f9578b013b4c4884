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
import { analyze, indexOf, type Token } from "./analyze.js";
import { classify, type Scored } from "./classifier.js";
import { DEPLOY_WORDS, PRONOUNS, STEP_VERBS, type Intent } from "./lexicon.js";
import { readSlots, type Slots } from "./slots.js";

/** Below this, a step is not understood. */
export const MIN_CONFIDENCE = 0.5;
/** A destructive step needs at least this (and an explicit target). */
export const DESTRUCTIVE_CONFIDENCE = 0.7;

/** Words that only lead into a request ("go ahead and …", "can you …"). */
const LEAD_IN = new Set(["go", "ahead", "please", "pls", "ok", "okay", "so", "now", "can", "could", "would", "you", "let", "'s", "us", "hey", ",", "i", "need", "want", "to", "just", "quickly", "then", "first"]);

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
      const base = s.newName ?? s.role ?? kind;
      const name = count > 1 ? (base.includes("{n}") ? base : `${base}-{n}`) : s.newName ?? freeName(base, ctx);
      const clone = s.guests.find((g) => g.type === (kind === "vm" ? "qemu" : "lxc"));
      const tags = [...(s.role && !s.newName ? [s.role] : []), ...s.tags.filter((t) => t !== s.role)];
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
      const selector = [s.tag ? `tag=${s.tag}` : "", s.status && !s.tag ? `status=${s.status}` : ""].filter(Boolean).join(",") || undefined;
      const match = (g: NlGuest): boolean => (!s.tag || tagged(s, ctx).includes(g)) && (!s.node || g.node === s.node);
      const kinds = kindsFor(s, ctx, match);
      if (!kinds.length) return void (step.problem = `No guest of the store has ${s.tag ? `the tag ${s.tag}` : ""}${s.tag && s.node ? " on " : ""}${s.node ? `node ${s.node}` : ""}.`);
      for (const k of kinds) step.commands.push(cmd(action, [k], { selector, node: s.node }));
      setTargets(pool(s, ctx).filter(match));
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
    case "none":
      step.problem = "This does not look like a proxmox-mpc request.";
  }
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
  shutdown: "shutdown vm NAME", reboot: "reboot vm NAME", sync: "sync", plan: "plan", apply: "apply", test: "test", health: "health", logs: "logs --since 1h", report: 'report-issue "what went wrong"', none: "help",
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
    const lemmas = tokens.map((t) => (t.num !== undefined ? "xnum" : refers(t) ? "xguest" : t.lemma)).filter((l) => /[a-z0-9]/.test(l));
    const ranked = classify(lemmas);
    let { intent, p } = ranked[0];
    // "create … and deploy them": deploying new guests is an apply.
    if (previous?.intent === "create" && tokens.some((t) => DEPLOY_WORDS.has(t.lemma) || DEPLOY_WORDS.has(t.text))) {
      intent = "apply";
      p = Math.max(p, ranked.find((r) => r.intent === "apply")?.p ?? 0, previous.p);
    }
    const slots = readSlots(tokens, ctx);
    slots.reportText = typedText(analysis.text, tokens, analysis.tokens);
    const step: Step = { intent, p, ranked, slots, commands: [], targets: [], targetGuests: [] };
    if (p < MIN_CONFIDENCE) step.problem = `Not sure what "${slots.reportText}" asks for.`;
    else build(step, ctx, commands, previous);
    if (previous?.intent === "create" && intent === "start" && step.commands.length && !previous.commands.some((c) => c.startsWith("apply"))) {
      step.commands.unshift(line(commands, "test", [], {}), line(commands, "plan", previous.targets, {}), line(commands, "apply", previous.targets, {}));
    }
    if (!step.problem && step.commands.some((c) => safetyOf(c, commands) === "dangerous") && (p < DESTRUCTIVE_CONFIDENCE || (intent !== "apply" && !step.targets.length))) {
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
      if (!step.problem && step.commands.some((c) => safetyOf(c, commands) !== "safe")) {
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

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);

function describeStep(step: Step): string {
  const what: Record<Intent, string> = {
    list: "List from the store", describe: "Show", create: "Write the IaC for", delete: "Remove from the IaC", start: "Start", stop: "Hard-stop", shutdown: "Shut down", reboot: "Reboot",
    sync: "Sync the store with the cluster", plan: "Plan", apply: "Apply", test: "Check the workspace", health: "Check the health", logs: "Show the logs", report: "Write a diagnostics bundle", none: "",
  };
  const targets = step.targets.length ? ` ${step.targets.slice(0, 5).join(", ")}${step.targets.length > 5 ? ", …" : ""}` : "";
  return `${what[step.intent]}${["sync", "test", "health", "logs", "report", "list"].includes(step.intent) ? "" : targets}.`;
}

export { analyze } from "./analyze.js";
