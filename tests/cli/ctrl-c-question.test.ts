/**
 * Ctrl-C at a yes/no question of the shell CLI, on a real terminal (tmux):
 * the run ends as cancelled (exit 130), says nothing was changed, offers no
 * "--debug / report-issue" hints as after a failure, and changes nothing.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { BIN } from "../helpers/cli.js";
import { describeWith } from "../helpers/real-parts.js";
import { guestName, initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";
import { TmuxSession } from "../helpers/tmux.js";

describeWith("tmux")("Ctrl-C at a question", () => {
  let sim: RunningSimulator;
  let ws: Awaited<ReturnType<typeof initWorkspace>>;
  let term: TmuxSession | undefined;

  beforeAll(async () => {
    sim = await startSim({ size: 4, randomSeed: 7 });
    ws = await initWorkspace(sim);
    const run = await ws.run(["sync"]);
    if (run.code !== 0) throw new Error(run.stderr);
  }, 60_000);
  afterAll(async () => {
    term?.kill();
    ws.cleanup();
    await sim.close();
  });

  it("ends the run as cancelled (exit 130) with nothing changed and no failure hints", async () => {
    const vm = sim.cluster.guests().find((g) => g.type === "qemu" && !g.template)!;
    const file = join(ws.dir, "terraform", `${guestName(vm).replace(/-/g, "_")}.tf`);
    expect(existsSync(file)).toBe(true);
    term = TmuxSession.start(`node ${BIN} delete vm ${guestName(vm)}`, ws.env, ws.dir);
    await term.waitFor(/\[y\/N\] $/m);
    term.send("C-c");
    const screen = await term.waitFor(/\[exit \d+\]/);
    expect(screen).toContain("Cancelled at the question: nothing was changed.");
    expect(screen).toContain("[exit 130]");
    expect(screen).not.toMatch(/report-issue|--debug|Aborted with Ctrl\+C/);
    expect(screen).toContain(`Removes terraform/${guestName(vm).replace(/-/g, "_")}.tf`);
    expect(existsSync(file)).toBe(true);
  }, 60_000);
});
