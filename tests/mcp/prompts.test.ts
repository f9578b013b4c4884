/**
 * The MCP prompts through a real SDK Client (in-memory transport) against a
 * workspace synced from the simulator: each renders with the workspace's
 * real context, read at render time by the commands run as actor mcp —
 * troubleshoot with the health checks, an error a failing command left in the
 * logs and the drift of the last plan; optimize with node load, a memory
 * overcommit, the stopped guests and storage; plan with the state and every
 * command of the registry — and none carries the token (a canary).
 */
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { COMMANDS } from "../../src/commands/registry.js";
import { registerPrompts } from "../../src/mcp/prompts.js";
import type { McpScope } from "../../src/mcp/scope.js";
import { connectClient, testMcpScope } from "../helpers/mcp-scope.js";
import { guestName, initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

const TOKEN_SECRET = "canary-mcp-prompt-token-91d4a7";
const MISSING = "ghost-guest-404";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let scope: McpScope;
let client: Client;
let close: () => Promise<void>;
let bigGuest: { name: string; node: string };

beforeAll(async () => {
  sim = await startSim({ size: 10, randomSeed: 1, token: `root@pam!mpc=${TOKEN_SECRET}` });
  // One running VM given twice its node's memory: an overcommit optimize must see.
  const big = sim.cluster.guests().find((g) => g.type === "qemu" && g.status === "running" && !g.config.template)!;
  big.config.memory = String(Math.round((sim.cluster.node(big.node)!.memory / 1024 ** 2) * 2));
  bigGuest = { name: guestName(big), node: big.node };
  ws = await initWorkspace(sim);
  writeFileSync(join(ws.dir, ".proxmox-mpc", "secrets"), `${TOKEN_SECRET}\n`, { mode: 0o600 });
  expect((await ws.run(["sync"])).code).toBe(0);
  // Drift: a VM written in the IaC and not applied; the plan records 1 to add.
  expect((await ws.run(["create", "vm", "--name", "drift-vm-01", "--cores", "2"])).code).toBe(0);
  expect((await ws.run(["plan", "--engine", "native"])).code).toBe(0);
  // An error in the logs, left by a failing command of another face.
  expect((await ws.run(["describe", "vm", MISSING])).code).toBe(2);
  // And an error line that quotes the token.
  const now = new Date().toISOString();
  appendFileSync(join(ws.dir, ".proxmox-mpc", "logs", `${now.slice(0, 10)}.jsonl`), `${JSON.stringify({ level: "error", time: now, correlationId: "c-canary0002", command: "sync", msg: `login refused for root@pam!mpc=${TOKEN_SECRET}` })}\n`);
  scope = await testMcpScope(ws.dir, ws.env);
  ({ client, close } = await connectClient((server) => registerPrompts(server, scope)));
}, 60_000);
afterAll(async () => {
  await close?.();
  ws?.cleanup();
  await sim?.close();
});

async function render(name: string, args?: Record<string, string>, on: Client = client): Promise<string> {
  const result = await on.getPrompt({ name, arguments: args });
  expect(result.messages).toHaveLength(1);
  expect(result.messages[0].role).toBe("user");
  const content = result.messages[0].content;
  if (content.type !== "text") throw new Error(`expected text, got ${content.type}`);
  return content.text;
}

/** Every prompt tells the assistant to act through proxmox-mpc, not the raw API. */
function expectActsThroughProxmoxMpc(text: string): void {
  expect(text).toContain("Propose proxmox-mpc commands");
  expect(text).toContain("Do not make raw Proxmox API calls");
}

it("lists troubleshoot (symptom), optimize and plan (change), with their arguments", async () => {
  const { prompts } = await client.listPrompts();
  expect(prompts.map((p) => p.name).sort()).toEqual(["optimize", "plan", "troubleshoot"]);
  const args = Object.fromEntries(prompts.map((p) => [p.name, (p.arguments ?? []).map((a) => ({ name: a.name, required: a.required }))]));
  expect(args).toEqual({ troubleshoot: [{ name: "symptom", required: true }], optimize: [], plan: [{ name: "change", required: true }] });
  await expect(client.getPrompt({ name: "troubleshoot", arguments: {} })).rejects.toThrow(/symptom/);
});

it("troubleshoot embeds the symptom, the guest it names, the health checks, the recent errors and the drift", async () => {
  const vm = sim.cluster.guests().find((g) => g.type === "qemu")!;
  const symptom = `${guestName(vm)} does not answer on ssh since 09:00`;
  const text = await render("troubleshoot", { symptom });
  expect(text).toContain(symptom);
  expect(text).toMatch(new RegExp(`## Guests named in the symptom\\n- ${guestName(vm)} \\(VM ${vm.vmid}\\) on ${vm.node}`));
  const health = (await scope.run("health", { args: [], options: {} })).result;
  const checks = (health.kind === "data" ? (health.data as { checks: { name: string; group: string }[] }).checks : []);
  expect(checks.length).toBeGreaterThan(5);
  for (const c of checks) expect(text).toMatch(new RegExp(`- \\[(ok|warn|fail)\\] ${c.group} / ${c.name.replace(/[()]/g, "\\$&")}:`));
  expect(text).toMatch(new RegExp(`describe \\[c-[0-9a-f]+\\] command failed: No VM named "${MISSING}" in the store\\.`));
  expect(text).toContain("drift (desired IaC vs cluster): 1 to add, 0 to change, 0 to destroy");
  expect(text).toMatch(/last sync: #1, \S+ ago, 10 guests/);
  expectActsThroughProxmoxMpc(text);
}, 30_000);

it("optimize shows node load, the memory overcommit, the stopped guests (not templates) and storage usage", async () => {
  const text = await render("optimize");
  for (const node of sim.cluster.nodes.keys()) expect(text).toMatch(new RegExp(`^- ${node} \\(online\\): cpu [\\d.]+% of \\d+ cores`, "m"));
  expect(text).toMatch(new RegExp(`^- ${bigGuest.node} .* OVERCOMMITTED \\d`, "m"));
  const otherNodes = [...sim.cluster.nodes.keys()].filter((n) => n !== bigGuest.node);
  for (const n of otherNodes) expect(text).not.toMatch(new RegExp(`^- ${n} .*OVERCOMMITTED`, "m"));
  const stopped = sim.cluster.guests().filter((g) => g.status === "stopped" && !g.config.template);
  expect(stopped.length).toBeGreaterThan(0);
  expect(text).toContain(`## Stopped guests (${stopped.length}, templates left out)`);
  for (const g of stopped) expect(text).toContain(`- ${guestName(g)} (`);
  for (const t of sim.cluster.guests().filter((g) => g.config.template)) expect(text).not.toContain(`- ${guestName(t)} (`);
  for (const node of sim.cluster.nodes.keys()) {
    for (const s of sim.cluster.storagesOn(node).filter((x) => x.enabled !== false)) expect(text).toMatch(new RegExp(`- ${node}/${s.storage} \\(.*\\): [\\d.]+/[\\d.]+ GiB, [\\d.]+%`));
  }
  expectActsThroughProxmoxMpc(text);
}, 30_000);

it("plan embeds the change, the current state and every command of the registry; the policy says what may run", async () => {
  const change = "add a 4-core VM db-02 on pve2 with 8 GiB of memory";
  const text = await render("plan", { change });
  expect(text).toContain(change);
  expect(text).toMatch(/last sync: #1, \S+ ago, 10 guests/);
  expect(text).toContain("Guests (10):");
  for (const c of COMMANDS.filter((x) => !x.hidden)) expect(text).toMatch(new RegExp(`^- ${c.name} \\((read tool|write tool|destructive tool|not a tool)\\): `, "m"));
  expect(text).toMatch(/^- delete \(destructive tool\): /m);
  expect(text).toContain("read-only: propose mutating commands for the user to run");
  expectActsThroughProxmoxMpc(text);
  const writable = await connectClient((server) => registerPrompts(server, { ...scope, policy: { allowWrite: true } }));
  try {
    expect(await render("plan", { change }, writable.client)).toContain("started with --allow-write: the mutating tools are available");
  } finally {
    await writable.close();
  }
}, 30_000);

it("no prompt carries the token secret; the error line that quoted it is there, redacted", async () => {
  const texts = [await render("troubleshoot", { symptom: "sync fails to log in" }), await render("optimize"), await render("plan", { change: "rotate the API token" })];
  for (const text of texts) expect(text).not.toContain(TOKEN_SECRET);
  expect(texts[0]).toContain("sync [c-canary0002] login refused for root@pam!mpc=[REDACTED]");
}, 60_000);
