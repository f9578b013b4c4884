/**
 * Outbound webhooks over real HTTP: a receiver on 127.0.0.1 checks each
 * signature itself. A `sync` run as a child process (as from cron) delivers
 * sync.done and sync.changed before the process ends; through `serve`, a
 * receiver answering 500 twice gets the third attempt (the delivery log shows
 * attempts 1..3), a 410 gives up at once, and a receiver that never answers
 * does not hold the API's answer back, and a shell run whose receiver hangs
 * ends after a bounded wait, recording the delivery it could not finish; an unreachable one costs a
 * shell command one refused attempt per event and no retries; drift.found is sent only when the drift
 * changes. `webhook add` refuses bad URLs and
 * unknown events, `remove` asks and keeps the log, and the secret (a canary)
 * appears in no log, answer or list.
 */
import { readdirSync, readFileSync } from "node:fs";
import { closedPort } from "../helpers/http-server.js";
import { join } from "node:path";
import { cliProcess } from "../helpers/cli.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";
import { apiServer, call, settled, type ApiServer } from "./helpers.js";
import { startReceiver, type Receiver } from "./webhook-receiver.js";

const CANARY = "whcanary-5d1e0b7a9c3f";
let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let receiver: Receiver;
let server: ApiServer | undefined;
const outputs: string[] = [];
/** The generated secret of the /flaky and /hang webhooks (read from `webhook add`). */
let generated: string | undefined;

/** Env of every run: the canary for --secret-env, and short backoff (documented as for tests). */
const env = () => ({ ...ws.env, WEBHOOK_SECRET: CANARY, PROXMOX_MPC_WEBHOOK_BACKOFF_MS: "20", PROXMOX_MPC_WEBHOOK_TIMEOUT_MS: "60000", PROXMOX_MPC_ENGINE: "native" });

async function run(args: string[]) {
  const r = await cliProcess(["-C", ws.dir, ...args], { env: env(), cwd: ws.dir });
  outputs.push(r.stdout, r.stderr);
  return r;
}

async function addHook(path: string, events: string, secret: string[]): Promise<string> {
  const made = await run(["webhook", "add", `${receiver.url}${path}`, "--events", events, ...secret, "-o", "json"]);
  expect(made.code).toBe(0);
  const data = JSON.parse(made.stdout) as { id: string; signingSecret?: string };
  if (data.signingSecret) generated = data.signingSecret;
  return data.id;
}

type Delivery = { webhookId: string; eventId: string; event: string; attempt: number; status: string; httpStatus: number | null; error: string | null };
async function deliveries(id: string): Promise<Delivery[]> {
  const r = await run(["webhook", "deliveries", id, "-o", "json"]);
  expect([r.code, r.stderr]).toEqual([0, ""]);
  return JSON.parse(r.stdout) as Delivery[];
}

/** Poll the delivery log until `done` holds (the deliveries of a server run on after its answer). */
async function deliveriesUntil(id: string, done: (d: Delivery[]) => boolean): Promise<Delivery[]> {
  const until = Date.now() + 20_000;
  for (;;) {
    const d = await deliveries(id);
    if (done(d) || Date.now() > until) return d;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  sim = await startSim({ size: 4, randomSeed: 3 });
  ws = await initWorkspace(sim);
  receiver = await startReceiver((path) => (path === "/ok" || path === "/gone" ? CANARY : generated));
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
  await sim?.close();
  ws?.cleanup();
});

