/**
 * Workspace locks: one holder at a time, in one process and across processes
 * (a real child node process holds the lock), waiting, time-outs with the
 * message users see, and take-over of a holder that died (kill -9) or went silent.
 * Time inside this process is a ManualClock: waits and heartbeats move when the
 * test moves them, and no assertion depends on how long anything took.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LockBusyError, openStore, type Store } from "../../src/state/index.js";
import { storeCases } from "./harness.js";
import { ManualClock } from "./manual-clock.js";

const { cases, teardown } = await storeCases();
afterAll(teardown);

const here = path.dirname(fileURLToPath(import.meta.url));
const BUSY_MESSAGE = /^Another sync is running \(pid \d+ on host \S+, since \d\d:\d\d:\d\d, correlation c-[\w-]+\)\.$/;
const BUSY_HINT = /^Wait for it or, if it died, run again in \d+ s\.$/;

const spawned: ChildProcessWithoutNullStreams[] = [];

/** Run tests/state/fixtures/lock-holder.mjs (our real store code, in another process). */
function spawnHolder(url: string, name: string, waitMs?: number): ChildProcessWithoutNullStreams {
  const args = [path.join(here, "fixtures", "lock-holder.mjs"), url, name, "c-child", ...(waitMs ? [String(waitMs)] : [])];
  const child = spawn(process.execPath, ["--import", path.join(here, "fixtures", "ts-loader.mjs"), ...args], { stdio: ["pipe", "pipe", "pipe"] });
  spawned.push(child);
  return child;
}

