/**
 * The Proxmox token secret from outside: from HashiCorp Vault's KV v2 (a
 * stand-in server answering with the shapes recorded in HashiCorp's API
 * documentation, tests/helpers/vault-server.ts) and from a command — for a
 * workspace (config.yaml `secret:` / `secret_command:`) and for a context
 * (`context add --secret-vault`, contexts.yaml `secret:`). A real
 * proxmox-mpc child process syncs against the simulator, whose only token
 * is the canary; every failure (wrong Vault token, missing key, Vault down,
 * an untrusted certificate, a malformed reference, a secret pasted into a
 * file) is exit 2 with a clear message; neither the canary nor the Vault
 * token reaches any output or log file.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { closedPort } from "../helpers/http-server.js";
import { join } from "node:path";
import { createSelfSignedCert } from "../../src/sim/tls.js";
import { cleanEnv, cli, cliProcess, type CliRun } from "../helpers/cli.js";
import { initWorkspace, startSim, tempDir, type RunningSimulator } from "../helpers/sim.js";
import { startVaultServer, type RunningVault } from "../helpers/vault-server.js";

const CANARY = "c4n4ry00-7a17-4e7a-9d1f-00005ec7e7ca";
const VAULT_TOKEN = "hvs.CAnaryVau1tT0ken0000000000000";
const WRONG_TOKEN = "hvs.Wr0ngVau1tT0ken11111111111111";
/** Another value in the same Vault secret: a missing-key error names the keys, never this. */
const OTHER_VALUE = "other-value-never-shown-2468";

let sim: RunningSimulator;
let vault: RunningVault;
let tmp: ReturnType<typeof tempDir>;
/** Every stdout and stderr of every run, checked for the canary and the Vault token at the end. */
const outputs: string[] = [];

beforeAll(async () => {
  [sim, vault] = await Promise.all([
    startSim({ size: 8, tls: true, token: `root@pam!mpc=${CANARY}` }),
    startVaultServer({
      token: VAULT_TOKEN,
      secrets: {
        "kv/proxmox": { token: CANARY, user: OTHER_VALUE },
        "kv/numbers": { token: 42 },
        "secret/teams/infra/pve": { token_secret: CANARY },
      },
      deleted: ["kv/retired"],
    }),
  ]);
  tmp = tempDir("mpc-vault-");
});
afterAll(async () => {
  await Promise.all([sim.close(), vault.close()]);
  tmp.cleanup();
});

const vaultEnv = (extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv =>
  cleanEnv({ VAULT_ADDR: vault.addr, VAULT_TOKEN, VAULT_NAMESPACE: undefined, VAULT_CACERT: undefined, XDG_CONFIG_HOME: join(tmp.dir, "no-config"), ...extra });
const both = (r: CliRun): string => r.stdout + r.stderr;
const keep = (r: CliRun): CliRun => (outputs.push(r.stdout, r.stderr), r);
/** Exit 0 (the stderr shown when not). */
const succeeded = (r: CliRun): void => expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) as string });

