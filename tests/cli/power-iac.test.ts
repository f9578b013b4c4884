/**
 * Power actions keep the guest's .tf `started` line in step (through the real
 * CLI against the simulator): start → true, stop → false, only that line
 * changes, and the native plan stays empty; a failed task, --no-wait, an
 * expression or a missing argument leave the file alone with a note.
 */
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { readHeader } from "../../src/iac/terraform/render.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";
import { seedsDir } from "../sim/helpers.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeEach(async () => {
  sim = await startSim({ seed: resolve(seedsDir, "small.yaml"), taskDelayMs: 5 });
  ws = await initWorkspace(sim);
  ws.env.PROXMOX_MPC_ENGINE = "native";
  expect((await ws.run(["sync"])).code).toBe(0);
});
afterEach(async () => {
  await sim.close();
  ws.cleanup();
});

const planChanges = async (): Promise<{ vmid?: number; name?: string }[]> => {
  const run = await ws.run(["plan", "-o", "json"]);
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { changes: { vmid?: number }[] }).changes;
};
const tfFile = (vmid: number): string => {
  const dir = join(ws.dir, "terraform");
  const file = readdirSync(dir).find((f) => f.endsWith(".tf") && readFileSync(join(dir, f), "utf8").startsWith(`# Managed by proxmox-mpc: ${vmid} on `))!;
  return join(dir, file);
};
const startedLine = (text: string): string | undefined => /^\s*started\s*=\s*(.*)$/m.exec(text)?.[1];

it("start of a stopped VM: the .tf says started = true (only that line), the plan stays empty, status counts no drift", async () => {
  // db-01 (102) is stopped in small.yaml.
  const file = tfFile(102);
  const before = readFileSync(file, "utf8");
  expect(startedLine(before)).toBe("false");
  expect(await planChanges()).toEqual([]);
  const run = await ws.run(["start", "vm", "db-01", "-o", "json"]);
  expect(run.code).toBe(0);
  expect(run.stderr).toContain("terraform/db_01.tf: started = true");
  expect(JSON.parse(run.stdout)).toEqual([expect.objectContaining({ vmid: 102, result: "ok", iac: "terraform/db_01.tf: started = true" })]);
  const after = readFileSync(file, "utf8");
  const body = (t: string): string => t.slice(t.indexOf("\n") + 1);
  expect(body(after)).toBe(body(before).replace(/^(\s*started\s*=\s*)false/m, "$1true"));
  // The file was proxmox-mpc's own and stays so (its hash follows), so a later sync may still rewrite it.
  expect(readHeader(after)?.untouched).toBe(true);
  expect(await planChanges()).toEqual([]);
  const status = JSON.parse((await ws.run(["status", "-o", "json"])).stdout) as { drift: { create: number; update: number; delete: number; replace: number } };
  expect(status.drift).toMatchObject({ create: 0, update: 0, delete: 0, replace: 0 });
});

