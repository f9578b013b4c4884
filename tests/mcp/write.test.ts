/**
 * The mutating tools of `proxmox-mpc mcp --allow-write` (a real child process
 * over stdio, a workspace synced from the simulator, the native engine): the
 * destructive two-step (a first call returns what it would do and changes
 * nothing; the same call with confirm: true does it), the protection of a
 * guest (never destroyed, even confirmed), the --vmids / --nodes
 * allowlists (a guest outside is refused before anything happens, including
 * through a plan that would touch it), and `set` with apply (asks like apply).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { mcpStdio, structured, textOf, type McpSession } from "../helpers/mcp.js";
import { guestName, initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let mcp: McpSession;
const native = { engine: "native" };

beforeAll(async () => {
  sim = await startSim({ size: 40, randomSeed: 31 });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
  mcp = await mcpStdio(ws.dir, ws.env, ["--allow-write"]);
}, 60_000);
afterAll(async () => {
  await mcp?.close();
  await sim.close();
  ws.cleanup();
});

/** Unprotected VMs of the simulator that no earlier test used. */
const used = new Set<number>();
function vm(filter: (g: ReturnType<RunningSimulator["cluster"]["guests"]>[number]) => boolean = () => true): { vmid: number; name: string; node: string } {
  const g = sim.cluster.guests().find((x) => x.type === "qemu" && !x.template && !x.config.protection && !used.has(x.vmid) && filter(x));
  if (!g) throw new Error("no VM left in the simulator");
  used.add(g.vmid);
  return { vmid: g.vmid, name: guestName(g), node: g.node };
}

function fileOf(vmid: number): string | undefined {
  const tf = join(ws.dir, "terraform");
  return readdirSync(tf).find((f) => readFileSync(join(tf, f), "utf8").startsWith(`# Managed by proxmox-mpc: ${vmid} `));
}