/** A workspace on the simulator whose config.yaml says where the secret lives (`lines` appended); no secrets file, no PROXMOX_VE_API_TOKEN. */
async function workspace(lines: string): Promise<string> {
  const ws = await initWorkspace(sim);
  const config = join(ws.dir, ".proxmox-mpc", "config.yaml");
  appendFileSync(config, lines);
  return ws.dir;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

it("a workspace whose config.yaml says `secret: vault://kv/proxmox#token` syncs in a child process; Vault is read once, with the token", async () => {
  const dir = await workspace("secret: vault://kv/proxmox#token\n");
  const before = vault.requests.length;
  const sync = keep(await cliProcess(["sync", "--debug"], { env: vaultEnv(), cwd: dir }));
  succeeded(sync);
  const reads = vault.requests.slice(before);
  expect(reads).toEqual([{ method: "GET", url: "/v1/kv/data/proxmox", tokenMatched: true }]);
  const vms = keep(await cliProcess(["get", "vms", "-o", "json"], { env: vaultEnv(), cwd: dir }));
  succeeded(vms);
  expect((JSON.parse(vms.stdout) as unknown[]).length).toBe(sim.cluster.guests().filter((g) => g.type === "qemu").length);
  // Without Vault's address the same workspace says what to set.
  const unset = keep(await cli(["test-connection"], { env: vaultEnv({ VAULT_ADDR: undefined }), cwd: dir }));
  expect(unset.code).toBe(2);
  expect(unset.stderr).toContain("VAULT_ADDR is not set");
  const noToken = keep(await cli(["test-connection"], { env: vaultEnv({ VAULT_TOKEN: undefined }), cwd: dir }));
  expect(noToken.code).toBe(2);
  expect(noToken.stderr).toContain("VAULT_TOKEN is not set");
  // PROXMOX_VE_API_TOKEN still wins over config.yaml (Vault is not asked).
  const asked = vault.requests.length;
  const fromEnv = keep(await cli(["test-connection"], { env: vaultEnv({ VAULT_ADDR: undefined, PROXMOX_VE_API_TOKEN: sim.token }), cwd: dir }));
  succeeded(fromEnv);
  expect(vault.requests.length).toBe(asked);
  for (const file of filesUnder(dir)) expect(readFileSync(file, "utf8")).not.toContain(CANARY);
});

it("a wrong Vault token is exit 2 naming VAULT_TOKEN (never the token); the child process syncs nothing", async () => {
  const dir = await workspace("secret: vault://kv/proxmox#token\n");
  const r = keep(await cliProcess(["sync"], { env: vaultEnv({ VAULT_TOKEN: WRONG_TOKEN }), cwd: dir }));
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("Vault refused VAULT_TOKEN for kv/proxmox (HTTP 403: permission denied)");
  expect(r.stderr).toMatch(/policy must allow read on kv\/data\/proxmox/);
  expect(both(r)).not.toContain(WRONG_TOKEN);
  expect(both(r)).not.toContain(VAULT_TOKEN);
  const logs = filesUnder(join(dir, ".proxmox-mpc", "logs")).map((f) => readFileSync(f, "utf8")).join("\n");
  expect(logs).not.toContain(WRONG_TOKEN);
});

it("a missing key names the keys there are (never their values); a number, a missing or deleted secret and a malformed reference are clear errors", async () => {
  const cases: [string, string][] = [
    ["vault://kv/proxmox#password", 'the secret kv/proxmox in Vault has no key "password" (its keys: token, user)'],
    ["vault://kv/numbers#token", 'the value of "token" in kv/numbers is a number, not a string'],
    ["vault://kv/nothing-here#token", "Vault has no secret at kv/nothing-here (HTTP 404)"],
    ["vault://kv/retired#token", "the latest version of kv/retired in Vault was deleted"],
  ];
  for (const [reference, message] of cases) {
    const dir = await workspace(`secret: ${reference}\n`);
    const r = keep(await cli(["sync"], { env: vaultEnv(), cwd: dir }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(both(r)).not.toContain(CANARY);
    expect(both(r)).not.toContain(OTHER_VALUE);
  }
  const malformed = await workspace("secret: vault://kv#token\n");
  const bad = keep(await cli(["sync"], { env: vaultEnv(), cwd: malformed }));
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("is not of the form vault://MOUNT/PATH#KEY");
  // The secret itself pasted into config.yaml is refused, and not repeated.
  const pasted = await workspace(`secret: ${CANARY}\n`);
  const refused = keep(await cli(["sync"], { env: vaultEnv(), cwd: pasted }));
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain("`secret` must be a Vault reference (vault://MOUNT/PATH#KEY): the secret itself never goes in config.yaml");
  expect(both(refused)).not.toContain(CANARY);
});

it("Vault down is exit 2 'unreachable'; an HTTPS Vault with a private CA needs VAULT_CACERT; VAULT_NAMESPACE is sent", async () => {
  const dir = await workspace("secret: vault://kv/proxmox#token\n");
  const down = keep(await cli(["sync"], { env: vaultEnv({ VAULT_ADDR: `http://127.0.0.1:${await closedPort()}` }), cwd: dir }));
  expect(down.code).toBe(2);
  expect(down.stderr).toMatch(/Vault at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)/);
  expect(down.stderr).toContain("Check VAULT_ADDR");

  const cert = createSelfSignedCert("127.0.0.1");
  const caFile = join(tmp.dir, "vault-ca.pem");
  writeFileSync(caFile, cert.certPem);
  const tlsVault = await startVaultServer({ token: VAULT_TOKEN, namespace: "infra", secrets: { "kv/proxmox": { token: CANARY } }, tls: cert });
  try {
    const untrusted = keep(await cli(["sync"], { env: vaultEnv({ VAULT_ADDR: tlsVault.addr, VAULT_NAMESPACE: "infra" }), cwd: dir }));
    expect(untrusted.code).toBe(2);
    expect(untrusted.stderr).toContain("is not trusted");
    expect(untrusted.stderr).toContain("Set VAULT_CACERT");
    const noNamespace = keep(await cli(["sync"], { env: vaultEnv({ VAULT_ADDR: tlsVault.addr, VAULT_CACERT: caFile }), cwd: dir }));
    expect(noNamespace.code).toBe(2);
    expect(noNamespace.stderr).toContain("HTTP 403");
    const ok = keep(await cliProcess(["sync"], { env: vaultEnv({ VAULT_ADDR: tlsVault.addr, VAULT_CACERT: caFile, VAULT_NAMESPACE: "infra" }), cwd: dir }));
    succeeded(ok);
    expect(tlsVault.requests.at(-1)).toEqual({ method: "GET", url: "/v1/kv/data/proxmox", tokenMatched: true, namespace: "infra" });
  } finally {
    await tlsVault.close();
  }
});

it("a workspace's secret_command: the child process syncs with what it prints; a failing one is exit 2 with its message", async () => {
  const secretFile = join(tmp.dir, "pve-secret.txt");
  writeFileSync(secretFile, `${CANARY}\n`, { mode: 0o600 });
  const dir = await workspace(`secret_command: cat '${secretFile}'\nsecret_timeout: 5\n`);
  const sync = keep(await cliProcess(["sync"], { env: vaultEnv({ VAULT_ADDR: undefined }), cwd: dir }));
  succeeded(sync);
  const failing = await workspace("secret_command: echo 'vault is sealed' >&2; exit 3\n");
  const r = keep(await cli(["sync"], { env: vaultEnv(), cwd: failing }));
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`The token secret of this workspace (secret_command in ${join(failing, ".proxmox-mpc", "config.yaml")}): the secret command failed (exit 3): vault is sealed`);
  const both2 = await workspace("secret: vault://kv/proxmox#token\nsecret_command: echo x\n");
  const conflict = keep(await cli(["sync"], { env: vaultEnv(), cwd: both2 }));
  expect(conflict.code).toBe(2);
  expect(conflict.stderr).toContain("give only one of `secret` (vault://…) and `secret_command`");
});

it("a context with --secret-vault: checked against the server, saved as `secret: vault://…` (never the secret), used by a child process", async () => {
  const home = join(tmp.dir, "user");
  mkdirSync(home, { recursive: true });
  const env = vaultEnv({ HOME: home, XDG_CONFIG_HOME: join(home, "config") });
  const reference = "vault://secret/teams/infra/pve#token_secret";
  const add = keep(await cli(["context", "add", "dc2", "--endpoint", sim.url, "--token-id", "root@pam!mpc", "--fingerprint", sim.fingerprint!, "--secret-vault", reference], { env, cwd: tmp.dir }));
  succeeded(add);
  expect(add.stdout).toContain(`secret from Vault ${reference}`);
  const file = join(home, "config", "proxmox-mpc", "contexts.yaml");
  const text = readFileSync(file, "utf8");
  expect(text).toContain(`secret: ${reference}`);
  expect(text).not.toContain(CANARY);
  const live = keep(await cliProcess(["--context", "dc2", "--debug", "test-connection", "-o", "json"], { env, cwd: tmp.dir }));
  succeeded(live);
  expect((JSON.parse(live.stdout) as { endpoint: string }).endpoint).toBe(sim.url);
  // A workspace made from the context records its name, not the secret; a child process syncs through Vault.
  const dir = join(home, "infra");
  const init = keep(await cli(["init", dir, "--context", "dc2", "--no-input"], { env, cwd: tmp.dir }));
  succeeded(init);
  const before = vault.requests.length;
  const sync = keep(await cliProcess(["sync"], { env, cwd: dir }));
  succeeded(sync);
  expect(vault.requests.slice(before)).toEqual([{ method: "GET", url: "/v1/secret/data/teams/infra/pve", tokenMatched: true }]);
  for (const f of filesUnder(dir)) expect(readFileSync(f, "utf8")).not.toContain(CANARY);
  const wrong = keep(await cliProcess(["--context", "dc2", "test-connection"], { env: { ...env, VAULT_TOKEN: WRONG_TOKEN }, cwd: tmp.dir }));
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toContain("The token secret of context dc2: Vault refused VAULT_TOKEN for secret/teams/infra/pve");
  expect(both(wrong)).not.toContain(WRONG_TOKEN);
  // Not a reference: refused before anything is read, and not repeated.
  const pasted = keep(await cli(["context", "add", "oops", "--endpoint", sim.url, "--token-id", "root@pam!mpc", "--secret-vault", CANARY], { env, cwd: tmp.dir }));
  expect(pasted.code).toBe(2);
  expect(pasted.stderr).toContain("--secret-vault: the value must be a Vault reference");
  expect(both(pasted)).not.toContain(CANARY);
  // A contexts.yaml whose `secret:` holds the secret itself is refused, and the secret not repeated.
  writeFileSync(file, `contexts:\n  dc2:\n    endpoint: ${sim.url}\n    token_id: root@pam!mpc\n    secret: ${CANARY}\n`, { mode: 0o600 });
  const refused = keep(await cli(["context", "list"], { env, cwd: tmp.dir }));
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain("context dc2 holds a secret (`secret`), and this file never holds secrets");
  expect(refused.stderr).toContain("or Vault (secret: vault://MOUNT/PATH#KEY)");
  expect(both(refused)).not.toContain(CANARY);
});

it("neither the canary secret nor the Vault token reached any output", () => {
  expect(outputs.length).toBeGreaterThan(20);
  const all = outputs.join("\n");
  expect(all).not.toContain(CANARY);
  expect(all).not.toContain(VAULT_TOKEN);
  expect(all).not.toContain(WRONG_TOKEN);
  expect(all).toMatch(/api request/); // the --debug runs did log their requests
});
