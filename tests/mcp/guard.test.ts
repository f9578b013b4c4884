/**
 * The guard of the mutating tools, whatever the engine: a plan that would
 * delete or replace a guest with Proxmox `protection` set is refused before
 * it is shown (the native engine refuses it itself; this holds for terraform
 * too), and the allowlists hold for the guests a call names (checked before
 * anything runs) and for every change of a plan. Here the engine and the
 * server are stand-ins that record what was asked of them.
 */
import type { Command, CommandContext } from "../../src/commands/types.js";
import type { EnginePlan, PlanChange } from "../../src/engine/types.js";
import { guardedCommand, NotAllowed } from "../../src/mcp/guard.js";
import type { McpPolicy } from "../../src/mcp/scope.js";

interface Fake {
  ctx: CommandContext;
  /** Requests made: "plan", "config 102". */
  calls: string[];
}

const GUESTS = [
  { vmid: 101, name: "web-01", node: "pve1", type: "qemu" },
  { vmid: 102, name: "vault-01", node: "pve1", type: "qemu" },
  { vmid: 201, name: "db-01", node: "pve2", type: "qemu" },
];

function fake(changes: Partial<PlanChange>[], protectedVmids: number[] = []): Fake {
  const calls: string[] = [];
  // Only what the guard reads; the rest of an EnginePlan does not matter here.
  const plan = {
    engine: "terraform",
    changes: changes.map((c) => ({ action: "delete", type: "qemu", name: "?", vmid: null, node: null, diff: {}, ...c })),
    summary: { create: 0, update: 0, delete: 0, replace: 0 },
    text: "",
    unsupported: [],
  } as unknown as EnginePlan;
  const engine = {
    name: "terraform",
    async plan() {
      calls.push("plan");
      return plan;
    },
    async apply() {
      throw new Error("the guard never applies");
    },
  };
  const client = {
    async guestConfig(_node: string, _type: string, vmid: number) {
      calls.push(`config ${vmid}`);
      return protectedVmids.includes(vmid) ? { protection: 1 } : {};
    },
  };
  const services = {
    engine: async () => ({ engine, context: {} }),
    proxmox: async () => client,
    store: async () => ({ guests: { list: async () => GUESTS } }),
    token: () => undefined,
    close: async () => undefined,
  };
  const ctx = { services, signal: new AbortController().signal, workspace: { config: { defaultNode: "pve1" } } } as unknown as CommandContext;
  return { ctx, calls };
}

/** A destroy-like command: plans through the engine, returns the plan's changes. */
const destroy: Command = {
  name: "destroy",
  summary: "destroy",
  examples: [],
  arguments: [{ name: "names", description: "guests", variadic: true, completion: "guest" }],
  mcp: { tool: "destructive" },
  async run(ctx) {
    const { engine, context } = await ctx.services.engine();
    const plan = await engine.plan(context);
    return { kind: "data", data: plan.changes.map((c) => c.name) };
  },
};

const open: McpPolicy = { allowWrite: true };
const run = (f: Fake, policy: McpPolicy, args: string[] = []) => guardedCommand(destroy, policy).run(f.ctx, { args, options: {} });

describe("protection", () => {
  it("a plan deleting or replacing a protected guest is refused (read live), whatever the engine", async () => {
    for (const action of ["delete", "replace"] as const) {
      const f = fake([{ action, name: "vault-01", vmid: 102, node: "pve1" }], [102]);
      await expect(run(f, open)).rejects.toThrow(new NotAllowed("Refused: vault-01 (102) has protection enabled in Proxmox and is never destroyed."));
      expect(f.calls).toEqual(["plan", "config 102"]);
    }
  });

  it("unprotected deletes, and updates of a protected guest, go on", async () => {
    const f = fake([{ action: "delete", name: "web-01", vmid: 101, node: "pve1" }, { action: "update", name: "vault-01", vmid: 102, node: "pve1" }], [102]);
    await expect(run(f, open)).resolves.toMatchObject({ data: ["web-01", "vault-01"] });
    expect(f.calls).toEqual(["plan", "config 101"]);
  });
});

