/**
 * Contexts through the real CLI program against two simulators (HTTPS with
 * self-signed certificates): `context add` with each secret source (checked
 * against the server first; a wrong token or an unknown certificate saves
 * nothing), the file (mode 0600, never a secret; one holding a secret is
 * refused), use/list/show/remove, `init --context`, `--context` and
 * PROXMOX_MPC_CONTEXT over the workspace's server, `test-connection
 * --all-contexts`, a secret command that fails or hangs, a canary secret
 * that reaches no output and no log, and the console's prompt.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { contextLabel, contextsPath } from "../../src/core/contexts.js";
import { promptText } from "../../src/console/banner.js";
import type { Workspace } from "../../src/core/workspace.js";
import { cleanEnv, cli, cliOnTerminal, cliProcess } from "../helpers/cli.js";
import { initWorkspace, startSim, tempDir, type RunningSimulator } from "../helpers/sim.js";

const CANARY = "c4n4ry00-5ec7-4e7a-9d1f-0000deadbeef";

let lab: RunningSimulator; // the contexts' server (its token secret is the canary)
let home: RunningSimulator; // the workspace's own server
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  [lab, home] = await Promise.all([startSim({ tls: true, token: `root@pam!mpc=${CANARY}` }), startSim({ tls: true })]);
  tmp = tempDir("mpc-contexts-");
});
afterAll(async () => {
  await Promise.all([lab.close(), home.close()]);
  tmp.cleanup();
});

let n = 0;
/** A fresh user config folder (XDG_CONFIG_HOME) and an environment pointing at it, with LAB_SECRET set. */
function user(extra: Record<string, string | undefined> = {}): { env: NodeJS.ProcessEnv; file: string; dir: string } {
  const dir = join(tmp.dir, `user-${++n}`);
  mkdirSync(dir, { recursive: true });
  const env = cleanEnv({ XDG_CONFIG_HOME: join(dir, "config"), HOME: dir, LAB_SECRET: CANARY, ...extra });
  return { env, file: contextsPath(env), dir };
}

const labArgs = (): string[] => ["--endpoint", lab.url, "--token-id", "root@pam!mpc", "--fingerprint", lab.fingerprint!];
const run = (args: string[], env: NodeJS.ProcessEnv, cwd = tmp.dir) => cli(args, { env, cwd });
const everything = (r: { stdout: string; stderr: string }): string => r.stdout + r.stderr;

it("add with the secret in an environment variable: checked, saved without the secret, mode 0600 in a 0700 folder", async () => {
  const u = user();
  const before = lab.stats().requests;
  const added = await run(["context", "add", "lab", ...labArgs(), "--secret-env", "LAB_SECRET"], u.env);
  expect(added.code).toBe(0);
  expect(added.stdout).toContain("Context lab added");
  expect(added.stdout).toMatch(/Proxmox VE \d/);
  expect(lab.stats().requests).toBeGreaterThan(before); // the connection was checked
  const text = readFileSync(u.file, "utf8");
  expect(text).toContain("secret_env: LAB_SECRET");
  expect(text).not.toContain(CANARY);
  expect(statSync(u.file).mode & 0o777).toBe(0o600);
  expect(statSync(join(u.dir, "config", "proxmox-mpc")).mode & 0o777).toBe(0o700);
  expect(everything(added)).not.toContain(CANARY);
});

it("add with the secret in a file (a relative path is kept absolute) and from a command", async () => {
  const u = user();
  writeFileSync(join(u.dir, "lab.secret"), `${CANARY}\n`, { mode: 0o600 });
  const fromFile = await run(["context", "add", "lab-file", ...labArgs(), "--secret-file", "lab.secret"], u.env, u.dir);
  expect(fromFile.code).toBe(0);
  expect(fromFile.stderr).not.toContain("can be read by other users");
  const fromCommand = await run(["context", "add", "lab-cmd", ...labArgs(), "--secret-command", "printf '%s\\n' \"$LAB_SECRET\""], u.env);
  expect(fromCommand.code).toBe(0);
  const text = readFileSync(u.file, "utf8");
  expect(text).toContain(`secret_file: ${join(u.dir, "lab.secret")}`);
  expect(text).toContain("secret_command:");
  expect(text).not.toContain(CANARY);
  const listed = await run(["context", "list", "-o", "json"], u.env);
  expect(JSON.parse(listed.stdout).map((c: { name: string; secretFrom: string }) => [c.name, c.secretFrom])).toEqual([
    ["lab-file", `file ${join(u.dir, "lab.secret")}`],
    ["lab-cmd", `command \`printf '%s\\n' "$LAB_SECRET"\``],
  ]);
});

