/**
 * The CI pipelines of templates/ci/ (`init --ci github|gitlab`, docs/ci.md):
 * they are YAML with the jobs, triggers, secrets and approval docs/ci.md
 * describes, and every `proxmox-mpc …` line in them is run by the real CLI as
 * the pipeline would run it: in a fresh clone of a committed workspace, with
 * only the token from the CI secret, against a simulator over HTTPS — the
 * test job offline, the plan job's plan showing the change of the pull
 * request, the apply job applying it. A renamed option or command makes a
 * line exit 2 and fails the test (checked on a mutated copy).
 *
 * The files against the formats of GitHub Actions and GitLab CI/CD (pinned
 * validators): tests/iac/ci-schemas.test.ts.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { load } from "js-yaml";
import { CI_PIPELINES, CI_SYSTEMS, pipelineText, type CiSystem } from "../../src/commands/init-ci.js";
import { tokenize } from "../../src/commands/tokenize.js";
import { packageVersion } from "../../src/core/version.js";
import { cleanEnv, cli, REPO_ROOT, type CliRun } from "../helpers/cli.js";
import { guestName, initWorkspace, startSim, tempDir, type RunningSimulator } from "../helpers/sim.js";

type Doc = Record<string, unknown>;
type Job = "test" | "plan" | "apply";

/** One `proxmox-mpc …` line of a pipeline: its words after `proxmox-mpc` and where stdout goes (`> FILE`). */
interface CommandLine {
  line: string;
  argv: string[];
  stdoutTo?: string;
}

const raw = (ci: CiSystem): string => readFileSync(join(REPO_ROOT, "templates", ...CI_PIPELINES[ci].template.split("/")), "utf8");
const parse = (text: string): Doc => load(text) as Doc;

/** The shell lines a job runs: GitHub's `run:` steps; GitLab's default before_script and the job's script. */
function shellLines(doc: Doc, ci: CiSystem, job: Job): string[] {
  const entries =
    ci === "github"
      ? ((doc.jobs as Record<string, { steps: { run?: string }[] }>)[job].steps.flatMap((s) => (s.run ? [s.run] : [])))
      : [...((doc.default as { before_script?: string[] }).before_script ?? []), ...(doc[job] as { script: string[] }).script];
  return entries.flatMap((e) => e.split("\n"));
}

/** The `proxmox-mpc …` lines of a job, in order (the part before a redirect or pipe is the command). */
function commandLines(doc: Doc, ci: CiSystem, job: Job): CommandLine[] {
  return shellLines(doc, ci, job)
    .map((l) => l.trim())
    .filter((l) => /^proxmox-mpc(\s|$)/.test(l))
    .map((line) => {
      const [command, redirect] = line.split(/\s+>\s+/);
      if (/[|;&<]/.test(command)) throw new Error(`Unexpected shell syntax in a pipeline line: ${line}`);
      return { line, argv: tokenize(command).slice(1), ...(redirect ? { stdoutTo: redirect.trim() } : {}) };
    });
}

/** Every line of the file that starts a `proxmox-mpc` command, wherever it is. */
const allCommandLines = (text: string): string[] => text.split("\n").map((l) => l.trim().replace(/^-\s+|^run:\s+/, "")).filter((l) => /^proxmox-mpc\s/.test(l));

/** The variables the pipeline itself sets for every job (GitHub `env`, GitLab `variables`), without the install source. */
function pipelineEnv(doc: Doc, ci: CiSystem): Record<string, string> {
  const vars = (ci === "github" ? doc.env : doc.variables) as Record<string, string>;
  const { PROXMOX_MPC_PACKAGE: _installSource, ...rest } = vars;
  return rest;
}

/** Run one pipeline line with the real CLI, as the job would: in `cwd`, stdout into its file when redirected. */
async function runLine(cmd: CommandLine, cwd: string, env: NodeJS.ProcessEnv): Promise<CliRun> {
  const run = await cli(cmd.argv, { env, cwd });
  if (cmd.stdoutTo) writeFileSync(join(cwd, cmd.stdoutTo), run.stdout);
  return run;
}

