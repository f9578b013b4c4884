/**
 * `backup create|list|restore|delete` through the real CLI program against the
 * simulator: vzdump's log shown as progress, backups newest first with size
 * and age, restores to a new vmid adopted by sync (its .tf exists and the plan
 * is empty), --force over a guest (refused while running or protected; n and
 * --no-input change nothing), a lock held by another task, Ctrl-C.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cliOnTerminal } from "../helpers/cli.js";
import type { SimGuest } from "../../src/sim/types.js";
import { guestName, initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeAll(async () => {
  sim = await startSim({ size: 24, randomSeed: 45, taskDelayMs: 10 });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
});
afterAll(async () => {
  await sim.close();
  ws.cleanup();
});

const used = new Set<number>();
function guest(type: "qemu" | "lxc", status?: "running" | "stopped"): SimGuest {
  const g = sim.cluster.guests().find((x) => x.type === type && !x.template && (!status || x.status === status) && !used.has(x.vmid) && x.config.lock === undefined && !x.config.protection);
  if (!g) throw new Error(`no ${type} left`);
  used.add(g.vmid);
  return g;
}

/** The CLI as on a terminal whose user answers `answer` to every question. */
const onTerminal = (args: string[], answer: string, signal?: AbortSignal) => cliOnTerminal(args, { env: ws.env, cwd: ws.dir, answer, signal });

/** Back a guest up through the CLI; the backup's volid. */
async function backUp(g: SimGuest, extra: string[] = []): Promise<string> {
  const run = await ws.run(["backup", "create", g.type === "qemu" ? "vm" : "ct", guestName(g), "-o", "json", ...extra]);
  expect([run.code, run.stderr]).toEqual([0, expect.any(String)]);
  return String(JSON.parse(run.stdout)[0].volid);
}

/** The .tf file that holds a guest (found by its header's vmid). */
function fileOf(vmid: number): string | undefined {
  const tf = join(ws.dir, "terraform");
  return readdirSync(tf).find((f) => readFileSync(join(tf, f), "utf8").startsWith(`# Managed by proxmox-mpc: ${vmid} `));
}

const planChanges = async (): Promise<unknown[]> => JSON.parse((await ws.run(["plan", "--engine", "native", "-o", "json"])).stdout).changes as unknown[];

