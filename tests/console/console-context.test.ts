/**
 * The console on a real terminal (tmux) with a context in effect: the banner
 * and the prompt name it, and its commands go to the context's server, not
 * the workspace's.
 */
import { join } from "node:path";
import { BIN, cli } from "../helpers/cli.js";
import { describeWith } from "../helpers/real-parts.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";
import { TmuxSession } from "../helpers/tmux.js";

describeWith("tmux")("the console with --context", () => {
  let home: RunningSimulator;
  let lab: RunningSimulator;
  let ws: Awaited<ReturnType<typeof initWorkspace>>;
  let term: TmuxSession;

  beforeAll(async () => {
    [home, lab] = await Promise.all([startSim(), startSim()]);
    ws = await initWorkspace(home);
    const env = { ...ws.env, XDG_CONFIG_HOME: join(ws.dir, ".config-test"), LAB_SECRET: lab.token.split("=")[1] };
    const added = await cli(["context", "add", "lab", "--endpoint", lab.url, "--token-id", "root@pam!mpc", "--secret-env", "LAB_SECRET"], { env, cwd: ws.dir });
    expect(added.code).toBe(0);
    // (TmuxSession passes on only PROXMOX_*, HOME, PATH …: the command line sets the rest.)
    term = TmuxSession.start(`XDG_CONFIG_HOME='${env.XDG_CONFIG_HOME}' LAB_SECRET='${env.LAB_SECRET}' node ${BIN} --context lab`, env, ws.dir);
    await term.waitFor(/proxmox-mpc mpc-ws-\S+ \(lab\)> $/m);
  });
  afterAll(async () => {
    term?.kill();
    await Promise.all([home.close(), lab.close()]);
    ws.cleanup();
  });

  it("names the context in the banner and the prompt, and runs commands against its server", async () => {
    expect(term.screen()).toMatch(/context\s+lab/);
    const before = home.stats().requests;
    term.type("test-connection");
    term.send("Enter");
    await term.waitFor(new RegExp(`Connected to ${lab.url.replace(/[.:/]/g, "\\$&")}[\\s\\S]*\\(lab\\)> $`, "m"));
    expect(home.stats().requests).toBe(before);
  });
});
