/**
 * Endpoints other Proxmox tools call during day-2 work: suspend and resume
 * (qmsuspend / qmresume, vzsuspend / vzresume), moving a disk to another
 * storage (qemu `move_disk`, lxc `move_volume`), a guest's firewall rules
 * (read only) and the QEMU guest agent's `exec` / `exec-status`, with PVE's
 * errors: "No QEMU guest agent configured", "VM 100 is not running",
 * "QEMU guest agent is not running" (a paused VM, or one whose agent was
 * stopped with {@link stopGuestAgent}).
 */
import { isDiskKey } from "../../pve/guest-config.js";
import { printProps } from "../../pve/property-string.js";
import { printSize } from "../../pve/size.js";
import { assertDigest } from "../config-change.js";
import { newVolumeId, usableStorage } from "../disks.js";
import { configDigest, parseDisk } from "../guest-config.js";
import { assertNotLocked, flag, guestAt, skiplock, startTask, str, taskType, type HandlerContext, type RouteTable } from "../handler.js";
import { paramError, serverError } from "../pve-error.js";
import type { GuestConfig, GuestType, SimGuest } from "../types.js";

const GIB = 1024 ** 3;

// ---- suspend / resume -------------------------------------------------------

function suspend(type: GuestType) {
  return (ctx: HandlerContext): string => {
    const g = guestAt(ctx, type);
    if (g.status !== "running") throw serverError(type === "qemu" ? `VM ${g.vmid} not running` : `CT ${g.vmid} not running`);
    assertNotLocked(g, type === "qemu" && skiplock(ctx));
    if (flag(ctx, "todisk")) throw serverError("suspend to disk (hibernation) is not supported by the simulator");
    return startTask(ctx, {
      type: taskType(type, "suspend"),
      id: String(g.vmid),
      lock: { type, vmid: g.vmid },
      work: () => {
        if (g.status !== "running") throw new Error(`${type === "qemu" ? "VM" : "CT"} ${g.vmid} not running`);
        g.paused = true;
        ctx.cluster.touch();
      },
    });
  };
}

function resume(type: GuestType) {
  return (ctx: HandlerContext): string => {
    const g = guestAt(ctx, type);
    if (g.status !== "running") throw serverError(type === "qemu" ? `VM ${g.vmid} not running` : `CT ${g.vmid} not running`);
    assertNotLocked(g, type === "qemu" && skiplock(ctx));
    return startTask(ctx, {
      type: taskType(type, "resume"),
      id: String(g.vmid),
      lock: { type, vmid: g.vmid },
      work: () => {
        g.paused = undefined;
        ctx.cluster.touch();
      },
    });
  };
}

// ---- move_disk / move_volume ------------------------------------------------

function nextUnused(config: GuestConfig): string {
  let i = 0;
  while (config[`unused${i}`] !== undefined) i++;
  return `unused${i}`;
}

