/**
 * The token secret stays secret end to end: a canary secret goes through
 * init, sync, create, test, plan and a failing command (with --debug), then
 * `debug on`, a sync, a failing command and `logs -o json` at debug level, and
 * appears in no output and in no workspace file (log files included) but
 * .proxmox-mpc/secrets.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanEnv, cli } from "../helpers/cli.js";
import { startSim, tempDir, type RunningSimulator } from "../helpers/sim.js";

const CANARY = "canary-e2e-7e57-4000-8000-5ec12e7c0de9";
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSim({ size: 12, token: `root@pam!mpc=${CANARY}` });
});
afterAll(() => sim.close());

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

it("the canary appears only in .proxmox-mpc/secrets", async () => {
  const { dir, cleanup } = tempDir();
  const outside = tempDir("mpc-secret-");
  try {
    const secretFile = join(outside.dir, "secret.txt");
    writeFileSync(secretFile, CANARY);
    const env = cleanEnv();
    const outputs: string[] = [];
    const run = async (args: string[]): Promise<number> => {
      const r = await cli(args, { env, cwd: dir });
      outputs.push(r.stdout, r.stderr);
      return r.code;
    };
    expect(await run(["init", "--endpoint", sim.url, "--token-id", "root@pam!mpc", "--token-secret-file", secretFile, "--no-input"])).toBe(0);
    expect(await run(["sync", "--debug"])).toBe(0);
    expect(await run(["create", "vm", "--name", "canary-vm", "--debug"])).toBe(0);
    await run(["test", "-o", "json"]);
    expect(await run(["plan", "--engine", "native", "--debug", "-o", "json"])).toBe(0);
    expect(await run(["status", "--debug", "-o", "yaml"])).toBe(0);
    sim.cluster.faultNext(5, 500);
    expect(await run(["get", "vms", "--live", "--debug"])).toBe(1);
    // debug on (persisted): API calls at debug level in the log files and on stderr, then `logs` reads them back.
    expect(await run(["debug", "on"])).toBe(0);
    expect(await run(["sync"])).toBe(0);
    sim.cluster.faultNext(5, 500);
    expect(await run(["get", "vms", "--live"])).toBe(1);
    expect(await run(["logs", "-o", "json", "--level", "debug", "--limit", "100000"])).toBe(0);
    expect(outputs[outputs.length - 2]).toMatch(/"phase": "api.request"/);
    const logFiles = filesUnder(join(dir, ".proxmox-mpc", "logs"));
    expect(logFiles.some((f) => readFileSync(f, "utf8").includes('"phase":"api.request"'))).toBe(true);
    const leaks = filesUnder(dir)
      .filter((f) => !f.endsWith(join(".proxmox-mpc", "secrets")))
      .filter((f) => readFileSync(f).includes(CANARY));
    expect(leaks).toEqual([]);
    expect(readFileSync(join(dir, ".proxmox-mpc", "secrets"), "utf8").trim()).toBe(CANARY);
    expect(outputs.join("\n")).not.toContain(CANARY);
    expect(outputs.join("\n")).toMatch(/api request/); // --debug did log requests
  } finally {
    cleanup();
    outside.cleanup();
  }
});
