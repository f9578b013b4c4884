/**
 * `delete vm|ct NAME… [--apply]` through the real CLI program: the plan and
 * the files are shown, confirmation is asked, the guest is destroyed, and only
 * then are its file, import block and inventory entry removed. Answering "n",
 * --no-input without --yes, a failed destroy and Ctrl-C leave every file as
 * it was. (Regression: the file used to be removed first, without asking, and
 * the destroy then failed with `No guest named …`.)
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cliOnTerminal } from "../helpers/cli.js";
import { guestName, initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
const native = ["--engine", "native"];

beforeAll(async () => {
  sim = await startSim({ size: 120, randomSeed: 77 });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
});
afterAll(async () => {
  await sim.close();
  ws.cleanup();
});

/** Everything delete may touch: the .tf files, imports.tf and the inventory. */
function iac(): Record<string, string> {
  const out: Record<string, string> = {};
  const tf = join(ws.dir, "terraform");
  for (const f of readdirSync(tf)) out[`terraform/${f}`] = readFileSync(join(tf, f), "utf8");
  out["ansible/inventory.yml"] = readFileSync(join(ws.dir, "ansible", "inventory.yml"), "utf8");
  return out;
}

/** A stopped, unprotected VM of the simulator that no earlier test used. */
const used = new Set<number>();
function stoppedVm(): { vmid: number; name: string } {
  const g = sim.cluster.guests().find((x) => x.type === "qemu" && !x.template && x.status === "stopped" && !x.config.protection && !used.has(x.vmid));
  if (!g) throw new Error("no stopped VM left in the simulator");
  used.add(g.vmid);
  return { vmid: g.vmid, name: guestName(g) };
}

/** The file that holds a guest (found by its header's vmid). */
function fileOf(vmid: number): string | undefined {
  const tf = join(ws.dir, "terraform");
  return readdirSync(tf).find((f) => readFileSync(join(tf, f), "utf8").startsWith(`# Managed by proxmox-mpc: ${vmid} `));
}

/** The CLI as on a terminal whose user answers `answer` to every question. */
const onTerminal = (args: string[], answer: string, signal?: AbortSignal) => cliOnTerminal(args, { env: ws.env, cwd: ws.dir, answer, signal });

