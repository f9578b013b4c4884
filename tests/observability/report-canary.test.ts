/**
 * report-issue never lets a secret out: distinct canaries are planted as the
 * API token secret (environment and .proxmox-mpc/secrets), a secret
 * environment variable, a password in config.yaml and in a cloud-init block
 * of an IaC file, an ssh private key (its own file and inside a playbook's
 * variables), a public ssh key, a guest's cipassword on the server (synced),
 * a log line, an error message stored with an operation, a task log line
 * written by this tool, and a line of a failed task's log on the server
 * (fetched into the bundle because the failing operation's trace names it);
 * no canary (nor any part of one) may reach any bundle file or the output.
 * With --anonymize, hostnames, IPs, MACs and usernames are replaced consistently.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { databaseUrl, loadWorkspace } from "../../src/core/workspace.js";
import { ProxmoxClient } from "../../src/proxmox/client.js";
import { openStore } from "../../src/state/store.js";
import { cli } from "../helpers/cli.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

const C = {
  token: "canary-token-secret-7f3e9d2a",
  env: "canary-env-password-5512",
  config: "canary-config-password-3391",
  iac: "canary-iac-password-9120",
  privateKey: "canaryPrivateKeyBodyQWxhZGRpbjpvcGVuIHNlc2FtZQ",
  sshPublic: "AAAAC3NzaC1lZDI1NTE5AAAAIcanaryPublicKey0000000000000000",
  cipassword: "canary-cipassword-4471",
  log: "canary-log-password-4409",
  error: "canary-error-cipassword-6650",
  task: "canary-task-log-secret-7781",
  serverTask: "canary-server-task-log-2290",
};
const PEM = `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n${C.privateKey}\n-----END OPENSSH PRIVATE KEY-----`;
const MAC = "BC:24:11:AB:CD:EF";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let env: NodeJS.ProcessEnv;
/** The failed task whose log (on the simulator) holds a canary. */
let upid = "";

