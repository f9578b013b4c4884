/**
 * Log files: rotation by day and by size, retention pruning, config keys,
 * and `followLogs` picking up appended lines until its signal aborts.
 */
import { appendFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkConfig } from "../../src/core/workspace.js";
import { followLogs } from "../../src/observability/log-follow.js";
import { listLogFiles, pruneLogs, RotatingLogDestination } from "../../src/observability/log-files.js";
import { parseSince, queryLogs, type LogEntry } from "../../src/observability/log-query.js";
import { tempDir } from "../helpers/sim.js";

const line = (time: string, msg: string, extra: Record<string, unknown> = {}): string => `${JSON.stringify({ level: "info", time, correlationId: "c-0000000001", operation: "sync", msg, ...extra })}\n`;

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 10));
}

it("starts a new part of the day's file once it passes maxFileMiB, and a new file each day", () => {
  const { dir, cleanup } = tempDir();
  try {
    let now = new Date("2026-11-28T10:00:00Z");
    const dest = new RotatingLogDestination(dir, { retentionDays: 14, maxFileMiB: 1 / 1024 }, () => now); // 1 KiB
    for (let i = 0; i < 30; i++) dest.write(line(now.toISOString(), `line ${i} ${"x".repeat(60)}`));
    now = new Date("2026-11-29T00:00:01Z");
    dest.write(line(now.toISOString(), "next day"));
    dest.close();
    const files = listLogFiles(dir).map((f) => f.file);
    expect(files[0]).toBe("2026-11-28.jsonl");
    expect(files).toContain("2026-11-28.1.jsonl");
    expect(files[files.length - 1]).toBe("2026-11-29.jsonl");
    for (const f of files.filter((name) => name.startsWith("2026-11-28"))) expect(readFileSync(join(dir, f)).length).toBeLessThanOrEqual(1024);
    // Every line is kept, in order, across the parts.
    const messages = queryLogs(dir).map((e) => e.message);
    expect(messages).toHaveLength(31);
    expect(messages[0]).toMatch(/^line 0 /);
    expect(messages[29]).toMatch(/^line 29 /);
    expect(messages[30]).toBe("next day");
  } finally {
    cleanup();
  }
});

it("a new process continues the day's last part", () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, "2026-11-28.jsonl"), "x".repeat(2000) + "\n");
    writeFileSync(join(dir, "2026-11-28.1.jsonl"), line("2026-11-28T09:00:00Z", "earlier"));
    const dest = new RotatingLogDestination(dir, { retentionDays: 14, maxFileMiB: 1 / 1024 }, () => new Date("2026-11-28T10:00:00Z"));
    dest.write(line("2026-11-28T10:00:00Z", "later"));
    dest.close();
    expect(readFileSync(join(dir, "2026-11-28.1.jsonl"), "utf8")).toMatch(/earlier[\s\S]*later/);
  } finally {
    cleanup();
  }
});

it("prunes files older than retentionDays and keeps the rest", () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const name of ["2026-11-20.jsonl", "2026-11-20.1.jsonl", "2026-11-25.jsonl", "2026-11-26.jsonl", "2026-11-28.jsonl", "notes.txt"]) writeFileSync(join(dir, name), "{}\n");
    const removed = pruneLogs(dir, 3, new Date("2026-11-28T12:00:00Z"));
    expect(removed.sort()).toEqual(["2026-11-20.1.jsonl", "2026-11-20.jsonl", "2026-11-25.jsonl"]);
    expect(readdirSync(dir).sort()).toEqual(["2026-11-26.jsonl", "2026-11-28.jsonl", "notes.txt"]);
  } finally {
    cleanup();
  }
});

it("reads logs: settings from config.yaml, refuses bad ones, and stays optional", () => {
  const base = { version: 1, endpoint: "https://pve:8006", tokenId: "root@pam!mpc" };
  expect(checkConfig(base, "config.yaml").logs).toBeUndefined();
  expect(checkConfig({ ...base, logs: { retentionDays: 3, maxFileMiB: 5 } }, "config.yaml").logs).toEqual({ retentionDays: 3, maxFileMiB: 5 });
  expect(checkConfig({ ...base, logs: { retentionDays: 7 } }, "config.yaml").logs).toEqual({ retentionDays: 7 });
  expect(() => checkConfig({ ...base, logs: { retentionDays: "a week" } }, "config.yaml")).toThrow("`logs.retentionDays` must be a number above 0");
});

it("parses --since as a duration or a date", () => {
  const now = new Date("2026-11-28T12:00:00Z");
  expect(parseSince("30m", now)?.toISOString()).toBe("2026-11-28T11:30:00.000Z");
  expect(parseSince("2h", now)?.toISOString()).toBe("2026-11-28T10:00:00.000Z");
  expect(parseSince("7d", now)?.toISOString()).toBe("2026-11-21T12:00:00.000Z");
  expect(parseSince("2026-11-01", now)?.toISOString()).toBe("2026-11-01T00:00:00.000Z");
  expect(parseSince("yesterday", now)).toBeUndefined();
});

it("follows appended lines, also in a new file, and stops when the signal aborts", async () => {
  const { dir, cleanup } = tempDir();
  try {
    appendFileSync(join(dir, "2026-11-28.jsonl"), line("2026-11-28T10:00:00Z", "before"));
    const seen: LogEntry[] = [];
    const controller = new AbortController();
    let ready = false;
    const following = followLogs(dir, { grep: "after" }, (e) => seen.push(e), { signal: controller.signal, pollMs: 10, onReady: () => (ready = true) });
    await until(() => ready);
    appendFileSync(join(dir, "2026-11-28.jsonl"), line("2026-11-28T10:00:01Z", "after one") + line("2026-11-28T10:00:01Z", "skipped"));
    await until(() => seen.length === 1);
    appendFileSync(join(dir, "2026-11-28.1.jsonl"), line("2026-11-28T10:00:02Z", "after two"));
    await until(() => seen.length === 2);
    controller.abort();
    await following;
    expect(seen.map((e) => e.message)).toEqual(["after one", "after two"]);
    expect(existsSync(join(dir, "2026-11-28.jsonl"))).toBe(true);
  } finally {
    cleanup();
  }
});

it("finds matches on the first and on an unterminated last line, with and without a selective filter", () => {
  const { dir, cleanup } = tempDir();
  try {
    const first = line("2026-11-28T10:00:00Z", "first", { correlationId: "c-aaaaaaaaaa", level: "error" });
    const middle = line("2026-11-28T10:00:01Z", "middle");
    const last = line("2026-11-28T10:00:02Z", "last", { correlationId: "c-aaaaaaaaaa", level: "warn" }).trimEnd();
    writeFileSync(join(dir, "2026-11-28.jsonl"), first + middle + "not json\n" + last);
    expect(queryLogs(dir, { correlation: "c-aaaa" }).map((e) => e.message)).toEqual(["first", "last"]);
    expect(queryLogs(dir, { level: "warn" }).map((e) => e.message)).toEqual(["first", "last"]);
    expect(queryLogs(dir, { level: "error" }).map((e) => e.message)).toEqual(["first"]);
    expect(queryLogs(dir, {}).map((e) => e.message)).toEqual(["first", "middle", "last"]);
    expect(queryLogs(dir, { limit: 2 }).map((e) => e.message)).toEqual(["middle", "last"]);
    expect(queryLogs(dir, { grep: "MIDDLE" }).map((e) => e.message)).toEqual(["middle"]);
  } finally {
    cleanup();
  }
});
