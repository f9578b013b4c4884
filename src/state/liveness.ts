/**
 * Is the process that wrote a row (a lock, a running sync) still alive?
 * Only answerable on the same host; elsewhere the callers rely on time.
 */
import os from "node:os";

/** This host's name as recorded with locks and sync runs. */
export function hostName(): string {
  return os.hostname();
}

/** True when `pid` runs on this machine (EPERM: it exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether a holder recorded as (pid, host) is known to be dead. */
export function holderDead(pid: number, host: string): boolean {
  return host === hostName() && !pidAlive(pid);
}
