/**
 * What report-issue writes and prints: the bundle's parts (summary,
 * environment, health, operations of the window with the failing one's trace
 * first, the logs of failed Proxmox tasks fetched from the server, files,
 * last sync, drift, classification), the Markdown beside it,
 * the printed contents and prompt, --copy-prompt, --since, -o json, and the
 * usage errors; plus the error classifier on each category.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { databaseUrl, loadWorkspace } from "../../src/core/workspace.js";
import { classifyFailure } from "../../src/observability/classify.js";
import { ProxmoxClient } from "../../src/proxmox/client.js";
import { openStore } from "../../src/state/store.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
/** Tasks run on the simulator: two failed ones (one named by a log line, one only in the cluster's task list), one that succeeded (named by a log line). */
const upids = { named: "", listed: "", ok: "" };
let vmid = 0;

beforeAll(async () => {
  sim = await startSim({ size: 4 });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
  const client = ProxmoxClient.fromInput({ endpoint: sim.url, token: sim.token }, {}, { retries: 0 });
  try {
    const vm = sim.cluster.guests().find((g) => g.type === "qemu" && g.status === "running" && g.config.template !== 1)!;
    vmid = vm.vmid;
    const task = async (action: "start" | "reboot"): Promise<string> => {
      const upid = await client.powerAction(vm.node, "qemu", vm.vmid, action);
      await client.waitForTask(upid, { pollMs: 10 }).catch(() => undefined);
      return upid;
    };
    upids.named = await task("start"); // fails: the VM is running
    upids.ok = await task("reboot");
    upids.listed = await task("start");
  } finally {
    client.close();
  }
  const now = Date.now();
  const log = (at: number, fields: Record<string, unknown>): string => JSON.stringify({ level: "info", time: new Date(at).toISOString(), ...fields });
  appendFileSync(
    join(ws.dir, ".proxmox-mpc", "logs", `${new Date(now).toISOString().slice(0, 10)}.jsonl`),
    [
      log(now - 60_000, { correlationId: "c-fail000001", command: "plan", msg: "command started" }),
      log(now - 59_000, { level: "error", correlationId: "c-fail000001", command: "plan", msg: "command failed", err: { code: "lock-timeout", message: "VM 101 is locked (backup)" } }),
      log(now - 50_000, { correlationId: "c-other00001", command: "start", phase: "task.wait", upid: upids.ok, msg: "task finished" }),
      log(now - 40_000, { level: "warn", correlationId: "c-other00002", command: "start", msg: `start of VM failed (${upids.named})` }),
    ].join("\n") + "\n",
  );
  const store = await openStore({ url: databaseUrl(await loadWorkspace(ws.dir), {}) });
  try {
    await store.operations.record({ correlationId: "c-old0000001", command: "apply", actor: "cli", arguments: {}, result: "failed", exitCode: 1, error: "old failure", startedAt: new Date(now - 3 * 3600_000), finishedAt: new Date(now - 3 * 3600_000) });
    await store.operations.record({ correlationId: "c-fail000001", command: "plan", actor: "console", arguments: {}, result: "failed", exitCode: 1, error: "VM 101 is locked (backup)", startedAt: new Date(now - 60_000), finishedAt: new Date(now - 59_000) });
  } finally {
    await store.close();
  }
});
afterAll(async () => {
  ws.cleanup();
  await sim.close();
});

