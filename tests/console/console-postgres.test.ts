/**
 * The console and shell completion on a PostgreSQL workspace after a sync:
 * the banner shows the last sync's age (not "never") and Tab completes guest
 * names, read through the store (not from a SQLite file that is not there).
 */
import { BIN, cliProcess } from "../helpers/cli.js";
import { havePart, missingPart } from "../helpers/real-parts.js";
import { guestName, initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";
import { TmuxSession } from "../helpers/tmux.js";
import { createPgDatabase } from "../state/helpers.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>> | undefined;
let drop: (() => Promise<void>) | undefined;
let term: TmuxSession | undefined;

beforeAll(async () => {
  sim = await startSim({ size: 30, randomSeed: 21 });
  const db = await createPgDatabase();
  if (db.url === null) return missingPart("postgresql", db.reason);
  drop = db.drop;
  ws = await initWorkspace(sim, { database: db.url });
  expect((await ws.run(["sync"])).code).toBe(0);
}, 60_000);
afterAll(async () => {
  term?.kill();
  await sim?.close();
  ws?.cleanup();
  await drop?.();
});

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A guest whose name, less its last character, is what the test types before Tab. */
function someGuest(): string {
  return guestName(sim.cluster.guests().find((g) => g.type === "qemu" && !g.template)!);
}

it("__complete (shell completion) offers guest names from the PostgreSQL store", async () => {
  if (!ws) return;
  const name = someGuest();
  const run = await cliProcess(["__complete", `get vm ${name.slice(0, -1)}`], { env: ws.env, cwd: ws.dir });
  expect(run.code).toBe(0);
  expect(run.stdout.split("\n")).toContain(name);
  const nodes = await cliProcess(["__complete", "get vms --node "], { env: ws.env, cwd: ws.dir });
  expect(nodes.stdout.split("\n").filter(Boolean).sort()).toEqual([...sim.cluster.nodes.keys()].sort());
});

describe("on a terminal", () => {
  beforeAll(() => {
    if (ws && !havePart("tmux")) missingPart("tmux", "install it with: apt-get install -y tmux");
  });

  it("the banner shows the last sync's age and Tab completes a guest name", async () => {
    if (!ws || !havePart("tmux")) return;
    term = TmuxSession.start(`node ${BIN}`, ws.env, ws.dir);
    const screen = await term.waitFor(/last sync[\s\S]*proxmox-mpc \S+@127\.0\.0\.1> $/m);
    expect(screen).toMatch(new RegExp(`last sync\\s+\\d+s ago \\(${sim.cluster.guests().length} guests\\)`));
    expect(screen).not.toMatch(/never/);
    // The banner reads the same as on SQLite once the store answered: sync, drift, hints, then the prompt.
    expect(screen).toMatch(/server .*\n\s+last sync .*\n\s+drift .*\n\s+\/help for commands.*\n\nproxmox-mpc /);

    const name = someGuest();
    term.type(`describe vm ${name.slice(0, -1)}`);
    term.send("Tab");
    term.send("Tab");
    await term.waitFor(new RegExp(`(^|\\s)${escape(name)}(\\s|$)`, "m"));
    term.send("C-u");
    term.type("/exit");
    term.send("Enter");
    await term.waitFor(/\[exit 0\]/);
  });
});
