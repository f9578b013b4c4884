/**
 * Config file locks (PVE's flock on /var/lock/qemu-server/lock-<vmid>.conf
 * and /run/lock/lxc/pve-config-<vmid>.lock). A holder keeps the lock while a
 * task runs; anyone else waits up to the lock timeout and then fails with
 * PVE's "can't lock file '…' - got timeout".
 */
import type { GuestType } from "./types.js";

/** The lock file PVE uses for a guest's config. */
export function lockFile(type: GuestType, vmid: number): string {
  return type === "qemu" ? `/var/lock/qemu-server/lock-${vmid}.conf` : `/run/lock/lxc/pve-config-${vmid}.lock`;
}

/** The error text of a lock timeout. */
export function lockTimeoutMessage(type: GuestType, vmid: number): string {
  return `can't lock file '${lockFile(type, vmid)}' - got timeout`;
}

interface Waiter {
  grant: () => void;
  timer: NodeJS.Timeout;
}

interface LockState {
  held: boolean;
  waiters: Waiter[];
}

/** A release function, idempotent. */
export type Release = () => void;

/** Per-vmid exclusive locks with timeouts. */
export class LockManager {
  private readonly locks = new Map<number, LockState>();
  private readonly timers = new Set<NodeJS.Timeout>();

  /** True while someone holds the lock of this vmid. */
  isHeld(vmid: number): boolean {
    return this.locks.get(vmid)?.held ?? false;
  }

  /** Take the lock, waiting at most timeoutMs; rejects with Error(lock timeout message) after that. */
  acquire(type: GuestType, vmid: number, timeoutMs: number): Promise<Release> {
    let state = this.locks.get(vmid);
    if (!state) {
      state = { held: false, waiters: [] };
      this.locks.set(vmid, state);
    }
    const lockState = state;
    const makeRelease = (): Release => {
      let done = false;
      return () => {
        if (done) return;
        done = true;
        this.handOver(vmid, lockState);
      };
    };
    if (!lockState.held) {
      lockState.held = true;
      return Promise.resolve(makeRelease());
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(waiter.timer);
          this.timers.delete(waiter.timer);
          resolve(makeRelease());
        },
        timer: setTimeout(() => {
          this.timers.delete(waiter.timer);
          lockState.waiters = lockState.waiters.filter((w) => w !== waiter);
          reject(new Error(lockTimeoutMessage(type, vmid)));
        }, timeoutMs),
      };
      this.timers.add(waiter.timer);
      lockState.waiters.push(waiter);
    });
  }

  /** Hold the lock for ms (simulates another task holding it). */
  hold(type: GuestType, vmid: number, ms: number): void {
    void this.acquire(type, vmid, 24 * 3600 * 1000).then((release) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        release();
      }, ms);
      this.timers.add(t);
    });
  }

  private handOver(vmid: number, state: LockState): void {
    const next = state.waiters.shift();
    if (next) next.grant();
    else {
      state.held = false;
      this.locks.delete(vmid);
    }
  }

  /** Cancel every timer (server shutdown). */
  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