it("add is refused for a wrong token and for an unknown certificate (its fingerprint and the flag shown); nothing is saved", async () => {
  const u = user({ WRONG: "00000000-0000-0000-0000-000000000000" });
  const wrong = await run(["context", "add", "lab", ...labArgs(), "--secret-env", "WRONG"], u.env);
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toMatch(/rejected the API token.*Context lab was not saved/);
  expect(wrong.stderr).toContain("environment variable WRONG");
  expect(existsSync(u.file)).toBe(false);

  const untrusted = await run(["context", "add", "lab", "--endpoint", lab.url, "--token-id", "root@pam!mpc", "--secret-env", "LAB_SECRET"], u.env);
  expect(untrusted.code).toBe(1);
  expect(untrusted.stderr).toContain(lab.fingerprint!);
  expect(untrusted.stderr).toContain(`--fingerprint ${lab.fingerprint}`);
  expect(untrusted.stderr).toContain("not saved");
  expect(existsSync(u.file)).toBe(false);

  const unset = await run(["context", "add", "lab", ...labArgs(), "--secret-env", "NOT_SET_ANYWHERE"], { ...u.env, PROXMOX_MPC_CONTEXT: "lab" });
  expect(unset.code).toBe(2);
  expect(unset.stderr).toContain("NOT_SET_ANYWHERE is not set");
  expect(existsSync(u.file)).toBe(false);
});

it("a secret command that fails or runs past its timeout is a clear error", async () => {
  const u = user();
  const failing = await run(["context", "add", "bad", ...labArgs(), "--secret-command", "echo 'vault is sealed' >&2; exit 3"], u.env);
  expect(failing.code).toBe(2);
  expect(failing.stderr).toContain("the secret command failed (exit 3): vault is sealed");
  const started = Date.now();
  const slow = await run(["context", "add", "slow", ...labArgs(), "--secret-command", "sleep 20; echo x", "--secret-timeout", "1"], u.env);
  expect(slow.code).toBe(2);
  expect(slow.stderr).toContain("did not finish within 1 s");
  expect(Date.now() - started).toBeLessThan(10_000);
  const silent = await run(["context", "add", "silent", ...labArgs(), "--secret-command", "true"], u.env);
  expect(silent.stderr).toContain("printed nothing");
  expect(existsSync(u.file)).toBe(false);
});

it("a contexts file that holds a secret is refused with a clear error", async () => {
  const u = user();
  mkdirSync(join(u.dir, "config", "proxmox-mpc"), { recursive: true });
  writeFileSync(u.file, `contexts:\n  lab:\n    endpoint: ${lab.url}\n    token_id: root@pam!mpc\n    secret: ${CANARY}\n`);
  const listed = await run(["context", "list"], u.env);
  expect(listed.code).toBe(2);
  expect(listed.stderr).toContain("context lab holds a secret (`secret`), and this file never holds secrets");
  expect(everything(listed)).not.toContain(CANARY);
  writeFileSync(u.file, `contexts:\n  lab:\n    endpoint: ${lab.url}\n    token_id: root@pam!mpc=${CANARY}\n    secret_env: X\n`);
  const inId = await run(["--context", "lab", "test-connection"], u.env);
  expect(inId.code).toBe(2);
  expect(inId.stderr).toContain("`token_id` holds a secret");
  // A file others may write could run anyone's secret_command: refused.
  writeFileSync(u.file, `contexts:\n  lab:\n    endpoint: ${lab.url}\n    token_id: root@pam!mpc\n    secret_command: echo x\n`);
  chmodSync(u.file, 0o666);
  const open = await run(["context", "list"], u.env);
  expect(open.code).toBe(2);
  expect(open.stderr).toContain("is writable by others (mode 0666)");
});

it("use, list, show and remove (n keeps it; --no-input without --yes refuses; --yes removes)", async () => {
  const u = user();
  expect((await run(["context", "add", "lab", ...labArgs(), "--secret-env", "LAB_SECRET"], u.env)).code).toBe(0);
  expect((await run(["context", "add", "home", "--endpoint", home.url, "--token-id", "root@pam!mpc", "--fingerprint", home.fingerprint!, "--secret-env", "HOME_SECRET"], { ...u.env, HOME_SECRET: home.token.split("=")[1] })).code).toBe(0);
  expect((await run(["context", "use", "lab"], u.env)).code).toBe(0);
  const list = await run(["context", "list"], u.env);
  expect(list.stdout).toMatch(/^\*\s+lab\s/m);
  expect(list.stdout).toMatch(/^-?\s+home\s/m);
  const shown = await run(["context", "show"], u.env);
  expect(shown.stdout).toContain("Context lab (current)");
  expect(shown.stdout).toContain(`fingerprint ${lab.fingerprint}`);
  expect(shown.stdout).toContain("from environment variable LAB_SECRET");
  expect(JSON.parse((await run(["context", "show", "home", "-o", "json"], u.env)).stdout)).toMatchObject({ name: "home", current: false, endpoint: home.url, secretSource: { kind: "env", name: "HOME_SECRET" } });
  expect((await run(["context", "use", "nope"], u.env)).stderr).toContain('No context named "nope"');

  const kept = await cliOnTerminal(["context", "remove", "lab"], { env: u.env, cwd: tmp.dir, answer: "n" });
  expect(kept.asked[0]).toContain("Remove context lab");
  expect(kept.stdout).toContain("Kept context lab");
  expect(readFileSync(u.file, "utf8")).toContain("lab:");
  expect((await run(["context", "remove", "lab", "--no-input"], u.env)).code).toBe(2);
  const removed = await run(["context", "remove", "lab", "--yes"], u.env);
  expect(removed.code).toBe(0);
  const after = readFileSync(u.file, "utf8");
  expect(after).not.toContain("lab:");
  expect(after).not.toContain("current:");
  expect(after).toContain("home:");
});

