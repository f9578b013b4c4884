/** The `sim` command object: first stdout line, serving until aborted, usage errors (exit 2). */
import { resolve } from "node:path";
import { simCommand } from "../../src/commands/sim.js";
import type { CommandContext, CommandResult } from "../../src/commands/types.js";
import { UsageError } from "../../src/core/errors.js";
import { createLogger } from "../../src/core/logger.js";
import { ScriptedUI } from "../../src/core/ui.js";
import { testContext } from "../helpers/context.js";
import { seedsDir } from "./helpers.js";

function context(ui: ScriptedUI, signal: AbortSignal): CommandContext {
  return testContext({ ui, signal, command: "sim" });
}

async function firstLine(ui: ScriptedUI): Promise<string> {
  for (let i = 0; i < 500 && ui.lines.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  return ui.lines[0];
}

test("prints 'listening on URL token TOKEN' first, serves, and stops on abort", async () => {
  const ui = new ScriptedUI();
  const ctl = new AbortController();
  const done: Promise<CommandResult> = simCommand.run(context(ui, ctl.signal), { args: [], options: { port: 0, size: 3, token: "root@pam!t1=abc12345" } });
  const line = await firstLine(ui);
  const m = /^listening on (http:\/\/127\.0\.0\.1:\d+) token (\S+)$/.exec(line)!;
  expect(m).not.toBeNull();
  expect(m[2]).toBe("root@pam!t1=abc12345");
  const r = await fetch(`${m[1]}/api2/json/cluster/resources?type=vm`, { headers: { Authorization: `PVEAPIToken=${m[2]}` } });
  expect(((await r.json()) as { data: unknown[] }).data).toHaveLength(3);
  ctl.abort();
  expect(await done).toEqual({ kind: "none" });
  await expect(fetch(`${m[1]}/api2/json/version`)).rejects.toThrow();
  expect(ui.lines).toHaveLength(1);
});

test("--tls adds the fingerprint; the default token is root@pam!mpc=<uuid>; --seed works", async () => {
  const ui = new ScriptedUI();
  const ctl = new AbortController();
  const done = simCommand.run(context(ui, ctl.signal), { args: [], options: { port: 0, tls: true, seed: resolve(seedsDir, "small.yaml"), randomSeed: 1 } });
  const line = await firstLine(ui);
  ctl.abort();
  await done;
  expect(line).toMatch(/^listening on https:\/\/127\.0\.0\.1:\d+ token root@pam!mpc=[0-9a-f-]{36} fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  expect(ui.messages.map((m) => m.text).join("\n")).toContain("Simulating cluster 'homelab' (Proxmox VE 9.1.2): 2 nodes, 4 guests");
});

test.each([
  [{ port: -1 }, "--port must be a whole number between 0 and 65535, got \"-1\"."],
  [{ port: 70000 }, "--port must be a whole number between 0 and 65535"],
  [{ faultRate: 1.5 }, "--fault-rate must be a number between 0 and 1, got \"1.5\"."],
  [{ faultRate: -0.1 }, "--fault-rate must be a number between 0 and 1"],
  [{ latency: -5 }, "--latency must be a whole number 0 or more"],
  [{ size: "many" }, "--size must be a whole number"],
  [{ token: "not-a-token" }, "--token must look like user@realm!tokenid=secret."],
  [{ seed: "/nonexistent/x.yaml" }, "Cannot read seed file /nonexistent/x.yaml: no such file."],
  [{ seed: resolve(seedsDir, "small.yaml"), size: 5 }, "Give either --seed or --size, not both."],
  [{ pveVersion: "7.4" }, "--pve-version must be one of 8.4, 9.1, got \"7.4\"."],
  [{ password: "" }, "--password must not be empty."],
])("bad options %j → UsageError (exit 2), one line", async (options, message) => {
  const ui = new ScriptedUI();
  const err = await simCommand.run(context(ui, new AbortController().signal), { args: [], options: { port: 0, ...options } }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  expect((err as UsageError).exitCode).toBe(2);
  expect((err as Error).message).toContain(message);
  expect((err as Error).message).not.toContain("\n");
  expect(ui.lines).toEqual([]);
});

test("the command describes itself for --help", () => {
  expect(simCommand.name).toBe("sim");
  expect(simCommand.examples.length).toBeGreaterThan(1);
  const flags = simCommand.options!.map((o) => o.flags.split(" ")[0]);
  expect(flags).toEqual(["--port", "--host", "--tls", "--token", "--seed", "--size", "--random-seed", "--latency", "--fault-rate", "--task-delay", "--pve-version", "--password"]);
  expect(simCommand.options!.find((o) => o.flags.startsWith("--pve-version"))!.choices).toEqual(["8.4", "9.1"]);
  expect(simCommand.options!.find((o) => o.flags.startsWith("--port"))!.default).toBe(8006);
});