beforeAll(async () => {
  sim = await startSim({ size: 4, token: `root@pam!mpc=${C.token}` });
  const guest = sim.cluster.guests().find((g) => g.type === "qemu")!;
  guest.config.cipassword = C.cipassword;
  ws = await initWorkspace(sim);
  env = { ...ws.env, MY_DB_PASSWORD: C.env };
  const dir = ws.dir;
  writeFileSync(join(dir, ".proxmox-mpc", "secrets"), `${C.token}\n`, { mode: 0o600 });
  appendFileSync(join(dir, ".proxmox-mpc", "config.yaml"), `proxy_password: ${C.config}\n`);
  expect((await cli(["sync"], { env, cwd: dir })).code).toBe(0);
  writeFileSync(
    join(dir, "terraform", "canary.tf"),
    `resource "proxmox_virtual_environment_vm" "canary" {\n  name = "canary-vm"\n  initialization {\n    user_account {\n      username = "deploy"\n      password = "${C.iac}"\n      keys     = ["ssh-ed25519 ${C.sshPublic} ops@laptop"]\n    }\n  }\n  network_device { mac_address = "${MAC}" }\n}\n`,
  );
  mkdirSync(join(dir, "ansible", "group_vars"), { recursive: true });
  writeFileSync(join(dir, "ansible", "id_ed25519"), `${PEM}\n`, { mode: 0o600 });
  writeFileSync(join(dir, "ansible", "group_vars", "all.yml"), `ansible_user: deploy\nansible_ssh_private_key: |\n  ${PEM.split("\n").join("\n  ")}\n`);
  const vm = sim.cluster.guests().find((g) => g.type === "qemu")!;
  sim.cluster.failNextTask({ type: "qmstart", vmid: vm.vmid, message: `cloud-init: set password: ${C.serverTask}` });
  const client = ProxmoxClient.fromInput({ endpoint: sim.url, token: sim.token }, {}, { retries: 0 });
  try {
    upid = await client.powerAction(vm.node, "qemu", vm.vmid, "start");
    await expect(client.waitForTask(upid, { pollMs: 10 })).rejects.toThrow(C.serverTask);
  } finally {
    client.close();
  }
  const now = new Date().toISOString();
  const lines = [
    { level: "error", time: now, correlationId: "c-canary0001", command: "apply", msg: `login failed with password=${C.log}, retried with ${C.iac}` },
    { level: "error", time: now, correlationId: "c-canary0001", command: "apply", msg: "task failed", err: { code: "task-failed", message: `UPID failed on ${MAC}`, upid, logTail: [`TASK ERROR: set password: ${C.task}`] } },
  ];
  appendFileSync(join(dir, ".proxmox-mpc", "logs", `${now.slice(0, 10)}.jsonl`), lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  const store = await openStore({ url: databaseUrl(await loadWorkspace(dir), {}) });
  try {
    await store.operations.record({ correlationId: "c-canary0001", command: "apply", actor: "cli", arguments: {}, result: "failed", exitCode: 1, error: `qm set failed: cipassword=${C.error}` });
  } finally {
    await store.close();
  }
});
afterAll(async () => {
  ws.cleanup();
  await sim.close();
});

/** Every file under diagnostics/ (or a given folder), by name. */
function bundleFiles(dir: string): Map<string, string> {
  return new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")]));
}

function expectNoCanary(texts: Iterable<string>): void {
  for (const text of texts) {
    for (const [where, canary] of Object.entries(C)) expect({ where, leaked: text.includes(canary) }).toEqual({ where, leaked: false });
    expect(text).not.toMatch(/canary(?!-vm|\.tf|0001|\b)/i);
  }
}

it("no canary reaches the bundle, its Markdown, or what the command prints", async () => {
  const out = join(ws.dir, "bundle-plain");
  const run = await cli(["report-issue", "apply keeps failing", "--out", out, "--timeout", "60"], { env, cwd: ws.dir });
  expect(run.stderr).not.toContain("error:");
  expect(run.code).toBe(0);
  const files = bundleFiles(out);
  expect([...files.keys()].sort()).toEqual([expect.stringMatching(/^issue-.*\.json$/), expect.stringMatching(/^issue-.*\.md$/)]);
  expectNoCanary([...files.values(), run.stdout, run.stderr]);
  const bundle = JSON.parse([...files.entries()].find(([f]) => f.endsWith(".json"))![1]);
  // The planted places were really carried (so the test proves removal, not absence).
  expect(bundle.files.map((f: { path: string }) => f.path)).toEqual(expect.arrayContaining(["terraform/canary.tf", "ansible/group_vars/all.yml", ".proxmox-mpc/config.yaml"]));
  expect(bundle.files.map((f: { path: string }) => f.path)).not.toContain("ansible/id_ed25519");
  expect(JSON.stringify(bundle.failure.trace)).toContain("TASK ERROR: set password: [REMOVED]");
  expect(bundle.failure.operation.error).toBe("qm set failed: cipassword=[REMOVED]");
  expect(bundle.taskLogs.tasks).toEqual([expect.objectContaining({ upid, source: "failing operation", exitstatus: "cloud-init: set password: [REMOVED]" })]);
  expect(bundle.taskLogs.tasks[0].lines).toContain("TASK ERROR: cloud-init: set password: [REMOVED]");
  expect(bundle.removed.secrets).toBeGreaterThanOrEqual(8);
});

it("--anonymize: no canary either, and hostnames, IPs, MACs and usernames replaced consistently", async () => {
  const out = join(ws.dir, "bundle-anon");
  const run = await cli(["report-issue", "apply keeps failing", "--out", out, "--anonymize", "--timeout", "60"], { env, cwd: ws.dir });
  expect(run.code).toBe(0);
  const files = bundleFiles(out);
  const texts = [...files.values()];
  expectNoCanary([...texts, run.stdout]);
  const nodes = [...sim.cluster.nodes.keys()];
  for (const text of texts) {
    expect(text).not.toContain("127.0.0.1");
    expect(text.toUpperCase()).not.toContain(MAC);
    for (const node of nodes) expect(text).not.toMatch(new RegExp(`(?<![\\w-])${node}(?![\\w-])`));
  }
  const bundle = JSON.parse(texts[[...files.keys()].findIndex((f) => f.endsWith(".json"))]);
  expect(bundle.anonymized).toBe(true);
  const endpointIp = /^http:\/\/(10\.0\.\d+\.\d+):\d+$/.exec(bundle.environment.endpoint)?.[1];
  expect(endpointIp).toBeDefined();
  const config = bundle.files.find((f: { path: string }) => f.path === ".proxmox-mpc/config.yaml").content;
  expect(config).toContain(`http://${endpointIp}:`);
  const tf = bundle.files.find((f: { path: string }) => f.path === "terraform/canary.tf").content;
  const macPlaceholder = /mac_address = "([0-9a-f:]+)"/.exec(tf)?.[1];
  expect(macPlaceholder).toMatch(/^02:00:00:00:/);
  expect(JSON.stringify(bundle.failure.trace)).toContain(`UPID failed on ${macPlaceholder}`);
  expect(bundle.taskLogs.tasks).toEqual([expect.objectContaining({ source: "failing operation", node: expect.stringMatching(/^host-\d+$/), upid: expect.stringMatching(/^UPID:host-\d+:/) })]);
  const user = /username = "(user-\d+)"/.exec(tf)?.[1];
  expect(user).toBeDefined();
  const vars = bundle.files.find((f: { path: string }) => f.path === "ansible/group_vars/all.yml").content;
  expect(vars).toContain(`ansible_user: ${user}`);
  for (const text of texts) expect(text).not.toMatch(/\bdeploy\b/);
  const host = /host-\d+/.exec(JSON.stringify(bundle.health))?.[0] ?? /host-\d+/.exec(JSON.stringify(bundle.files))?.[0];
  expect(host).toBeDefined();
});
