/**
 * `delete … --apply` in the console: on a terminal (tmux) the plan and the
 * files are shown and "n" changes nothing, "y" destroys and then removes the
 * IaC; piped, it refuses without --yes and changes nothing.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, cliProcess } from "../helpers/cli.js";
import { describeWith } from "../helpers/real-parts.js";
import { guestName, initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";
import { TmuxSession } from "../helpers/tmux.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeAll(async () => {
  sim = await startSim({ size: 80, randomSeed: 12 });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
});
afterAll(async () => {
  await sim.close();
  ws.cleanup();
});

/** The .tf files and the inventory, as text. */
function iac(): Record<string, string> {
  const tf = join(ws.dir, "terraform");
  const out: Record<string, string> = { inventory: readFileSync(join(ws.dir, "ansible", "inventory.yml"), "utf8") };
  for (const f of readdirSync(tf)) out[f] = readFileSync(join(tf, f), "utf8");
  return out;
}

/** A stopped VM's vmid and name and its file, different for each call. */
const taken = new Set<number>();
function victim(): { vmid: number; name: string; file: string } {
  const g = sim.cluster.guests().find((x) => x.type === "qemu" && !x.template && x.status === "stopped" && !taken.has(x.vmid))!;
  taken.add(g.vmid);
  const file = readdirSync(join(ws.dir, "terraform")).find((f) => readFileSync(join(ws.dir, "terraform", f), "utf8").startsWith(`# Managed by proxmox-mpc: ${g.vmid} `))!;
  return { vmid: g.vmid, name: guestName(g), file };
}

it("piped: delete --apply without --yes refuses and changes nothing", async () => {
  const v = victim();
  const before = iac();
  const run = await cliProcess([], { env: ws.env, cwd: ws.dir, input: `delete vm ${v.name} --apply --engine native\n` });
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/Confirmation needed[\s\S]*--yes/);
  expect(iac()).toEqual(before);
  expect(sim.cluster.guest(v.vmid)).toBeDefined();
});

describeWith("tmux")("on a terminal", () => {
  let term: TmuxSession;
  beforeAll(async () => {
    term = TmuxSession.start(`node ${BIN}`, ws.env, ws.dir);
    await term.waitFor(/proxmox-mpc \S+@127\.0\.0\.1> $/m);
  });
  afterAll(() => term?.kill());

  it("shows the plan and the files, obeys n, and with y destroys before removing the IaC", async () => {
    const v = victim();
    const before = iac();
    term.type(`delete vm ${v.name} --apply --engine native`);
    term.send("Enter");
    const asked = await term.waitFor(/Destroy this change \(1 guest will be DESTROYED\)\? \[y\/N\] $/m);
    expect(asked).toContain(`- terraform/${v.file}`);
    term.type("n");
    term.send("Enter");
    await term.waitFor(/Nothing was changed\./);
    expect(iac()).toEqual(before);
    expect(sim.cluster.guest(v.vmid)).toBeDefined();

    term.send("C-l");
    term.type(`delete vm ${v.name} --apply --engine native`);
    term.send("Enter");
    await term.waitFor(/Destroy this change \(1 guest will be DESTROYED\)\? \[y\/N\] $/m);
    term.type("y");
    term.send("Enter");
    await term.waitFor(new RegExp(`Removed terraform/${v.file.replace(".", "\\.")}`), 30_000);
    expect(sim.cluster.guest(v.vmid)).toBeUndefined();
    expect(iac()[v.file]).toBeUndefined();
  });
});
