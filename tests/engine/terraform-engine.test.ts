/**
 * The terraform engine end to end against tests/fixtures/bin/terraform — a
 * STAND-IN for the real terraform binary (which cannot be installed here and
 * could not reach the provider registry). The stand-in directory is put FIRST
 * on PATH in every child environment, so a real terraform elsewhere on the
 * machine (e.g. /usr/local/bin) is never used. Workspaces hold real files made
 * by the generator (src/iac/terraform).
 *
 * What is tested here is the engine's side: the commands, flags and
 * environment it runs terraform with, streaming, Ctrl-C, time limits, exit
 * codes and failures, the saved plan file. The plans and diffs the stand-in
 * computes are not asserted on (they would only test the stand-in); the
 * reading of `show -json` is tested on plans recorded from the real terraform
 * (tests/fixtures/terraform, replayed by the stand-in here, and
 * terraform-plan-json.test.ts).
 */
import { writeFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "../../src/core/logger.js";
import { ScriptedUI } from "../../src/core/ui.js";
import type { EngineContext, EnginePlan } from "../../src/engine/types.js";
import { createTerraformEngine, findTerraform, PLAN_FILE, StalePlanError, TerraformError, terraformEngine } from "../../src/engine/terraform/index.js";
import { renderGuest, renderProvider } from "../../src/iac/terraform/index.js";
import { newGuestSpec } from "../../src/iac/terraform/spec/new-guest.js";
import type { NewGuestInput } from "../../src/iac/model.js";

const STANDIN_BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "bin");
const RECORDED = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "terraform");
const SECRET = "5e1c9a3e-7b2d-4c1f-9e8a-0d3b6f2a1c44";
const TOKEN = `root@pam!mpc=${SECRET}`;
const VM = "proxmox_virtual_environment_vm";
const CT = "proxmox_virtual_environment_container";

/** A UI that lets a test react to each line as it arrives. */
class WatchedUI extends ScriptedUI {
  onInfo?: (text: string) => void;
  override info(text: string): void {
    super.info(text);
    this.onInfo?.(text);
  }
  infos(): string[] {
    return this.messages.filter((m) => m.level === "info").map((m) => m.text);
  }
}

interface Harness {
  root: string;
  dir: string;
  ui: WatchedUI;
  logLines: string[];
  controller: AbortController;
  ctx: EngineContext;
  /** The stand-in's invocation log (one entry per run, plus SIGINT and hold events). */
  invocations(): Promise<{ argv?: string[]; cwd?: string; token?: { present: boolean }; event?: string; ended?: string; TF_IN_AUTOMATION?: string; TF_INPUT?: string }[]>;
}

const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

const guest = (input: Partial<NewGuestInput> & Pick<NewGuestInput, "name" | "vmid">): string =>
  renderGuest(newGuestSpec({ kind: "qemu", node: "pve1", cores: 2, ...input, ostemplate: input.kind === "lxc" ? "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst" : undefined }));

/** A workspace with terraform/provider.tf and the given guest files; the stand-in first on PATH. */
async function workspace(files: Record<string, string>, knobs: Record<string, string> = {}): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), "mpc-tf-engine-"));
  roots.push(root);
  const dir = join(root, "terraform");
  await import("node:fs/promises").then((fs) => fs.mkdir(dir));
  await writeFile(join(dir, "provider.tf"), renderProvider());
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PROXMOX_VE_") && !k.startsWith("TERRAFORM_STANDIN_") && !k.startsWith("TF_")));
  const env = { ...base, PATH: `${STANDIN_BIN}${delimiter}${process.env.PATH ?? ""}`, TERRAFORM_STANDIN_LOG: join(root, "standin.jsonl"), ...knobs };
  const ui = new WatchedUI();
  const logLines: string[] = [];
  const controller = new AbortController();
  const ctx: EngineContext = {
    root,
    terraformDir: dir,
    env,
    log: createLogger({ level: "debug", destination: { write: (line: string) => void logLines.push(line) } }),
    ui,
    signal: controller.signal,
    client: async () => {
      throw new Error("the terraform engine must not use the API client");
    },
    credentials: async () => ({ PROXMOX_VE_ENDPOINT: "https://127.0.0.1:8006/", PROXMOX_VE_API_TOKEN: TOKEN, PROXMOX_VE_INSECURE: "true" }),
  };
  const invocations: Harness["invocations"] = async () =>
    (await readFile(join(root, "standin.jsonl"), "utf8").catch(() => "")).split("\n").filter(Boolean).map((l) => JSON.parse(l));
  return { root, dir, ui, logLines, controller, ctx, invocations };
}

