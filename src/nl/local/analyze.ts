/**
 * From a sentence to tokens the model and the slot reader share. Names the
 * store knows (guests, nodes, storages), IP addresses, vmids and quoted text
 * are matched exactly first and stand in the text as placeholders (xguest,
 * xnode, xstore, xip, xtext), so the model learns "start xguest", not every
 * name; then wink-nlp tokenizes, lemmatizes and finds the cardinal numbers,
 * and compromise reads number words ("twenty five").
 */
import { createRequire } from "node:module";
import winkNLP from "wink-nlp";
import model from "wink-eng-lite-web-model";
import type { NlContext, NlGuest } from "../types.js";
import { CORE_WORDS, CT_WORDS, SIZE_UNITS, VM_WORDS } from "./lexicon.js";

const wink = winkNLP(model, ["sbd", "pos", "ner"]);
// compromise reads number words; it takes long to load, so it loads (synchronously, its CommonJS build) on the first number word.
const require = createRequire(import.meta.url);
let nlp: typeof import("compromise/three").default | undefined;
const its = wink.its;

/** What a placeholder stands for. */
export type Mention =
  | { kind: "guest"; guest: NlGuest; text: string }
  /** A node; `unknown` when it only looks like one ("pve9" where the store has pve1…pve3). */
  | { kind: "node"; text: string; unknown?: boolean }
  /** A backup's volume id (nfs-backup:backup/vzdump-qemu-101-….vma.zst). */
  | { kind: "volid"; text: string }
  /** A hyphenated label in a snapshot request (before-upgrade, pre-patch). */
  | { kind: "label"; text: string }
  | { kind: "storage"; text: string }
  | { kind: "ip"; text: string }
  | { kind: "text"; text: string }
  /** A name-like word the store does not know; `given` when it names a new guest ("named api-{n}"). */
  | { kind: "name"; text: string; given?: boolean };

/** One token of the masked sentence. */
export interface Token {
  /** Lower-case surface form ("gigs", "xguest"). */
  text: string;
  /** wink-nlp's lemma ("gig", "create"); the placeholder itself for a mention. */
  lemma: string;
  /** The number it is (digits, a cardinal entity, a number word). */
  num?: number;
  /** The mention behind a placeholder. */
  mention?: Mention;
}

export interface Analysis {
  /** The sentence as typed. */
  text: string;
  tokens: Token[];
  /** The lemmas the intent model reads (numbers as xnum). */
  features: string[];
}

const PLACEHOLDER: Record<Mention["kind"], string> = { guest: "xguest", node: "xnode", storage: "xstore", ip: "xip", text: "xtext", name: "xname", volid: "xvolid", label: "xlabel" };
const SMALL_NUMBERS: Record<string, number> = { couple: 2, pair: 2, dozen: 12, single: 1, a: 1, an: 1 };
const wordNumbers = new Map<string, number | undefined>();

interface Span {
  start: number;
  end: number;
  mention: Mention;
}

/** The store's names, looked up by the parser (built once per context object). */
export interface ContextIndex {
  /** Lower-case guest, node and storage names (a guest's name wins over a node's or storage's of the same spelling). */
  names: Map<string, Mention>;
  vmids: Map<string, NlGuest>;
  /** The tags of the store's guests, lower case. */
  tags: Set<string>;
  /** Guests by each leading part of their names: "k8s" and "k8s-worker" for k8s-worker-01. */
  prefixes: Map<string, NlGuest[]>;
  /** Lower-case guest names. */
  guestNames: Set<string>;
  byTag: Map<string, NlGuest[]>;
  byNode: Map<string, NlGuest[]>;
}

function group(guests: readonly NlGuest[], keys: (g: NlGuest) => string[]): Map<string, NlGuest[]> {
  const map = new Map<string, NlGuest[]>();
  for (const g of guests) {
    for (const key of keys(g)) {
      const list = map.get(key);
      if (list) list.push(g);
      else map.set(key, [g]);
    }
  }
  return map;
}

const indexes = new WeakMap<NlContext, ContextIndex>();

/** The index of a context; a context is read as given, so a changed store is a new context object. */
export function indexOf(ctx: NlContext): ContextIndex {
  let index = indexes.get(ctx);
  if (index) return index;
  const names = new Map<string, Mention>();
  const prefixes = new Map<string, NlGuest[]>();
  for (const g of ctx.guests) {
    const name = g.name.toLowerCase();
    if (!names.has(name)) names.set(name, { kind: "guest", guest: g, text: g.name });
    for (let at = name.indexOf("-"); at > 0; at = name.indexOf("-", at + 1)) {
      const prefix = name.slice(0, at);
      const list = prefixes.get(prefix) ?? [];
      list.push(g);
      prefixes.set(prefix, list);
    }
  }
  for (const n of ctx.nodes) if (!names.has(n.toLowerCase())) names.set(n.toLowerCase(), { kind: "node", text: n });
  for (const st of ctx.storages) if (!names.has(st.toLowerCase())) names.set(st.toLowerCase(), { kind: "storage", text: st });
  const byTag = group(ctx.guests, (g) => [...new Set(g.tags.map((t) => t.toLowerCase()))]);
  index = {
    names, prefixes, byTag, byNode: group(ctx.guests, (g) => [g.node]), tags: new Set(byTag.keys()),
    vmids: new Map(ctx.guests.map((g) => [String(g.vmid), g])), guestNames: new Set(ctx.guests.map((g) => g.name.toLowerCase())),
  };
  indexes.set(ctx, index);
  return index;
}

