/**
 * Every command of DESIGN.md's table that these issues deliver is in the
 * registry and reachable from both faces: the shell CLI and the console
 * (piped), through the same program.
 */
import { COMMANDS } from "../../src/commands/registry.js";
import { cli, cliProcess } from "../helpers/cli.js";

const DESIGN_COMMANDS = [
  "init", "test-connection", "sync", "status", "get", "describe", "create", "delete",
  "start", "stop", "shutdown", "reboot", "test", "plan", "apply", "destroy", "sim", "demo",
];

it("the registry holds every command of the design's table (for these issues)", () => {
  const names = COMMANDS.map((c) => c.name);
  expect(DESIGN_COMMANDS.filter((n) => !names.includes(n))).toEqual([]);
});

it("command names are unique and every command has a summary and an example", () => {
  const names = COMMANDS.map((c) => c.name);
  expect(new Set(names).size).toBe(names.length);
  for (const c of COMMANDS) {
    expect(c.summary.length).toBeGreaterThan(10);
    expect(c.examples.length).toBeGreaterThan(0);
  }
});

it.each(COMMANDS.filter((c) => !c.hidden).map((c) => c.name))("%s is reachable from the shell CLI", async (name) => {
  const run = await cli([name, "--help"]);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(new RegExp(`^Usage: proxmox-mpc ${name}\\b`, "m"));
});

it("every command is reachable from the console, by name and (where marked) by /name", async () => {
  const visible = COMMANDS.filter((c) => !c.hidden);
  const lines = [...visible.map((c) => `${c.name} --help`), ...visible.filter((c) => c.slash).map((c) => `/${c.name} --help`)];
  const run = await cliProcess([], { input: `${lines.join("\n")}\n`, cwd: "/" });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  for (const c of visible) expect(run.stdout).toContain(`Usage: proxmox-mpc ${c.name}`);
  const count = (run.stdout.match(/^Usage: proxmox-mpc /gm) ?? []).length;
  expect(count).toBe(lines.length);
});
