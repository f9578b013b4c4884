/** `migrate` through the real CLI against the simulator: checks and refusals, confirmation, the task, the store and the .tf after it. */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { cli, cliOnTerminal } from "../helpers/cli.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";
import { seedsDir } from "../sim/helpers.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeEach(async () => {
  sim = await startSim({ seed: resolve(seedsDir, "small.yaml"), taskDelayMs: 5, lockTimeoutMs: 100 });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
});
afterEach(async () => {
  await sim.close();
  ws.cleanup();
});

const planChanges = async (): Promise<unknown[]> => {
  const run = await ws.run(["plan", "--engine", "native", "-o", "json"]);
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { changes: unknown[] }).changes;
};
const tfFile = (vmid: number): string => {
  const dir = join(ws.dir, "terraform");
  const file = readdirSync(dir).find((f) => f.endsWith(".tf") && readFileSync(join(dir, f), "utf8").startsWith(`# Managed by proxmox-mpc: ${vmid} on `))!;
  return join(dir, file);
};

it("a live migration with local disks: checked, done, the store and the .tf follow, and plan stays empty", async () => {
  expect(await planChanges()).toEqual([]);
  const run = await ws.run(["migrate", "vm", "web-01", "--to", "pve2", "--online", "--with-local-disks", "--yes", "-o", "json"]);
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual([expect.objectContaining({ vmid: 100, from: "pve1", to: "pve2", result: "moved", detail: "live, copying 32 GiB of local disks", upid: expect.stringMatching(/^UPID:pve1:.*:qmigrate:100:/) })]);
  expect(sim.cluster.guest(100)).toMatchObject({ node: "pve2", status: "running" });
  expect(JSON.parse((await ws.run(["get", "vm", "web-01", "-o", "json"])).stdout)).toMatchObject({ node: "pve2" });
  expect(readFileSync(tfFile(100), "utf8")).toMatch(/^\s*node_name\s*=\s*"pve2"/m);
  expect(await planChanges()).toEqual([]);
});

it("a hand-edited .tf keeps its edits: only node_name changes", async () => {
  const file = tfFile(102);
  const edited = readFileSync(file, "utf8").replace(/^(resource .*\{)$/m, "$1\n  # owned by the data team");
  writeFileSync(file, edited);
  const run = await ws.run(["migrate", "vm", "db-01", "--to", "pve1", "--yes"]);
  expect(run.code).toBe(0);
  expect(run.stderr).toMatch(/was edited by hand: only its node_name was changed/);
  const after = readFileSync(file, "utf8");
  expect(after).toBe(edited.replace(/^(\s*node_name\s*=\s*)"pve2"/m, '$1"pve1"'));
  expect(await planChanges()).toEqual([]);
});

it("a container moves in restart mode with --online", async () => {
  const run = await ws.run(["migrate", "ct", "dns-01", "--to", "pve2", "--online", "--yes", "-o", "json"]);
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)[0]).toMatchObject({ result: "moved", detail: "restart on the target" });
  expect(sim.cluster.guest(101)).toMatchObject({ node: "pve2", status: "running" });
  expect(await planChanges()).toEqual([]);
});