/** A child process holding lock `name` until told to release (or killed). */
async function childHolder(url: string, name: string): Promise<{ child: ChildProcessWithoutNullStreams; pid: number; output: () => string }> {
  const child = spawnHolder(url, name);
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const pid = await new Promise<number>((resolve, reject) => {
    child.stdout.on("data", () => {
      const m = /locked (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", (code) => reject(new Error(`lock holder exited (${code}): ${err}`)));
  });
  return { child, pid, output: () => out };
}

/** Resolves when the child's output contains `text`. */
function printed(child: ChildProcessWithoutNullStreams, output: () => string, text: string): Promise<void> {
  return new Promise((resolve) => {
    const check = () => output().includes(text) && resolve();
    check();
    child.stdout.on("data", check);
  });
}

const exited = (child: ChildProcessWithoutNullStreams) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.on("exit", () => resolve())));

describe.each(cases)("workspace locks on $name", ({ newUrl }) => {
  let url: string;
  let store: Store;
  let clock: ManualClock;

  beforeEach(async () => {
    url = newUrl();
    clock = new ManualClock();
    store = await openStore({ url, lockClock: clock });
  });
  afterEach(async () => {
    for (const child of spawned.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
    await store.close();
  });

  test("a second caller gets a clear error, or waits and then gets the lock", async () => {
    const first = await store.locks.acquire("sync", { correlationId: "c-first" });
    const err = await store.locks.acquire("sync").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockBusyError);
    expect((err as LockBusyError).message).toMatch(BUSY_MESSAGE);
    expect((err as LockBusyError).message).toContain(`pid ${process.pid} on host ${os.hostname()}`);
    expect((err as LockBusyError).hint).toBe("Wait for it or, if it died, run again in 30 s.");
    expect(await store.locks.holder("sync")).toMatchObject({ pid: process.pid, correlationId: "c-first", stale: false });

    // Waiting: refused (busy) at least once, then the holder releases and the waiter gets it.
    let busy = 0;
    const onBusy = () => {
      if (++busy === 1) void first.release();
    };
    const second = await store.locks.acquire("sync", { wait: true, timeoutMs: 5000, pollMs: 50, correlationId: "c-second", onBusy });
    expect(busy).toBeGreaterThanOrEqual(1);
    expect(await store.locks.holder("sync")).toMatchObject({ correlationId: "c-second" });
    await second.release();
    expect(await store.locks.holder("sync")).toBeNull();
  });

  test("waiting gives up after timeoutMs with the same message, and a cancelled wait stops at once", async () => {
    const held = await store.locks.acquire("sync", { correlationId: "c-held" });
    const started = clock.now();
    const err = await store.locks.acquire("sync", { wait: true, timeoutMs: 400, pollMs: 50 }).catch((e: unknown) => e);
    expect(clock.now() - started).toBe(400); // 8 polls of 50 ms on the manual clock
    expect(clock.sleeps).toBe(8);
    expect(err).toBeInstanceOf(LockBusyError);
    expect((err as LockBusyError).message).toMatch(BUSY_MESSAGE);
    expect((err as LockBusyError).hint).toMatch(BUSY_HINT);
    const controller = new AbortController();
    const cancelled = store.locks.acquire("sync", { wait: true, timeoutMs: 60_000, signal: controller.signal, onBusy: () => controller.abort() });
    await expect(cancelled).rejects.toMatchObject({ code: "cancelled" });
    await held.release();
    // Different names do not block each other.
    const apply = await store.locks.acquire("apply");
    await apply.release();
  });

  test("a lock held by another process blocks; released, it is ours; killed -9, it is taken over at once", async () => {
    const holder = await childHolder(url, "sync");
    const err = await store.locks.acquire("sync").catch((e: unknown) => e);
    expect((err as LockBusyError).message).toContain(`(pid ${holder.pid} on host ${os.hostname()}`);
    expect((err as LockBusyError).message).toContain("correlation c-child");

    // Released by the other process while we wait (it lives in real time: so do the polls of this wait).
    clock.realSleeps = true;
    let told = false;
    const release = () => {
      if (!told) holder.child.stdin.write("release\n");
      told = true;
    };
    const mine = await store.locks.acquire("sync", { wait: true, timeoutMs: 20_000, pollMs: 50, onBusy: release });
    await exited(holder.child);
    expect(holder.output()).toContain("released");
    await mine.release();

    // A holder killed with SIGKILL never releases: its dead pid frees the lock without waiting 30 s.
    const doomed = await childHolder(url, "sync");
    doomed.child.kill("SIGKILL");
    await exited(doomed.child);
    expect(await store.locks.holder("sync")).toMatchObject({ pid: doomed.pid, stale: true, staleInMs: 0 });
    const taken = await store.locks.acquire("sync");
    expect(await store.locks.holder("sync")).toMatchObject({ pid: process.pid, stale: false });
    await taken.release();
  }, 60_000);

  test("a child process waits for the lock this process holds", async () => {
    const mine = await store.locks.acquire("sync", { correlationId: "c-parent" });
    const child = spawnHolder(url, "sync", 20_000);
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    await printed(child, () => out, "waiting"); // it found the lock held and polls now
    expect(out).not.toContain("locked");
    await mine.release();
    await printed(child, () => out, "locked");
    child.stdin.write("release\n");
    await exited(child);
    expect(out).toContain("released");
  }, 60_000);

  test("a holder on another host is taken over only once its heartbeat is stale", async () => {
    const now = new Date(clock.now());
    await store.prisma.workspaceLock.create({
      data: { name: "sync", token: "t-other", pid: 4242, host: "other-host", correlationId: "c-remote", acquiredAt: now, heartbeatAt: now },
    });
    const err = (await store.locks.acquire("sync", { staleAfterMs: 60_000 }).catch((e: unknown) => e)) as LockBusyError;
    expect(err.message).toMatch(/^Another sync is running \(pid 4242 on host other-host, since \d\d:\d\d:\d\d, correlation c-remote\)\.$/);
    expect(err.hint).toBe("Wait for it or, if it died, run again in 60 s.");
    clock.advance(59_000);
    await expect(store.locks.acquire("sync", { staleAfterMs: 60_000 })).rejects.toMatchObject({ hint: "Wait for it or, if it died, run again in 1 s." });
    clock.advance(2_000); // its heartbeat is 61 s old now
    const taken = await store.locks.acquire("sync", { staleAfterMs: 60_000 });
    expect(await store.locks.holder("sync")).toMatchObject({ host: os.hostname(), pid: process.pid });
    await taken.release();
  });

  test("a live holder keeps its lock by heartbeat; a taken-over holder learns it lost the lock", async () => {
    const staleAfterMs = 1500;
    const handle = await store.locks.acquire("sync", { staleAfterMs });
    const first = (await store.locks.holder("sync"))!.heartbeatAt.getTime();
    clock.advance(1000);
    await clock.beat();
    expect((await store.locks.holder("sync"))!.heartbeatAt.getTime()).toBe(first + 1000);
    clock.advance(1000); // 2 s since it was taken, 1 s since its last heartbeat
    expect((await store.locks.holder("sync", staleAfterMs))!.stale).toBe(false);

    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    await store.prisma.workspaceLock.update({ where: { name: "sync" }, data: { pid: Number(dead.stdout) } }); // as if we had died
    const thief = await store.locks.acquire("sync", { staleAfterMs });
    await clock.beat();
    expect(handle.lost).toBe(true);
    await handle.release(); // releasing a lost lock does not free the new holder's
    expect((await store.locks.holder("sync"))?.pid).toBe(process.pid);
    await thief.release();
    expect(await store.locks.holder("sync")).toBeNull();
  });

  test("close() releases the locks this store holds", async () => {
    await store.locks.acquire("apply");
    await store.close();
    store = await openStore({ url });
    expect(await store.locks.holder("apply")).toBeNull();
  });
});
