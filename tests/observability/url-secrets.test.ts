/**
 * A password or token in a URL (a webhook's `https://user:pw@host/?token=…`)
 * never reaches a log line, an operation's arguments or the audit trail:
 * redaction masks URL passwords and secret-named query parameters wherever
 * they appear, and `webhook add` treats its URL's path as a secret (chat services keep
 * their token there). Driven through the real CLI (`webhook add`), then read back
 * through `audit -o json`, `logs --operations -o json` and the log files.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { redactString } from "../../src/core/redact.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

const PASSWORD = "pw-canary-51d2";
const TOKEN = "tok-canary-9e07";
let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeAll(async () => {
  sim = await startSim({ size: 2 });
  ws = await initWorkspace(sim);
}, 60_000);
afterAll(async () => {
  ws?.cleanup();
  await sim?.close();
});

test.each([
  ["http://user:pw@chat.example.com/in?token=abc&x=1", "http://user:[REDACTED]@chat.example.com/in?token=[REDACTED]&x=1"],
  ["postgresql://postgres:s3cret@db:5432/mpc", "postgresql://postgres:[REDACTED]@db:5432/mpc"],
  ["https://h/x?api_key=K&page=2#top", "https://h/x?api_key=[REDACTED]&page=2#top"],
  ["postgresql://postgres@db:5432/mpc?schema=t1", "postgresql://postgres@db:5432/mpc?schema=t1"],
  ["https://example.com/?q=token", "https://example.com/?q=token"],
])("redactString(%j)", (text, expected) => {
  expect(redactString(text)).toBe(expected);
});

test.each([
  ["a password and a query token", `http://ops:${PASSWORD}@127.0.0.1:9/in?token=${TOKEN}&channel=infra`],
  ["a token in the path (Slack, Discord, Teams)", `https://127.0.0.1:9/services/T0${PASSWORD}/B0/${TOKEN}`],
])("webhook add with a URL holding %s: no secret in the audit, the operations or the log files", async (_what, url) => {
  const added = await ws.run(["webhook", "add", url, "--events", "sync.changed", "--generate-secret"]);
  expect(added.code).toBe(0);
  const audit = await ws.run(["audit", "-o", "json"]);
  expect(audit.code).toBe(0);
  expect(audit.stdout).toContain("webhook add");
  const operations = await ws.run(["logs", "--operations", "-o", "json"]);
  const logDir = join(ws.dir, ".proxmox-mpc", "logs");
  const logs = readdirSync(logDir).map((f) => readFileSync(join(logDir, f), "utf8")).join("\n");
  expect(logs).toContain("webhook");
  // (The add's own answer shows the URL to the person who typed it, a password and query values masked.)
  for (const text of [added.stderr, audit.stdout, operations.stdout, logs]) {
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(TOKEN);
  }
});
