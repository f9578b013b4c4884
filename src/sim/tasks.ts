/**
 * Worker tasks: every long operation returns a UPID at once and runs for
 * `taskDelayMs`, holding the guest's config lock, then applies its effect and
 * ends with exitstatus "OK" or the error text. Tests can make the next
 * matching task fail, or make tasks hang until released.
 */
import { LockManager, type Release } from "./locks.js";
import type { GuestType } from "./types.js";

/** One task, in the shape of GET /nodes/{node}/tasks/{upid}/status. */
export interface SimTask {
  upid: string;
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  type: string;
  id: string;
  user: string;
  status: "running" | "stopped";
  exitstatus?: string;
  endtime?: number;
  log: string[];
}

/** What a handler asks the task manager to run. */
export interface TaskSpec {
  node: string;
  /** PVE task type: qmstart, vzcreate, qmclone, ... */
  type: string;
  /** The task's object id (usually the vmid). */
  id: string;
  /** `user@realm!tokenid` of the caller. */
  user: string;
  /** Take this guest's config lock while running. */
  lock?: { type: GuestType; vmid: number };
  /** The effect; throw an Error to end the task with its message. */
  work: (log: (line: string) => void) => void | Promise<void>;
  /** Undo what the request did up front (e.g. remove a half-created guest) when the task fails. */
  onFail?: () => void;
  /** How long this task runs (default: the simulator's taskDelayMs), e.g. a migration scaled by what it copies. */
  durationMs?: number;
}

/** A pending injected failure. */
export interface TaskFailure {
  type?: string;
  vmid?: number;
  message: string;
}

const hex8 = (n: number): string => (n >>> 0).toString(16).toUpperCase().padStart(8, "0");

/** Build a UPID in PVE's exact form. */
export function makeUpid(t: Pick<SimTask, "node" | "pid" | "pstart" | "starttime" | "type" | "id" | "user">): string {
  return `UPID:${t.node}:${hex8(t.pid)}:${hex8(t.pstart)}:${hex8(t.starttime)}:${t.type}:${t.id}:${t.user}:`;
}

/** Runs and remembers tasks. */
export class TaskManager {
  private readonly tasks = new Map<string, SimTask>();
  private readonly failures: TaskFailure[] = [];
  private readonly parked = new Set<() => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private hanging = false;
  private nextPid = 3000;
  private readonly bootMs = Date.now() - 86_400_000;

  constructor(
    private readonly locks: LockManager,
    private readonly opts: { delayMs: number; lockTimeoutMs: number; maxTasks?: number },
  ) {}

  /** Start a task; resolves nothing, the task runs in the background. */
  start(spec: TaskSpec): SimTask {
    const now = Date.now();
    const base = {
      node: spec.node,
      pid: this.nextPid++,
      pstart: Math.floor((now - this.bootMs) / 10),
      starttime: Math.floor(now / 1000),
      type: spec.type,
      id: spec.id,
      user: spec.user,
    };
    const task: SimTask = { ...base, upid: makeUpid(base), status: "running", log: [] };
    this.tasks.set(task.upid, task);
    this.trim();
    const vmid = Number(spec.id);
    const i = this.failures.findIndex((f) => (f.type === undefined || f.type === spec.type) && (f.vmid === undefined || f.vmid === vmid));
    const injected = i >= 0 ? this.failures.splice(i, 1)[0] : undefined;
    void this.run(task, spec, injected);
    return task;
  }

  private async run(task: SimTask, spec: TaskSpec, injected: TaskFailure | undefined): Promise<void> {
    let release: Release | undefined;
    const log = (line: string): void => void task.log.push(line);
    try {
      if (spec.lock) release = await this.locks.acquire(spec.lock.type, spec.lock.vmid, this.opts.lockTimeoutMs);
      await this.sleep(spec.durationMs ?? this.opts.delayMs);
      while (this.hanging && task.status === "running") await new Promise<void>((resolve) => this.parked.add(resolve));
      if (task.status !== "running") return;
      if (injected) throw new Error(injected.message);
      await spec.work(log);
      this.finish(task, "OK");
    } catch (err) {
      if (task.status !== "running") return;
      spec.onFail?.();
      this.finish(task, err instanceof Error ? err.message.replace(/\n$/, "") : String(err));
    } finally {
      release?.();
    }
  }

  private finish(task: SimTask, exitstatus: string): void {
    task.log.push(exitstatus === "OK" ? "TASK OK" : `TASK ERROR: ${exitstatus}`);
    task.status = "stopped";
    task.exitstatus = exitstatus;
    task.endtime = Math.floor(Date.now() / 1000);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private trim(): void {
    const max = this.opts.maxTasks ?? 5000;
    if (this.tasks.size <= max) return;
    for (const [upid, task] of this.tasks) {
      if (this.tasks.size <= max) break;
      if (task.status === "stopped") this.tasks.delete(upid);
    }
  }

  /** A task by UPID. */
  get(upid: string): SimTask | undefined {
    return this.tasks.get(upid);
  }

  /** All tasks, newest first. */
  all(): SimTask[] {
    return [...this.tasks.values()].reverse();
  }

  /** Make the next task that matches (type and/or vmid) end with this exitstatus. */
  failNext(failure: TaskFailure): void {
    this.failures.push(failure);
  }

  /** While on, tasks never finish (they keep their locks); turning it off lets them finish. */
  hang(on: boolean): void {
    this.hanging = on;
    if (!on) {
      for (const resume of this.parked) resume();
      this.parked.clear();
    }
  }

  /** Stop a running task (DELETE /nodes/{node}/tasks/{upid}). */
  stop(upid: string): boolean {
    const task = this.tasks.get(upid);
    if (!task || task.status !== "running") return false;
    this.finish(task, "received interrupt");
    for (const resume of this.parked) resume();
    this.parked.clear();
    return true;
  }

  /** Cancel timers and wake parked tasks (server shutdown). */
  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.hanging = false;
    this.parked.clear();
  }
}
