/**
 * The CI pipelines of templates/ci/ (`init --ci github|gitlab`, docs/ci.md),
 * as `init` writes them, checked against each CI system's file format by a
 * third-party validator pinned in package-lock.json:
 *
 * - GitHub Actions: @actions/workflow-parser, GitHub's own workflow parser
 *   (the one of the GitHub Actions extension for VS Code) — its workflow
 *   schema, expressions and the conversion to a workflow template, no file
 *   provider (nothing fetched).
 * - GitLab CI/CD: the real gitlab-ci-local CLI (`--list-json`) as a child
 *   process in a temp git repository: it expands the file, validates it with
 *   ajv against GitLab's .gitlab-ci.yml JSON schema bundled in its dist
 *   ($id https://gitlab.com/.gitlab-ci.yml) and checks stages and rules, with
 *   HOME in the temp folder and no docker (listing runs no job). Its dist uses
 *   Set.prototype.union (Node 22); on Node 20 a one-line shim of it is
 *   preloaded with --import, a no-op where Node has it.
 *
 * A broken copy of each template (a missing key, an unknown key, a value
 * outside the format) is rejected by the same validator with a message naming
 * the fault, so a validator that accepted anything would fail these tests.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { pipelineText } from "../../src/commands/init-ci.js";
import { packageVersion } from "../../src/core/version.js";
import { REPO_ROOT, type CliRun } from "../helpers/cli.js";
import { tempDir } from "../helpers/sim.js";

const require = createRequire(import.meta.url);
const pinned = (name: string): string => (require(join(REPO_ROOT, "node_modules", ...name.split("/"), "package.json")) as { version: string }).version;

/** Replace `from` (which must occur) in a template's text: the broken copies. */
function broken(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`The mutation ${String(from)} does not apply to the template any more: update this test.`);
  return out;
}

/** The error messages of GitHub's workflow parser for a workflow file (empty: valid). */
async function githubErrors(content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name: ".github/workflows/proxmox-mpc.yml", content }, new NoOperationTraceWriter());
  if (!parsed.value) return parsed.context.errors.getErrors().map((e) => e.message);
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  return [...new Set([...parsed.context.errors.getErrors().map((e) => e.message), ...(template.errors ?? []).map((e) => e.Message)])];
}

const GITLAB_CI_LOCAL = join(REPO_ROOT, "node_modules", "gitlab-ci-local", "dist", "index.js");
const SET_UNION_SHIM =
  "data:text/javascript,if(!Set.prototype.union)Object.defineProperty(Set.prototype,'union',{value(o){const s=new Set(this);for(const v of o.keys())s.add(v);return s},writable:true,configurable:true})";

/** `gitlab-ci-local --list-json` on `content` as the .gitlab-ci.yml of a fresh git repository (HOME inside it too). */
async function gitlabCiLocal(content: string): Promise<CliRun> {
  const { dir, cleanup } = tempDir("mpc-gcl-");
  try {
    const repo = join(dir, "repo");
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: join(dir, "home"), LANG: "C.UTF-8", NO_COLOR: "1" };
    const git = (...args: string[]): void => void execFileSync("git", args, { cwd: repo, env, stdio: "ignore" });
    execFileSync("git", ["init", "-q", "-b", "main", repo], { env, stdio: "ignore" });
    writeFileSync(join(repo, ".gitlab-ci.yml"), content);
    git("add", ".gitlab-ci.yml");
    git("-c", "user.name=ci", "-c", "user.email=ci@example.invalid", "commit", "-qm", "pipeline");
    // The remote gitlab-ci-local reads for CI_PROJECT_* (never contacted).
    git("remote", "add", "origin", "https://gitlab.example.invalid/infra/workspace.git");
    git("update-ref", "refs/remotes/origin/main", "HEAD");
    git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main");
    mkdirSync(env.HOME as string);
    const child = spawn(process.execPath, ["--import", SET_UNION_SHIM, GITLAB_CI_LOCAL, "--list-json", "--color=false"], { cwd: repo, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += String(d)));
    child.stderr.on("data", (d: Buffer) => (stderr += String(d)));
    const code = await new Promise<number>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (c) => resolve(c ?? 1));
    });
    return { code, stdout, stderr };
  } finally {
    cleanup();
  }
}