it("stop of a running VM whose file was edited by hand: started = false, every other line kept, plan empty", async () => {
  const file = tfFile(100);
  const edited = readFileSync(file, "utf8").replace(/^(resource .*\{)$/m, "$1\n  # owned by the web team");
  writeFileSync(file, edited);
  const run = await ws.run(["stop", "vm", "web-01", "--yes"]);
  expect(run.code).toBe(0);
  expect(run.stderr).toContain("terraform/web_01.tf: started = false");
  expect(sim.cluster.guest(100)!.status).toBe("stopped");
  const after = readFileSync(file, "utf8");
  expect(after).toBe(edited.replace(/^(\s*started\s*=\s*)true/m, "$1false"));
  expect(readHeader(after)?.untouched).toBe(false);
  expect(await planChanges()).toEqual([]);
});

it("a failing task leaves the file exactly as it was (a later successful start changes it)", async () => {
  const file = tfFile(102);
  const before = readFileSync(file, "utf8");
  sim.cluster.failNextTask({ vmid: 102, message: "start failed: not enough memory" });
  const run = await ws.run(["start", "vm", "db-01", "-o", "json"]);
  expect(run.code).toBe(1);
  expect(JSON.parse(run.stdout)[0]).toMatchObject({ result: "failed" });
  expect(JSON.parse(run.stdout)[0].iac).toBeUndefined();
  expect(run.stderr).not.toMatch(/started = true/);
  expect(readFileSync(file, "utf8")).toBe(before);
  // The same start, succeeding now, does change it.
  expect((await ws.run(["start", "vm", "db-01"])).stderr).toContain("terraform/db_01.tf: started = true");
  expect(startedLine(readFileSync(file, "utf8"))).toBe("true");
});

it("an expression for started is left alone, with a note saying why", async () => {
  const file = tfFile(100);
  const edited = readFileSync(file, "utf8").replace(/^(\s*started\s*=\s*)true/m, "$1var.web_started");
  writeFileSync(file, edited);
  const run = await ws.run(["shutdown", "vm", "web-01", "-o", "json"]);
  expect(run.code).toBe(0);
  expect(sim.cluster.guest(100)!.status).toBe("stopped");
  expect(run.stderr).toMatch(/terraform\/web_01\.tf not changed: started is an expression \(var\.web_started\); make it false for web-01, or the next apply will start web-01 again/);
  expect(JSON.parse(run.stdout)[0].iac).toMatch(/not changed: started is an expression/);
  expect(readFileSync(file, "utf8")).toBe(edited);
});

it("a file without a started argument is left alone after a stop, with a note (its default means started)", async () => {
  const file = tfFile(100);
  const edited = readFileSync(file, "utf8").replace(/^\s*started\s*=.*\n/m, "");
  writeFileSync(file, edited);
  const run = await ws.run(["shutdown", "vm", "web-01"]);
  expect(run.code).toBe(0);
  expect(run.stderr).toMatch(/terraform\/web_01\.tf not changed: it has no `started` argument.*Add `started = false`/);
  expect(readFileSync(file, "utf8")).toBe(edited);
});

it("--no-wait changes no file and says so; the same command once the task is done (skipped) records it", async () => {
  const file = tfFile(102);
  const before = readFileSync(file, "utf8");
  const run = await ws.run(["start", "vm", "db-01", "--no-wait", "-o", "json"]);
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)[0]).toMatchObject({ result: "started", iac: expect.stringMatching(/not changed: with --no-wait the outcome is unknown/) });
  expect(readFileSync(file, "utf8")).toBe(before);
  // Wait for the task to end (the simulator runs it on its own clock).
  while (sim.cluster.guest(102)!.status !== "running") await new Promise((r) => setTimeout(r, 10));
  const again = await ws.run(["start", "vm", "db-01", "-o", "json"]);
  expect(JSON.parse(again.stdout)[0]).toMatchObject({ result: "skipped", iac: "terraform/db_01.tf: started = true" });
  expect(startedLine(readFileSync(file, "utf8"))).toBe("true");
  expect(await planChanges()).toEqual([]);
});

it("reboot changes no file; a guest without a .tf gets no note", async () => {
  const vmFile = tfFile(100);
  const before = readFileSync(vmFile, "utf8");
  const reboot = await ws.run(["reboot", "vm", "web-01", "-o", "json"]);
  expect(reboot.code).toBe(0);
  expect(JSON.parse(reboot.stdout)[0].iac).toBeUndefined();
  expect(readFileSync(vmFile, "utf8")).toBe(before);
  const ctFile = tfFile(101);
  rmSync(ctFile);
  const stop = await ws.run(["shutdown", "ct", "dns-01", "-o", "json"]);
  expect(stop.code).toBe(0);
  expect(JSON.parse(stop.stdout)[0]).toMatchObject({ result: "ok" });
  expect(JSON.parse(stop.stdout)[0].iac).toBeUndefined();
  expect(existsSync(ctFile)).toBe(false);
});