const three = (): Record<string, string> => ({
  "web_01.tf": guest({ name: "web-01", vmid: 100 }),
  "db_01.tf": guest({ kind: "lxc", name: "db-01", vmid: 200 }),
  "old_01.tf": guest({ name: "old-01", vmid: 300 }),
});

async function applied(h: Harness): Promise<void> {
  const result = await terraformEngine.apply(h.ctx, await terraformEngine.plan(h.ctx));
  expect(result.ok).toBe(true);
}

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allFiles(path)));
    else out.push(path);
  }
  return out;
}
const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

test("the stand-in, not a real terraform, is found first on the test PATH", async () => {
  const h = await workspace({});
  expect(findTerraform(h.ctx.env)).toBe(join(STANDIN_BIN, "terraform"));
});

test("plan: init when needed, then plan -detailed-exitcode -out, then show -json, all in terraform/ with the credentials in the environment", async () => {
  const h = await workspace(three(), { TERRAFORM_STANDIN_SHOW_JSON: join(RECORDED, "plan-replace-sensitive.json") });
  const plan = await terraformEngine.plan(h.ctx);
  const runs = await h.invocations();
  expect(runs.map((r) => r.argv)).toEqual([
    ["init", "-input=false", "-no-color"],
    ["plan", "-input=false", "-no-color", "-detailed-exitcode", `-out=${PLAN_FILE}`],
    ["show", "-json", "-no-color", PLAN_FILE],
  ]);
  for (const run of runs) expect(run).toMatchObject({ cwd: h.dir, TF_IN_AUTOMATION: "1", TF_INPUT: "0", token: { present: true } });
  expect(await exists(join(h.dir, PLAN_FILE))).toBe(true);

  // What show -json printed was a plan recorded from the real terraform: one replacement of a
  // resource that is not a guest, with values the provider marks sensitive.
  expect(plan).toMatchObject({ engine: "terraform", changes: [], summary: { create: 0, update: 0, delete: 0, replace: 0 }, unsupported: [] });
  expect(plan.warnings).toEqual(["terraform will also replace random_bytes.test (not a guest); apply carries it out too."]);
  expect(JSON.stringify(plan)).not.toContain("hxk5iA==");

  // The text is what plan wrote to stdout, already streamed line by line; init's output is not part of it.
  expect(plan.text).not.toBe("");
  expect(h.ui.infos().join("\n")).toContain(plan.text);
  expect(plan.text).not.toContain("Initializing provider plugins");

  await terraformEngine.plan(h.ctx);
  expect((await h.invocations()).map((r) => r.argv?.[0])).toEqual(["init", "plan", "show", "plan", "show"]);
});

test("apply carries out exactly the saved plan file, reports each guest done, and removes the file", async () => {
  const h = await workspace(three());
  const plan = await terraformEngine.plan(h.ctx);
  expect(plan.changes).toHaveLength(3);
  const result = await terraformEngine.apply(h.ctx, plan);
  expect((await h.invocations()).at(-1)?.argv).toEqual(["apply", "-input=false", "-no-color", PLAN_FILE]);
  expect(result.ok).toBe(true);
  expect(result.steps.map((s) => [s.change.address, s.status])).toEqual(plan.changes.map((c) => [c.address, "done"]));
  // The summary is terraform's own "Apply complete!" line, as it was shown.
  expect(result.text).toMatch(/^Apply complete! Resources: /);
  expect(h.ui.infos()).toContain(result.text);
  expect(await exists(join(h.dir, PLAN_FILE))).toBe(false);
});

test("a plan with nothing to do (exit code 0) is not applied", async () => {
  const h = await workspace({});
  const plan = await terraformEngine.plan(h.ctx);
  expect(await terraformEngine.apply(h.ctx, plan)).toEqual({ ok: true, steps: [], text: "No changes." });
  expect((await h.invocations()).map((r) => r.argv?.[0])).toEqual(["init", "plan", "show"]);
  expect(await exists(join(h.dir, PLAN_FILE))).toBe(false);
});

