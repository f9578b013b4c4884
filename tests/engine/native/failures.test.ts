/**
 * Apply when things go wrong: a task failing mid-way (exact report, then a
 * re-run finishes the job), a config lock held by someone else (waited out),
 * Ctrl-C (what never started is cancelled), a guest changed after the plan
 * (stale digest).
 */
import { unlink } from "node:fs/promises";
import { join } from "node:path";
import { createLogger, type Logger } from "../../../src/core/logger.js";
import { nativeEngine, readManaged } from "../../../src/engine/native/index.js";
import type { NativePlan, NativeStepResult } from "../../../src/engine/native/types.js";
import type { GuestSpec } from "../../../src/iac/model.js";
import { nativeWorkspace, newVm, type NativeWorkspace } from "./helpers.js";
import { DNS, seed, WEB } from "./seed.js";

const NO_CHANGES = "No changes. Your infrastructure matches the configuration.";
const summary = (steps: NativeStepResult[]): [string, string, string | undefined][] => steps.map((s) => [s.change.action, s.change.name, s.status]);

describe("on a workspace that adopted web-01 and dns-01", () => {
  let ws: NativeWorkspace;
  let adopted: GuestSpec[];
  const plan = (): Promise<NativePlan> => nativeEngine.plan(ws.ctx()) as Promise<NativePlan>;

  beforeEach(async () => {
    ws = await nativeWorkspace({ seed: seed(), lockTimeoutMs: 100 });
    adopted = await ws.adopt([WEB, DNS]);
  });
  afterEach(() => ws.close());

  it("a failed task stops the apply with an exact report; a re-run continues from there", async () => {
    await ws.write([...adopted, newVm({ name: "a-01", vmid: 400, node: "pve1" }), newVm({ name: "b-01", vmid: 401, node: "pve2" })]);
    await unlink(join(ws.tfDir, "dns_01.tf"));
    const p = await plan();
    expect(p.changes.map((c) => [c.action, c.name])).toEqual([
      ["create", "a-01"],
      ["create", "b-01"],
      ["delete", "dns-01"],
    ]);
    const why = "unable to create VM 400 - lvcreate 'pve/vm-400-disk-0' error: insufficient free space";
    ws.sim.cluster.failNextTask({ vmid: 400, type: "qmcreate", message: why });
    const result = await nativeEngine.apply(ws.ctx(), p);
    expect(result.ok).toBe(false);
    const steps = result.steps as NativeStepResult[];
    expect(summary(steps)).toEqual([
      ["create", "a-01", "failed"],
      ["create", "b-01", "done"],
      ["delete", "dns-01", "skipped"],
    ]);
    expect(steps[0]).toMatchObject({ message: `Task qmcreate 400 on pve1 failed: ${why}`, exitStatus: why });
    expect(steps[0].log?.at(-1)).toBe(`TASK ERROR: ${why}`);
    expect(steps[2].message).toBe("not started: an earlier step failed");
    const lines = result.text.split("\n");
    expect(lines).toContain(`  ✗ failed to create  a-01 (qemu 400 on pve1): Task qmcreate 400 on pve1 failed: ${why}`);
    expect(lines).toContain(`      exit status: ${why}`);
    expect(lines).toContain(`      | TASK ERROR: ${why}`);
    expect(lines).toContain("  ✓ created  b-01 (qemu 401 on pve2)");
    expect(lines).toContain("  · not started: destroy  dns-01 (lxc 101 on pve2)");
    expect(lines.at(-1)).toMatch(/^Apply failed: 1 done, 1 failed, 1 not started\. Run plan again/);
    expect(ws.sim.cluster.guest(400)).toBeUndefined();
    expect(ws.sim.cluster.guest(401)!.status).toBe("running");
    expect(ws.sim.cluster.guest(DNS)).toBeDefined();

    const again = await plan();
    expect(again.changes.map((c) => [c.action, c.name])).toEqual([
      ["create", "a-01"],
      ["delete", "dns-01"],
    ]);
    const rerun = await nativeEngine.apply(ws.ctx(), again);
    expect(summary(rerun.steps as NativeStepResult[])).toEqual([
      ["create", "a-01", "done"],
      ["delete", "dns-01", "done"],
    ]);
    expect(ws.sim.cluster.guest(400)!.status).toBe("running");
    expect(ws.sim.cluster.guest(DNS)).toBeUndefined();
    expect([...(await readManaged(ws.dir)).keys()].sort()).toEqual([WEB, 400, 401]);
    expect((await plan()).text).toBe(NO_CHANGES);
  });

  it("a config lock held by someone else is waited out", async () => {
    const retries: string[] = [];
    const base = createLogger();
    const log: Logger = { ...base, debug: ((fields: object, msg?: string) => void retries.push(`${JSON.stringify(fields)} ${msg}`)) as Logger["debug"], child: () => log };
    await ws.edit("web_01.tf", (t) => t.replace(/(\bcores\s*=\s*)2\b/, "$13"));
    const p = await plan();
    expect(p.changes[0]).toMatchObject({ action: "update", name: "web-01", diff: { cores: [2, 3] } });
    ws.sim.cluster.holdLock(WEB, 700);
    const result = await nativeEngine.apply({ ...ws.ctx(), log }, p);
    expect(result.ok).toBe(true);
    expect(ws.sim.cluster.guest(WEB)!.config.cores).toBe(3);
    // The qemu config change failed inside its task ("can't lock file … got timeout") at least once, and was retried.
    expect(retries.filter((r) => r.includes('"guest":"web-01"') && r.endsWith("config lock busy; retrying")).length).toBeGreaterThanOrEqual(1);
    expect((await plan()).text).toBe(NO_CHANGES);
  });

  it("a guest changed after the plan fails its step: the digest is stale", async () => {
    await ws.edit("web_01.tf", (t) => t.replace(/(\bcores\s*=\s*)2\b/, "$14"));
    const p = await plan();
    await ws.client.settle(await ws.client.updateGuestConfig("pve1", "qemu", WEB, { memory: 3072 }));
    const result = await nativeEngine.apply(ws.ctx(), p);
    expect(result.ok).toBe(false);
    expect(result.steps).toEqual([expect.objectContaining({ status: "failed", message: "web-01 changed since the plan; run plan again." })]);
    expect(ws.sim.cluster.guest(WEB)!.config.cores).toBe(2);
    const fresh = await plan();
    expect(fresh.changes[0].diff).toEqual({ cores: [2, 4], memory: [3072, 2048] });
    expect((await nativeEngine.apply(ws.ctx(), fresh)).ok).toBe(true);
    expect(ws.sim.cluster.guest(WEB)!.config).toMatchObject({ cores: 4, memory: "2048" });
  });
});