it("create runs vzdump and shows its log as progress; the backup is on the storage", async () => {
  const g = guest("qemu", "running");
  const run = await ws.run(["backup", "create", "vm", guestName(g), "--storage", "local", "--mode", "snapshot", "--compress", "zstd", "--notes", "{{guestname}}", "-o", "json"]);
  expect(run.code).toBe(0);
  expect(run.stderr).toContain(`INFO: starting new backup job: vzdump ${g.vmid} --storage local --mode snapshot --compress zstd`);
  expect(run.stderr).toContain(`INFO: Starting Backup of VM ${g.vmid} (qemu)`);
  expect(run.stderr).toMatch(/INFO: 100% \(/);
  expect(run.stderr).toContain(`INFO: Finished Backup of VM ${g.vmid}`);
  const [out] = JSON.parse(run.stdout);
  expect(out).toMatchObject({ vmid: g.vmid, result: "ok", volid: expect.stringMatching(new RegExp(`^local:backup/vzdump-qemu-${g.vmid}-\\d{4}_\\d\\d_\\d\\d-\\d\\d_\\d\\d_\\d\\d\\.vma\\.zst$`)) });
  const vols = sim.cluster.staticVolumes(g.node, sim.cluster.storages.get("local")!).filter((v) => v.content === "backup");
  expect(vols.map((v) => [v.volid, v.notes])).toContainEqual([out.volid, guestName(g)]);
});

it("list: the backups of a guest, newest first, with size and age; all of them without a name", async () => {
  const g = guest("lxc");
  const first = await backUp(g);
  const second = await backUp(g, ["--compress", "gzip"]);
  const json = JSON.parse((await ws.run(["backup", "list", guestName(g), "-o", "json"])).stdout) as { volid: string; vmid: number; guest: string; size: number; type: string }[];
  expect(json.map((b) => b.volid)).toEqual([second, first]);
  expect(json[0]).toMatchObject({ vmid: g.vmid, guest: guestName(g), type: "lxc", size: expect.any(Number) });
  const table = await ws.run(["backup", "list", guestName(g)]);
  expect(table.stdout.split("\n")[0]).toMatch(/^BACKUP\s+GUEST\s+VMID\s+SIZE\s+AGE/);
  expect(table.stdout).toMatch(new RegExp(`${second.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\\s+${guestName(g)}\\s+${g.vmid}\\s+[\\d.]+ [KMG]i?B\\s+\\d+ s`));
  const all = JSON.parse((await ws.run(["backup", "list", "-o", "json"])).stdout) as { volid: string }[];
  expect(all.map((b) => b.volid)).toEqual(expect.arrayContaining([first, second]));
  expect((await ws.run(["backup", "list", "no-such-guest"])).code).toBe(2);
});

it("restore to a new vmid (the next free one): the guest is created from the archive and adopted by sync — its .tf exists and the plan is empty", async () => {
  const g = guest("qemu", "running");
  const volid = await backUp(g);
  const next = sim.cluster.nextId();
  const run = await ws.run(["backup", "restore", volid, "-o", "json"]);
  expect([run.code, run.stderr]).toEqual([0, expect.stringContaining(`Restoring ${volid}`)]);
  expect(run.stderr).toContain("restore vma archive:");
  const out = JSON.parse(run.stdout);
  expect(out).toMatchObject({ volid, vmid: next, overwritten: false, unique: true, sync: { added: 1 } });
  const restored = sim.cluster.guest(next)!;
  expect(restored.config.name).toBe(g.config.name);
  expect(restored.config.net0).not.toBe(g.config.net0);
  // PVE keeps the name: the operator is told two guests answer to it now.
  expect(run.stderr).toContain(`warning: ${String(g.config.name)} now names 2 guests (vmid ${next}, ${g.vmid}): commands by name refuse it as ambiguous`);
  expect(fileOf(next)).toBeDefined();
  expect(await planChanges()).toEqual([]);
});

it("a container's backup restores with --vmid and --storage, and is adopted too", async () => {
  const g = guest("lxc");
  const volid = await backUp(g, ["--storage", "local", "--mode", "stop"]);
  const vmid = 990;
  const run = await ws.run(["backup", "restore", volid, "--vmid", String(vmid), "--storage", "local-lvm", "-o", "json"]);
  expect([run.code, run.stderr]).toEqual([0, expect.stringContaining(`recovering backed-up configuration from '${volid}'`)]);
  expect(JSON.parse(run.stdout)).toMatchObject({ vmid, type: "lxc", overwritten: false });
  expect(String(sim.cluster.guest(vmid)!.config.rootfs)).toMatch(/^local-lvm:vm-990-disk-0,/);
  expect(fileOf(vmid)).toBeDefined();
  expect(await planChanges()).toEqual([]);
});

it("restore --force over a guest: refused while it runs and when it is protected (exit 2); --no-input and n change nothing; y replaces it", async () => {
  const g = guest("qemu", "stopped");
  const name = guestName(g);
  const volid = await backUp(g);
  sim.cluster.guest(g.vmid)!.status = "running";
  const exists = await ws.run(["backup", "restore", volid, "--vmid", String(g.vmid)]);
  expect([exists.code, exists.stderr]).toEqual([2, expect.stringContaining(`VM ${g.vmid} (${name}) exists.`)]);
  const running = await ws.run(["backup", "restore", volid, "--force", "--yes"]);
  expect(running.code).toBe(2);
  expect(running.stderr).toContain(`VM ${g.vmid} (${name}) is running: a restore over it needs it stopped.`);
  sim.cluster.guest(g.vmid)!.status = "stopped";
  sim.cluster.guest(g.vmid)!.config = { ...sim.cluster.guest(g.vmid)!.config, protection: 1 };
  const prot = await ws.run(["backup", "restore", volid, "--force", "--yes"]);
  expect([prot.code, prot.stderr]).toEqual([2, expect.stringContaining(`VM ${g.vmid} (${name}) has protection set: a restore over it is refused.`)]);
  const c = { ...sim.cluster.guest(g.vmid)!.config };
  delete c.protection;
  sim.cluster.guest(g.vmid)!.config = { ...c, cores: 12 };
  expect((await ws.run(["backup", "restore", volid, "--force", "--no-input"])).code).toBe(2);
  const no = await onTerminal(["backup", "restore", volid, "--force"], "n");
  expect(no.code).toBe(1);
  expect(no.asked).toEqual([`Overwrite VM ${g.vmid} (${name}) with the backup? [y/N] `]);
  expect(no.stderr).toContain("What is lost: everything");
  expect(sim.cluster.guest(g.vmid)!.config.cores).toBe(12);
  const yes = await onTerminal(["backup", "restore", volid, "--force", "-o", "json"], "y");
  expect(yes.code).toBe(0);
  expect(JSON.parse(yes.stdout)).toMatchObject({ vmid: g.vmid, overwritten: true });
  expect(sim.cluster.guest(g.vmid)!.config.cores).toBe(g.config.cores);
  expect(await planChanges()).toEqual([]);
});

it("a lock held by another task: the backup of that guest fails with PVE's reason (exit 1)", async () => {
  const g = guest("qemu");
  sim.cluster.setLock(g.vmid, "snapshot");
  try {
    const run = await ws.run(["backup", "create", "vm", guestName(g), "-o", "json"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`ERROR: Backup of VM ${g.vmid} failed - VM is locked (snapshot)`);
    expect(JSON.parse(run.stdout)[0]).toMatchObject({ vmid: g.vmid, result: "failed", message: "VM is locked (snapshot)" });
  } finally {
    sim.cluster.setLock(g.vmid, undefined);
  }
});

it("delete asks, then removes the backup; a missing one is exit 2", async () => {
  const g = guest("lxc");
  const volid = await backUp(g);
  expect((await onTerminal(["backup", "delete", volid], "n")).code).toBe(1);
  expect((await ws.run(["backup", "delete", volid, "--yes"])).code).toBe(0);
  const left = JSON.parse((await ws.run(["backup", "list", String(g.vmid), "-o", "json"])).stdout) as { volid: string }[];
  expect(left.map((b) => b.volid)).not.toContain(volid);
  const missing = await ws.run(["backup", "restore", volid]);
  expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining(`No backup ${volid} on any node.`)]);
});

it("Ctrl-C while vzdump runs stops waiting (exit 130); the task goes on on the server", async () => {
  const g = guest("qemu");
  const controller = new AbortController();
  sim.cluster.hangTasks(true);
  const watcher = setInterval(() => {
    if (sim.cluster.tasks.all().some((t) => t.type === "vzdump" && t.id === String(g.vmid) && t.status === "running")) controller.abort();
  }, 5);
  try {
    const run = await onTerminal(["backup", "create", "vm", guestName(g)], "y", controller.signal);
    expect(controller.signal.aborted).toBe(true);
    expect(run.code).toBe(130);
    expect(run.stderr).toContain("the task goes on on the server");
  } finally {
    clearInterval(watcher);
    sim.cluster.hangTasks(false);
  }
});
