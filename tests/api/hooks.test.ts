/**
 * Inbound hooks over real HTTP against `serve` as a child process: a push
 * signed GitHub's way (X-Hub-Signature-256 over the raw body) runs a sync —
 * 202, the operation followed and recorded; GitLab's token and this program's
 * own timestamped signature work too; a wrong, missing or stale signature is
 * 401 and runs nothing; an apply hook made without --allow-apply only plans
 * (the cluster keeps its guests), one made with it applies; a removed hook answers 404; the JSON routes
 * still parse JSON; a stale timestamp says so; `audit --action "hook add"` finds the hook by name. The hook's secret is shown once and appears nowhere else.
 */
import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cliProcess } from "../helpers/cli.js";
import { apiServer, call, settled, stopAll, syncedWorkspace, type ApiServer } from "./helpers.js";
import type { initWorkspace, RunningSimulator } from "../helpers/sim.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let server: ApiServer;
const outputs: string[] = [];
const hooks: Record<string, { path: string; secret: string }> = {};

const env = () => ({ ...ws.env, PROXMOX_MPC_ENGINE: "native" });

async function run(args: string[]) {
  const r = await cliProcess(["-C", ws.dir, ...args], { env: env(), cwd: ws.dir });
  outputs.push(r.stdout, r.stderr);
  return r;
}

async function addHook(name: string, args: string[]): Promise<void> {
  const made = await run(["hook", "add", name, ...args, "-o", "json"]);
  expect(made.code).toBe(0);
  const data = JSON.parse(made.stdout) as { path: string; signingSecret: string };
  hooks[name] = { path: data.path, secret: data.signingSecret };
}

const PUSH = JSON.stringify({ ref: "refs/heads/main", after: "0f3c1e", repository: { full_name: "infra/cluster" } });
const github = (secret: string, body: string) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

async function post(path: string, headers: Record<string, string>, body = PUSH): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const res = await fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown>, text };
}

async function operationCount(): Promise<number> {
  const r = await run(["logs", "--operations", "-o", "json"]);
  return (JSON.parse(r.stdout) as unknown[]).length;
}

beforeAll(async () => {
  ({ sim, ws } = await syncedWorkspace({ size: 4, randomSeed: 5 }));
  await addHook("push", ["--action", "sync"]);
  await addHook("merge", ["--action", "apply"]);
  await addHook("release", ["--action", "apply", "--allow-apply"]);
  server = await apiServer(ws.dir, env());
}, 90_000);
afterAll(() => stopAll(server, sim, ws));

it("hook add shows the path and the secret once; list shows neither secret", async () => {
  expect(hooks.push.path).toMatch(/^\/api\/v1\/hooks\/ih_\w{20}$/);
  expect(hooks.push.secret).toMatch(/^[0-9a-f]{64}$/);
  const list = await run(["hook", "list", "-o", "json"]);
  const rows = JSON.parse(list.stdout) as Array<{ name: string; action: string; allowApply: boolean }>;
  expect(rows.map((r) => [r.name, r.action, r.allowApply])).toEqual([
    ["push", "sync", false],
    ["merge", "apply", false],
    ["release", "apply", true],
  ]);
  expect(list.stdout).not.toContain(hooks.push.secret);
  expect((await run(["hook", "list"])).stdout).toMatch(/merge\s+apply \(plans only\)/);
});

it.each([
  [["hook", "add", "x"], /needs --action/],
  [["hook", "add", "x", "--action", "sync", "--allow-apply"], /--allow-apply is for a hook with --action apply/],
  [["hook", "add", "push", "--action", "plan"], /A hook named push exists/],
  [["hook", "remove", "nobody", "--yes"], /No hook named nobody/],
])("refuses %j (exit 2)", async (args, message) => {
  const r = await run(args);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(message);
});

it("a push signed GitHub's way runs a sync: 202, the operation followed, recorded as an api run", async () => {
  const answer = await post(hooks.push.path, { "x-hub-signature-256": github(hooks.push.secret, PUSH), "x-github-event": "push" });
  expect(answer.status).toBe(202);
  expect(answer.body).toMatchObject({ ok: true, hook: "push", command: "sync", status: "running" });
  const id = String(answer.body.correlationId);
  expect(answer.body.operation).toBe(`/api/v1/operations/${id}`);
  expect(await settled(server, server.token, id)).toMatchObject({ command: "sync", status: "ok" });
  const ops = JSON.parse((await run(["logs", "--operations", "-o", "json"])).stdout) as Array<{ correlationId: string; command: string; actor: string }>;
  expect(ops.find((o) => o.correlationId === id)).toMatchObject({ command: "sync", actor: "api" });
}, 60_000);

it("accepts GitLab's token and the X-Proxmox-MPC signature with a fresh timestamp", async () => {
  const gitlab = await post(hooks.push.path, { "x-gitlab-token": hooks.push.secret, "x-gitlab-event": "Push Hook" });
  expect(gitlab.status).toBe(202);
  await settled(server, server.token, String(gitlab.body.correlationId));
  const ts = String(Math.floor(Date.now() / 1000));
  const own = await post(hooks.push.path, { "x-proxmox-mpc-timestamp": ts, "x-proxmox-mpc-signature-256": github(hooks.push.secret, `${ts}.${PUSH}`) });
  expect(own.status).toBe(202);
  await settled(server, server.token, String(own.body.correlationId));
}, 60_000);

