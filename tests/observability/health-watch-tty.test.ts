/**
 * `health --watch` on a real terminal (tmux): the report is drawn, redrawn in
 * place (the screen holds one report, not a scroll of them), and Ctrl-C ends
 * it with exit 0. Needs `npm run build` (it runs bin/proxmox-mpc.js).
 */
import { BIN } from "../helpers/cli.js";
import { describeWith } from "../helpers/real-parts.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";
import { TmuxSession } from "../helpers/tmux.js";

describeWith("tmux")("health --watch on a terminal", () => {
  let sim: RunningSimulator;
  let ws: Awaited<ReturnType<typeof initWorkspace>>;
  let term: TmuxSession | undefined;

  beforeAll(async () => {
    sim = await startSim({ size: 4 });
    ws = await initWorkspace(sim);
  });
  afterAll(async () => {
    term?.kill();
    ws.cleanup();
    await sim.close();
  });

  it("redraws in place until Ctrl-C, then exits 0", async () => {
    term = TmuxSession.start(`node ${BIN} health --watch --interval 0.2 --timeout 60`, ws.env, ws.dir);
    const first = await term.waitFor(/Updated (\d\d:\d\d:\d\d) UTC, every 0\.2 s — Ctrl-C to stop\./, 60_000);
    const stamp = /Updated (\d\d:\d\d:\d\d)/.exec(first)![1];
    // A later frame replaces the first one: one headline on the screen, a newer time.
    const later = await term.waitFor(new RegExp(`Updated (?!${stamp})\\d\\d:\\d\\d:\\d\\d UTC`), 60_000);
    expect(later.match(/System Health:/g)).toHaveLength(1);
    expect(later).toContain("🔗 Connectivity:");
    term.send("C-c");
    await term.waitFor(/\[exit 0\]/, 30_000);
  }, 150_000);
});
