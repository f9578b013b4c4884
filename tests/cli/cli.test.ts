/** The CLI face: help, version, exit codes and error rendering, driven through the real program. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { COMMANDS } from "../../src/commands/registry.js";
import { cleanEnv, cli, cliProcess, REPO_ROOT } from "../helpers/cli.js";

const version = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version as string;

describe("proxmox-mpc CLI", () => {
  it("--version prints the package version (launcher fast path, no dist needed)", async () => {
    const run = await cliProcess(["--version"]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(version);
  });

  it("--help lists every registered command and the exit codes", async () => {
    const run = await cli(["--help"]);
    expect(run.code).toBe(0);
    for (const command of COMMANDS) {
      if (command.hidden) expect(run.stdout).not.toMatch(new RegExp(`^\\s+${command.name}\\b`, "m"));
      else expect(run.stdout).toMatch(new RegExp(`^\\s+${command.name}\\b`, "m"));
    }
    expect(run.stdout).toMatch(/Exit codes:[\s\S]*2\s+bad usage/);
  });

  it.each(COMMANDS.map((c) => c.name))("%s --help shows an example", async (name) => {
    const run = await cli([name, "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Examples:\n\s+\$ .*proxmox-mpc /);
  });

  it("an unknown command is a usage error (2) with a suggestion", async () => {
    const run = await cli(["test-conection"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown command 'test-conection'/);
    expect(run.stderr).toMatch(/Did you mean test-connection\?/);
  });

  it("a missing kind (`stop web-01`) gets the line with the kind put in; a missing argument gets an example", async () => {
    const stop = await cli(["stop", "web-01", "--no-wait"]);
    expect(stop.code).toBe(2);
    expect(stop.stderr).toContain("hint: name the kind first: `proxmox-mpc stop vm web-01 --no-wait` (vm for a VM, ct for a container).");
    const describe = await cli(["describe", "web-01"]);
    expect(describe.code).toBe(2);
    expect(describe.stderr).toMatch(/missing required argument 'name'\nhint: e\.g\. `proxmox-mpc describe vm /);
  });

  it("a bad option value is a usage error (2)", async () => {
    const run = await cli(["test-connection", "--timeout", "soon"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --timeout must be a number, got "soon"\.$/m);
  });

  it("an unknown output format names the valid ones", async () => {
    const run = await cli(["test-connection", "-o", "xml"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/table, wide, json, yaml/);
  });

  it("test-connection without an endpoint says what to set (exit 2)", async () => {
    const run = await cli(["test-connection"], { env: cleanEnv() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: No Proxmox VE endpoint given.");
    expect(run.stderr).toContain("hint: Pass --endpoint https://HOST:8006 or set PROXMOX_VE_ENDPOINT.");
  });

  it("a malformed token is a usage error that does not echo the secret", async () => {
    const run = await cli(["test-connection"], { env: cleanEnv({ PROXMOX_VE_ENDPOINT: "127.0.0.1:9", PROXMOX_VE_API_TOKEN: "rootpam-mpc=canary-leak-1234" }) });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not of the form user@realm!tokenid=secret/);
    expect(run.stderr + run.stdout).not.toContain("canary-leak-1234");
  });

  it("an unreachable server fails with exit 1, naming the endpoint, and -o json carries the error", async () => {
    const run = await cli(["test-connection", "-o", "json"], {
      env: cleanEnv({ PROXMOX_VE_ENDPOINT: "http://127.0.0.1:9", PROXMOX_VE_API_TOKEN: "root@pam!mpc=canary-leak-5678" }),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error: Cannot reach http://127.0.0.1:9: connection refused.");
    expect(JSON.parse(run.stdout).error.code).toBe("network");
    expect(run.stderr + run.stdout).not.toContain("canary-leak-5678");
  });

  it("commands that need a workspace refuse outside one (exit 2)", async () => {
    const run = await cli(["get", "vms"], { cwd: "/" });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Not in a proxmox-mpc workspace/);
  });
});
