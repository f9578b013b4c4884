/**
 * What `init` writes from the package's templates/: the workspace's
 * .gitignore and an example test spec, tests/example.yaml, that `test`
 * runs and passes on a fresh workspace, before and after a sync, and that
 * really checks something. An example the user edited survives `init --force`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CheckResult, TestReport } from "../../src/iac/checks/index.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

const SEED = join(REPO_ROOT, "tests", "fixtures", "seeds", "small.yaml");
const template = (name: string): string => readFileSync(join(REPO_ROOT, "templates", ...name.split("/")), "utf8");
const EXAMPLE = template("workspace/tests/example.yaml");
/** The 1-based line of the example's `name:` expectation, where a guest without a name is reported. */
const NAME_LINE = EXAMPLE.split("\n").findIndex((l) => /^\s+name: "\?\*"/.test(l)) + 1;

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeAll(async () => {
  sim = await startSim({ seed: SEED });
  ws = await initWorkspace(sim);
}, 60_000);
afterAll(async () => {
  ws?.cleanup();
  await sim?.close();
});

async function runTest(): Promise<{ code: number; report: TestReport; spec: CheckResult[] }> {
  const run = await ws.run(["test", "-o", "json"]);
  const report = JSON.parse(run.stdout) as TestReport;
  return { code: run.code, report, spec: report.results.filter((r) => r.check === "spec") };
}

describe("init writes from templates/", () => {
  test(".gitignore and tests/example.yaml are the templates, byte for byte", () => {
    expect(readFileSync(join(ws.dir, ".gitignore"), "utf8")).toBe(template("workspace/gitignore"));
    expect(readFileSync(join(ws.dir, "tests", "example.yaml"), "utf8")).toBe(EXAMPLE);
    expect(NAME_LINE).toBeGreaterThan(0);
  });

  test("the example passes on the fresh workspace, before any sync (no guests)", async () => {
    const { code, report, spec } = await runTest();
    expect(spec).toEqual([{ check: "spec", status: "passed", file: "tests/example.yaml", line: 5, message: "every guest has a name (0 guests)" }]);
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
  });

  test("after a sync, `test` passes with the example spec over every guest", async () => {
    const sync = await ws.run(["sync"]);
    expect(sync.code).toBe(0);
    const guests = sim.cluster.guests().filter((g) => g.config.template !== 1).length;
    expect(guests).toBeGreaterThan(0);
    const { code, report, spec } = await runTest();
    expect(spec).toEqual([{ check: "spec", status: "passed", file: "tests/example.yaml", line: 5, message: `every guest has a name (${guests} guests)` }]);
    expect(report).toMatchObject({ ok: true, failed: 0 });
    expect(code).toBe(0);
  }, 60_000);

  test("the example really checks: a guest whose name is removed fails it, at the name line", async () => {
    const file = join(ws.dir, "terraform", "web_01.tf");
    const before = await readFile(file, "utf8");
    try {
      const edited = before.replace(/^ {2}name\s+= "web-01"\n/m, "");
      expect(edited).not.toBe(before);
      await writeFile(file, edited);
      const { code, spec } = await runTest();
      expect(spec.filter((r) => r.status === "failed")).toEqual([
        { check: "spec", status: "failed", file: "tests/example.yaml", line: NAME_LINE, message: expect.stringMatching(/^every guest has a name: .*\(terraform\/web_01\.tf:\d+\) name is $/) },
      ]);
      expect(code).toBe(1);
    } finally {
      await writeFile(file, before);
    }
  }, 60_000);

  test("init --force keeps an example the user edited", async () => {
    const mine = "- name: mine\n  count: \">= 0\"\n";
    writeFileSync(join(ws.dir, "tests", "example.yaml"), mine);
    const tls = sim.fingerprint ? ["--fingerprint", sim.fingerprint] : [];
    const again = await ws.run(["init", ws.dir, "--no-input", "--force", ...tls]);
    expect(again.code).toBe(0);
    expect(readFileSync(join(ws.dir, "tests", "example.yaml"), "utf8")).toBe(mine);
  }, 60_000);
});