describe("webhook add refuses what cannot work (exit 2)", () => {
  it.each([
    [["webhook", "add", "ftp://example.com/x", "--events", "sync.done"], /must be http:\/\/ or https:\/\//],
    [["webhook", "add", "not a url", "--events", "sync.done"], /is not a URL/],
    [["webhook", "add", "https://example.com/x", "--events", "sync.done,sync.finished"], /Unknown event: sync\.finished[\s\S]*Known events: .*sync\.changed.*drift\.found/],
    [["webhook", "add", "https://example.com/x"], /needs --events/],
    [["webhook", "add", "https://example.com/x", "--events", "sync.done", "--secret-env", "NOT_SET_ANYWHERE"], /NOT_SET_ANYWHERE is not set/],
    [["webhook", "add", "https://example.com/x", "--events", "sync.done", "--generate-secret", "--secret-env", "WEBHOOK_SECRET"], /Give one of/],
    [["webhook", "remove"], /needs the webhook's id/],
    [["webhook", "test", "wh_nothere"], /No webhook wh_nothere/],
  ])("%j", async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("warns when the secret is given on the command line", async () => {
    const r = await run(["webhook", "add", `${receiver.url}/nowhere`, "--events", "apply.done", "--secret", "plain-secret-123"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/shell history/);
    const id = /wh_\w+/.exec(r.stdout)![0];
    expect((await run(["webhook", "remove", id, "--yes"])).code).toBe(0);
  });
});

it("a sync run from a shell (a child process, as from cron) delivers sync.done and sync.changed, signed", async () => {
  const id = await addHook("/ok", "sync.done,sync.changed", ["--secret-env", "WEBHOOK_SECRET"]);
  const synced = await run(["sync"]);
  expect(synced.code).toBe(0);
  // The process has ended: whatever it delivered is here already.
  const got = receiver.received.filter((r) => r.path === "/ok");
  expect(got.map((r) => r.json.type).sort()).toEqual(["sync.changed", "sync.done"]);
  for (const r of got) {
    expect(r.signatureValid).toBe(true);
    expect(r.headers["x-proxmox-mpc-event"]).toBe(r.json.type);
    expect(r.headers["x-proxmox-mpc-delivery"]).toBe(r.json.id);
    expect(r.json.workspace).toEqual(expect.any(String));
    expect(r.json.correlationId).toEqual(expect.any(String));
  }
  const done = got.find((r) => r.json.type === "sync.done")!;
  expect(done.json.data).toMatchObject({ guests: sim.cluster.guests().length, added: sim.cluster.guests().length });
  const log = await deliveries(id);
  expect(log.map((d) => [d.event, d.attempt, d.status, d.httpStatus]).sort()).toEqual([
    ["sync.changed", 1, "ok", 200],
    ["sync.done", 1, "ok", 200],
  ]);
  expect((await run(["webhook", "test", id])).stdout).toMatch(/Ping delivered/);
  expect(receiver.received.at(-1)).toMatchObject({ path: "/ok", signatureValid: true, json: { type: "ping" } });
  expect((await run(["webhook", "remove", id, "--yes"])).code).toBe(0);
}, 60_000);

it("a shell run waits a bounded time for a receiver that hangs, then ends and records what it could not send", async () => {
  const id = await addHook("/hang-shell", "sync.done", ["--secret-env", "WEBHOOK_SECRET"]);
  const synced = await cliProcess(["-C", ws.dir, "sync"], { env: { ...env(), PROXMOX_MPC_WEBHOOK_EXIT_WAIT_MS: "200" }, cwd: ws.dir });
  expect(synced.code).toBe(0);
  // The process has ended; the receiver got sync.done and still holds it (it answers only when released).
  const [held] = await receiver.waitFor("/hang-shell", 1);
  expect(held.json.type).toBe("sync.done");
  expect(receiver.held).toHaveLength(1);
  const log = await deliveries(id);
  expect(log.map((d) => [d.event, d.attempt, d.status, d.error])).toEqual([["sync.done", 1, "gave-up", expect.stringMatching(/^not sent: the command ended/)]]);
  receiver.release();
  expect((await run(["webhook", "remove", id, "--yes"])).code).toBe(0);
}, 60_000);

it("drift.found is sent when the drift changes, not for every plan of the same drift", async () => {
  const id = await addHook("/drift", "drift.found", ["--secret-env", "WEBHOOK_SECRET"]);
  const sent = () => receiver.received.filter((r) => r.path === "/drift").map((r) => r.json.data as { items: Array<{ name: string; what: string }> });
  const first = sim.cluster.guests().find((g) => g.type === "qemu" && !g.template)!;
  const second = sim.cluster.guests().find((g) => g.type === "lxc" && !g.template)!;
  const [a, b] = [String(first.config.name), String(second.config.hostname)];
  const plan = async () => {
    const r = await run(["plan"]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
  };
  sim.cluster.removeGuest(first.vmid); // the IaC still has it: the plan finds drift
  await plan();
  await plan();
  expect(sent().map((d) => d.items.map((x) => [x.name, x.what]))).toEqual([[[a, "create"]]]);
  const memory = second.config.memory;
  second.config.memory = Number(memory) * 2; // a different drift: the container's memory differs too
  await plan();
  await plan();
  expect(sent().map((d) => d.items.map((x) => [x.name, x.what]).sort())).toEqual([[[a, "create"]], [[a, "create"], [b, "update"]].sort()]);
  sim.cluster.addGuest(first); // back as they were: no drift, nothing sent
  second.config.memory = memory;
  await plan();
  expect(sent()).toHaveLength(2);
  expect((await deliveries(id)).map((d) => [d.event, d.status])).toEqual([
    ["drift.found", "ok"],
    ["drift.found", "ok"],
  ]);
  expect((await run(["webhook", "remove", id, "--yes"])).code).toBe(0);
}, 90_000);

it("an unreachable receiver holds no shell command up: one refused attempt per event, then gave-up, no retries after the command", async () => {
  const made = await run(["webhook", "add", `http://127.0.0.1:${await closedPort()}/hook`, "--events", "*", "--generate-secret", "-o", "json"]);
  expect(made.code).toBe(0);
  const { id } = JSON.parse(made.stdout) as { id: string };
  // The default backoff (1 s, 2 s, 4 s …) and a long attempt timeout: waiting for retries, or for a
  // timeout instead of the refusal, would show in the log as more attempts or as a cut attempt.
  const { PROXMOX_MPC_WEBHOOK_BACKOFF_MS: _short, ...quiet } = env();
  for (const args of [["status"], ["get", "vms", "--limit", "1"]]) {
    const r = await cliProcess(["-C", ws.dir, ...args], { env: quiet, cwd: ws.dir });
    expect([args, r.code]).toEqual([args, 0]);
  }
  const log = await deliveries(id);
  const byEvent = new Map<string, Delivery[]>();
  for (const d of log) byEvent.set(d.eventId, [...(byEvent.get(d.eventId) ?? []), d]);
  expect(new Set(log.map((d) => d.event))).toEqual(new Set(["operation.started", "operation.finished"]));
  expect(byEvent.size).toBeGreaterThanOrEqual(4); // started and finished, of both runs
  for (const rows of byEvent.values()) {
    expect(rows.sort((a, b) => a.attempt - b.attempt).map((d) => [d.attempt, d.status, d.error])).toEqual([
      [1, "failed", "network: ECONNREFUSED"],
      [2, "gave-up", `not sent: the command ended (a shell run makes no retries after its command; \`serve\` retries); check the receiver with \`webhook test ${id}\``],
    ]);
  }
  expect((await run(["webhook", "remove", id, "--yes"])).code).toBe(0);
}, 90_000);

describe("through serve", () => {
  let flaky: string;
  let gone: string;
  let hang: string;

  beforeAll(async () => {
    flaky = await addHook("/flaky", "sync.done", ["--generate-secret"]);
    const flakySecret = generated;
    gone = await addHook("/gone", "sync.done", ["--secret-env", "WEBHOOK_SECRET"]);
    hang = await addHook("/hang", "drift.found", ["--secret-env", "WEBHOOK_SECRET"]);
    generated = flakySecret;
    server = await apiServer(ws.dir, env());
  }, 60_000);

  it("retries a receiver that answers 500 twice: attempts 1..3 in the delivery log; a 410 gives up at once", async () => {
    const sync = await call(server!, "POST", "/api/v1/sync", { token: server!.token, body: {} });
    expect(sync.status).toBe(202);
    expect(await settled(server!, server!.token, String(sync.body.correlationId))).toMatchObject({ status: "ok" });
    const log = await deliveriesUntil(flaky, (d) => d.length >= 3);
    expect(log.map((d) => [d.event, d.attempt, d.status, d.httpStatus])).toEqual([
      ["sync.done", 1, "failed", 500],
      ["sync.done", 2, "failed", 500],
      ["sync.done", 3, "ok", 200],
    ]);
    expect(new Set(log.map((d) => d.eventId)).size).toBe(1);
    const arrived = receiver.received.filter((r) => r.path === "/flaky");
    expect(arrived.map((r) => [r.headers["x-proxmox-mpc-attempt"], r.signatureValid])).toEqual([
      ["1", true],
      ["2", true],
      ["3", true],
    ]);
    const gave = await deliveriesUntil(gone, (d) => d.length >= 1);
    expect(gave.map((d) => [d.attempt, d.status, d.httpStatus])).toEqual([[1, "gave-up", 410]]);
    expect(receiver.received.filter((r) => r.path === "/gone")).toHaveLength(1);
  }, 60_000);

  it("answers while a receiver still holds the delivery of the run's event", async () => {
    const vm = sim.cluster.guests().find((g) => g.type === "qemu" && !g.template)!;
    sim.cluster.removeGuest(vm.vmid); // the IaC still has it: the plan finds drift
    const plan = await call(server!, "POST", "/api/v1/plan", { token: server!.token, body: {} });
    expect([plan.status, plan.body.error]).toEqual([200, undefined]);
    // The answer is here; the receiver got drift.found and has not answered it (it answers only when released).
    const [held] = await receiver.waitFor("/hang", 1);
    expect(held.json.type).toBe("drift.found");
    expect(receiver.held).toHaveLength(1);
    receiver.release();
    const log = await deliveriesUntil(hang, (d) => d.length >= 1);
    expect(log.map((d) => [d.event, d.status])).toEqual([["drift.found", "ok"]]);
  }, 60_000);

  it("remove asks, and keeps the webhook disabled with its deliveries readable", async () => {
    const refused = await run(["webhook", "remove", flaky, "--no-input"]);
    expect(refused.code).toBe(2);
    expect((await run(["webhook", "list", "-o", "json"])).stdout).toContain(flaky);
    expect((await run(["webhook", "remove", flaky, "--yes"])).code).toBe(0);
    expect((await run(["webhook", "list", "-o", "json"])).stdout).not.toContain(flaky);
    const all = JSON.parse((await run(["webhook", "list", "--all", "-o", "json"])).stdout) as Array<{ id: string; state: string }>;
    expect(all.find((w) => w.id === flaky)?.state).toBe("removed");
    expect(await deliveries(flaky)).toHaveLength(3);
  }, 60_000);

  it("never shows a secret: not in list output, answers, the server's output or the log files", async () => {
    const list = await run(["webhook", "list", "--all"]);
    const listJson = await run(["webhook", "list", "--all", "-o", "json"]);
    const ops = await call(server!, "GET", "/api/v1/operations", { token: server!.token });
    const recorded = await run(["logs", "--operations", "-o", "json"]);
    const logsDir = join(ws.dir, ".proxmox-mpc", "logs");
    const files = readdirSync(logsDir).map((f) => readFileSync(join(logsDir, f), "utf8"));
    const everything = [list.stdout, listJson.stdout, ops.text, recorded.stdout, server!.stdout(), server!.stderr(), ...files, ...outputs].join("\n");
    expect(everything).toContain("webhook delivery"); // the logs were read
    expect(everything).not.toContain(CANARY);
    expect(everything).not.toContain("plain-secret-123");
    expect(listJson.stdout).not.toContain(generated!);
  }, 60_000);
});