it("a wrong, missing or stale signature is 401 and runs nothing", async () => {
  const before = await operationCount();
  const stale = String(Math.floor(Date.now() / 1000) - 3600);
  const refused = [
    await post(hooks.push.path, { "x-hub-signature-256": github("not-the-secret", PUSH) }),
    await post(hooks.push.path, { "x-hub-signature-256": github(hooks.push.secret, `${PUSH} `) }),
    await post(hooks.push.path, {}),
    await post(hooks.push.path, { "x-gitlab-token": `${hooks.push.secret}x` }),
    await post(hooks.push.path, { "x-proxmox-mpc-timestamp": stale, "x-proxmox-mpc-signature-256": github(hooks.push.secret, `${stale}.${PUSH}`) }),
  ];
  expect(refused.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
  // The signature was made over a body with one more space: the raw bytes are what is checked.
  expect(refused[1].body).toMatchObject({ ok: false, error: { code: "unauthorized", message: "The signature is not valid for this hook." } });
  // A well-signed call with an old timestamp says so, not that the signature is wrong.
  expect(String((refused[4].body.error as { message: string }).message)).toMatch(/^The timestamp is too old \(more than 5 minutes\): it is 3\d{3} s behind/);
  expect(await operationCount()).toBe(before);
}, 60_000);

it("an apply hook made without --allow-apply plans and changes nothing", async () => {
  const vm = sim.cluster.guests().find((g) => g.type === "qemu" && !g.template)!;
  sim.cluster.removeGuest(vm.vmid); // the IaC still has it: an apply would create it again
  const guests = sim.cluster.guests().length;
  const answer = await post(hooks.merge.path, { "x-hub-signature-256": github(hooks.merge.secret, PUSH) });
  expect(answer.status).toBe(202);
  expect(answer.body).toMatchObject({ hook: "merge", command: "plan" });
  expect(String(answer.body.note)).toMatch(/not allowed to apply/);
  expect(await settled(server, server.token, String(answer.body.correlationId))).toMatchObject({ command: "plan", status: "ok" });
  expect(sim.cluster.guests().length).toBe(guests);
  expect(sim.cluster.guest(vm.vmid)).toBeUndefined();
  // The hook made with --allow-apply applies: the guest is created again.
  const allowed = await post(hooks.release.path, { "x-hub-signature-256": github(hooks.release.secret, PUSH) });
  expect(allowed.body).toMatchObject({ hook: "release", command: "apply" });
  expect(allowed.body.note).toBeUndefined();
  expect(await settled(server, server.token, String(allowed.body.correlationId))).toMatchObject({ command: "apply", status: "ok" });
  expect(sim.cluster.guests().length).toBe(guests + 1);
}, 60_000);

it("the JSON routes still parse JSON; an unknown or removed hook is 404", async () => {
  const status = await call(server, "POST", "/api/v1/plan", { token: server.token, body: { engine: "native" } });
  expect(status.status).not.toBe(415);
  expect((await call(server, "POST", "/api/v1/sync", { token: server.token, body: { nonsense: 1 } })).status).toBe(400);
  expect((await post("/api/v1/hooks/ih_nothere", { "x-gitlab-token": "x" })).status).toBe(404);
  expect((await run(["hook", "remove", "merge", "--no-input"])).code).toBe(2);
  expect((await run(["hook", "remove", "merge", "--yes"])).code).toBe(0);
  expect((await post(hooks.merge.path, { "x-hub-signature-256": github(hooks.merge.secret, PUSH) })).status).toBe(404);
}, 60_000);

it("the audit trail shows `hook add` and `hook remove` as actions, with the hook's name as target", async () => {
  expect((await run(["hook", "add", "audited", "--action", "sync"])).code).toBe(0);
  expect((await run(["hook", "remove", "audited", "--yes"])).code).toBe(0);
  type Entry = { action: string; target: string | null; result: string };
  const added = JSON.parse((await run(["audit", "--action", "hook add", "-o", "json"])).stdout) as Entry[];
  expect(added.find((e) => e.target === "audited")).toMatchObject({ action: "hook add", result: "ok" });
  expect(added.every((e) => e.action === "hook add")).toBe(true);
  const removed = JSON.parse((await run(["audit", "--action", "hook remove", "-o", "json"])).stdout) as Entry[];
  expect(removed.filter((e) => e.target === "audited")).toEqual([expect.objectContaining({ action: "hook remove", result: "ok" })]);
}, 60_000);

it("the hooks' secrets appear in no list, answer, server output or log file (after add)", async () => {
  const logsDir = join(ws.dir, ".proxmox-mpc", "logs");
  const files = readdirSync(logsDir).map((f) => readFileSync(join(logsDir, f), "utf8"));
  const ops = await call(server, "GET", "/api/v1/operations", { token: server.token });
  const shownOnce = outputs.filter((o) => o.includes("signingSecret"));
  const everything = [ops.text, server.stdout(), server.stderr(), ...files, ...outputs.filter((o) => !shownOnce.includes(o))].join("\n");
  expect(everything).toContain("inbound hook"); // the log was read
  for (const { secret } of Object.values(hooks)) expect(everything).not.toContain(secret);
});