function moveDisk(type: GuestType) {
  const keyParam = type === "qemu" ? "disk" : "volume";
  return (ctx: HandlerContext): string => {
    const { cluster } = ctx;
    const g = guestAt(ctx, type);
    const key = String(ctx.params[keyParam]);
    const storeid = str(ctx, "storage");
    if (str(ctx, "target-vmid") !== undefined) {
      if (storeid) throw serverError("either set 'storage' or 'target-vmid', but not both");
      throw serverError("moving a disk to another guest is not supported by the simulator");
    }
    if (!storeid) throw paramError({ storage: "either set 'storage' or 'target-vmid'" });
    assertDigest(g, str(ctx, "digest"));
    assertNotLocked(g);
    if (type === "lxc" && g.status === "running") throw serverError("cannot move volumes of a running container");
    const value = g.config[key];
    if (value === undefined) throw serverError(type === "qemu" ? `disk '${key}' does not exist` : `Volume '${key}' does not exist`);
    const disk = parseDisk(value);
    if (disk.media === "cdrom") throw serverError("you can't move a cdrom");
    if (!disk.storage) throw serverError(`you can't move a disk without storage ('${disk.volid}')`);
    const target = usableStorage(cluster, g.node, storeid, type);
    const format = str(ctx, "format");
    const currentFormat = /\.(qcow2|raw|vmdk)$/.exec(disk.volid)?.[1] ?? "raw";
    if (target.storage === disk.storage && (format === undefined || format === currentFormat)) {
      throw serverError(type === "qemu" ? "you can't move to the same storage with same format" : "you can't move a volume to the same storage");
    }
    const remove = flag(ctx, "delete");
    cluster.setLock(g.vmid, "disk");
    const unlock = (): void => cluster.setLock(g.vmid, undefined);
    return startTask(ctx, {
      type: type === "qemu" ? "qmmove" : "move_volume",
      id: String(g.vmid),
      lock: { type, vmid: g.vmid },
      durationMs: Math.round(cluster.taskDelayMs * (1 + disk.size / GIB / 32)),
      work: (log) => {
        const volid = newVolumeId(target, g, type === "qemu" ? format : undefined);
        log(`create full clone of drive ${key} (${disk.volid})`);
        const gib = (disk.size / GIB).toFixed(1);
        log(`transferred ${gib} GiB of ${gib} GiB (100.00%)`);
        const next: GuestConfig = { ...g.config };
        const opts = { ...disk.options };
        delete opts.size;
        next[key] = printProps({ ...opts, file: volid, ...(disk.size ? { size: printSize(disk.size) } : {}) }, "file");
        if (remove) log(`removing volume '${disk.volid}'`);
        else if (/^unused\d+$/.test(key) || !isDiskKey(type, key)) log(`volume '${disk.volid}' kept`);
        else next[nextUnused(next)] = disk.volid;
        g.config = next;
        unlock();
      },
      onFail: unlock,
    });
  };
}

// ---- firewall rules (read) ---------------------------------------------------

/** A rule as GET …/firewall/rules answers it. */
export interface FirewallRule {
  type: "in" | "out" | "group";
  action: string;
  enable?: number;
  macro?: string;
  proto?: string;
  dport?: string;
  source?: string;
  iface?: string;
  comment?: string;
}

const rulesOf = new WeakMap<SimGuest, FirewallRule[]>();

/** Replace a guest's firewall rules (tests and seeds; the API's writes are not simulated). */
export function setFirewallRules(g: SimGuest, rules: FirewallRule[]): void {
  rulesOf.set(g, rules);
}

/** Rules a guest starts with: SSH in where a NIC has the firewall on, plus HTTP(S) for `web` and DNS for `dns` tags. */
function defaultRules(g: SimGuest): FirewallRule[] {
  const firewalled = Object.entries(g.config).some(([k, v]) => /^net\d+$/.test(k) && /(^|,)firewall=1/.test(String(v)));
  if (!firewalled) return [];
  const tags = String(g.config.tags ?? "").split(/[;, ]/);
  const rules: FirewallRule[] = [{ type: "in", action: "ACCEPT", macro: "SSH", enable: 1, comment: "admin access" }];
  if (tags.includes("web")) rules.unshift({ type: "in", action: "ACCEPT", proto: "tcp", dport: "80,443", enable: 1, comment: "web" });
  if (tags.includes("dns")) rules.unshift({ type: "in", action: "ACCEPT", macro: "DNS", enable: 1 });
  return rules;
}

function firewallRules(type: GuestType) {
  return (ctx: HandlerContext): unknown[] => {
    const g = guestAt(ctx, type);
    const digest = configDigest(g);
    return (rulesOf.get(g) ?? defaultRules(g)).map((rule, pos) => ({ pos, ...rule, digest }));
  };
}

// ---- guest agent exec ----------------------------------------------------------

interface ExecResult {
  exited: number;
  exitcode: number;
  "out-data"?: string;
  "err-data"?: string;
}

const agentDown = new WeakSet<SimGuest>();
const execs = new WeakMap<SimGuest, Map<number, ExecResult>>();
let nextPid = 4000;

/** Make the guest agent inside a VM stop answering (or answer again): exec fails with "QEMU guest agent is not running". */
export function stopGuestAgent(g: SimGuest, stopped = true): void {
  if (stopped) agentDown.add(g);
  else agentDown.delete(g);
}