describe("allowlists", () => {
  it("a named guest outside --vmids or --nodes is refused before anything is planned", async () => {
    const f = fake([]);
    await expect(run(f, { allowWrite: true, vmids: [101] }, ["db-01"])).rejects.toThrow("Refused: db-01 (201): outside what this MCP server may touch (vmids 101).");
    await expect(run(f, { allowWrite: true, nodes: ["pve1"] }, ["201"])).rejects.toThrow("Refused: db-01 (201) on pve2: outside what this MCP server may touch (nodes pve1).");
    await expect(run(f, { allowWrite: true, vmids: [101] }, ["unknown-guest"])).rejects.toThrow(/unknown-guest \(not in the store: its vmid is not known\)/);
    expect(f.calls).toEqual([]);
  });

  it("every change of a plan is checked: outside, or a new guest without a vmid or node, is refused", async () => {
    await expect(run(fake([{ action: "update", name: "db-01", vmid: 201, node: "pve2" }]), { allowWrite: true, vmids: [101, 102] })).rejects.toThrow(
      "Refused: the plan would update db-01 (201): outside what this MCP server may touch (vmids 101, 102).",
    );
    await expect(run(fake([{ action: "create", name: "new-01", vmid: null, node: "pve1" }]), { allowWrite: true, vmids: [101] })).rejects.toThrow(/the plan would create new-01 \(not in the store/);
    await expect(run(fake([{ action: "create", name: "new-01", vmid: 300, node: null }]), { allowWrite: true, nodes: ["pve1"] })).rejects.toThrow(/its node is not known/);
    await expect(run(fake([{ action: "update", name: "web-01", vmid: 101, node: "pve1" }]), { allowWrite: true, vmids: [101], nodes: ["pve1"] })).resolves.toMatchObject({ data: ["web-01"] });
  });
});

describe("the allowlists and day-2 commands", () => {
  const command = (name: string, options: Command["options"]): Command =>
    ({ name, summary: name, examples: [], arguments: [{ name: "kind", description: "" }, { name: "name", description: "", completion: "guest" }], options, mcp: { tool: "destructive" }, run: async () => ({ kind: "data", data: "ran" }) }) as Command;
  const nodeOption = (key: string) => ({ key, flags: `--${key} <node>`, completion: "node" });
  const migrate = command("migrate", [nodeOption("to"), nodeOption("from")] as unknown as Command["options"]);
  const clone = command("clone", [nodeOption("node")] as unknown as Command["options"]);

  it("a drain (migrate --from) is refused when a guest on that node is outside --vmids; the target node is checked too", async () => {
    const f = fake([]);
    await expect(guardedCommand(migrate, { allowWrite: true, vmids: [101] }).run(f.ctx, { args: [], options: { from: "pve1", to: "pve2" } })).rejects.toThrow(/Refused: vault-01 \(102\): outside/);
    await expect(guardedCommand(migrate, { allowWrite: true, vmids: [101, 102] }).run(f.ctx, { args: [], options: { from: "pve1", to: "pve2" } })).resolves.toMatchObject({ data: "ran" });
    await expect(guardedCommand(migrate, { allowWrite: true, nodes: ["pve1"] }).run(f.ctx, { args: ["vm", "web-01"], options: { to: "pve2" } })).rejects.toThrow(/node pve2: outside/);
  });

  it("a clone under --vmids needs its vmid, which must be allowed", async () => {
    const f = fake([]);
    await expect(guardedCommand(clone, { allowWrite: true, vmids: [101, 150] }).run(f.ctx, { args: ["vm", "web-01"], options: {} })).rejects.toThrow(/a clone's vmid is chosen when it is made/);
    await expect(guardedCommand(clone, { allowWrite: true, vmids: [101] }).run(f.ctx, { args: ["vm", "web-01"], options: { vmid: 150 } })).rejects.toThrow(/vmid 150.*outside/);
    await expect(guardedCommand(clone, { allowWrite: true, vmids: [101, 150] }).run(f.ctx, { args: ["vm", "web-01"], options: { vmid: 150 } })).resolves.toMatchObject({ data: "ran" });
  });
});

describe("the allowlists and the snapshot and backup commands (their guests named by the command's own mcp.guests)", () => {
  const wrap = (name: "snapshot" | "backup") => async () => (await import(`../../src/commands/${name}.js`))[`${name}Command`] as Command;
  const ran = (command: Command): Command => ({ ...command, run: async () => ({ kind: "data", data: "ran" }) });
  const vmid101: McpPolicy = { allowWrite: true, vmids: [101] };

  it("snapshot: the guest is the third argument; a snapshot's name is not a guest", async () => {
    const snapshot = ran(await wrap("snapshot")());
    const call = (args: string[]) => guardedCommand(snapshot, vmid101).run(fake([]).ctx, { args, options: {} });
    await expect(call(["rollback", "vm", "web-01", "before-upgrade"])).resolves.toMatchObject({ data: "ran" });
    await expect(call(["delete", "vm", "db-01", "before-upgrade"])).rejects.toThrow("Refused: db-01 (201): outside what this MCP server may touch (vmids 101).");
  });

  it("backup: create's guests, and the guest a volume belongs to for restore and delete; a restore to a new vmid is refused under --vmids", async () => {
    const backup = ran(await wrap("backup")());
    const call = (args: string[], options: Record<string, unknown> = {}) => guardedCommand(backup, vmid101).run(fake([]).ctx, { args, options });
    await expect(call(["create", "vm", "web-01"])).resolves.toMatchObject({ data: "ran" });
    await expect(call(["create", "vm", "web-01", "db-01"])).rejects.toThrow(/db-01 \(201\)/);
    await expect(call(["delete", "local:backup/vzdump-qemu-101-2026_11_28-12_00_00.vma.zst"])).resolves.toMatchObject({ data: "ran" });
    await expect(call(["delete", "local:backup/vzdump-qemu-201-2026_11_28-12_00_00.vma.zst"])).rejects.toThrow(/db-01 \(201\)/);
    await expect(call(["restore", "local:backup/vzdump-qemu-101-2026_11_28-12_00_00.vma.zst"])).rejects.toThrow(/a new guest/);
    await expect(call(["restore", "local:backup/vzdump-qemu-201-2026_11_28-12_00_00.vma.zst"], { vmid: 101 })).resolves.toMatchObject({ data: "ran" });
  });
});