it("writes the JSON bundle and the Markdown beside it, and prints where and what", async () => {
  const run = await ws.run(["report-issue", "plan failed after a backup", "--timeout", "60"]);
  expect(run.code).toBe(0);
  const json = /Report file: (\S+\.json)/.exec(run.stdout)?.[1];
  expect(json).toMatch(/diagnostics\/issue-\d{4}-\d{2}-\d{2}-\d{6}(-\d+)?\.json$/);
  expect(existsSync(json!.replace(/\.json$/, ".md"))).toBe(true);
  expect(run.stdout).toContain("📋 Issue Report Generated: issue-");
  expect(run.stdout).toMatch(/Operations: \d+ \(since 30m\), 1 failed/);
  expect(run.stdout).toMatch(/Log lines: \d+ \(2 in the failing operation's trace, first\)/);
  expect(run.stdout).toContain("Error classification: Something is locked (lock)");
  expect(run.stdout).toContain("💡 Suggested AI Prompt:");
  expect(run.stdout).toContain("I'm having issues with my proxmox-mpc setup: plan failed after a backup");

  const b = JSON.parse(readFileSync(json!, "utf8"));
  expect(Object.keys(b).slice(0, 8)).toEqual(["format", "createdAt", "summary", "anonymized", "window", "classification", "failure", "environment"]);
  expect(b.summary).toBe("plan failed after a backup");
  expect(b.classification).toMatchObject({ category: "lock", evidence: ["code lock-timeout"] });
  expect(b.failure.operation).toMatchObject({ command: "plan", correlationId: "c-fail000001", error: "VM 101 is locked (backup)" });
  expect(b.failure.trace.map((l: { message: string }) => l.message)).toEqual(["command started", "command failed"]);
  expect(b.logs.map((l: { correlationId: string }) => l.correlationId)).toEqual(expect.arrayContaining(["c-fail000001", "c-other00001", "c-other00002"]));
  expect(b.environment).toMatchObject({ node: process.version, proxmoxMpc: expect.any(String), pveVersion: expect.any(String), database: { provider: "sqlite" } });
  expect(b.environment.tools.map((t: { name: string }) => t.name)).toEqual(["Terraform", "Ansible", "Claude"]);
  expect(b.health.checks.length).toBeGreaterThan(10);
  expect(b.operations.map((o: { command: string }) => o.command)).toEqual(expect.arrayContaining(["sync", "plan"]));
  expect(b.operations.map((o: { error: string }) => o.error)).not.toContain("old failure");
  expect(b.lastSync.completed).toMatchObject({ status: "completed", guests: expect.any(Number) });
  expect(b.files.map((f: { path: string }) => f.path)).toEqual(expect.arrayContaining([".proxmox-mpc/config.yaml", "terraform/provider.tf", "ansible/inventory.yml"]));
  expect(b.files.map((f: { path: string }) => f.path).some((p: string) => p.includes("secrets") || p.endsWith(".tfstate"))).toBe(false);
  const md = readFileSync(json!.replace(/\.json$/, ".md"), "utf8");
  expect(md).toContain("# proxmox-mpc issue report");
  expect(md).toContain("## Classification: Something is locked (lock)");
  expect(md).toContain("## Failing operation: `plan` (c-fail000001)");
  expect(md).toContain("## Suggested AI prompt");
});

it("carries the logs of the window's failed Proxmox tasks, fetched from the server: named by log lines first, then the cluster's failed tasks", async () => {
  const run = await ws.run(["report-issue", "starting a VM fails", "--timeout", "60"]);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain("Task logs: 2 of failed Proxmox tasks\n");
  const json = /Report file: (\S+\.json)/.exec(run.stdout)![1];
  const b = JSON.parse(readFileSync(json, "utf8"));
  const why = `VM ${vmid} already running`;
  // The successful reboot is named by a log line too, but only failed tasks are carried.
  expect(b.taskLogs.note).toBeNull();
  expect(b.taskLogs.tasks.map((t: { upid: string; source: string }) => [t.upid, t.source])).toEqual([
    [upids.named, "log lines"],
    [upids.listed, "cluster tasks"],
  ]);
  for (const t of b.taskLogs.tasks) {
    expect(t).toMatchObject({ type: "qmstart", id: String(vmid), status: "stopped", exitstatus: why });
    expect(t.lines.at(-1)).toBe(`TASK ERROR: ${why}`);
    expect(t.totalLines).toBe(t.lines.length);
  }
  const md = readFileSync(json.replace(/\.json$/, ".md"), "utf8");
  expect(md).toContain("## Task logs (2)");
  expect(md).toContain(`### qmstart ${vmid} on `);
  expect(md).toContain(`TASK ERROR: ${why}`);
  const prompt = /💡 Suggested AI Prompt:\n([\s\S]*)📤/u.exec(run.stdout)![1];
  expect(prompt).toContain(`Failed Proxmox tasks: qmstart ${vmid} on `);
});

it("--copy-prompt prints the prompt alone; -o json gives paths, counts and prompt", async () => {
  const copy = await ws.run(["report-issue", "plan failed", "--copy-prompt", "--timeout", "60"]);
  expect(copy.code).toBe(0);
  expect(copy.stdout.split("\n")[0]).toBe("I'm having issues with my proxmox-mpc setup: plan failed");
  expect(copy.stdout).not.toContain("Report file");
  expect(copy.stdout).toContain("Error summary: Something is locked — `plan` failed: VM 101 is locked (backup)");
  const json = await ws.run(["report-issue", "plan failed", "-o", "json", "--timeout", "60"]);
  const data = JSON.parse(json.stdout);
  expect(data).toMatchObject({ json: expect.stringMatching(/\.json$/), markdown: expect.stringMatching(/\.md$/), classification: { category: "lock" }, counts: { failing: 1, traceLines: 2 } });
  expect(data.prompt).toContain("Please analyze the logs and suggest fixes.");
});

it("--since widens or narrows the window", async () => {
  const wide = JSON.parse((await ws.run(["report-issue", "x", "--since", "5h", "-o", "json", "--timeout", "60"])).stdout);
  expect(wide.counts.failing).toBe(2);
  const narrow = JSON.parse((await ws.run(["report-issue", "x", "--since", "1s", "-o", "json", "--timeout", "60"])).stdout);
  expect(narrow.counts).toMatchObject({ failing: 0, traceLines: 0 });
  expect(narrow.classification.category).toBe("none");
});

it("usage errors: no summary, a bad --since (exit 2)", async () => {
  const none = await ws.run(["report-issue", " ", "--timeout", "60"]);
  expect(none.code).toBe(2);
  expect(none.stderr).toContain("needs a SUMMARY");
  const bad = await ws.run(["report-issue", "x", "--since", "yesterday-ish", "--timeout", "60"]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("--since must be");
});

it("a real failure end to end: sync against a stopped server is classified from its own log lines", async () => {
  const gone = await startSim({ size: 2 });
  const other = await initWorkspace(gone);
  try {
    await gone.close();
    const sync = await other.run(["sync"]);
    expect(sync.code).toBe(1);
    const report = await other.run(["report-issue", "sync fails", "-o", "json", "--timeout", "60"]);
    expect(report.code).toBe(0);
    const data = JSON.parse(report.stdout);
    expect(data.classification.category).toBe("network");
    // The task logs could not be fetched: the bundle is written all the same, and says why.
    expect(data.counts.taskLogs).toBe(0);
    expect(data.taskLogNote).toMatch(/^task logs: server unreachable \(.+\)$/);
    expect(JSON.parse(readFileSync(data.json, "utf8")).taskLogs).toEqual({ note: data.taskLogNote, tasks: [] });
    expect(readFileSync(data.markdown, "utf8")).toContain(`Note — ${data.taskLogNote}`);
    const text = await other.run(["report-issue", "sync fails", "--timeout", "60"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Task logs: 0 of failed Proxmox tasks; server unreachable \(.+\)\n/);
    expect(data.classification.evidence[0]).toMatch(/^code /);
    expect(data.counts).toMatchObject({ failing: 1, traceLines: expect.any(Number) });
    expect(data.counts.traceLines).toBeGreaterThan(1);
    expect(data.prompt).toContain("Error summary: Network problem — `sync` failed");
  } finally {
    other.cleanup();
  }
});

it.each([
  ["network", { message: "connect ECONNREFUSED 10.0.0.1:8006", codes: [] }],
  ["tls", { message: "x", codes: ["tls"] }],
  ["auth", { message: "401 authentication failure", codes: [] }],
  ["permission", { message: "x", codes: ["permission-denied"] }],
  ["lock", { message: "x", codes: ["lock-timeout"] }],
  ["validation", { message: "Parameter verification failed: cores must be a number", codes: [] }],
  ["validation", { message: "Not in the store: web-99.", codes: ["not-found"] }],
  ["validation", { message: "Not in the store: web-99.", codes: [] }],
  ["task-failure", { message: "x", codes: ["task-failed"] }],
  ["terraform", { command: "apply", message: "terraform exited with 1", codes: [] }],
  ["ansible", { command: "ansible", message: "playbook site.yml failed", codes: [] }],
  ["internal", { message: "Cannot read properties of undefined (reading 'x')", codes: ["internal"] }],
])("classifies %s failures, with suggestions", (category, facts) => {
  const c = classifyFailure(facts);
  expect(c.category).toBe(category);
  expect(c.suggestions.length).toBeGreaterThan(0);
});