/** PVE's checks before any agent command. */
function assertAgent(g: SimGuest): void {
  if (!String(g.config.agent ?? "0").replace(/^enabled=/, "").startsWith("1")) throw serverError("No QEMU guest agent configured");
  if (g.status !== "running") throw serverError(`VM ${g.vmid} is not running`);
  if (g.paused || agentDown.has(g)) throw serverError("QEMU guest agent is not running");
}

/** The command as a list: a JSON array (JSON bodies) or one program name. */
function commandList(value: string | boolean | undefined): string[] {
  const text = String(value ?? "");
  if (text.startsWith("[")) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // not JSON: one program name
    }
  }
  return [text];
}

/** What a few common commands print inside a simulated Linux guest. */
function run(g: SimGuest, argv: string[], input: string | undefined): ExecResult | undefined {
  const name = String(g.config.name ?? `vm${g.vmid}`);
  const ok = (out: string): ExecResult => ({ exited: 1, exitcode: 0, "out-data": out });
  const [program, ...args] = argv;
  const base = program.split("/").pop() ?? program;
  switch (base) {
    case "hostname":
      return ok(`${name}\n`);
    case "uname":
      return ok(args.includes("-a") ? `Linux ${name} 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22) x86_64 GNU/Linux\n` : "Linux\n");
    case "whoami":
      return ok("root\n");
    case "id":
      return ok("uid=0(root) gid=0(root) groups=0(root)\n");
    case "echo":
      return ok(`${args.join(" ")}\n`);
    case "cat":
      if (!args.length) return ok(input ?? "");
      if (args[0] === "/etc/hostname") return ok(`${name}\n`);
      if (args[0] === "/etc/os-release") return ok('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n');
      return { exited: 1, exitcode: 1, "err-data": `cat: ${args[0]}: No such file or directory\n` };
    case "true":
      return ok("");
    case "false":
      return { exited: 1, exitcode: 1 };
    case "sh":
    case "bash":
      if (args[0] === "-c" && args[1]) return run(g, args[1].trim().split(/\s+/), input) ?? { exited: 1, exitcode: 127, "err-data": `${base}: 1: ${args[1].split(/\s+/)[0]}: not found\n` };
      return ok("");
    default:
      return undefined;
  }
}

function agentExec(ctx: HandlerContext): { pid: number } {
  const g = guestAt(ctx, "qemu");
  assertAgent(g);
  const argv = commandList(ctx.params.command);
  if (!argv[0]) throw paramError({ command: "property is missing and it is not optional" });
  const result = run(g, argv, str(ctx, "input-data"));
  if (!result) throw serverError(`Agent error: Guest agent command failed, error was 'Failed to execute child process “${argv[0]}” (No such file or directory)'`);
  const pid = nextPid++;
  let map = execs.get(g);
  if (!map) execs.set(g, (map = new Map()));
  map.set(pid, result);
  return { pid };
}

function agentExecStatus(ctx: HandlerContext): ExecResult {
  const g = guestAt(ctx, "qemu");
  assertAgent(g);
  const result = execs.get(g)?.get(Number(ctx.params.pid));
  if (!result) throw serverError("Agent error: Invalid parameter 'pid'");
  return result;
}

/** Routes of this module. */
export const day2Routes: RouteTable = {
  "POST /nodes/{node}/qemu/{vmid}/status/suspend": suspend("qemu"),
  "POST /nodes/{node}/qemu/{vmid}/status/resume": resume("qemu"),
  "POST /nodes/{node}/lxc/{vmid}/status/suspend": suspend("lxc"),
  "POST /nodes/{node}/lxc/{vmid}/status/resume": resume("lxc"),
  "POST /nodes/{node}/qemu/{vmid}/move_disk": moveDisk("qemu"),
  "POST /nodes/{node}/lxc/{vmid}/move_volume": moveDisk("lxc"),
  "GET /nodes/{node}/qemu/{vmid}/firewall/rules": firewallRules("qemu"),
  "GET /nodes/{node}/lxc/{vmid}/firewall/rules": firewallRules("lxc"),
  "POST /nodes/{node}/qemu/{vmid}/agent/exec": agentExec,
  "GET /nodes/{node}/qemu/{vmid}/agent/exec-status": agentExecStatus,
};
