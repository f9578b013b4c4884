/**
 * `set vm|ct NAME …` through the real CLI against the simulator: each option
 * edits only its lines (a hand-edited file keeps the rest), --dry-run writes
 * nothing, refusals exit 2 with nothing written, --apply changes that guest
 * alone (disks through PUT resize) and the plan afterwards is empty; answering
 * n, --no-input and Ctrl-C put the file back. A memory change to a running VM
 * without memory hotplug waits for its restart: `set --apply` and `describe`
 * say so. `describe` also draws the snapshot tree.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ProxmoxClient } from "../../src/proxmox/client.js";
import { parseApiToken } from "../../src/proxmox/connection.js";
import { readHeader } from "../../src/iac/terraform/index.js";
import { cli, cliOnTerminal } from "../helpers/cli.js";
import { guestName, initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
const native = ["--engine", "native"];

beforeAll(async () => {
  sim = await startSim({ size: 120, randomSeed: 14 });
  ws = await initWorkspace(sim);
  expect((await ws.run(["sync"])).code).toBe(0);
});
afterAll(async () => {
  await sim.close();
  ws.cleanup();
});

/** Every .tf file of the workspace. */
function files(): Record<string, string> {
  const dir = join(ws.dir, "terraform");
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")]));
}

/** The file holding a guest (by its header's vmid). */
function fileOf(vmid: number): string {
  const found = Object.entries(files()).find(([, text]) => text.startsWith(`# Managed by proxmox-mpc: ${vmid} `));
  if (!found) throw new Error(`no file for ${vmid}`);
  return found[0];
}
const tf = (file: string): string => readFileSync(join(ws.dir, "terraform", file), "utf8");

/** A guest of the simulator no earlier test used. */
const used = new Set<number>();
function guest(type: "qemu" | "lxc", status: "running" | "stopped"): { vmid: number; name: string; file: string } {
  const g = sim.cluster.guests().find((x) => x.type === type && !x.template && x.status === status && !x.config.lock && !used.has(x.vmid) && x.config.hotplug === undefined);
  if (!g) throw new Error(`no ${status} ${type} left in the simulator`);
  used.add(g.vmid);
  return { vmid: g.vmid, name: guestName(g), file: fileOf(g.vmid) };
}

/** The CLI as on a terminal whose user answers `answer` to every question. */
const onTerminal = (args: string[], answer: string, signal?: AbortSignal) => cliOnTerminal(args, { env: ws.env, cwd: ws.dir, answer, signal });

const diskSize = (vmid: number, key: string): string | undefined => /size=([^,]+)/.exec(String(sim.cluster.guest(vmid)?.config[key]))?.[1];

