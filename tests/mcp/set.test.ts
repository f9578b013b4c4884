/**
 * `set` over MCP (`proxmox-mpc mcp --allow-write`, a real child process over
 * stdio): a write tool; with apply the first call shows the diff and the plan
 * and changes nothing — not even the file — and the same call with
 * confirm: true writes and applies it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { mcpStdio, structured, type McpSession } from "../helpers/mcp.js";
import { guestName, initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let mcp: McpSession;

beforeAll(async () => {
  sim = await startSim({ size: 20, randomSeed: 8 });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
  mcp = await mcpStdio(ws.dir, ws.env, ["--allow-write"]);
}, 60_000);
afterAll(async () => {
  await mcp?.close();
  await sim.close();
  ws.cleanup();
});

const files = (): Record<string, string> => {
  const dir = join(ws.dir, "terraform");
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")]));
};

it("is a write tool; with apply it asks first (nothing changes) and applies on confirm: true", async () => {
  const { tools } = await mcp.client.listTools();
  expect(tools.find((t) => t.name === "set")?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
  const g = sim.cluster.guests().find((x) => x.type === "qemu" && !x.template && x.status === "stopped")!;
  const name = guestName(g);
  const cores = Number(g.config.cores) + 1;
  const before = files();
  const first = structured(await mcp.call("set", { kind: "vm", name, cores, apply: true, engine: "native" }));
  expect(first).toMatchObject({ ok: false, confirmationRequired: true, question: expect.stringMatching(/^Apply this change\?/) });
  expect((first.wouldDo as string[]).join("\n")).toMatch(new RegExp(`cores: ${cores - 1} → ${cores}`));
  expect(files()).toEqual(before);
  expect(Number(sim.cluster.guest(g.vmid)!.config.cores)).toBe(cores - 1);

  const second = structured(await mcp.call("set", { kind: "vm", name, cores, apply: true, engine: "native", confirm: true }));
  expect(second).toMatchObject({ ok: true, exitCode: 0, data: expect.objectContaining({ applied: true, ok: true }) });
  expect(Number(sim.cluster.guest(g.vmid)!.config.cores)).toBe(cores);
});
