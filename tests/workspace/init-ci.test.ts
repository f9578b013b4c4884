/**
 * `init --ci github|gitlab` against the simulator: it writes the pipeline
 * into the workspace root (a new workspace, or an existing one where it adds
 * only the pipeline); an existing pipeline file that differs is shown as a
 * diff and replaced only when confirmed — "n", --no-input without --yes and
 * Ctrl-C leave it as it was; an unknown CI name is exit 2 naming the choices;
 * a workspace in a subfolder of its git repository is told where the file goes.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CI_PIPELINES, pipelineText } from "../../src/commands/init-ci.js";
import { packageVersion } from "../../src/core/version.js";
import { BIN, cli, cliOnTerminal } from "../helpers/cli.js";
import { describeWith } from "../helpers/real-parts.js";
import { initWorkspace, simEnv, startSim, tempDir, type RunningSimulator } from "../helpers/sim.js";
import { TmuxSession } from "../helpers/tmux.js";

const GITHUB = CI_PIPELINES.github.file;
const GITLAB = CI_PIPELINES.gitlab.file;
const EDITED = "# our own pipeline\nstages: [build]\n";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let expected: { github: string; gitlab: string };

beforeAll(async () => {
  sim = await startSim({ size: 4, tls: true, randomSeed: 3 });
  ws = await initWorkspace(sim);
  expected = { github: await pipelineText("github", packageVersion()), gitlab: await pipelineText("gitlab", packageVersion()) };
}, 60_000);
afterAll(async () => {
  ws?.cleanup();
  await sim?.close();
});

const read = (file: string): string => readFileSync(join(ws.dir, file), "utf8");

describe("init --ci in an existing workspace", () => {
  it("adds only the GitHub workflow, in .github/workflows/, and says what to set up", async () => {
    const config = read(".proxmox-mpc/config.yaml");
    const run = await ws.run(["init", "--ci", "github"]);
    expect(run.code).toBe(0);
    expect(read(GITHUB)).toBe(expected.github);
    expect(read(GITHUB)).toContain(`proxmox-mpc@${packageVersion()}`);
    expect(run.stdout).toContain(`Wrote ${GITHUB}.`);
    expect(run.stdout).toContain("required reviewers");
    expect(run.stdout).toContain("docs/ci.md");
    // After the file: what to set, the install source first (proxmox-mpc is not on the npm registry).
    const after = run.stdout.slice(run.stdout.indexOf(`Wrote ${GITHUB}.`));
    expect(after).toContain("Variables: PROXMOX_MPC_PACKAGE = where proxmox-mpc is installed from");
    expect(after).toContain("Secrets: PROXMOX_VE_API_TOKEN = user@realm!tokenid=secret");
    expect(after).toContain("environment secret PROXMOX_VE_API_TOKEN");
    expect(after).toContain("PROXMOX_MPC_PACKAGE must point at an installable proxmox-mpc: it is not on the npm registry");
    expect(read(".proxmox-mpc/config.yaml")).toBe(config);
  });

  it("gitlab: says which CI/CD variables to set, PROXMOX_MPC_PACKAGE included", async () => {
    const other = await initWorkspace(sim);
    try {
      const run = await other.run(["init", "--ci", "gitlab"]);
      expect(run.code).toBe(0);
      const after = run.stdout.slice(run.stdout.indexOf(`Wrote ${GITLAB}.`));
      for (const name of ["Variables: PROXMOX_MPC_PACKAGE = where proxmox-mpc is installed from", "PROXMOX_VE_API_TOKEN (masked) =", "PROXMOX_VE_API_TOKEN (masked, protected)", "PROXMOX_MPC_NOTE_TOKEN (masked)", "Protected environments: production"]) expect(after).toContain(name);
      expect(after).toContain("PROXMOX_MPC_PACKAGE must point at an installable proxmox-mpc: it is not on the npm registry");
    } finally {
      other.cleanup();
    }
  });

  it("writes .gitlab-ci.yml at the workspace root when run from a subfolder; -o json reports it", async () => {
    const run = await cli(["init", "--ci", "gitlab", "-o", "json"], { env: ws.env, cwd: join(ws.dir, "terraform") });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ ci: "gitlab", file: GITLAB, action: "created" });
    expect(read(GITLAB)).toBe(expected.gitlab);
    expect(existsSync(join(ws.dir, "terraform", GITLAB))).toBe(false);
  });

  it("leaves a file that already is the pipeline alone, without asking", async () => {
    const run = await cliOnTerminal(["init", "--ci", "gitlab", "-o", "json"], { env: ws.env, cwd: ws.dir, answer: "y" });
    expect(run.code).toBe(0);
    expect(run.asked).toEqual([]);
    expect(JSON.parse(run.stdout).action).toBe("unchanged");
  });

  it('shows the difference to a changed file and keeps it on "n" (exit 1)', async () => {
    writeFileSync(join(ws.dir, GITLAB), EDITED);
    const run = await cliOnTerminal(["init", "--ci", "gitlab"], { env: ws.env, cwd: ws.dir, answer: "n" });
    expect(run.asked).toEqual([`Replace ${GITLAB}? Your changes to it are lost. [y/N] `]);
    expect(run.stderr).toContain(`--- ${GITLAB} (now)`);
    expect(run.stderr).toContain("-# our own pipeline");
    expect(run.stderr).toContain("+    - proxmox-mpc apply --yes --no-input");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`Nothing was changed: ${GITLAB} is as it was.`);
    expect(read(GITLAB)).toBe(EDITED);
  });

  it("refuses with --no-input and without --yes (exit 2), the file unchanged", async () => {
    const run = await ws.run(["init", "--ci", "gitlab", "--no-input"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Confirmation needed: Replace ${GITLAB}?`);
    expect(run.stderr).toContain("--yes");
    expect(read(GITLAB)).toBe(EDITED);
  });

  it('replaces it on "y" and with --yes', async () => {
    const onTerminal = await cliOnTerminal(["init", "--ci", "gitlab", "-o", "json"], { env: ws.env, cwd: ws.dir, answer: "y" });
    expect(onTerminal.code).toBe(0);
    expect(JSON.parse(onTerminal.stdout)).toEqual({ ci: "gitlab", file: GITLAB, action: "updated" });
    expect(read(GITLAB)).toBe(expected.gitlab);
    writeFileSync(join(ws.dir, GITHUB), EDITED);
    const run = await ws.run(["init", "--ci", "github", "--yes"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Replaced ${GITHUB}.`);
    expect(read(GITHUB)).toBe(expected.github);
  });

  it("refuses an unknown CI name with exit 2, naming github and gitlab, and writes nothing", async () => {
    const run = await ws.run(["init", "--ci", "jenkins"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--ci must be one of github, gitlab, got "jenkins"');
    expect(existsSync(join(ws.dir, "Jenkinsfile"))).toBe(false);
  });

  it("lists --ci and its examples in init --help", async () => {
    const run = await ws.run(["init", "--help"]);
    expect(run.stdout).toMatch(/--ci <system>\s+also write the CI pipeline/);
    expect(run.stdout).toContain("$ proxmox-mpc init --ci github");
  });
});

describe("init --ci for a new workspace", () => {
  it("creates the workspace and the pipeline", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const run = await cli(["init", "ws", "--ci", "github", "--fingerprint", sim.fingerprint!, "--no-input", "-o", "json"], { env: simEnv(sim), cwd: dir });
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout).ci).toEqual({ ci: "github", file: GITHUB, action: "created" });
      expect(existsSync(join(dir, "ws", ".proxmox-mpc", "config.yaml"))).toBe(true);
      expect(readFileSync(join(dir, "ws", GITHUB), "utf8")).toBe(expected.github);
    } finally {
      cleanup();
    }
  });

  it("says where the file must go when the workspace is a subfolder of its git repository", async () => {
    const { dir, cleanup } = tempDir();
    try {
      execFileSync("git", ["init", "-q"], { cwd: dir });
      const run = await cli(["init", "infra", "--ci", "gitlab", "--fingerprint", sim.fingerprint!, "--no-input"], { env: simEnv(sim), cwd: dir });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Note: the workspace is a subfolder of the git repository ${dir}; GitLab reads .gitlab-ci.yml only at the repository's root: move the file there and run each proxmox-mpc line with -C infra.`);
      expect(readFileSync(join(dir, "infra", GITLAB), "utf8")).toBe(expected.gitlab);
    } finally {
      cleanup();
    }
  });

  it('writes nothing at all when the user keeps an existing pipeline file ("n")', async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, GITLAB), EDITED);
      const run = await cliOnTerminal(["init", "--ci", "gitlab", "--fingerprint", sim.fingerprint!], { env: simEnv(sim), cwd: dir, answer: "n" });
      expect(run.code).toBe(1);
      expect(readFileSync(join(dir, GITLAB), "utf8")).toBe(EDITED);
      expect(existsSync(join(dir, ".proxmox-mpc"))).toBe(false);
    } finally {
      cleanup();
    }
  });
});

describeWith("tmux")("init --ci: Ctrl-C at the question", () => {
  let term: TmuxSession | undefined;
  afterAll(() => term?.kill());

  it("cancels (exit 130) and leaves the file as it was", async () => {
    mkdirSync(join(ws.dir, ".github", "workflows"), { recursive: true });
    writeFileSync(join(ws.dir, GITHUB), EDITED);
    term = TmuxSession.start(`node ${BIN} init --ci github`, ws.env, ws.dir);
    await term.waitFor(/\[y\/N\] $/m);
    term.send("C-c");
    const screen = await term.waitFor(/\[exit \d+\]/);
    expect(screen).toContain("[exit 130]");
    expect(screen).toContain("nothing was changed");
    expect(read(GITHUB)).toBe(EDITED);
  }, 60_000);
});