test("targets: a VM's name, a container's hostname or a vmid becomes its address; unknown names are refused", async () => {
  const h = await workspace(three());
  await terraformEngine.plan(h.ctx, { destroy: true, targets: ["web-01", "db-01", "300"] });
  expect((await h.invocations()).find((r) => r.argv?.[0] === "plan")?.argv).toEqual([
    "plan",
    "-input=false",
    "-no-color",
    "-detailed-exitcode",
    `-out=${PLAN_FILE}`,
    "-destroy",
    `-target=${VM}.web_01`,
    `-target=${CT}.db_01`,
    `-target=${VM}.old_01`,
  ]);
  await expect(terraformEngine.plan(h.ctx, { destroy: true, targets: ["nope"] })).rejects.toMatchObject({ code: "unknown-guest", hint: "Known guests: db-01, old-01, web-01." });
});

test("output is streamed: a line reaches ui.info while terraform is still running", async () => {
  const h = await workspace(three(), { TERRAFORM_STANDIN_HOLD: "Terraform will perform the following actions:" });
  const release = join(h.root, "release");
  h.ctx.env.TERRAFORM_STANDIN_RELEASE = release;
  let seenBefore: string[] = [];
  h.ui.onInfo = (line) => {
    // terraform now waits for this file: it can only be written if the line arrived while it runs.
    if (line === "Terraform will perform the following actions:") {
      seenBefore = h.ui.infos();
      writeFileSync(release, "");
    }
  };
  const plan = await terraformEngine.plan(h.ctx);
  expect((await h.invocations()).filter((r) => r.event === "hold")).toEqual([expect.objectContaining({ ended: "released" })]);
  expect(seenBefore.at(-1)).toBe("Terraform will perform the following actions:");
  expect(seenBefore.join("\n")).not.toContain("Plan: 3 to add");
  expect(plan.text).toContain("Plan: 3 to add");
});

test("the token reaches terraform through the environment only: no file, argument, log line or message holds it", async () => {
  const h = await workspace(three());
  await applied(h);
  const runs = await h.invocations();
  expect(runs.length).toBeGreaterThanOrEqual(4);
  for (const run of runs) {
    expect(run.token).toEqual({ present: true });
    expect(run.argv?.join(" ")).not.toContain(SECRET);
  }
  expect(h.ctx.env.PROXMOX_VE_API_TOKEN).toBeUndefined();
  for (const file of await allFiles(h.root)) expect([file, (await readFile(file, "utf8")).includes(SECRET)]).toEqual([file, false]);
  expect(h.logLines.length).toBeGreaterThan(0);
  expect(h.logLines.join("")).not.toContain(SECRET);
  expect(JSON.stringify(h.ui.messages)).not.toContain(SECRET);
});

test("a failing plan: a TerraformError with exit code, last stderr lines and the hint to read the output above", async () => {
  const h = await workspace(three(), { TERRAFORM_STANDIN_FAIL: "plan" });
  const error = await terraformEngine.plan(h.ctx).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TerraformError);
  const tf = error as TerraformError;
  expect(tf).toMatchObject({ code: "terraform-failed", command: "plan", terraformExitCode: 1, exitCode: 1 });
  expect(tf.message).toMatch(/^terraform plan failed \(exit code 1\):\n {2}Error: error retrieving VM list: received an HTTP 401 response/);
  expect(tf.lastLines.at(-1)).toBe('  14: provider "proxmox" {}');
  expect(tf.hint).toContain("Read terraform's full output above");
  expect(tf.hint).toContain("test-connection");
  expect(h.ui.infos()).toContain("Error: error retrieving VM list: received an HTTP 401 response - Reason: authentication failure");
  expect(await exists(join(h.dir, PLAN_FILE))).toBe(false);
});

test("a failing init says the provider registry must be reachable, or to use the native engine", async () => {
  const h = await workspace(three(), { TERRAFORM_STANDIN_FAIL: "init" });
  await expect(terraformEngine.plan(h.ctx)).rejects.toMatchObject({ command: "init", hint: expect.stringContaining("--engine native"), message: expect.stringContaining("registry.terraform.io") });
});

test("a failing apply: not ok, the failed guest with terraform's error, the rest skipped, the plan file removed", async () => {
  const h = await workspace(three());
  const plan = await terraformEngine.plan(h.ctx);
  h.ctx.env.TERRAFORM_STANDIN_FAIL = "apply";
  const result = await terraformEngine.apply(h.ctx, plan);
  expect(result.ok).toBe(false);
  expect(result.steps.map((s) => s.status)).toEqual(["failed", "skipped", "skipped"]);
  expect(result.steps[0].message).toMatch(/^error creating VM 200: received an HTTP 500 response/);
  expect(result.text).toMatch(/^terraform apply failed \(exit code 1\):\n {2}Error: error creating VM 200/);
  expect(result.text).toContain("0 of 3 changes were applied. Read terraform's full output above");
  expect(await exists(join(h.dir, PLAN_FILE))).toBe(false);
});

