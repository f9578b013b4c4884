/**
 * report-issue's removal and anonymization are precise: usernames are
 * replaced wherever used as one (the token's `user@realm!tokenid`, ssh key
 * comments, `username =`), the workspace's path becomes `<workspace>`;
 * words of the tool's vocabulary (vm, ct, command names) are not hostnames;
 * placeholders and template expressions (`user@realm!tokenid=secret`,
 * `{{ lookup(…) }}`, `<…>`, xxxx) are no secrets, and a removal replaces a
 * whole value (a YAML block, a quoted value over lines) so the file keeps its
 * structure; the count of removed secrets counts real removals only.
 */
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { load } from "js-yaml";
import { Anonymizer } from "../../src/observability/anonymize.js";
import { REMOVED, SecretScrubber } from "../../src/observability/sanitize.js";
import { guestName, initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

describe("Anonymizer", () => {
  it("replaces the user of `user@realm!tokenid` and of ssh key comments (root and admin too), consistently", () => {
    const a = new Anonymizer();
    a.addUsernames(["root"]);
    const out = a.value({ tokenId: "root@pam!mpc", config: "tokenId: root@pam!mpc\nuser: root@pam\ntoken_id: mpc\n", keys: "[REMOVED] (ssh key) admin@mgmt", env: "root@pam!mpc" });
    expect(out.tokenId).toBe("user-1@pam!token-1");
    expect(out.env).toBe("user-1@pam!token-1");
    expect(out.config).toBe("tokenId: user-1@pam!token-1\nuser: user-1@pam\ntoken_id: token-1\n");
    expect(out.keys).toBe("[REMOVED] (ssh key) user-2@mgmt");
    expect(JSON.stringify(out)).not.toMatch(/\broot\b|\badmin\b|\bmpc\b/);
    // The documented placeholder stays as it is.
    expect(a.text("PROXMOX_VE_API_TOKEN (user@realm!tokenid=secret)")).toBe("PROXMOX_VE_API_TOKEN (user@realm!tokenid=secret)");
  });

  it("replaces the workspace's path (and its folder name) with <workspace>, the home folder with <home>", () => {
    const a = new Anonymizer();
    a.addWorkspace("/tmp/qa-ws");
    a.addHome("/home/alice");
    const out = a.value({ location: "/tmp/qa-ws/.proxmox-mpc/state.db", context: { workspace: "qa-ws" }, msg: "wrote /tmp/qa-ws/terraform/web.tf", other: "/private/tmp/qa-ws/x", home: "/home/alice/.ssh/id_ed25519", near: "/tmp/qa-ws-2/x" });
    expect(out).toEqual({ location: "<workspace>/.proxmox-mpc/state.db", context: { workspace: "<workspace>" }, msg: "wrote <workspace>/terraform/web.tf", other: "/private/tmp/<workspace>/x", home: "<home>/.ssh/id_ed25519", near: "/tmp/qa-ws-2/x" });
  });

  it("does not take vocabulary words (vm, ct, command names, option values) for hostnames, but replaces real ones and FQDNs consistently", () => {
    const a = new Anonymizer();
    // "vm" is this machine's hostname here (as on the QA machine).
    a.addHostnames(["pve1", "api-01", "vm", "pve.example.lan"]);
    const op = a.value({ command: "snapshot", arguments: { args: ["rollback", "vm", "api-01", "pre"], options: { node: "pve1", type: "vm" } }, host: "vm" });
    const api = a.text("api-01");
    expect(api).toMatch(/^host-\d+$/);
    expect(op.arguments.args).toEqual(["rollback", "vm", api, "pre"]);
    expect(op.arguments.options).toEqual({ node: a.text("pve1"), type: "vm" });
    // A field that holds a hostname is replaced even when the name is a common word.
    expect(op.host).toMatch(/^host-\d+$/);
    expect(op.host).not.toBe(api);
    expect(a.text("start vm api-01; list cts and vms; sync; create ct")).toBe(`start vm ${api}; list cts and vms; sync; create ct`);
    expect(a.text("https://pve.example.lan:8006 and db.corp.internal, registry.terraform.io, inventory.yml, ansible.builtin.env")).toMatch(/^https:\/\/host-\d+:8006 and host-\d+, registry\.terraform\.io, inventory\.yml, ansible\.builtin\.env$/);
    expect(a.text("db.corp.internal")).toBe(a.text("db.corp.internal"));
    // This machine's name (here "build") is replaced where a field holds it, not as a word.
    a.addHostnames(["build"], { words: false });
    expect(a.value({ host: "build", msg: "npm run build" })).toEqual({ host: expect.stringMatching(/^host-\d+$/), msg: "npm run build" });
    // Terraform spells api-01 as api_01; the inventory's group node_pve1; the realm @pve is no node.
    expect(a.text('resource "x" "api_01" in terraform/api_01.tf; node_pve1; root@pve')).toBe(`resource "x" "${api.replace("-", "_")}" in terraform/${api.replace("-", "_")}.tf; node_${a.text("pve1")}; user-1@pve`);
  });

  it("usernames: assigned ones everywhere as words, generic ones (debian, root) only where used as a username", () => {
    const a = new Anonymizer();
    a.learnUsernames('username = "deploy"\nansible_user: debian\n');
    expect(a.text('username = "deploy" and deploy; ansible_user: debian; ostype debian; tags ["debian"]')).toBe('username = "user-1" and user-1; ansible_user: user-2; ostype debian; tags ["debian"]');
  });
});

describe("SecretScrubber", () => {
  it("keeps placeholders and template expressions, and counts nothing for them", () => {
    const s = new SecretScrubber();
    const text = [
      "# proxmox-mpc uses: PROXMOX_VE_ENDPOINT, PROXMOX_VE_API_TOKEN (user@realm!tokenid=secret)",
      "#   export PROXMOX_VE_API_TOKEN='user@realm!tokenid=secret'   # never stored here",
      `token_secret: "{{ lookup('env', 'PROXMOX_TOKEN_SECRET') }}"`,
      "password: <your password>",
      "api_key: xxxx",
      "client_secret: SECRET",
      "password = var.vm_password",
      "Authorization: PVEAPIToken=USER@REALM!TOKENID=<secret>",
      "",
    ].join("\n");
    s.learnFrom(text);
    expect(s.text(text)).toBe(text);
    expect(s.removed).toBe(0);
    // Nothing was learned as a secret either: the word "secrets" elsewhere stays.
    expect(s.knownOnly("see .proxmox-mpc/secrets")).toBe("see .proxmox-mpc/secrets");
  });

  it("a template that spans lines (a YAML block) stays whole; a real secret in a block or over lines goes whole, leaving no orphan lines", () => {
    const s = new SecretScrubber();
    const template = "token_secret: >-\n  {{ (lookup('ansible.builtin.env', 'PROXMOX_VE_API_TOKEN') | regex_replace('^[^=]*=', '')) or\n  lookup('ansible.builtin.env', 'PROXMOX_TOKEN_SECRET') or undef(hint='Set\n  PROXMOX_VE_API_TOKEN=user@realm!tokenid=secret (or PROXMOX_TOKEN_SECRET=secret) in the\n  environment') }}\nvalidate_certs: true\n";
    expect(s.text(template)).toBe(template);
    const quoted = `token_secret: "{{ lookup('env',\n  'PROXMOX_TOKEN_SECRET') }}"\nnext: 1\n`;
    expect(s.text(quoted)).toBe(quoted);
    expect(s.removed).toBe(0);
    const real = "db:\n  password: |\n    hunter2-real-pass\n    second-line\n  user: app\nvault_password: \"abc\n  def\"\nother: 2\n";
    const out = s.text(real);
    expect(out).toBe(`db:\n  password: ${REMOVED}\n  user: app\nvault_password: "${REMOVED}"\nother: 2\n`);
    expect(load(out)).toMatchObject({ db: { user: "app" }, other: 2 });
    expect(s.removed).toBe(2);
  });
});

describe("report-issue on a workspace", () => {
  let sim: RunningSimulator;
  let ws: Awaited<ReturnType<typeof initWorkspace>>;
  let guest = "";

  beforeAll(async () => {
    sim = await startSim({ size: 4 });
    ws = await initWorkspace(sim);
    expect((await ws.run(["sync"])).code).toBe(0);
    guest = guestName(sim.cluster.guests().find((g) => g.type === "qemu" && g.config.sshkeys)!);
    // Fails (no such snapshot), and is recorded with its arguments.
    await ws.run(["snapshot", "rollback", "vm", guest, "pre", "--yes"]);
  });
  afterAll(async () => {
    ws.cleanup();
    await sim.close();
  });

  it("keeps the provider.tf comment and proxmox.yml's token_secret template (valid YAML), and counts only real removals", async () => {
    const run = await ws.run(["report-issue", "x", "-o", "json", "--timeout", "60"]);
    expect(run.code).toBe(0);
    const json = readFileSync(JSON.parse(run.stdout).json, "utf8");
    const b = JSON.parse(json);
    const file = (path: string): string => b.files.find((f: { path: string }) => f.path === path).content;
    expect(file("terraform/provider.tf")).toBe(readFileSync(join(ws.dir, "terraform", "provider.tf"), "utf8"));
    const yml = file("ansible/proxmox.yml");
    expect(yml).toBe(readFileSync(join(ws.dir, "ansible", "proxmox.yml"), "utf8"));
    expect((load(yml) as { token_secret: string }).token_secret).toMatch(/^\{\{ \(lookup\('ansible\.builtin\.env', 'PROXMOX_VE_API_TOKEN'\)/);
    // The one real removal: the guest's ssh key (its comment is no secret).
    expect(b.removed.secrets).toBe(json.split(REMOVED).length - 1);
    expect(b.removed.secrets).toBeGreaterThanOrEqual(1);
  });

  it("--anonymize replaces the token's user and name, ssh key comments' users and the workspace's path; keeps `vm`", async () => {
    const run = await ws.run(["report-issue", "x", "--anonymize", "-o", "json", "--timeout", "60"]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    const texts = [readFileSync(out.json, "utf8"), readFileSync(out.markdown, "utf8"), out.prompt as string];
    for (const text of texts) {
      expect(text).not.toContain("root@pam");
      expect(text).not.toMatch(/\badmin(@|%40)mgmt/);
      expect(text).not.toContain(ws.dir);
      expect(text).not.toContain(basename(ws.dir));
      expect(text).not.toMatch(new RegExp(`(?<![\\w-])${guest}(?![\\w-])`));
    }
    const b = JSON.parse(texts[0]);
    expect(b.environment.tokenId).toBe("user-1@pam!token-1");
    expect(b.environment.database.location).toBe("<workspace>/.proxmox-mpc/state.db");
    expect(b.files.find((f: { path: string }) => f.path === ".proxmox-mpc/config.yaml").content).toContain("tokenId: user-1@pam!token-1");
    expect(b.files.find((f: { path: string }) => f.path === "ansible/proxmox.yml").content).toContain("user: user-1@pam\ntoken_id: token-1\n");
    const rollback = b.operations.find((o: { command: string }) => o.command === "snapshot");
    expect(rollback.arguments.args).toEqual(["rollback", "vm", expect.stringMatching(/^host-\d+$/), "pre"]);
    expect(JSON.stringify(b.files)).toMatch(/\(ssh key\) user-\d+@mgmt/);
  });
});