describe("GitHub Actions workflow against @actions/workflow-parser", () => {
  let workflow: string;
  beforeAll(async () => {
    workflow = await pipelineText("github", packageVersion());
  });

  it(`is valid for the pinned parser (${pinned("@actions/workflow-parser")}) and has the jobs test, plan, apply`, async () => {
    expect(await githubErrors(workflow)).toEqual([]);
    const parsed = parseWorkflow({ name: "proxmox-mpc.yml", content: workflow }, new NoOperationTraceWriter());
    const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
    expect(template.jobs.map((j) => j.id.value)).toEqual(["test", "plan", "apply"]);
    expect(Object.keys(template.events).sort()).toEqual(["pull_request", "push"]);
  });

  it("rejects a job without runs-on", async () => {
    const errors = await githubErrors(broken(workflow, /(\n  apply:\n(?:.*\n)*?)    runs-on: ubuntu-latest\n/, "$1"));
    expect(errors.join("\n")).toMatch(/Required property is missing: runs-on/);
  });

  it("rejects an unknown top-level key", async () => {
    const errors = await githubErrors(broken(workflow, "\npermissions:\n", "\npermisions:\n"));
    expect(errors.join("\n")).toMatch(/Unexpected value 'permisions'/);
  });

  it("rejects an unknown key in a job and an invalid permission", async () => {
    expect((await githubErrors(broken(workflow, "    environment: production\n", "    enviroment: production\n"))).join("\n")).toMatch(/Unexpected value 'enviroment'/);
    expect((await githubErrors(broken(workflow, "pull-requests: write", "pull-requests: sometimes"))).join("\n")).toMatch(/Unexpected value 'sometimes'/);
  });

  it("rejects a broken expression", async () => {
    const errors = await githubErrors(broken(workflow, "${{ secrets.PROXMOX_VE_API_TOKEN }}", "${{ secrets.PROXMOX_VE_API_TOKEN ) }}"));
    expect(errors.join("\n")).toMatch(/Unexpected symbol: '\)'/);
  });
});

describe("GitLab CI/CD file against gitlab-ci-local", () => {
  let pipeline: string;
  beforeAll(async () => {
    pipeline = await pipelineText("gitlab", packageVersion());
  });

  it(`passes the JSON schema of gitlab-ci-local ${pinned("gitlab-ci-local")} and lists the jobs test, plan, apply`, async () => {
    const run = await gitlabCiLocal(pipeline);
    expect(run.stderr).not.toMatch(/Invalid \.gitlab-ci\.yml|Error/);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/json schema validated/);
    const jobs = JSON.parse(run.stdout) as { name: string; stage: string; rules?: { when?: string }[] }[];
    expect(jobs.map((j) => [j.name, j.stage])).toEqual([
      ["test", "test"],
      ["plan", "plan"],
      ["apply", "apply"],
    ]);
    expect(jobs.find((j) => j.name === "apply")?.rules?.[0]?.when).toBe("manual");
  });

  it("rejects `when: sometimes` (a value outside the schema)", async () => {
    const run = await gitlabCiLocal(broken(pipeline, "      when: manual\n", "      when: sometimes\n"));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/Invalid \.gitlab-ci\.yml configuration/);
    expect(run.stderr).toMatch(/'when' property must be one of .*found sometimes.* at apply\.rules\.0\.when/);
  });

  it("rejects an unknown key in a job", async () => {
    const run = await gitlabCiLocal(broken(pipeline, "  resource_group: proxmox-mpc-apply\n", "  resource_grup: proxmox-mpc-apply\n"));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/'resource_grup' property is not expected to be here at apply/);
  });

  it("rejects a stage that is not in stages", async () => {
    const run = await gitlabCiLocal(broken(pipeline, /^  stage: apply$/m, "  stage: deploy"));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/stage:deploy not found for apply/);
  });
});
