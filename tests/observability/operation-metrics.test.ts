/**
 * Each operation's figures (time per phase, API requests and bytes, retries,
 * DB time) are kept in the operations table and shown by `logs` and `health`:
 * the real CLI against the real simulator, whose own request counter is the
 * yardstick for the API figures.
 */
import type { MetricsSnapshot } from "../../src/core/metrics.js";
import type { HealthReport } from "../../src/observability/health-types.js";
import { openStore } from "../../src/state/index.js";
import type { OperationRecord } from "../../src/state/operation-repository.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";
import { join } from "node:path";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
/** Requests the simulator served during the first sync. */
let served: number;

beforeAll(async () => {
  sim = await startSim({ size: 12 });
  ws = await initWorkspace(sim);
  // Two answers of 503 to the first requests: GETs are retried, so the sync succeeds with 2 retries.
  const before = sim.stats().requests;
  sim.cluster.faultNext(2, 503);
  const run = await ws.run(["sync"]);
  if (run.code !== 0) throw new Error(`sync failed: ${run.stderr}`);
  served = sim.stats().requests - before;
});
afterAll(async () => {
  ws.cleanup();
  await sim.close();
});

async function operations(): Promise<OperationRecord[]> {
  const store = await openStore({ url: `file:${join(ws.dir, ".proxmox-mpc", "state.db")}`, readOnly: true });
  try {
    return await store.operations.list();
  } finally {
    await store.close();
  }
}

it("a sync records its phases, every API request the server answered, the bytes, retries and DB time", async () => {
  const [sync] = (await operations()).filter((op) => op.command === "sync");
  const m = sync.metrics as MetricsSnapshot;
  expect(m).not.toBeNull();
  expect(m.api.requests).toBe(served);
  expect(m.api.retries).toBe(2);
  expect(m.api.errors).toBe(2);
  expect(m.api.bytesIn).toBeGreaterThan(served * 20); // every answer is a JSON body
  expect(m.api.ms).toBeGreaterThan(0);
  expect(Object.keys(m.phases)).toEqual(expect.arrayContaining(["sync.open-store", "sync.fetch-resources", "sync.write-store", "sync.generate-iac"]));
  expect(m.db.queries).toBeGreaterThan(0);
  expect(sync.correlationId).toMatch(/^c-/);
});

it("an apply records its plan and apply phases, the task waits, and the bytes it sent", async () => {
  expect((await ws.run(["create", "vm", "--name", "metrics-01", "--memory", "512"])).code).toBe(0);
  const run = await ws.run(["apply", "--yes", "--engine", "native"]);
  expect(run.code).toBe(0);
  const [apply] = (await operations()).filter((op) => op.command === "apply");
  const m = apply.metrics as MetricsSnapshot;
  expect(Object.keys(m.phases)).toEqual(expect.arrayContaining(["plan", "apply", "apply.create", "task.wait"]));
  expect(m.api.bytesOut).toBeGreaterThan(0); // the create's form
  expect(m.phases.apply).toBeGreaterThanOrEqual(m.phases["apply.create"]);
});

it("logs --operations lists the recorded operations with their figures; the command's log line carries them too", async () => {
  const json = await ws.run(["logs", "--operations", "--op", "sync", "-o", "json"]);
  expect(json.code).toBe(0);
  const listed = JSON.parse(json.stdout) as OperationRecord[];
  expect(listed.map((op) => op.command)).toEqual(["sync"]);
  expect(listed[0].metrics?.api.retries).toBe(2);
  // Dates print as ISO times (the output layer's redaction once turned them into {}).
  expect(listed[0].startedAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/));

  const table = await ws.run(["logs", "--operations", "--no-color"]);
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(/CORRELATION\s+ACTOR\s+OPERATION\s+RESULT\s+MS\s+API\s+IN\s+RETRIES\s+DB MS\s+SLOWEST PHASE/);
  const syncRow = table.stdout.split("\n").find((line) => / sync /.test(line));
  expect(syncRow).toMatch(/ ok .* \d+ +[\d.]+ (KB|MB|B) +2 +\d+ +sync\.[a-z-]+ \d+ ms/);

  const lines = await ws.run(["logs", "--op", "sync", "--grep", "command finished", "--no-color"]);
  expect(lines.stdout).toMatch(/command finished · \d+ API requests \([\d.]+ (KB|MB|B) in, 2 retries, 2 errors\), DB \d+ ms/);

  expect((await ws.run(["logs", "--operations", "--follow"])).code).toBe(2);
});

it("health shows the recent operations with their figures, and warns on a failure naming its correlation id", async () => {
  const ok = JSON.parse((await ws.run(["health", "-o", "json", "--timeout", "60"])).stdout) as HealthReport;
  const recent = ok.checks.find((c) => c.name === "Recent operations");
  expect(recent).toMatchObject({ status: "ok", figure: expect.stringMatching(/^\d+ in 24h, 0 failed$/) });
  expect(recent?.message).toMatch(/\d[\d,]* API requests \(\d+ retried\); slowest: \w+ \d+ ms/);

  // A failing task: a reboot whose task fails on the server.
  const vms = JSON.parse((await ws.run(["get", "vms", "-o", "json"])).stdout) as { name: string; status: string; template: boolean }[];
  const running = vms.find((vm) => vm.status === "running" && !vm.template);
  sim.cluster.failNextTask({ type: "qmreboot", message: "reboot failed: guest agent not running" });
  const failed = await ws.run(["reboot", "vm", String(running?.name)]);
  expect([failed.code, failed.stdout + failed.stderr]).toEqual([1, expect.stringContaining("guest agent not running")]);
  const [start] = (await operations()).filter((op) => op.command === "reboot");
  // The batch returned exit 1 (it did not throw): recorded as failed, not ok.
  expect(start).toMatchObject({ result: "failed", exitCode: 1 });
  const warned = JSON.parse((await ws.run(["health", "-o", "json", "--timeout", "60"])).stdout) as HealthReport;
  expect(warned.checks.find((c) => c.name === "Recent operations")).toMatchObject({
    status: "warn",
    figure: expect.stringMatching(/ 1 failed$/),
    message: expect.stringContaining(`proxmox-mpc logs --correlation ${start.correlationId}`),
  });
});