describe("refusals: a clear sentence, the right exit code, nothing done", () => {
  const unchanged = (): void => {
    expect(sim.cluster.guest(100)!.node).toBe("pve1");
    expect(sim.cluster.tasks.all().filter((t) => t.type === "qmigrate")).toEqual([]);
  };

  it("not enough memory on the target (exit 1)", async () => {
    sim.cluster.node("pve2")!.memory = 4 * 1024 ** 3;
    const run = await ws.run(["migrate", "vm", "web-01", "--to", "pve2", "--online", "--with-local-disks", "--yes"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Not migrated: not enough memory on pve2: needs 2 GiB, 1\.5 GiB free\. Nothing was changed\./);
    unchanged();
  });

  it("local disks without --with-local-disks, running without --online (exit 2)", async () => {
    const disks = await ws.run(["migrate", "vm", "web-01", "--to", "pve2", "--online", "--yes"]);
    expect(disks.code).toBe(2);
    expect(disks.stderr).toMatch(/web-01 has local disks \(local-lvm:vm-100-disk-0, 32 GiB\)/);
    expect(disks.stderr).toMatch(/--with-local-disks/);
    const running = await ws.run(["migrate", "vm", "web-01", "--to", "pve2", "--yes"]);
    expect(running.code).toBe(2);
    expect(running.stderr).toMatch(/web-01 is running: a running VM moves only live/);
    unchanged();
  });

  it("a lock held by another task (exit 1)", async () => {
    sim.cluster.setLock(100, "backup");
    const run = await ws.run(["migrate", "vm", "web-01", "--to", "pve2", "--online", "--with-local-disks", "--yes"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/web-01 is locked \(backup\): another task holds it/);
    unchanged();
  });

  it("a storage the target does not have (exit 1), an unknown node and the same node (exit 2)", async () => {
    sim.cluster.storages.get("local-lvm")!.nodes = ["pve1"];
    const storage = await ws.run(["migrate", "vm", "web-01", "--to", "pve2", "--online", "--with-local-disks", "--yes"]);
    expect(storage.code).toBe(1);
    expect(storage.stderr).toMatch(/web-01 cannot move to pve2: pve2 does not have storage local-lvm that its disks use/);
    const unknown = await ws.run(["migrate", "vm", "web-01", "--to", "pve9", "--yes"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown node pve9: the cluster has pve1, pve2\./);
    const same = await ws.run(["migrate", "vm", "web-01", "--to", "pve1", "--yes"]);
    expect([same.code, same.stderr]).toEqual([2, expect.stringMatching(/web-01 is already on pve1/)]);
    unchanged();
  });

  it("answering n leaves everything (exit 1); without a terminal it cannot ask (exit 2); --dry-run shows the plan", async () => {
    const no = await cliOnTerminal(["migrate", "vm", "db-01", "--to", "pve1"], { env: ws.env, cwd: ws.dir, answer: "n" });
    expect(no.asked).toEqual([expect.stringMatching(/^Migrate VM db-01 \(102\) from pve2 to pve1 \(offline\)\?/)]);
    expect(no.code).toBe(1);
    expect(no.stdout + no.stderr).toMatch(/Nothing was changed\./);
    const piped = await ws.run(["migrate", "vm", "db-01", "--to", "pve1"]);
    expect(piped.code).toBe(2);
    expect(piped.stderr).toMatch(/Confirmation needed: Migrate VM db-01/);
    const dry = await ws.run(["migrate", "vm", "db-01", "--to", "pve1", "--dry-run", "-o", "json"]);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual([expect.objectContaining({ result: "planned", detail: "offline" })]);
    expect(sim.cluster.guest(102)!.node).toBe("pve2");
    expect(sim.cluster.tasks.all().filter((t) => t.type === "qmigrate")).toEqual([]);
  });
});

it("a migration task that fails is reported with PVE's reason (exit 1) and the guest stays", async () => {
  sim.cluster.failNextTask({ type: "qmigrate", vmid: 102, message: "migration aborted" });
  const run = await ws.run(["migrate", "vm", "db-01", "--to", "pve1", "--yes"]);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/Migration of db-01 to pve1 failed: .*migration aborted/);
  expect(sim.cluster.guest(102)!.node).toBe("pve2");
});

it("Ctrl-C during a migration: it goes on on the server, the command follows it to its end and the workspace follows", async () => {
  sim.cluster.hangTasks(true);
  const controller = new AbortController();
  const watch = setInterval(() => {
    if (sim.cluster.tasks.all().some((t) => t.type === "qmigrate")) {
      clearInterval(watch);
      controller.abort();
      setTimeout(() => sim.cluster.hangTasks(false), 300);
    }
  }, 2);
  const run = await cli(["migrate", "vm", "db-01", "--to", "pve1", "--yes", "-o", "json"], { env: ws.env, cwd: ws.dir, signal: controller.signal });
  clearInterval(watch);
  expect(run.stderr).toMatch(/Interrupted: the migration goes on on the server; waiting for it to end/);
  expect(JSON.parse(run.stdout)[0]).toMatchObject({ vmid: 102, result: "moved" });
  expect(sim.cluster.guest(102)!.node).toBe("pve1");
  expect(await planChanges()).toEqual([]);
});