describe("delete --apply", () => {
  it("--no-input without --yes refuses (exit 2) after showing the plan and the files; nothing changes", async () => {
    const vm = stoppedVm();
    const file = fileOf(vm.vmid)!;
    expect(file).toBeDefined();
    const before = iac();
    const run = await ws.run(["delete", "vm", vm.name, "--apply", "--no-input", ...native]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/destroy/i);
    expect(run.stderr).toContain(`terraform/${file}`);
    expect(run.stderr).toMatch(/Confirmation needed/);
    expect(iac()).toEqual(before);
    expect(sim.cluster.guest(vm.vmid)).toBeDefined();
  });

  it("answering n leaves the guest and every file as they were", async () => {
    const vm = stoppedVm();
    const before = iac();
    const run = await onTerminal(["delete", "vm", vm.name, "--apply", ...native], "n");
    expect(run.asked).toEqual([expect.stringMatching(/^Destroy this change \(1 guest will be DESTROYED\)\?/)]);
    expect(run.code).toBe(1);
    expect(iac()).toEqual(before);
    // A "no" is recorded as cancelled, not as a failure.
    const audit = JSON.parse((await ws.run(["audit", "--action", "delete", "--limit", "1", "-o", "json"])).stdout) as Array<{ result: string; target: string }>;
    expect(audit[0]).toMatchObject({ result: "cancelled", target: expect.stringContaining(vm.name) });
    expect(sim.cluster.guest(vm.vmid)).toBeDefined();
  });

  it("answering y destroys an adopted guest, then removes its file, import block and inventory entry", async () => {
    const vm = stoppedVm();
    const file = fileOf(vm.vmid)!;
    const resource = file.replace(/\.tf$/, "");
    expect(iac()["terraform/imports.tf"]).toContain(`.${resource}\n`);
    const run = await onTerminal(["delete", "vm", vm.name, "--apply", ...native], "y");
    expect(run.stderr).toContain(`- terraform/${file}`);
    expect(run.code).toBe(0);
    expect(sim.cluster.guest(vm.vmid)).toBeUndefined();
    const after = iac();
    expect(after[`terraform/${file}`]).toBeUndefined();
    expect(after["terraform/imports.tf"] ?? "").not.toContain(`.${resource}\n`);
    expect(after["ansible/inventory.yml"]).not.toMatch(new RegExp(`proxmox_vmid: ${vm.vmid}\\b`));
    expect(run.stdout).toContain(`Removed terraform/${file}`);
  });

  it("works for a guest made by create --apply (names with - and capitals)", async () => {
    const created = await ws.run(["create", "ct", "--name", "Tmp-Ct-01", "--memory", "256", "--apply", "--yes", ...native]);
    expect(created.code).toBe(0);
    const ct = sim.cluster.guests().find((g) => guestName(g) === "Tmp-Ct-01")!;
    expect(ct).toBeDefined();
    expect(existsSync(join(ws.dir, "terraform", "tmp_ct_01.tf"))).toBe(true);
    const run = await ws.run(["delete", "ct", "Tmp-Ct-01", "--apply", "--yes", ...native]);
    expect(run.stderr).not.toMatch(/No guest named/);
    expect(run.code).toBe(0);
    expect(sim.cluster.guest(ct.vmid)).toBeUndefined();
    expect(existsSync(join(ws.dir, "terraform", "tmp_ct_01.tf"))).toBe(false);
  });

  it("a failed destroy leaves every file as it was (exit 1)", async () => {
    const vm = stoppedVm();
    const before = iac();
    sim.cluster.failNextTask({ vmid: vm.vmid, type: "qmdestroy", message: "storage is locked" });
    const run = await ws.run(["delete", "vm", vm.name, "--apply", "--yes", ...native]);
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toMatch(/storage is locked/);
    expect(iac()).toEqual(before);
  });

  it("several names: only the guests that were destroyed lose their files", async () => {
    const ok = stoppedVm();
    const bad = stoppedVm();
    const [okFile, badFile] = [fileOf(ok.vmid)!, fileOf(bad.vmid)!];
    sim.cluster.failNextTask({ vmid: bad.vmid, type: "qmdestroy", message: "got timeout" });
    const run = await ws.run(["delete", "vm", ok.name, bad.name, "--apply", "--yes", ...native]);
    expect(run.code).toBe(1);
    expect(sim.cluster.guest(ok.vmid)).toBeUndefined();
    expect(sim.cluster.guest(bad.vmid)).toBeDefined();
    const after = iac();
    expect(after[`terraform/${okFile}`]).toBeUndefined();
    expect(after[`terraform/${badFile}`]).toBeDefined();
    expect(run.stdout).toContain(`Kept terraform/${badFile}`);
    // A second run finishes the job.
    const again = await ws.run(["delete", "vm", bad.name, "--apply", "--yes", ...native]);
    expect(again.code).toBe(0);
    expect(existsSync(join(ws.dir, "terraform", badFile))).toBe(false);
  });

  it("Ctrl-C while the destroy task runs leaves every file as it was (exit 130)", async () => {
    const vm = stoppedVm();
    const before = iac();
    const controller = new AbortController();
    sim.cluster.hangTasks(true);
    const watcher = setInterval(() => {
      if (sim.cluster.guest(vm.vmid)?.config.lock === "destroyed") controller.abort();
    }, 10);
    try {
      const run = await onTerminal(["delete", "vm", vm.name, "--apply", "--yes", ...native], "y", controller.signal);
      expect(controller.signal.aborted).toBe(true);
      expect(run.code).toBe(130);
    } finally {
      clearInterval(watcher);
      sim.cluster.hangTasks(false);
    }
    expect(iac()).toEqual(before);
  });

  it("a guest that was never applied has nothing to destroy: its file goes after confirmation", async () => {
    expect((await ws.run(["create", "vm", "--name", "never-applied"])).code).toBe(0);
    const refused = await ws.run(["delete", "vm", "never-applied", "--apply", "--no-input", ...native]);
    expect(refused.code).toBe(2);
    expect(existsSync(join(ws.dir, "terraform", "never_applied.tf"))).toBe(true);
    const run = await ws.run(["delete", "vm", "never-applied", "--apply", "--yes", ...native]);
    expect(run.code).toBe(0);
    expect(existsSync(join(ws.dir, "terraform", "never_applied.tf"))).toBe(false);
  });
});

describe("delete without --apply", () => {
  it("shows the files and asks; n and --no-input change nothing; --yes removes them and the guest keeps running", async () => {
    const vm = stoppedVm();
    const file = fileOf(vm.vmid)!;
    const before = iac();
    const no = await onTerminal(["delete", "vm", vm.name], "n");
    expect(no.code).toBe(1);
    expect(no.stderr).toContain(`terraform/${file}`);
    expect(no.asked).toEqual([expect.stringMatching(/^Remove this guest from the IaC\? It keeps running/)]);
    expect((await ws.run(["delete", "vm", vm.name, "--no-input"])).code).toBe(2);
    expect(iac()).toEqual(before);
    const yes = await ws.run(["delete", "vm", vm.name, "--yes"]);
    expect(yes.code).toBe(0);
    expect(iac()[`terraform/${file}`]).toBeUndefined();
    expect(sim.cluster.guest(vm.vmid)).toBeDefined();
  });
});
