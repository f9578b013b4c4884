/**
 * The import graph of src/, read from the code itself (static imports,
 * re-exports and dynamic import() alike): arrows run faces → commands →
 * services → core and never back; services do not import each other in a
 * circle; no file takes part in an import cycle; and only the sim and demo
 * commands load the simulator. See docs/development.md for the layers.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../../src", import.meta.url));

/** The layer of each top-level folder (or file) of src/. */
const LAYERS: Record<string, number> = {
  "main.ts": 4,
  cli: 3,
  console: 3,
  mcp: 3,
  nl: 3,
  api: 3,
  web: 3, // the dashboard (browser code): it talks HTTP to the API and imports nothing outside src/web
  commands: 2,
  pve: 1,
  proxmox: 1,
  sim: 1,
  state: 1,
  sync: 1,
  iac: 1,
  engine: 1,
  observability: 1,
  core: 0,
};

/**
 * Faces may use the command-line program (cli/) the console runs its lines through; the console routes
 * English to the natural-language face (nl/route.ts decides, nl/face.ts answers), which runs each step
 * of a plan through that same program (nl->cli). No other arrow between faces.
 */
// api->mcp: `serve` mounts the MCP Streamable HTTP endpoint at /mcp (src/api/mcp.ts) with mcp's own sessions and tools.
const FACE_ARROWS = new Set(["console->cli", "console->nl", "nl->cli", "api->mcp"]);

/** Who may load the simulator. */
const SIMULATOR_USERS = new Set(["commands/sim.ts", "commands/demo.ts"]);

interface Edge {
  from: string;
  to: string;
  /** Erased at run time (`import type`): counts for layers, not for cycles. */
  typeOnly: boolean;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === "generated") return [];
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** Every relative import of every file: `import … from`, `export … from`, `import("…")`. */
function readEdges(): Edge[] {
  const pattern = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\bfrom\s+)?["'](\.{1,2}\/[^"']+)["']|\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;
  const edges: Edge[] = [];
  for (const file of sources(SRC)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(pattern)) {
      const spec = m[3] ?? m[4];
      const target = resolve(dirname(file), spec).replace(/\.js$/, ".ts");
      edges.push({ from: relative(SRC, file), to: relative(SRC, target), typeOnly: Boolean(m[2]) });
    }
  }
  return edges;
}

const layerOf = (file: string): string => file.split("/")[0];
const edges = readEdges();

it("reads a graph of the whole tree (sanity: the reader finds the imports)", () => {
  expect(edges.length).toBeGreaterThan(300);
  expect(edges).toContainEqual(expect.objectContaining({ from: "cli/main.ts", to: "commands/registry.ts" }));
  expect(Object.keys(LAYERS)).toEqual(expect.arrayContaining([...new Set(edges.map((e) => layerOf(e.from)))]));
});

it("arrows run faces → commands → services → core, never back, and faces do not import each other", () => {
  const wrong = edges
    .filter((e) => layerOf(e.from) !== layerOf(e.to))
    .filter((e) => {
      const [a, b] = [LAYERS[layerOf(e.from)], LAYERS[layerOf(e.to)]];
      if (a === undefined || b === undefined) return true;
      if (a === 3 && b === 3) return !FACE_ARROWS.has(`${layerOf(e.from)}->${layerOf(e.to)}`);
      return b > a;
    })
    .map((e) => `${e.from} → ${e.to}`);
  expect(wrong).toEqual([]);
});

it("services do not import each other in a circle", () => {
  const services = Object.keys(LAYERS).filter((k) => LAYERS[k] === 1);
  const arrows = new Map<string, Set<string>>(services.map((s) => [s, new Set<string>()]));
  for (const e of edges) {
    const [a, b] = [layerOf(e.from), layerOf(e.to)];
    if (a !== b && arrows.has(a) && arrows.has(b)) arrows.get(a)!.add(b);
  }
  expect(cycles(arrows)).toEqual([]);
});

it("no file takes part in an import cycle (static or dynamic)", () => {
  const arrows = new Map<string, Set<string>>();
  for (const e of edges.filter((x) => !x.typeOnly)) {
    if (!arrows.has(e.from)) arrows.set(e.from, new Set());
    arrows.get(e.from)!.add(e.to);
  }
  expect(cycles(arrows)).toEqual([]);
});

it("only the sim and demo commands load the simulator", () => {
  const users = edges.filter((e) => layerOf(e.to) === "sim" && layerOf(e.from) !== "sim").map((e) => e.from);
  expect(users.filter((u) => !SIMULATOR_USERS.has(u))).toEqual([]);
});

/** The strongly connected components with more than one member (Tarjan), each sorted. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
    }
    if (low.get(v) === order.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!order.has(v)) visit(v);
  return found;
}