it("lists the mutating tools with their annotations and a confirm input", async () => {
  const { tools } = await mcp.client.listTools();
  const byName = new Map(tools.map((t) => [t.name, t]));
  for (const name of ["destroy", "delete", "apply", "stop"]) {
    expect(byName.get(name)?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(Object.keys(byName.get(name)?.inputSchema.properties ?? {})).toContain("confirm");
  }
  for (const name of ["sync", "create", "start", "shutdown", "reboot"]) expect(byName.get(name)?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
  expect(byName.get("get")?.annotations?.readOnlyHint).toBe(true);
});

it("destroy: the first call returns what it would do and the guest is still there; confirm: true destroys it", async () => {
  const target = vm();
  const first = await mcp.call("destroy", { names: [target.name], ...native });
  expect(first.isError).toBe(false);
  const out = structured(first);
  expect(out).toMatchObject({ ok: false, confirmationRequired: true, question: expect.stringMatching(/^Destroy this change \(1 guest will be DESTROYED\)\?/) });
  expect((out.wouldDo as string[]).join("\n")).toContain(`destroy  ${target.name} (qemu ${target.vmid} on ${target.node})`);
  expect(out.howToConfirm).toMatch(/confirm.*true/);
  expect(textOf(first)).toMatch(/confirmation required/);
  expect(sim.cluster.guest(target.vmid)).toBeDefined();

  const second = await mcp.call("destroy", { names: [target.name], ...native, confirm: true });
  expect(textOf(second)).toMatch(/^destroy: ok/);
  expect(structured(second)).toMatchObject({ ok: true, exitCode: 0, data: expect.objectContaining({ applied: true, ok: true }) });
  expect(sim.cluster.guest(target.vmid)).toBeUndefined();
});

it("stop asks first, then stops the guest", async () => {
  const target = vm((g) => g.status === "running");
  const first = structured(await mcp.call("stop", { kind: "vm", names: [target.name] }));
  expect(first.confirmationRequired).toBe(true);
  expect(sim.cluster.guest(target.vmid)?.status).toBe("running");
  // Stopping at the confirmation is the two-step working: recorded as cancelled (nothing done), not as a failure.
  const recorded = JSON.parse((await ws.run(["logs", "--operations", "--op", "stop", "-o", "json"])).stdout) as { correlationId: string; result: string; exitCode: number }[];
  expect(recorded.find((op) => op.correlationId === first.correlationId)).toMatchObject({ result: "cancelled", exitCode: 2 });
  const second = structured(await mcp.call("stop", { kind: "vm", names: [target.name], confirm: true }));
  expect(second.ok).toBe(true);
  expect(sim.cluster.guest(target.vmid)?.status).toBe("stopped");
});

it("a guest with protection set is never destroyed: delete --apply is refused even with confirm, its file stays", async () => {
  const target = vm();
  sim.cluster.guest(target.vmid)!.config.protection = 1;
  const file = fileOf(target.vmid)!;
  expect(file).toBeDefined();
  for (const confirm of [undefined, true]) {
    const result = await mcp.call("delete", { kind: "vm", names: [target.name], apply: true, ...native, ...(confirm ? { confirm } : {}) });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/protection enabled/);
    expect(structured(result)).toMatchObject({ ok: false, error: expect.objectContaining({ message: expect.stringMatching(/protection/) }) });
  }
  expect(sim.cluster.guest(target.vmid)).toBeDefined();
  expect(existsSync(join(ws.dir, "terraform", file))).toBe(true);
  const destroy = await mcp.call("destroy", { names: [target.name], ...native, confirm: true });
  expect(destroy.isError).toBe(true);
  expect(sim.cluster.guest(target.vmid)).toBeDefined();
});

describe("allowlists", () => {
  let limited: McpSession;
  let allowed: { vmid: number; name: string; node: string };
  beforeAll(async () => {
    allowed = vm();
    limited = await mcpStdio(ws.dir, ws.env, ["--allow-write", "--vmids", String(allowed.vmid), "--nodes", allowed.node]);
  }, 30_000);
  afterAll(async () => limited?.close());

  it("a guest outside --vmids is refused before anything is planned; one inside goes on to the confirmation", async () => {
    const other = vm();
    const refused = await limited.call("destroy", { names: [other.name], ...native, confirm: true });
    expect(refused.isError).toBe(true);
    expect(structured(refused)).toMatchObject({ exitCode: 2, error: expect.objectContaining({ code: "not-allowed", message: expect.stringContaining(`${other.name} (${other.vmid})`) }) });
    expect(textOf(refused)).toMatch(/: outside what this MCP server may touch \(nodes .+ and vmids \d+\)/);
    expect(sim.cluster.guest(other.vmid)).toBeDefined();
    const stop = await limited.call("stop", { kind: "vm", names: [String(other.vmid)], confirm: true });
    expect(stop.isError).toBe(true);
    const ok = structured(await limited.call("destroy", { names: [allowed.name], ...native }));
    expect(ok.confirmationRequired).toBe(true);
  });

  it("a plan that would touch a guest outside (apply re-creating a vanished guest) is refused before it is shown; a node outside is refused", async () => {
    const gone = vm();
    sim.cluster.removeGuest(gone.vmid);
    const apply = await limited.call("apply", { ...native, confirm: true });
    expect(apply.isError).toBe(true);
    expect(textOf(apply)).toMatch(/^error: Refused: the plan would create .+: outside what this MCP server may touch/);
    expect(sim.cluster.guest(gone.vmid)).toBeUndefined();
    const otherNode = sim.cluster.guests().find((g) => g.node !== allowed.node)?.node;
    if (otherNode) {
      const create = await limited.call("create", { kind: "vm", name: "mcp-new-01", node: otherNode, vmid: allowed.vmid, dryRun: true });
      expect(create.isError).toBe(true);
      expect(textOf(create)).toContain(`node ${otherNode}`);
    }
    const selector = await limited.call("start", { kind: "vm", node: otherNode ?? "nowhere", confirm: true });
    expect(selector.isError).toBe(true);
  });
});

it("set is a write tool; with apply it asks first (nothing changes, not even the file) and applies on confirm: true", async () => {
  const { tools } = await mcp.client.listTools();
  expect(tools.find((t) => t.name === "set")?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
  const target = vm((g) => g.status === "stopped");
  const cores = Number(sim.cluster.guest(target.vmid)!.config.cores) + 1;
  const file = fileOf(target.vmid)!;
  const before = readFileSync(join(ws.dir, "terraform", file), "utf8");
  const first = structured(await mcp.call("set", { kind: "vm", name: target.name, cores, apply: true, ...native }));
  expect(first).toMatchObject({ ok: false, confirmationRequired: true, question: expect.stringMatching(/^Apply this change\?/) });
  expect((first.wouldDo as string[]).join("\n")).toContain(`cores: ${cores - 1} → ${cores}`);
  expect(readFileSync(join(ws.dir, "terraform", file), "utf8")).toBe(before);
  expect(Number(sim.cluster.guest(target.vmid)!.config.cores)).toBe(cores - 1);

  const second = structured(await mcp.call("set", { kind: "vm", name: target.name, cores, apply: true, ...native, confirm: true }));
  expect(second).toMatchObject({ ok: true, exitCode: 0, data: expect.objectContaining({ applied: true, ok: true }) });
  expect(Number(sim.cluster.guest(target.vmid)!.config.cores)).toBe(cores);
});