test("an older plan is refused, and terraform's own stale-plan error is reported", async () => {
  const h = await workspace(three());
  const first = await terraformEngine.plan(h.ctx);
  await rm(join(h.dir, "old_01.tf"));
  const second = await terraformEngine.plan(h.ctx);
  await expect(terraformEngine.apply(h.ctx, first)).rejects.toBeInstanceOf(StalePlanError);
  const foreign: EnginePlan = { ...second, changes: [] };
  await expect(terraformEngine.apply(h.ctx, foreign)).rejects.toMatchObject({ code: "plan-stale" });

  const third = await terraformEngine.plan(h.ctx);
  const statePath = join(h.dir, "terraform.tfstate");
  await writeFile(statePath, JSON.stringify({ version: 4, serial: 7, lineage: "standin-lineage", outputs: {}, resources: [] }));
  const result = await terraformEngine.apply(h.ctx, third);
  expect(result.ok).toBe(false);
  expect(result.text).toContain("Saved plan is stale");
});

test("Ctrl-C mid-apply: terraform gets one SIGINT, finishes the guest in flight, the rest is cancelled", async () => {
  const h = await workspace(three());
  const plan = await terraformEngine.plan(h.ctx);
  // terraform holds after its first "Creating..." until the SIGINT arrives.
  h.ctx.env.TERRAFORM_STANDIN_HOLD = ": Creating...";
  h.ui.onInfo = (line) => {
    if (line.endsWith(": Creating...")) h.controller.abort();
  };
  const result = await terraformEngine.apply(h.ctx, plan);
  expect(result.ok).toBe(false);
  expect(result.steps.map((s) => s.status)).toEqual(["done", "cancelled", "cancelled"]);
  expect(result.text).toBe("Cancelled: terraform stopped gracefully after Ctrl-C; 1 of 3 changes were applied. Run plan again to see what remains.");
  const runs = await h.invocations();
  expect(runs.filter((r) => r.event === "SIGINT")).toHaveLength(1);
  expect(runs.filter((r) => r.event === "hold")).toEqual([expect.objectContaining({ ended: "SIGINT" })]);
  expect(await exists(join(h.dir, PLAN_FILE))).toBe(false);
});

test("Ctrl-C during plan: a CancelledError, and no plan file is left to apply", async () => {
  const h = await workspace(three());
  await terraformEngine.plan(h.ctx);
  h.ctx.env.TERRAFORM_STANDIN_HOLD = "Terraform will perform";
  h.ui.onInfo = (line) => {
    if (line.startsWith("Terraform will perform")) h.controller.abort();
  };
  await expect(terraformEngine.plan(h.ctx)).rejects.toMatchObject({ code: "cancelled", message: expect.stringContaining("terraform plan was interrupted") });
  expect((await h.invocations()).filter((r) => r.event === "SIGINT")).toHaveLength(1);
  expect(await exists(join(h.dir, PLAN_FILE))).toBe(false);
});

test("a plan that runs past its time limit is stopped with a timeout error", async () => {
  const h = await workspace(three());
  await terraformEngine.plan(h.ctx);
  // Held until a SIGINT: only the time limit can end this plan.
  h.ctx.env.TERRAFORM_STANDIN_HOLD = "Terraform will perform";
  const engine = createTerraformEngine({ timeouts: { plan: 700 } });
  await expect(engine.plan(h.ctx)).rejects.toMatchObject({ code: "terraform-timeout", message: expect.stringMatching(/^terraform plan did not finish within 1 s/) });
  expect((await h.invocations()).filter((r) => r.event === "hold")).toEqual([expect.objectContaining({ ended: "SIGINT" })]);
  expect(await exists(join(h.dir, PLAN_FILE))).toBe(false);
});

test("missing binary: a clear error naming --engine native; no Terraform files: a clear error too", async () => {
  const h = await workspace(three());
  const empty = await mkdtemp(join(tmpdir(), "mpc-tf-nobin-"));
  roots.push(empty);
  h.ctx.env.PATH = empty;
  await expect(terraformEngine.plan(h.ctx)).rejects.toMatchObject({ code: "terraform-not-installed", message: "terraform is not installed; use --engine native or install terraform" });
  const bare = await workspace({});
  await rm(join(bare.dir, "provider.tf"));
  await expect(terraformEngine.plan(bare.ctx)).rejects.toMatchObject({ code: "no-terraform-files" });
});
