/**
 * templates/: the texts proxmox-mpc writes verbatim. Every template is
 * written by some generator into a real workspace (init + sync against the
 * simulator), no copy of one lingers in src/, the npm package ships them,
 * and an install without them still starts (--version, --help, the console)
 * while init stops with a clear error before writing anything.
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { fillTemplate } from "../../src/core/templates.js";
import { cleanEnv, REPO_ROOT, type CliRun } from "../helpers/cli.js";
import { initWorkspace, simEnv, startSim, tempDir, type RunningSimulator } from "../helpers/sim.js";

const TEMPLATES = join(REPO_ROOT, "templates");

/** Every file under `dir`, as `/`-separated paths relative to it, sorted. */
function filesUnder(dir: string, skip: (rel: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = join(at, entry.name);
      const rel = relative(dir, full).split(sep).join("/");
      if (skip(rel)) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(rel);
    }
  };
  walk(dir);
  return out.sort();
}

/** A template as an anchored RegExp: its text exactly, each `{{NAME}}` standing for one line's worth of value. */
function templatePattern(text: string): RegExp {
  const parts = text.split(/\{\{[A-Z][A-Z0-9_]*\}\}/);
  return new RegExp(`^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[^\\n]+")}$`);
}

/** Run a bin/proxmox-mpc.js as a child process (not the repository's: a copy's). */
function runBin(bin: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; input?: string }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

const templates = filesUnder(TEMPLATES);
let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeAll(async () => {
  sim = await startSim({ seed: join(REPO_ROOT, "tests", "fixtures", "seeds", "small.yaml") });
  ws = await initWorkspace(sim);
  const sync = await ws.run(["sync"]);
  if (sync.code !== 0) throw new Error(`sync failed: ${sync.stderr}`);
  // The CI pipelines are written by `init --ci` (one of them per workspace; both here).
  for (const ci of ["github", "gitlab"]) {
    const init = await ws.run(["init", "--ci", ci, "--yes"]);
    if (init.code !== 0) throw new Error(`init --ci ${ci} failed: ${init.stderr}`);
  }
}, 60_000);
afterAll(async () => {
  ws?.cleanup();
  await sim?.close();
});

test("the templates are the ones the generators use", () => {
  expect(templates).toEqual([
    "ansible/ansible.cfg",
    "ansible/playbooks/baseline.yml",
    "ansible/playbooks/ping.yml",
    "ansible/playbooks/qemu-guest-agent.yml",
    "ansible/playbooks/site.yml",
    "ci/github/proxmox-mpc.yml",
    "ci/gitlab/.gitlab-ci.yml",
    "terraform/provider.tf",
    "workspace/gitignore",
    "workspace/tests/example.yaml",
  ]);
});

test("every template is written, verbatim, into a workspace by init (with --ci) or sync (no dead template)", () => {
  const written = filesUnder(ws.dir, (rel) => rel === ".proxmox-mpc").map((rel) => ({ rel, text: readFileSync(join(ws.dir, rel), "utf8") }));
  const unused = templates.filter((name) => {
    const pattern = templatePattern(readFileSync(join(TEMPLATES, name), "utf8"));
    return !written.some((file) => pattern.test(file.text));
  });
  expect(unused).toEqual([]);
});

test("no copy of a template's text is left in src/ (the generators read templates/)", () => {
  const sources = filesUnder(join(REPO_ROOT, "src"), (rel) => rel.startsWith("state/generated")).filter((f) => f.endsWith(".ts"));
  const texts = sources.map((f) => readFileSync(join(REPO_ROOT, "src", f), "utf8"));
  for (const name of templates) {
    const lines = readFileSync(join(TEMPLATES, name), "utf8").split("\n");
    const longest = lines.reduce((a, b) => (b.length > a.length ? b : a)).trim();
    expect([name, longest.length > 30]).toEqual([name, true]);
    expect([name, texts.some((t) => t.includes(longest))]).toEqual([name, false]);
  }
});

test("provider.tf's placeholder is filled, and a placeholder without a value is refused", () => {
  expect(readFileSync(join(ws.dir, "terraform", "provider.tf"), "utf8")).toMatch(/^ {6}version = "~> \d+\.\d+"$/m);
  expect(fillTemplate('version = "{{PROVIDER_VERSION}}"', { PROVIDER_VERSION: "~> 1.2" })).toBe('version = "~> 1.2"');
  expect(() => fillTemplate("{{PROVIDER_VERSION}} {{OTHER}}", { PROVIDER_VERSION: "x" })).toThrow("has the placeholder {{OTHER}} and no value for it");
});

test("npm pack ships every template", async () => {
  const pack = await new Promise<CliRun>((resolve, reject) => {
    const child = spawn("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO_ROOT, env: process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
  expect(pack.code).toBe(0);
  const [manifest] = JSON.parse(pack.stdout) as Array<{ files: Array<{ path: string }> }>;
  const shipped = manifest.files.map((f) => f.path).filter((p) => p.startsWith("templates/")).sort();
  expect(shipped).toEqual(templates.map((t) => `templates/${t}`));
}, 60_000);

describe("an install without templates/", () => {
  let root: string;
  let bin: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "mpc-no-templates-"));
    for (const part of ["bin", "dist", "prisma", "package.json"]) cpSync(join(REPO_ROOT, part), join(root, part), { recursive: true });
    symlinkSync(join(REPO_ROOT, "node_modules"), join(root, "node_modules"), "dir");
    bin = join(root, "bin", "proxmox-mpc.js");
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test("starts: --version, --help and the console never read a template", async () => {
    const env = cleanEnv();
    expect(existsSync(join(root, "templates"))).toBe(false);
    const version = await runBin(bin, ["--version"], { cwd: root, env });
    expect([version.code, version.stdout]).toEqual([0, `${JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version}\n`]);
    const help = await runBin(bin, ["--help"], { cwd: root, env });
    expect([help.code, help.stderr]).toEqual([0, ""]);
    expect(help.stdout).toMatch(/^Usage: proxmox-mpc/);
    const repl = await runBin(bin, [], { cwd: ws.dir, env: ws.env, input: "/help\n/status\n" });
    expect([repl.code, repl.stderr]).toEqual([0, ""]);
    expect(repl.stdout).toContain("/sync");
  }, 60_000);

  test("init stops with a clear error before writing anything", async () => {
    const { dir, cleanup } = tempDir("mpc-broken-init-");
    try {
      const tls = sim.fingerprint ? ["--fingerprint", sim.fingerprint] : [];
      const run = await runBin(bin, ["init", dir, "--no-input", ...tls], { cwd: dir, env: simEnv(sim) });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`The templates of proxmox-mpc are missing: ${join(root, "templates")} does not exist.`);
      expect(run.stderr).toContain("Reinstall proxmox-mpc");
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      cleanup();
    }
  }, 60_000);
});