describe("set (writing the IaC)", () => {
  let refused: ReturnType<typeof guest> | undefined;

  it("--dry-run prints the diff of each option and writes nothing", async () => {
    const vm = guest("qemu", "stopped");
    const before = files();
    const run = await ws.run(["set", "vm", vm.name, "--cores", "3", "--memory", "3G", "--disk", "scsi0=+1G", "--add-tag", "blue", "--dry-run"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`--- a/terraform/${vm.file}\n+++ b/terraform/${vm.file}\n`);
    expect(run.stdout).toMatch(/^\+ {4}cores += 3$/m);
    expect(run.stdout).toMatch(/^\+ {4}dedicated = 3072$/m);
    expect(run.stdout).toMatch(/^\+ {4}size += \d+$/m);
    expect(run.stdout).toMatch(/^\+ {2}tags += \[.*"blue".*\]$/m);
    expect(run.stdout).toContain("(dry run: nothing written)");
    expect(files()).toEqual(before);
  });

  it("colours the diff on a colour terminal", async () => {
    const vm = refused ?? guest("qemu", "stopped");
    refused = vm;
    const run = await cliOnTerminal(["set", "vm", vm.name, "--cores", "9", "--dry-run"], { env: { ...ws.env, NO_COLOR: undefined }, cwd: ws.dir, answer: "n" });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("\x1b[32m+    cores");
    expect(run.stdout).toContain("\x1b[31m-    cores");
  });

  it("writes only the lines concerned of a hand-edited file; -o json lists the changes", async () => {
    const vm = guest("qemu", "stopped");
    const edited = tf(vm.file).replace(/^( {2}name .*)$/m, "$1 # named by hand\n  # a note of mine").replace(/^ {4}cores {3}= \d+$/m, "    cores   = 2");
    writeFileSync(join(ws.dir, "terraform", vm.file), edited);
    const run = await ws.run(["set", "vm", vm.name, "--cores", "6", "--tag", "x", "--tag", "a", "-o", "json"]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ file: `terraform/${vm.file}`, vmid: vm.vmid, written: true, dryRun: false });
    expect(out.changes).toEqual(expect.arrayContaining([{ field: "cpu.cores", from: 2, to: 6 }, expect.objectContaining({ field: "tags", to: ["a", "x"] })]));
    const after = tf(vm.file);
    expect(after).toBe(edited.replace("    cores   = 2", "    cores   = 6").replace(/^( {2}tags +)= \[.*\]$/m, '$1= ["a", "x"]'));
    expect(readHeader(after)?.untouched).toBe(false);
    // The same change again has nothing to do.
    const again = await ws.run(["set", "vm", vm.name, "--cores", "6"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already says so: nothing to change/);
  });

  it.each([
    ["a shrinking disk", ["--disk", "scsi0=1G"], /scsi0 cannot shrink from \d+G to 1G: Proxmox VE grows disks only/],
    ["a bad size", ["--disk", "scsi0=+lots"], /--disk "scsi0=\+lots" is not a disk and a size/],
    ["a container disk on a VM", ["--disk", "rootfs=+1G"], /--disk "rootfs=\+1G" is not a disk and a size/],
    ["a bad memory size", ["--memory", "8 apples"], /--memory "8 apples" is not a memory size/],
    ["a bad tag", ["--add-tag", "no/slash"], /"no\/slash" is not a valid tag/],
    ["no option at all", [], /Nothing to change/],
  ])("refuses %s (exit 2, nothing written)", async (_what, args, message) => {
    refused ??= guest("qemu", "stopped");
    const vm = refused;
    const before = files();
    const run = await ws.run(["set", "vm", vm.name, ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(files()).toEqual(before);
  });

  it("refuses a value that is an expression, and an unknown guest (exit 2, nothing written)", async () => {
    const vm = guest("qemu", "stopped");
    const original = tf(vm.file);
    writeFileSync(join(ws.dir, "terraform", vm.file), original.replace(/dedicated = \d+/, "dedicated = var.memory"));
    const before = files();
    const expr = await ws.run(["set", "vm", vm.name, "--memory", "4G"]);
    expect(expr.code).toBe(2);
    expect(expr.stderr).toMatch(/memory\.dedicated is not a number literal \(var\.memory\); set changes literal values only/);
    const unknown = await ws.run(["set", "vm", "no-such-guest", "--cores", "2"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/No VM "no-such-guest" in terraform\//);
    const ct = guest("lxc", "stopped");
    const wrongKind = await ws.run(["set", "vm", ct.name, "--cores", "2"]);
    expect(wrongKind.code).toBe(2);
    expect(wrongKind.stderr).toMatch(/is a container, not a VM/);
    expect(files()).toEqual(before);
    // (The engine reads every file: leave none it cannot read for the tests below.)
    writeFileSync(join(ws.dir, "terraform", vm.file), original);
  });
});

describe("set --apply", () => {
  it("changes that guest alone, grows the disk through PUT resize, and the plan afterwards is empty", async () => {
    const ct = guest("lxc", "stopped");
    const before = diskSize(ct.vmid, "rootfs");
    const run = await ws.run(["set", "ct", ct.name, "--cores", "3", "--memory", "768", "--disk", "rootfs=+2G", "--apply", "--yes", ...native]);
    expect(run.stderr).toMatch(/Plan: 0 to add, 1 to change, 0 to destroy/);
    expect(run.code).toBe(0);
    const g = sim.cluster.guest(ct.vmid)!;
    expect(g.config).toMatchObject({ cores: 3, memory: 768 });
    expect(diskSize(ct.vmid, "rootfs")).not.toBe(before);
    expect(sim.cluster.tasks.all().some((t) => t.type === "resize" && t.id === String(ct.vmid))).toBe(true);
    expect(readHeader(tf(ct.file))?.untouched).toBe(true);
    const plan = await ws.run(["plan", ct.name, ...native]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/No changes/);
  });

  it("a running VM's memory (no memory hotplug) waits for the restart: set and describe show it pending; the plan stays empty", async () => {
    const vm = guest("qemu", "running");
    const memory = Number(sim.cluster.guest(vm.vmid)!.config.memory);
    const node = sim.cluster.guest(vm.vmid)!.node;
    const client = new ProxmoxClient({ baseUrl: sim.url, token: parseApiToken(sim.token), tls: { mode: "verify" } }, { retries: 0 });
    const running = async (): Promise<number> => Number((await client.guestConfig(node, "qemu", vm.vmid, { current: true })).memory);
    try {
      const run = await ws.run(["set", "vm", vm.name, "--memory", String(memory * 2), "--apply", "--yes", ...native]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`pending: memory ${memory} → ${memory * 2} (applies at next restart)`);
      expect(await running()).toBe(memory);
      expect(Number((await client.guestConfig(node, "qemu", vm.vmid)).memory)).toBe(memory * 2);
      expect((await ws.run(["plan", vm.name, ...native])).stdout).toMatch(/No changes/);
      const described = await ws.run(["describe", "vm", vm.name]);
      expect(described.stdout).toContain(`pending: memory ${memory} → ${memory * 2} (applies at next restart)`);
      const json = JSON.parse((await ws.run(["describe", "vm", vm.name, "-o", "json"])).stdout);
      expect(json.pending).toEqual(expect.arrayContaining([{ key: "memory", value: String(memory), pending: String(memory * 2), delete: false }]));
      // A restart applies it.
      expect((await ws.run(["reboot", "vm", vm.name, "--yes"])).code).toBe(0);
      expect(await running()).toBe(memory * 2);
      expect((await ws.run(["describe", "vm", vm.name])).stdout).toContain("Pending: (none)");
    } finally {
      client.close();
    }
  });

  it("answering n puts the file back as it was and changes nothing (exit 1)", async () => {
    const vm = guest("qemu", "stopped");
    const before = files();
    const cores = sim.cluster.guest(vm.vmid)!.config.cores;
    const run = await onTerminal(["set", "vm", vm.name, "--cores", "7", "--apply", ...native], "n");
    expect(run.asked).toEqual([expect.stringMatching(/^Apply this change\?/)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`terraform/${vm.file} is back as it was.`);
    expect(files()).toEqual(before);
    expect(sim.cluster.guest(vm.vmid)!.config.cores).toBe(cores);
  });

  it("--no-input without --yes refuses (exit 2) and puts the file back", async () => {
    const vm = guest("qemu", "stopped");
    const before = files();
    const run = await ws.run(["set", "vm", vm.name, "--cores", "5", "--apply", "--no-input", ...native]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Confirmation needed/);
    expect(files()).toEqual(before);
  });

  it("Ctrl-C while the change runs puts the file back (exit 130)", async () => {
    const vm = guest("qemu", "stopped");
    const before = files();
    const controller = new AbortController();
    sim.cluster.hangTasks(true);
    const watcher = setInterval(() => {
      if (sim.cluster.tasks.all().some((t) => t.id === String(vm.vmid) && t.status === "running")) controller.abort();
    }, 10);
    try {
      const run = await onTerminal(["set", "vm", vm.name, "--cores", "5", "--apply", "--yes", ...native], "y", controller.signal);
      expect(controller.signal.aborted).toBe(true);
      expect(run.code).toBe(130);
    } finally {
      clearInterval(watcher);
      sim.cluster.hangTasks(false);
    }
    expect(files()).toEqual(before);
  });
});

describe("describe", () => {
  it("without the server, says the pending changes and snapshots were not read and shows the rest", async () => {
    const vm = guest("qemu", "running");
    const config = join(ws.dir, ".proxmox-mpc", "config.yaml");
    const original = readFileSync(config, "utf8");
    writeFileSync(config, original.replace(sim.url, "http://127.0.0.1:9"));
    let run: Awaited<ReturnType<typeof cli>>;
    try {
      run = await cli(["describe", "vm", vm.name], { env: { ...ws.env, PROXMOX_VE_ENDPOINT: undefined }, cwd: ws.dir });
    } finally {
      writeFileSync(config, original);
    }
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^VM ${vm.name} \\(${vm.vmid}\\)`));
    expect(run.stdout).toMatch(/^Pending: \(not read: .+\)$/m);
    expect(run.stdout).toMatch(/^Snapshots: \(not read: .+\)$/m);
  });


  it("draws the snapshot tree with the current position", async () => {
    const vm = guest("qemu", "running");
    const node = sim.cluster.guest(vm.vmid)!.node;
    const client = new ProxmoxClient({ baseUrl: sim.url, token: parseApiToken(sim.token), tls: { mode: "verify" } }, { retries: 0 });
    try {
      for (const name of ["base", "upgrade"]) await client.waitForTask(await client.createSnapshot(node, "qemu", vm.vmid, name, { description: `before ${name}` }));
      await client.waitForTask(await client.rollbackSnapshot(node, "qemu", vm.vmid, "base"));
      await client.waitForTask(await client.createSnapshot(node, "qemu", vm.vmid, "other"));
    } finally {
      client.close();
    }
    const run = await ws.run(["describe", "vm", vm.name]);
    expect(run.code).toBe(0);
    const tree = run.stdout.slice(run.stdout.indexOf("Snapshots:")).split("\n").slice(0, 5);
    expect(tree[0]).toBe("Snapshots:");
    expect(tree[1]).toMatch(/^ {2}base \d{4}-\d\d-\d\d \d\d:\d\d — before base$/);
    expect(tree[2]).toMatch(/^ {2}├─ upgrade .* — before upgrade$/);
    expect(tree[3]).toMatch(/^ {2}└─ other /);
    expect(tree[4]).toBe("     └─ current (you are here)");
    const json = JSON.parse((await ws.run(["describe", "vm", vm.name, "-o", "json"])).stdout);
    expect(json.snapshots).toEqual(expect.arrayContaining([expect.objectContaining({ name: "current", parent: "other", current: true }), expect.objectContaining({ name: "upgrade", parent: "base" })]));
  });
});
