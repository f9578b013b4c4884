/**
 * What the natural-language face hands the engines: the safety of a line from
 * the registry's metadata (a read view such as `snapshot list` is safe, the
 * command's other actions are not), and the store's guests with the figures a
 * relative change needs ("two more cores").
 */
import { COMMANDS } from "../../src/commands/registry.js";
import { databaseUrl, loadWorkspace } from "../../src/core/workspace.js";
import { readNlContext } from "../../src/nl/context.js";
import { parseLocal } from "../../src/nl/local/index.js";
import { safetyOf } from "../../src/nl/types.js";
import { openStore } from "../../src/state/store.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeAll(async () => {
  sim = await startSim({ size: 6, randomSeed: 5 });
  ws = await initWorkspace(sim);
  const run = await ws.run(["sync"]);
  if (run.code !== 0) throw new Error(run.stderr);
});
afterAll(async () => {
  ws.cleanup();
  await sim.close();
});

it("a read view of a mutating command is safe; its other actions keep the command's level", () => {
  expect(safetyOf("snapshot list vm web-01", COMMANDS)).toBe("safe");
  expect(safetyOf("backup list web-01", COMMANDS)).toBe("safe");
  expect(safetyOf("snapshot rollback vm web-01 before", COMMANDS)).toBe("dangerous");
  expect(safetyOf("backup restore local:backup/vzdump-qemu-101-2026_11_28-12_00_00.vma.zst", COMMANDS)).toBe("dangerous");
  expect(safetyOf("get vms", COMMANDS)).toBe("safe");
});

it("the context carries each guest's cores and memory, so a relative change is computed from the store", async () => {
  const workspace = await loadWorkspace(ws.dir);
  const store = await openStore({ url: databaseUrl(workspace, ws.env), readOnly: true });
  try {
    const context = await readNlContext(async () => store);
    const guest = context.guests.find((g) => g.type === "qemu")!;
    const stored = (await store.guests.get(guest.vmid))!;
    expect(guest).toMatchObject({ cores: stored.cores, memory: stored.memory });
    const plan = parseLocal(`give ${guest.name} two more cores`, context);
    expect(plan.commands).toEqual([`set vm ${guest.name} --cores ${stored.cores + 2}`]);
  } finally {
    await store.close();
  }
});
