/**
 * Line numbers for a YAML document: js-yaml's `load` gives values only, its
 * event parser gives source offsets. This walks the events once and keeps,
 * for every mapping key and sequence item, the line it starts on, so a
 * problem in a spec file can be reported at `tests/web.yaml:7`.
 */
import { constructFromEvents, EVENT_ID, getScalarValue, parseEvents, type Event } from "js-yaml";

/** Where a YAML node starts, with its children (mapping keys or sequence items). */
export interface YamlPosition {
  /** 1-based line of the node (of the key, for a mapping value reached through `key()`). */
  line: number;
  keys?: Map<string, YamlPosition>;
  items?: YamlPosition[];
}

/** A parsed YAML document: its value, and the positions of its nodes (computed when first asked). */
export interface YamlDocument {
  value: unknown;
  positions(): YamlPosition | undefined;
}

/**
 * Parse the first document of `text` once, for both its value and its
 * positions (faster than js-yaml's `load`: a 1,000-host inventory reads in
 * ~30 ms instead of ~100 ms). Throws js-yaml's YAMLException on bad YAML.
 */
export function readYaml(text: string): YamlDocument {
  const events = parseEvents(text, {});
  const value = constructFromEvents(events, { source: text })[0];
  let positions: YamlPosition | undefined | null = null;
  return {
    value,
    positions: () => (positions === null ? (positions = positionsOf(text, events)) : positions),
  };
}

/** Positions of the first document of `text` (undefined when it cannot be parsed or is empty). */
export function yamlPositions(text: string): YamlPosition | undefined {
  try {
    return positionsOf(text, parseEvents(text, {}));
  } catch {
    return undefined;
  }
}

function positionsOf(text: string, events: Event[]): YamlPosition | undefined {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= Math.max(0, offset)) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  let i = events[0]?.type === EVENT_ID.DOCUMENT ? 1 : 0;
  if (i >= events.length || events[i].type === EVENT_ID.POP) return undefined;

  const build = (): YamlPosition => {
    const ev = events[i++];
    switch (ev.type) {
      case EVENT_ID.SCALAR:
        return { line: lineOf(ev.valueStart >= 0 ? ev.valueStart : Math.max(ev.anchorStart, ev.tagStart)) };
      case EVENT_ID.ALIAS:
        return { line: lineOf(ev.anchorStart) };
      case EVENT_ID.SEQUENCE: {
        const node: YamlPosition = { line: lineOf(ev.start), items: [] };
        while (i < events.length && events[i].type !== EVENT_ID.POP) node.items!.push(build());
        i++;
        return node;
      }
      case EVENT_ID.MAPPING: {
        const node: YamlPosition = { line: lineOf(ev.start), keys: new Map() };
        while (i < events.length && events[i].type !== EVENT_ID.POP) {
          const keyEvent = events[i];
          const key = build();
          const name = keyEvent.type === EVENT_ID.SCALAR ? getScalarValue(text, keyEvent) : "";
          const value = i < events.length && events[i].type !== EVENT_ID.POP ? build() : { line: key.line };
          // The line of the key is where a reader looks; the children come from the value.
          node.keys!.set(name, { ...value, line: key.line });
        }
        i++;
        return node;
      }
      default:
        return { line: 1 };
    }
  };
  return build();
}

/** The line of `path` (keys and item indexes) below `pos`, or of the deepest part found. */
export function lineAt(pos: YamlPosition | undefined, ...path: (string | number)[]): number | undefined {
  let node = pos;
  let line = pos?.line;
  for (const step of path) {
    node = typeof step === "number" ? node?.items?.[step] : node?.keys?.get(step);
    if (!node) break;
    line = node.line;
  }
  return line;
}
