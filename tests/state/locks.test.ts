/**
 * Workspace locks: one holder at a time, in one process and across processes
 * (a real child node process holds the lock), waiting, time-outs with the
 * message users see, and take-over of a holder that died (kill -9) or went silent.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LockBusyError, openStore, type Store } from "../../src/state/index.js";
import { storeCases } from "./harness.js";

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

/** Poll `check` every 50 ms until it is true (fails the test after 10 s). */
async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const exited = (child: ChildProcessWithoutNullStreams) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.on("exit", () => resolve())));

describe.each(cases)("workspace locks on $name", ({ newUrl }) => {
  let url: string;
  let store: Store;

  beforeEach(async () => {
    url = newUrl();
    store = await openStore({ url });
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

    const started = Date.now();
    setTimeout(() => void first.release(), 300);
    const second = await store.locks.acquire("sync", { wait: true, timeoutMs: 5000, pollMs: 50, correlationId: "c-second" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await store.locks.holder("sync")).toMatchObject({ correlationId: "c-second" });
    await second.release();
    expect(await store.locks.holder("sync")).toBeNull();
  });

  test("waiting gives up after timeoutMs with the same message", async () => {
    const held = await store.locks.acquire("sync", { correlationId: "c-held" });
    const started = Date.now();
    const err = await store.locks.acquire("sync", { wait: true, timeoutMs: 400, pollMs: 50 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(err).toBeInstanceOf(LockBusyError);
    expect((err as LockBusyError).message).toMatch(BUSY_MESSAGE);
    expect((err as LockBusyError).hint).toMatch(BUSY_HINT);
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

    // Released by the other process while we wait.
    const waiting = store.locks.acquire("sync", { wait: true, timeoutMs: 20_000, pollMs: 50 });
    holder.child.stdin.write("release\n");
    const mine = await waiting;
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
    await new Promise<void>((resolve) => child.stdout.on("data", () => out.includes("opened") && resolve()));
    await new Promise((r) => setTimeout(r, 700)); // the child is polling now
    expect(out).not.toContain("locked");
    await mine.release();
    await new Promise<void>((resolve) => child.stdout.on("data", () => out.includes("locked") && resolve()));
    child.stdin.write("release\n");
    await exited(child);
    expect(out).toContain("released");
  }, 60_000);

  test("a holder on another host is taken over only once its heartbeat is stale", async () => {
    const now = new Date();
    await store.prisma.workspaceLock.create({
      data: { name: "sync", token: "t-other", pid: 4242, host: "other-host", correlationId: "c-remote", acquiredAt: now, heartbeatAt: now },
    });
    const err = (await store.locks.acquire("sync", { staleAfterMs: 60_000 }).catch((e: unknown) => e)) as LockBusyError;
    expect(err.message).toMatch(/^Another sync is running \(pid 4242 on host other-host, since \d\d:\d\d:\d\d, correlation c-remote\)\.$/);
    const seconds = Number(/run again in (\d+) s\.$/.exec(err.hint ?? "")?.[1]);
    expect(seconds).toBeGreaterThanOrEqual(50);
    expect(seconds).toBeLessThanOrEqual(60);
    await store.prisma.workspaceLock.update({ where: { name: "sync" }, data: { heartbeatAt: new Date(Date.now() - 61_000) } });
    const taken = await store.locks.acquire("sync", { staleAfterMs: 60_000 });
    expect(await store.locks.holder("sync")).toMatchObject({ host: os.hostname(), pid: process.pid });
    await taken.release();
  });

  test("a live holder keeps its lock by heartbeat; a taken-over holder learns it lost the lock", async () => {
    const staleAfterMs = 1500; // heartbeat every 500 ms
    const handle = await store.locks.acquire("sync", { staleAfterMs });
    const first = (await store.locks.holder("sync"))!.heartbeatAt.getTime();
    await until(async () => (await store.locks.holder("sync"))!.heartbeatAt.getTime() > first);
    expect((await store.locks.holder("sync", staleAfterMs))!.stale).toBe(false);

    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    await store.prisma.workspaceLock.update({ where: { name: "sync" }, data: { pid: Number(dead.stdout) } }); // as if we had died
    const thief = await store.locks.acquire("sync", { staleAfterMs });
    await until(async () => handle.lost);
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
