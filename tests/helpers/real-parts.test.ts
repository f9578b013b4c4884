/**
 * real-parts.ts itself, in a child jest whose PATH cannot find tmux: without CI the tests that
 * need it are skipped and say why; with CI=true the same file fails, naming the part.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inCi } from "./real-parts.js";
import { REPO_ROOT } from "./cli.js";

interface Run {
  code: number | null;
  output: string;
}

let emptyBin: string;
beforeAll(async () => {
  emptyBin = await mkdtemp(join(tmpdir(), "mpc-no-tmux-"));
});
afterAll(async () => {
  await rm(emptyBin, { recursive: true, force: true });
});

/** jest on tests/fixtures/real-parts/needs-tmux.check.ts with PATH = an empty folder. */
function childJest(ci: boolean): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: emptyBin };
  delete env.CI;
  if (ci) env.CI = "true";
  const args = ["--experimental-vm-modules", join(REPO_ROOT, "node_modules", "jest", "bin", "jest.js"), "--testMatch=**/fixtures/real-parts/needs-tmux.check.ts", "--maxWorkers=1", "--no-coverage"];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

test("without CI, a missing part skips its tests and prints why", async () => {
  const run = await childJest(false);
  expect(run.output).toContain("Skipping the tmux tests: tmux is not available (install it with: apt-get install -y tmux).");
  expect(run.output).toMatch(/Tests:\s+1 skipped, 1 total/);
  expect(run.output).not.toContain("ran although tmux is not on PATH");
  expect(run.code).toBe(0);
}, 60_000);

test("with CI=true, the same file fails and names the part", async () => {
  const run = await childJest(true);
  expect(run.output).toContain("CI=true: tmux is not available (install it with: apt-get install -y tmux). .ci/run must install and start it; no test may be skipped in CI.");
  expect(run.output).toMatch(/Test Suites:\s+1 failed, 1 total/);
  expect(run.output).not.toContain("ran although tmux is not on PATH");
  expect(run.code).toBe(1);
}, 60_000);

test("CI is on for CI=true or CI=1 only", () => {
  expect([inCi({ CI: "true" }), inCi({ CI: "1" }), inCi({ CI: "false" }), inCi({})]).toEqual([true, true, false, false]);
});