/** Find what the store knows in the text, as whole words. */
function findMentions(lower: string, raw: string, ctx: NlContext): Span[] {
  const spans: Span[] = [];
  const taken = (s: number, e: number): boolean => spans.some((x) => s < x.end && e > x.start);
  const add = (start: number, end: number, mention: Mention): void => {
    if (!taken(start, end)) spans.push({ start, end, mention });
  };
  for (const m of lower.matchAll(/"([^"]*)"|“([^”]*)”/g)) add(m.index, m.index + m[0].length, { kind: "text", text: raw.slice(m.index + 1, m.index + m[0].length - 1) });
  // A backup volume id, before the storage and vmid inside it are read as names.
  for (const m of lower.matchAll(/(?<![\w.-])[a-z0-9][a-z0-9_.-]*:backup\/[^\s"'?!,;]+/g)) {
    const text = raw.slice(m.index, m.index + m[0].length).replace(/\.+$/, "");
    add(m.index, m.index + text.length, { kind: "volid", text });
  }
  for (const m of lower.matchAll(/\b\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?\b/g)) add(m.index, m.index + m[0].length, { kind: "ip", text: m[0] });
  // Every run of name characters, looked up whole (and without a sentence's final dot): a store of any size costs one lookup a word.
  const index = indexOf(ctx);
  for (const m of lower.matchAll(/[a-z0-9_.{}-]+/g)) {
    const run = m[0];
    const trimmed = run.replace(/\.+$/, "");
    const mention = index.names.get(run) ?? index.names.get(trimmed);
    if (mention) add(m.index, m.index + (index.names.has(run) ? run.length : trimmed.length), mention);
  }
  // A node-like word the store does not have ("pve9" where it has pve1…pve3; "node foo2"): kept, so it is refused, not dropped.
  const nodeStems = [...new Set(ctx.nodes.map((n) => n.toLowerCase().replace(/\d+$/, "")).filter((stem) => /^[a-z][a-z-]*$/.test(stem)))];
  for (const stem of nodeStems) {
    for (const m of lower.matchAll(new RegExp(`(?<![\\w.-])${stem}\\d+(?![\\w-])`, "g"))) add(m.index, m.index + m[0].length, { kind: "node", text: raw.slice(m.index, m.index + m[0].length), unknown: true });
  }
  for (const m of lower.matchAll(/\bnode\s+([a-z][a-z0-9-]*\d[a-z0-9-]*)(?![\w-])/g)) {
    const start = m.index + m[0].length - m[1].length;
    add(start, start + m[1].length, { kind: "node", text: raw.slice(start, start + m[1].length), unknown: true });
  }
  // The name given to a new guest: "named proxy-edge", "called app-{n}".
  for (const m of lower.matchAll(/\b(?:named|called)\s+([a-z][a-z0-9{}]*(?:-[a-z0-9{}]+)+)(?![a-z0-9_{}-])/g)) {
    const start = m.index + m[0].length - m[1].length;
    add(start, start + m[1].length, { kind: "name", text: raw.slice(start, start + m[1].length), given: true });
  }
  // Name-like words the store does not know (web-99, api-{n}): kept whole, never matched to a guest.
  for (const m of lower.matchAll(/(?<![a-z0-9_.-])[a-z][a-z0-9]*(?:-[a-z0-9{}]+)*(?:-(?:\d+|\{n\})|\{n\})(?![a-z0-9_-])/g)) add(m.index, m.index + m[0].length, { kind: "name", text: raw.slice(m.index, m.index + m[0].length) });
  // Snapshot names: a hyphenated word in a request about snapshots ("roll web-01 back to before-upgrade").
  if (/\b(snap\w*|roll\w*|revert\w*|checkpoint\w*)\b/.test(lower)) {
    for (const m of lower.matchAll(/(?<![\w.-])[a-z][a-z0-9_]*(?:-[a-z0-9_]+)+(?![\w-])/g)) add(m.index, m.index + m[0].length, { kind: "label", text: raw.slice(m.index, m.index + m[0].length) });
  }
  // A vmid the store knows, not followed by a unit or a kind ("100 GB", "100 vms" are no vmids).
  const byVmid = index.vmids;
  for (const m of lower.matchAll(/(?<![\w.])(\d{3,9})(?![\w.])(?!\s*(?:[a-z]+))/g)) {
    const guest = byVmid.get(m[1]);
    if (guest) add(m.index, m.index + m[1].length, { kind: "guest", guest, text: guest.name });
  }
  for (const m of lower.matchAll(/(?<![\w.])(\d{3,9})\s+([a-z]+)/g)) {
    const guest = byVmid.get(m[1]);
    const next = m[2];
    if (guest && !(next in SIZE_UNITS) && !VM_WORDS.has(next) && !CT_WORDS.has(next) && !CORE_WORDS.has(next) && !/^(containers?|machines?|servers?|instances?|guests?)$/.test(next)) add(m.index, m.index + m[1].length, { kind: "guest", guest, text: guest.name });
  }
  return spans.sort((a, b) => a.start - b.start);
}

function numberOfWords(words: string): number | undefined {
  if (!wordNumbers.has(words)) {
    nlp ??= require("compromise/three") as typeof import("compromise/three").default; // the CommonJS build exports the function itself
    const found = (nlp(words).numbers().get() as unknown[]).find((n): n is number => typeof n === "number" && Number.isFinite(n));
    wordNumbers.set(words, found);
  }
  return wordNumbers.get(words);
}

/** Tokens, lemmas and numbers of a sentence, with the store's names as placeholders. */
export function analyze(text: string, ctx: NlContext): Analysis {
  const raw = text.trim();
  const lower = raw.toLowerCase();
  const spans = findMentions(lower, raw, ctx);
  let masked = "";
  let at = 0;
  const mentions: Mention[] = [];
  for (const span of spans) {
    masked += `${lower.slice(at, span.start)} ${PLACEHOLDER[span.mention.kind]}${mentions.length} `;
    mentions.push(span.mention);
    at = span.end;
  }
  masked += lower.slice(at);
  const doc = wink.readDoc(masked.replace(/[’']/g, "'"));
  const values = doc.tokens().out(its.value);
  // wink's typings declare its.lemma with the model's raw signature; it is a token its-function like the others.
  const lemmas = doc.tokens().out(its.lemma as unknown as typeof its.value) as string[];
  const types = doc.tokens().out(its.type);
  const tokens: Token[] = values.map((value, i) => {
    const m = /^x(guest|node|store|ip|text|name|volid|label)(\d+)$/.exec(value);
    if (m) {
      const mention = mentions[Number(m[2])];
      // An unknown name reads like a guest to the intent model ("describe web-99" is still a describe); the slots keep it apart.
      const lemma = mention.kind === "name" && !mention.given ? "xguest" : `x${m[1]}`;
      return { text: `x${m[1]}`, lemma, mention };
    }
    const token: Token = { text: value, lemma: lemmas[i] || value };
    if (types[i] === "number" && /^\d+(\.\d+)?$/.test(value)) token.num = Number(value);
    return token;
  });
  // Cardinals in words ("three", "twenty five", "a dozen"): the first token carries the number, the rest are dropped.
  const entities = doc.entities().out(its.detail) as unknown as { value: string; type: string }[];
  const spansOf = doc.entities().out(its.span) as unknown as [number, number][];
  const drop = new Set<number>();
  entities.forEach((entity, k) => {
    if (entity.type !== "CARDINAL") return;
    const [s, e] = spansOf[k];
    if (e === s && tokens[s].num !== undefined) return;
    const words = values.slice(s, e + 1).join(" ");
    const last = values[e];
    const n = last in SMALL_NUMBERS && e - s <= 1 ? SMALL_NUMBERS[last] : numberOfWords(words);
    if (n === undefined) return;
    tokens[s] = { text: words, lemma: "xnum", num: n };
    for (let i = s + 1; i <= e; i++) drop.add(i);
  });
  const kept = tokens.filter((_, i) => !drop.has(i));
  for (let i = 0; i < kept.length; i++) {
    const t = kept[i];
    // "a couple of VMs", "a pair of containers".
    if (t.num === undefined && (t.text === "couple" || t.text === "pair") && kept[i + 1]?.text === "of") kept[i] = { text: t.text, lemma: "xnum", num: 2 };
  }
  const features = kept.map((t, i) => featureOf(t, kept[i - 1])).filter((l) => /[a-z0-9]/.test(l));
  return { text: raw, tokens: kept, features };
}

/**
 * The word the intent model reads for a token: numbers as xnum, except a vmid-like number right
 * after a kind word ("start vm 999"), which reads like a guest (an unknown one: the slots refuse it).
 */
export function featureOf(t: Token, before: Token | undefined): string {
  if (t.num === undefined) return t.lemma;
  const kindWord = before && /^(vms?|cts?|containers?|lxcs?)$/.test(before.text);
  return kindWord && Number.isInteger(t.num) && t.num >= 100 ? "xguest" : "xnum";
}