it("init --context makes a workspace that records the context, not the secret, and works from it", async () => {
  const u = user();
  expect((await run(["context", "add", "lab", ...labArgs(), "--secret-env", "LAB_SECRET"], u.env)).code).toBe(0);
  const dir = join(u.dir, "infra");
  const init = await run(["init", dir, "--context", "lab", "--no-input"], u.env);
  expect(init.code).toBe(0);
  expect(init.stdout).toContain("secret from context lab, not stored");
  const config = readFileSync(join(dir, ".proxmox-mpc", "config.yaml"), "utf8");
  expect(config).toContain("context: lab");
  expect(config).toContain(`endpoint: ${lab.url}`);
  expect(config).toContain(lab.fingerprint!);
  expect(existsSync(join(dir, ".proxmox-mpc", "secrets"))).toBe(false);
  const sync = await run(["sync"], u.env, dir);
  expect(sync.code).toBe(0);
  const vms = await run(["get", "vms", "-o", "json"], u.env, dir);
  expect(JSON.parse(vms.stdout).length).toBe(lab.cluster.guests().filter((g) => g.type === "qemu").length);
  for (const r of [init, sync, vms]) expect(everything(r)).not.toContain(CANARY);
  for (const file of readdirSync(join(dir, ".proxmox-mpc", "logs"))) expect(readFileSync(join(dir, ".proxmox-mpc", "logs", file), "utf8")).not.toContain(CANARY);
  expect(config).not.toContain(CANARY);
});

it("--context and PROXMOX_MPC_CONTEXT send one run to the context's server instead of the workspace's (flag > env > workspace)", async () => {
  const u = user();
  expect((await run(["context", "add", "lab", ...labArgs(), "--secret-env", "LAB_SECRET"], u.env)).code).toBe(0);
  const ws = await initWorkspace(home, { extraArgs: [] });
  try {
    const env = { ...ws.env, XDG_CONFIG_HOME: u.env.XDG_CONFIG_HOME, LAB_SECRET: CANARY };
    const at = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
      const [l, h] = [lab.stats().requests, home.stats().requests];
      const r = await cli(args, { env: { ...env, ...extra }, cwd: ws.dir });
      return { ...r, lab: lab.stats().requests - l, home: home.stats().requests - h };
    };
    const plain = await at(["test-connection", "-o", "json"]);
    expect(JSON.parse(plain.stdout).endpoint).toBe(home.url);
    expect(plain.lab).toBe(0);

    const flagged = await at(["--context", "lab", "test-connection", "-o", "json"]);
    expect(flagged.code).toBe(0);
    expect(JSON.parse(flagged.stdout).endpoint).toBe(lab.url);
    expect(flagged.home).toBe(0);
    expect(flagged.lab).toBeGreaterThan(0);

    const live = await at(["get", "vms", "--live", "-o", "json"], { PROXMOX_MPC_CONTEXT: "lab" });
    expect(live.code).toBe(0);
    expect(live.home).toBe(0);
    expect(JSON.parse(live.stdout).map((g: { name: string }) => g.name).sort()).toEqual(
      lab.cluster.guests().filter((g) => g.type === "qemu").map((g) => String(g.config.name)).sort(),
    );

    // The flag wins over the environment; an unknown name is an error, not a silent fallback.
    const both = await at(["--context", "lab", "test-connection", "-o", "json"], { PROXMOX_MPC_CONTEXT: "missing" });
    expect(JSON.parse(both.stdout).endpoint).toBe(lab.url);
    const unknown = await at(["test-connection"], { PROXMOX_MPC_CONTEXT: "missing" });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No context named "missing"');
    expect(unknown.home + unknown.lab).toBe(0);
    for (const r of [flagged, live, both]) expect(everything(r)).not.toContain(CANARY);
  } finally {
    ws.cleanup();
  }
});