it("Ctrl-C: running steps are interrupted, the rest is cancelled, and the next plan picks up", async () => {
  const ws = await nativeWorkspace({ seed: seed(), taskDelayMs: 400 });
  try {
    const vms = [500, 501, 502, 503].map((vmid, i) => newVm({ name: `n-0${i + 1}`, vmid, node: "pve1" }));
    await ws.write(vms);
    const p = (await nativeEngine.plan(ws.ctx())) as NativePlan;
    expect(p.summary.create).toBe(4);
    const controller = new AbortController();
    // Ctrl-C as soon as the second step has started (both run at once: 2 per node).
    const spinner = ws.ui.spinner.bind(ws.ui);
    const ui = Object.assign(Object.create(ws.ui) as typeof ws.ui, {
      spinner: (text: string) => {
        const s = spinner(text);
        return { ...s, update: (t: string) => (s.update(t), t.startsWith("[2/4]") && controller.abort()) };
      },
    });
    const result = await nativeEngine.apply({ ...ws.ctx(controller.signal), ui }, p);
    expect(result.ok).toBe(false);
    const steps = result.steps as NativeStepResult[];
    expect(steps.map((s) => s.status)).toEqual(["cancelled", "cancelled", "cancelled", "cancelled"]);
    // At most 2 steps per node run at once: the first two were waiting on their tasks, the others never started.
    expect(steps.slice(0, 2).map((s) => s.message)).toEqual([expect.stringMatching(/^interrupted while in progress/), expect.stringMatching(/^interrupted while in progress/)]);
    expect(steps.slice(2).map((s) => s.message)).toEqual(["not started", "not started"]);
    expect(result.text.split("\n").at(-1)).toMatch(/^Apply cancelled: 0 done, 0 failed, 2 interrupted, 2 not started\./);
    expect(result.text).toContain("  ! interrupted: create  n-01 (qemu 500 on pve1): interrupted while in progress");
    expect(result.text).toContain("  · not started: create  n-04 (qemu 503 on pve1)");
    expect(ws.sim.cluster.guest(502)).toBeUndefined();

    // The interrupted tasks finish on the server; a new plan adopts them (same name and kind) and goes on.
    for (let i = 0; i < 100 && [500, 501].some((v) => ws.sim.cluster.guest(v)?.config.lock !== undefined); i++) await new Promise((r) => setTimeout(r, 50));
    const next = (await nativeEngine.plan(ws.ctx())) as NativePlan;
    expect(next.changes.map((c) => [c.action, c.name])).toEqual([
      ["create", "n-03"],
      ["create", "n-04"],
      ["update", "n-01"],
      ["update", "n-02"],
    ]);
    expect(next.changes[2].diff).toEqual({ started: [false, true] });
    expect((await nativeEngine.apply(ws.ctx(), next)).ok).toBe(true);
    expect([500, 501, 502, 503].map((v) => ws.sim.cluster.guest(v)?.status)).toEqual(["running", "running", "running", "running"]);
    expect(((await nativeEngine.plan(ws.ctx())) as NativePlan).text).toBe(NO_CHANGES);
  } finally {
    await ws.close();
  }
}, 20_000);
