/**
 * Zero-diff adoption at scale: every guest of a generated cluster (300
 * guests here, to keep the suite fast; the 1,000-guest figure is in
 * docs/engine.md), adopted the way sync does it (specFromPve →
 * writeTerraform → managed set), plans no changes — and a change made
 * behind the engine's back shows up as exactly that change.
 */
import { nativeEngine } from "../../../src/engine/native/index.js";
import type { NativePlan } from "../../../src/engine/native/types.js";
import { nativeWorkspace, type NativeWorkspace } from "./helpers.js";

const SIZE = 300;
let ws: NativeWorkspace | undefined;
afterEach(async () => {
  await ws?.close();
  ws = undefined;
});

it(`${SIZE} adopted guests plan no changes`, async () => {
  ws = await nativeWorkspace({ size: SIZE });
  const specs = await ws.adopt();
  expect(specs).toHaveLength(SIZE);
  expect(new Set(specs.map((s) => s.kind))).toEqual(new Set(["qemu", "lxc"]));
  const started = Date.now();
  const p = (await nativeEngine.plan(ws.ctx())) as NativePlan;
  const ms = Date.now() - started;
  expect(p.changes.map((c) => `${c.action} ${c.name}: ${JSON.stringify(c.diff)}`)).toEqual([]);
  expect(p.unsupported).toEqual([]);
  expect(p.warnings).toEqual([]);
  expect(p.text).toBe("No changes. Your infrastructure matches the configuration.");
  console.info(`native plan of ${SIZE} adopted guests: ${ms} ms`);
}, 30_000);

it("a change made in Proxmox behind its back is exactly what the plan shows", async () => {
  ws = await nativeWorkspace({ size: 40 });
  await ws.adopt();
  const vms = ws.sim.cluster.guests().filter((g) => g.type === "qemu" && g.config.template !== 1 && typeof g.config.cores === "number");
  const touched = vms.slice(0, 3);
  for (const g of touched) g.config = { ...g.config, cores: Number(g.config.cores) + 1 };
  const stopped = ws.sim.cluster.guests().find((g) => g.type === "lxc" && g.status === "running")!;
  stopped.status = "stopped";
  ws.sim.cluster.touch();
  const p = (await nativeEngine.plan(ws.ctx())) as NativePlan;
  const expected = [
    ...touched.map((g) => ({ vmid: g.vmid, diff: { cores: [Number(g.config.cores), Number(g.config.cores) - 1] } })),
    { vmid: stopped.vmid, diff: { started: [false, true] } },
  ].sort((a, b) => a.vmid - b.vmid);
  expect(p.changes.map((c) => ({ vmid: c.vmid, diff: c.diff }))).toEqual(expected);
  expect(p.changes.every((c) => c.action === "update")).toBe(true);
}, 30_000);