it("the current context serves runs outside a workspace; PROXMOX_VE_* still win there", async () => {
  const u = user();
  expect((await run(["context", "add", "lab", ...labArgs(), "--secret-env", "LAB_SECRET"], u.env)).code).toBe(0);
  expect((await run(["test-connection"], u.env)).code).toBe(2); // no current context yet, no PROXMOX_VE_*
  expect((await run(["context", "use", "lab"], u.env)).code).toBe(0);
  expect(JSON.parse((await run(["test-connection", "-o", "json"], u.env)).stdout).endpoint).toBe(lab.url);
  const viaEnv = await run(["test-connection", "-o", "json", "--fingerprint", home.fingerprint!], { ...u.env, PROXMOX_VE_ENDPOINT: home.url, PROXMOX_VE_API_TOKEN: home.token });
  expect(JSON.parse(viaEnv.stdout).endpoint).toBe(home.url);
});

it("test-connection --all-contexts checks each (a table; exit 1 if any failed)", async () => {
  const u = user({ HOME_SECRET: home.token.split("=")[1] });
  expect((await run(["context", "add", "lab", ...labArgs(), "--secret-env", "LAB_SECRET"], u.env)).code).toBe(0);
  expect((await run(["context", "add", "home", "--endpoint", home.url, "--token-id", "root@pam!mpc", "--fingerprint", home.fingerprint!, "--secret-env", "HOME_SECRET"], u.env)).code).toBe(0);
  const ok = await run(["test-connection", "--all-contexts"], u.env);
  expect(ok.code).toBe(0);
  expect(ok.stdout).toMatch(/CONTEXT\s+ENDPOINT\s+VERSION\s+ROUND TRIP\s+RESULT/);
  expect(ok.stdout).toMatch(/^lab\s+https:\/\/127\.0\.0\.1:\d+\s+\d+\.\d+\.\d+\s+[\d.]+ ms\s+ok$/m);
  expect(ok.stdout).toMatch(/^home\s.*ok$/m);
  // The secret of home goes away: home now fails, lab still works.
  const broken = await run(["test-connection", "--all-contexts", "-o", "json"], { ...u.env, HOME_SECRET: undefined });
  expect(broken.code).toBe(1);
  const checks = JSON.parse(broken.stdout) as { name: string; ok: boolean; error?: string; version?: string }[];
  expect(checks.find((c) => c.name === "lab")).toMatchObject({ ok: true });
  expect(checks.find((c) => c.name === "home")).toMatchObject({ ok: false, error: expect.stringContaining("HOME_SECRET is not set") });
  for (const r of [ok, broken]) expect(everything(r)).not.toContain(CANARY);
});

it("the canary secret reaches no output and no log line, even with --debug in a fresh process", async () => {
  const u = user();
  expect((await run(["context", "add", "lab", ...labArgs(), "--secret-command", 'echo "$LAB_SECRET"'], u.env)).code).toBe(0);
  const debug = await cliProcess(["--context", "lab", "--debug", "test-connection", "-o", "json"], { env: u.env, cwd: tmp.dir });
  expect(debug.code).toBe(0);
  expect(debug.stderr.length).toBeGreaterThan(0); // the debug log
  expect(everything(debug)).not.toContain(CANARY);
  const failed = await cliProcess(["--context", "lab", "--debug", "test-connection"], { env: { ...u.env, LAB_SECRET: `${CANARY}x` }, cwd: tmp.dir });
  expect(failed.code).toBe(1);
  expect(everything(failed)).not.toContain(CANARY);
});

it("the console's prompt names the context in effect (flag, environment, workspace, current outside a workspace)", () => {
  const ws = { name: "infra", paths: { root: "/x/infra" }, config: { endpoint: "https://pve1.example.com:8006", tokenId: "a@pam!b", tls: {}, version: 1 } } as unknown as Workspace;
  expect(promptText(ws, false)).toBe("proxmox-mpc infra@pve1> ");
  expect(promptText(ws, false, "lab")).toBe("proxmox-mpc infra (lab)> ");
  expect(promptText(undefined, false, "lab")).toBe("proxmox-mpc (lab)> ");
  const env = cleanEnv({ XDG_CONFIG_HOME: join(tmp.dir, "nowhere"), PROXMOX_MPC_CONTEXT: "prod" });
  expect(contextLabel("lab", env, "ws", true)).toBe("lab");
  expect(contextLabel(undefined, env, "ws", true)).toBe("prod");
  expect(contextLabel(undefined, cleanEnv({ XDG_CONFIG_HOME: join(tmp.dir, "nowhere") }), "ws", true)).toBe("ws");
  expect(contextLabel(undefined, cleanEnv({ XDG_CONFIG_HOME: join(tmp.dir, "nowhere") }), undefined, false)).toBeUndefined();
});
