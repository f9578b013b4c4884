/**
 * The declared options through the real CLI: commander's flags come from the
 * declarations (repeatable --tag, numbers typed as text, --no-refresh, the
 * defaults and choices --help shows), and a bad value is refused by the
 * command's schema with exit 2 before anything happens.
 */
import { join } from "node:path";
import { COMMANDS } from "../../src/commands/registry.js";
import { openStore } from "../../src/state/store.js";
import { cli } from "../helpers/cli.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeAll(async () => {
  sim = await startSim({ size: 6, randomSeed: 5 });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
});
afterAll(async () => {
  await sim.close();
  ws.cleanup();
});

async function withStore<T>(read: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const store = await openStore({ url: `file:${join(ws.dir, ".proxmox-mpc", "state.db")}` });
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}

/** The options the last run of `command` was recorded with (as the face passed them on). */
function recordedOptions(command: string): Promise<unknown> {
  return withStore(async (store) => ((await store.operations.list({ command, limit: 1 }))[0].arguments as { options: unknown }).options);
}

const syncCount = (): Promise<number> => withStore(async (store) => (await store.counts()).syncRuns);

it.each(COMMANDS.filter((c) => c.options?.length && !c.hidden).map((c) => [c.name, c] as const))("%s --help lists every declared option", async (name, command) => {
  const run = await cli([name, "--help"]);
  expect(run.code).toBe(0);
  const help = run.stdout.replace(/\s+/g, " ");
  for (const option of command.options ?? []) {
    expect(help).toContain(`${option.flags} ${option.description.split(" ").slice(0, 3).join(" ")}`);
    // A --no-X flag is on by default, which commander does not print.
    if (option.default !== undefined && !option.long.startsWith("--no-")) expect(help).toContain(`(default: ${JSON.stringify(option.default)})`);
    if (option.choices) expect(help).toContain(`(choices: ${option.choices.map((c) => `"${c}"`).join(", ")})`);
  }
});

it("a repeated --tag collects every value and --cores is read as a number", async () => {
  const run = await ws.run(["create", "vm", "--name", "tagged-01", "--tag", "web", "--tag", "db", "--cores", "3", "--dry-run", "-o", "json"]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  const [file] = JSON.parse(run.stdout).files as { content: string }[];
  expect(file.content).toMatch(/tags\s*=\s*\["db", "web"\]/);
  expect(file.content).toMatch(/cores\s*=\s*3\b/);
  expect(await recordedOptions("create")).toEqual({ name: "tagged-01", tag: ["web", "db"], cores: "3", dryRun: true, count: 1 });
});

it("--no-refresh reaches apply as refresh: false", async () => {
  const run = await ws.run(["apply", "--engine", "native", "--no-refresh", "--yes"]);
  expect(run.code).toBe(0);
  expect(await recordedOptions("apply")).toEqual({ engine: "native", refresh: false });
});

it.each([
  [["sync", "--wait", "soon"], '--wait must be a number 0 or more, got "soon".'],
  [["create", "vm", "--name", "x1", "--count", "2.5"], '--count must be a whole number between 1 and 100, got "2.5".'],
  [["plan", "--engine", "tofu"], '--engine must be one of terraform, native, got "tofu".'],
  [["get", "tasks", "--limit", "many"], '--limit must be a whole number, got "many".'],
])("%j is refused with exit 2 and one line naming the flag", async (args, message) => {
  const syncs = await syncCount();
  const run = await ws.run(args);
  expect(run.code).toBe(2);
  expect(run.stderr).toBe(`error: ${message}\n`);
  expect(run.stdout).toBe("");
  expect(await syncCount()).toBe(syncs);
});

it("sim refuses a port out of range before it listens", async () => {
  const run = await cli(["sim", "--port", "70000"]);
  expect(run.code).toBe(2);
  expect(run.stderr).toBe('error: --port must be a whole number between 0 and 65535, got "70000".\n');
  expect(run.stdout).toBe("");
});