const git = (cwd: string, ...args: string[]): string => execFileSync("git", ["-c", "user.name=ci-test", "-c", "user.email=ci@test.invalid", ...args], { cwd, encoding: "utf8" });

describe("the pipeline templates parse and say what docs/ci.md says", () => {
  test.each(CI_SYSTEMS)("%s: the template and the written file are YAML; the file pins the running version", async (ci) => {
    expect(() => parse(raw(ci))).not.toThrow();
    const written = await pipelineText(ci, packageVersion());
    expect(written).not.toMatch(/\{\{[A-Z_]+\}\}/);
    expect(written).toContain(`proxmox-mpc@${packageVersion()}`);
    expect(parse(written)).toEqual(parse(raw(ci).replace("{{VERSION}}", packageVersion())));
  });

  test("github: test on every push and pull request, the plan posted on same-repository pull requests, apply behind the production environment", () => {
    const doc = parse(raw("github"));
    const on = doc.on as Doc;
    expect(Object.keys(on).sort()).toEqual(["pull_request", "push"]);
    // A push runs only on the default branch: a pull request's branch is tested once, by its pull_request run.
    expect(on.push).toEqual({ branches: ["main"] });
    expect(on.pull_request).toBeNull();
    const jobs = doc.jobs as Record<string, Doc>;
    expect(Object.keys(jobs)).toEqual(["test", "plan", "apply"]);
    expect(jobs.test.if).toBeUndefined();
    expect(jobs.test.env).toBeUndefined(); // no secret for the offline test
    expect(jobs.plan.if).toBe("github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository");
    expect(jobs.plan.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    expect(jobs.apply.if).toBe("github.event_name == 'push' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch)");
    expect(jobs.apply.environment).toBe("production");
    expect(jobs.apply.concurrency).toEqual({ group: "proxmox-mpc-apply", "cancel-in-progress": false });
    for (const job of [jobs.plan, jobs.apply]) expect(job.needs).toBe("test");
    // The token only in the steps that run proxmox-mpc against the server: not the workflow, a job, the install or the comment step.
    expect(JSON.stringify(doc.env)).not.toContain("secrets.");
    const withToken = (name: string): string[] => {
      expect(jobs[name].env).toBeUndefined();
      const steps = jobs[name].steps as { run?: string; env?: Doc }[];
      for (const step of steps) if (step.env) expect(step.env).toEqual({ PROXMOX_VE_API_TOKEN: "${{ secrets.PROXMOX_VE_API_TOKEN }}" });
      return steps.filter((s) => s.env).map((s) => s.run ?? "");
    };
    expect(withToken("test")).toEqual([]);
    expect(withToken("plan")).toEqual(["proxmox-mpc sync --no-input", "proxmox-mpc test --no-input", "proxmox-mpc plan --no-input > plan.txt"]);
    expect(withToken("apply")).toEqual(["proxmox-mpc sync --no-input", "proxmox-mpc apply --yes --no-input"]);
    expect(doc.permissions).toEqual({ contents: "read" });
    for (const job of Object.values(jobs)) {
      expect((job.steps as Doc[]).find((s) => (s.uses as string)?.startsWith("actions/setup-node@"))?.with).toEqual({ "node-version": 20 });
    }
  });

  test("github: the step that posts the plan is JavaScript that parses and comments with the plan file", () => {
    const doc = parse(raw("github"));
    const post = ((doc.jobs as Record<string, { steps: Doc[] }>).plan.steps).find((s) => s.uses === "actions/github-script@v7");
    const script = (post?.with as { script: string }).script;
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => unknown;
    expect(() => new AsyncFunction("github", "context", "require", script)).not.toThrow();
    expect(() => new AsyncFunction("github", "context", "require", `${script}\n}{`)).toThrow(); // the check can fail
    expect(script).toContain('readFileSync("plan.txt"');
    expect(script).toContain("github.rest.issues.createComment");
    expect(script).toContain("github.rest.issues.updateComment");
  });

  test("gitlab: test in every pipeline, the plan on merge requests, apply a manual job of the default branch on the environment production", () => {
    const doc = parse(raw("gitlab"));
    expect(doc.stages).toEqual(["test", "plan", "apply"]);
    expect((doc.default as Doc).image).toBe("node:20");
    const job = (name: Job): Doc => doc[name] as Doc;
    expect(job("test").rules).toBeUndefined();
    expect(job("plan").rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    expect(job("plan").artifacts).toMatchObject({ paths: ["plan.txt"] });
    expect(job("apply").rules).toEqual([{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", when: "manual" }]);
    expect(job("apply").allow_failure).toBe(false);
    expect(job("apply").environment).toEqual({ name: "production" });
    expect(job("apply").resource_group).toBe("proxmox-mpc-apply");
    // The token and the note token are CI/CD variables of the project, never values in the file.
    expect(Object.keys(doc.variables as Doc).sort()).toEqual(["NO_COLOR", "PROXMOX_MPC_ENGINE", "PROXMOX_MPC_PACKAGE"]);
  });

  test.each(CI_SYSTEMS)("%s: no server address or token value is written in the file", (ci) => {
    const text = raw(ci);
    expect(text).not.toMatch(/https?:\/\/[^\s"']*:8006/);
    expect(text).not.toMatch(/![\w.-]+=[0-9a-f]{8}-/);
    expect(text).not.toMatch(/^\s*(PROXMOX_VE_ENDPOINT|PROXMOX_VE_INSECURE)\s*:/m);
  });
});

describe.each(CI_SYSTEMS)("%s pipeline: every proxmox-mpc line, run by the real CLI against a simulator", (ci) => {
  let sim: RunningSimulator;
  let ws: Awaited<ReturnType<typeof initWorkspace>>;
  let origin: ReturnType<typeof tempDir>;
  const doc = parse(raw(ci));
  const lines = { test: commandLines(doc, ci, "test"), plan: commandLines(doc, ci, "plan"), apply: commandLines(doc, ci, "apply") };

  beforeAll(async () => {
    sim = await startSim({ size: 6, tls: true, randomSeed: 15 });
    ws = await initWorkspace(sim);
    const synced = await ws.run(["sync"]);
    if (synced.code !== 0) throw new Error(synced.stderr);
    // What a team commits: git add of the workspace, its .gitignore keeping the store, logs and secrets out.
    git(ws.dir, "init", "-q");
    git(ws.dir, "add", "-A");
    git(ws.dir, "commit", "-qm", "workspace");
    origin = tempDir("mpc-ci-");
  }, 60_000);
  afterAll(async () => {
    origin?.cleanup();
    ws?.cleanup();
    await sim?.close();
  });

  /** A fresh checkout, as a CI job starts from; the job's environment: the pipeline's variables and, when given, the token secret. */
  function checkout(name: string, token: boolean): { dir: string; env: NodeJS.ProcessEnv } {
    const dir = join(origin.dir, name);
    git(origin.dir, "clone", "-q", ws.dir, dir);
    const xdg = join(origin.dir, `${name}-config`); // no contexts of this machine
    mkdirSync(xdg);
    return { dir, env: cleanEnv({ ...pipelineEnv(doc, ci), XDG_CONFIG_HOME: xdg, ...(token ? { PROXMOX_VE_API_TOKEN: sim.token } : {}) }) };
  }

  test("the jobs run these proxmox-mpc lines, and no other line of the file starts proxmox-mpc", () => {
    expect(lines.test.map((l) => l.line)).toEqual(["proxmox-mpc test --no-input"]);
    expect(lines.plan.map((l) => l.line)).toEqual(["proxmox-mpc sync --no-input", "proxmox-mpc test --no-input", "proxmox-mpc plan --no-input > plan.txt"]);
    expect(lines.apply.map((l) => l.line)).toEqual(["proxmox-mpc sync --no-input", "proxmox-mpc apply --yes --no-input"]);
    const covered = new Set([...lines.test, ...lines.plan, ...lines.apply].map((l) => l.line));
    expect(allCommandLines(raw(ci)).filter((l) => !covered.has(l))).toEqual([]);
  });

  test("test job: passes offline, without the token", async () => {
    const job = checkout("test-job", false);
    for (const cmd of lines.test) {
      const run = await runLine(cmd, job.dir, job.env);
      expect({ line: cmd.line, code: run.code, stderr: run.stderr }).toEqual({ line: cmd.line, code: 0, stderr: expect.any(String) });
    }
  });

  test("plan job, then apply job: the change of the pull request is planned, then applied; the server and its certificate come from config.yaml", async () => {
    const vm = sim.cluster.guests().filter((g) => g.type === "qemu" && !g.template)[ci === "github" ? 0 : 1];
    const cores = Number(vm.config.cores ?? 1);
    const wanted = cores + 3;
    const file = `terraform/${guestName(vm).replace(/-/g, "_")}.tf`;

    // The pull request: one guest gets more cores.
    const plan = checkout("plan-job", true);
    const tf = readFileSync(join(plan.dir, file), "utf8");
    expect(tf).toMatch(/cores\s*=\s*\d+/);
    writeFileSync(join(plan.dir, file), tf.replace(/cores(\s*)=\s*\d+/, `cores$1= ${wanted}`));
    git(plan.dir, "commit", "-qam", "more cores");
    expect(plan.env.PROXMOX_VE_ENDPOINT).toBeUndefined();
    for (const cmd of lines.plan) {
      const run = await runLine(cmd, plan.dir, plan.env);
      expect({ line: cmd.line, code: run.code, stderr: run.stderr }).toEqual({ line: cmd.line, code: 0, stderr: expect.any(String) });
    }
    const planned = readFileSync(join(plan.dir, "plan.txt"), "utf8");
    expect(planned).toContain(`~ cores: ${cores} → ${wanted}`);
    expect(planned).toContain("Plan: 0 to add, 1 to change, 0 to destroy");
    expect(planned).not.toContain(sim.token.split("=")[1]);

    // Merged: the apply job starts from the default branch, with the change.
    git(plan.dir, "push", "-q", "origin", "HEAD:merged");
    const apply = checkout("apply-job", true);
    git(apply.dir, "checkout", "-q", "merged");
    for (const cmd of lines.apply) {
      const run = await runLine(cmd, apply.dir, apply.env);
      expect({ line: cmd.line, code: run.code, stderr: run.stderr }).toEqual({ line: cmd.line, code: 0, stderr: expect.any(String) });
    }
    expect(Number(sim.cluster.guest(vm.vmid)?.config.cores)).toBe(wanted);
  }, 60_000);

  test("a renamed option or command in a copy of the template fails the same check (exit 2)", async () => {
    const job = checkout("mutated", false);
    const mutated = parse(raw(ci).replace("proxmox-mpc test --no-input", "proxmox-mpc test --no-input --offline").replace("proxmox-mpc apply --yes", "proxmox-mpc aply --yes"));
    const [test] = commandLines(mutated, ci, "test");
    const badOption = await runLine(test, job.dir, job.env);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("unknown option '--offline'");
    const apply = commandLines(mutated, ci, "apply").find((l) => l.argv[0] === "aply")!;
    const badCommand = await runLine(apply, job.dir, job.env);
    expect(badCommand.code).toBe(2);
    expect(badCommand.stderr).toContain("unknown command 'aply'");
    expect(sim.cluster.guests().length).toBeGreaterThan(0);
  });
});

/**
 * The install line of each job (`npm install -g "$PROXMOX_MPC_PACKAGE"`), run under bash as the job
 * runs it, with the environment the job's step has — the tokens as canaries where the CI system puts
 * them — and a stand-in `npm` first on PATH that records its environment: the install must not see
 * a token (a squatted or compromised package's install script would get it).
 */
describe.each(CI_SYSTEMS)("%s: the install step does not get the tokens", (ci) => {
  const TOKEN = "root@pam!ci=canary-0000-api-token";
  const NOTE = "glpat-canary-0000-note-token";

  /** The install lines per job with the environment each gets from the pipeline and the CI system. */
  function installs(): { job: Job; line: string; env: Record<string, string> }[] {
    const doc = parse(raw(ci));
    const isInstall = (l: string): boolean => l.includes("npm install");
    if (ci === "github") {
      const secret = (v: unknown): string => String(v).replace("${{ secrets.PROXMOX_VE_API_TOKEN }}", TOKEN).replace(/^\$\{\{ vars\.PROXMOX_MPC_PACKAGE \|\| '(.*)' \}\}$/, "$1");
      const vars = (o: unknown): Record<string, string> => Object.fromEntries(Object.entries((o ?? {}) as Doc).map(([k, v]) => [k, secret(v)]));
      const jobs = doc.jobs as Record<Job, { env?: Doc; steps: { run?: string; env?: Doc }[] }>;
      return (["test", "plan", "apply"] as Job[]).flatMap((job) =>
        jobs[job].steps.filter((s) => s.run && isInstall(s.run)).map((s) => ({ job, line: s.run!, env: { ...vars(doc.env), ...vars(jobs[job].env), ...vars(s.env) } })),
      );
    }
    // GitLab: the project's CI/CD variables are in every job's environment, next to the file's variables.
    const variables = { ...(doc.variables as Record<string, string>), PROXMOX_VE_API_TOKEN: TOKEN, PROXMOX_MPC_NOTE_TOKEN: NOTE };
    return (["test", "plan", "apply"] as Job[]).flatMap((job) => shellLines(doc, ci, job).filter(isInstall).map((line) => ({ job, line, env: variables })));
  }

  test("every job installs proxmox-mpc, and npm sees neither token", () => {
    const found = installs();
    expect(found.map((i) => i.job)).toEqual(["test", "plan", "apply"]);
    const dir = tempDir("mpc-install-");
    try {
      const bin = join(dir.dir, "bin");
      mkdirSync(bin);
      writeFileSync(join(bin, "npm"), '#!/bin/sh\nprintf "%s\\n" "$*" > "$OUT.args"\nenv > "$OUT.env"\n', { mode: 0o755 });
      for (const { job, line, env } of found) {
        const out = join(dir.dir, job);
        execFileSync("bash", ["-e", "-c", line], { env: { ...env, PATH: `${bin}:${process.env.PATH}`, OUT: out }, cwd: dir.dir });
        expect(readFileSync(`${out}.args`, "utf8")).toBe(`install -g proxmox-mpc@{{VERSION}}\n`);
        const seen = readFileSync(`${out}.env`, "utf8");
        expect(seen).toContain("PROXMOX_MPC_ENGINE=native"); // the recorder works: it sees the pipeline's variables
        expect({ job, token: seen.includes(TOKEN), note: seen.includes(NOTE) }).toEqual({ job, token: false, note: false });
      }
      // The same recorder does see a token handed to the install the way the old pipelines did (the job's env).
      const leaky = join(dir.dir, "leaky");
      execFileSync("bash", ["-e", "-c", 'npm install -g "$PROXMOX_MPC_PACKAGE"'], { env: { ...found[1].env, PROXMOX_VE_API_TOKEN: TOKEN, PATH: `${bin}:${process.env.PATH}`, OUT: leaky } });
      expect(readFileSync(`${leaky}.env`, "utf8")).toContain(TOKEN);
    } finally {
      dir.cleanup();
    }
  });
});

/** A GitLab-shaped notes API of one merge request (the request and answer shapes of GitLab's REST API v4). */
function notesServer(token: string): Promise<{ server: Server; url: string; notes: { id: number; body: string }[]; requests: string[] }> {
  const notes: { id: number; body: string }[] = [];
  const requests: string[] = [];
  const base = "/api/v4/projects/42/merge_requests/7/notes";
  const body = (req: IncomingMessage): Promise<string> => new Promise((resolve) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => resolve(text));
  });
  const server = createServer(async (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    requests.push(`${req.method} ${path}`);
    const send = (status: number, value: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (req.headers["private-token"] !== token) return send(401, { message: "401 Unauthorized" });
    if (req.method === "GET" && path === base) return send(200, [...notes].reverse());
    if (req.method === "POST" && path === base) {
      const note = { id: 100 + notes.length, body: (JSON.parse(await body(req)) as { body: string }).body };
      notes.push(note);
      return send(201, note);
    }
    const id = Number(path.slice(base.length + 1));
    const note = notes.find((n) => n.id === id);
    if (req.method === "PUT" && note) {
      note.body = (JSON.parse(await body(req)) as { body: string }).body;
      return send(200, note);
    }
    send(404, { message: "404 Not found" });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, notes, requests })));
}

describe("gitlab: the script that posts the plan on the merge request", () => {
  const CANARY = "glpat-canary-0000-note-token";
  const script = (parse(raw("gitlab")).plan as { script: string[] }).script.find((s) => s.startsWith("node -e"))!;

  /** Run the script as the job's shell would, in a folder holding plan.txt. */
  function post(url: string, token: string, plan: string, sha: string): Promise<CliRun> {
    const dir = tempDir("mpc-note-");
    writeFileSync(join(dir.dir, "plan.txt"), plan);
    const env = { PATH: process.env.PATH, CI_API_V4_URL: `${url}/api/v4`, CI_PROJECT_ID: "42", CI_MERGE_REQUEST_IID: "7", CI_COMMIT_SHORT_SHA: sha, PROXMOX_MPC_NOTE_TOKEN: token };
    return new Promise((resolve, reject) => {
      const child = spawn("bash", ["-e", "-c", script], { cwd: dir.dir, env });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("error", reject);
      child.on("close", (code) => (dir.cleanup(), resolve({ code: code ?? 1, stdout, stderr })));
    });
  }

  test("creates one note with the plan, and updates that note on the next pipeline", async () => {
    const api = await notesServer(CANARY);
    try {
      const first = await post(api.url, CANARY, "  ~ update in-place  web-01 (qemu 100 on pve1)\n      ~ cores: 2 → 4\n\nPlan: 0 to add, 1 to change, 0 to destroy, 0 to replace.\n", "abc1234");
      expect(first.code).toBe(0);
      expect(first.stdout).toContain("Plan posted on merge request !7");
      expect(api.notes).toHaveLength(1);
      expect(api.notes[0].body).toBe(["<!-- proxmox-mpc plan -->", "### proxmox-mpc plan for abc1234", "", "```", "~ update in-place  web-01 (qemu 100 on pve1)\n      ~ cores: 2 → 4\n\nPlan: 0 to add, 1 to change, 0 to destroy, 0 to replace.", "```"].join("\n"));
      const second = await post(api.url, CANARY, "No changes. Your infrastructure matches the configuration.\n", "def5678");
      expect(second.code).toBe(0);
      expect(api.notes).toHaveLength(1);
      expect(api.notes[0].body).toContain("### proxmox-mpc plan for def5678\n\n```\nNo changes.");
      expect(api.requests).toEqual(["GET /api/v4/projects/42/merge_requests/7/notes", "POST /api/v4/projects/42/merge_requests/7/notes", "GET /api/v4/projects/42/merge_requests/7/notes", "PUT /api/v4/projects/42/merge_requests/7/notes/100"]);
    } finally {
      api.server.close();
    }
  });

  test("a refused token fails the job with a hint, and the token is not printed", async () => {
    const api = await notesServer("the-right-token");
    try {
      const run = await post(api.url, CANARY, "Plan: 0 to add, 1 to change, 0 to destroy, 0 to replace.\n", "abc1234");
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("Posting the plan on the merge request failed: HTTP 401");
      expect(run.stderr).toContain("Check PROXMOX_MPC_NOTE_TOKEN");
      expect(run.stdout + run.stderr).not.toContain(CANARY);
      expect(api.notes).toHaveLength(0);
    } finally {
      api.server.close();
    }
  });
});
