/** `init` against the simulator: what it writes, and what it refuses without writing anything. */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanEnv, cli } from "../helpers/cli.js";
import { simEnv, startSim, tempDir, type RunningSimulator } from "../helpers/sim.js";

const CANARY = "canary-init-0000-4000-8000-5ec12e7c0de1";
let sim: RunningSimulator;
let tlsSim: RunningSimulator;

beforeAll(async () => {
  sim = await startSim({ size: 20, token: `root@pam!mpc=${CANARY}` });
  tlsSim = await startSim({ size: 5, tls: true });
});
afterAll(async () => {
  await sim.close();
  await tlsSim.close();
});

describe("init", () => {
  it("creates the workspace with the secret only in .proxmox-mpc/secrets (0600)", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const secretFile = join(dir, "secret.txt");
      writeFileSync(secretFile, `${CANARY}\n`);
      const run = await cli(["init", "ws", "--endpoint", sim.url, "--token-id", "root@pam!mpc", "--token-secret-file", secretFile, "--no-input", "-o", "json"], { env: cleanEnv(), cwd: dir });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const ws = join(dir, "ws");
      const report = JSON.parse(run.stdout);
      expect(report).toMatchObject({ workspace: ws, tokenId: "root@pam!mpc", secretStorage: "secrets-file", defaultNode: "pve1", version: sim.cluster.version.version });
      for (const sub of ["terraform", "ansible", "tests", "diagnostics", ".proxmox-mpc/logs"]) expect(statSync(join(ws, sub)).isDirectory()).toBe(true);
      const config = readFileSync(join(ws, ".proxmox-mpc", "config.yaml"), "utf8");
      expect(config).toContain("tokenId: root@pam!mpc");
      expect(config).not.toContain(CANARY);
      const secrets = join(ws, ".proxmox-mpc", "secrets");
      expect(readFileSync(secrets, "utf8").trim()).toBe(CANARY);
      expect(statSync(secrets).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(ws, ".gitignore"), "utf8")).toMatch(/^\.proxmox-mpc\/secrets$/m);
      expect(existsSync(join(ws, ".proxmox-mpc", "state.db"))).toBe(true);
      // The workspace works with the stored secret alone.
      const status = await cli(["status", "-o", "json"], { env: cleanEnv(), cwd: join(ws, "terraform") });
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout).server.reachable).toBe(true);
    } finally {
      cleanup();
    }
  });

  it("keeps a token from the environment there (no secrets file) and records the first online node and image storage", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const run = await cli(["init", "--no-input", "-o", "json"], { env: simEnv(sim), cwd: dir });
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report.secretStorage).toBe("environment");
      expect(report.defaultStorage).toBe("local-lvm");
      expect(existsSync(join(dir, ".proxmox-mpc", "secrets"))).toBe(false);
    } finally {
      cleanup();
    }
  });

  it("refuses a wrong token and writes nothing", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const run = await cli(["init", "--no-input"], { env: simEnv(sim, { PROXMOX_VE_API_TOKEN: "root@pam!mpc=wrong-secret-1234" }), cwd: dir });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("The server rejected the API token");
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      cleanup();
    }
  });

  it("refuses an untrusted certificate, printing its fingerprint and the flag, and writes nothing", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const run = await cli(["init", "--no-input"], { env: simEnv(tlsSim), cwd: dir });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`Its SHA-256 fingerprint is ${tlsSim.fingerprint}`);
      expect(run.stderr).toContain(`--fingerprint ${tlsSim.fingerprint}`);
      expect(readdirSync(dir)).toEqual([]);
      const pinned = await cli(["init", "--no-input", "--fingerprint", tlsSim.fingerprint!, "-o", "json"], { env: simEnv(tlsSim), cwd: dir });
      expect(pinned.code).toBe(0);
      expect(readFileSync(join(dir, ".proxmox-mpc", "config.yaml"), "utf8")).toContain(`fingerprint: ${tlsSim.fingerprint}`);
    } finally {
      cleanup();
    }
  });

  it("never overwrites an existing workspace without --force", async () => {
    const { dir, cleanup } = tempDir();
    try {
      expect((await cli(["init", "--no-input"], { env: simEnv(sim), cwd: dir })).code).toBe(0);
      const config = join(dir, ".proxmox-mpc", "config.yaml");
      writeFileSync(config, readFileSync(config, "utf8") + "# my note\n");
      const again = await cli(["init", "--no-input"], { env: simEnv(sim), cwd: dir });
      expect(again.code).toBe(2);
      expect(again.stderr).toContain("A workspace already exists");
      expect(readFileSync(config, "utf8")).toContain("# my note");
      const forced = await cli(["init", "--no-input", "--force", "--default-node", "pve2"], { env: simEnv(sim), cwd: dir });
      expect(forced.code).toBe(0);
      expect(readFileSync(config, "utf8")).toContain("defaultNode: pve2");
    } finally {
      cleanup();
    }
  });

  it("rejects a node that does not exist, naming the ones that do (exit 2)", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const run = await cli(["init", "--no-input", "--default-node", "pve99"], { env: simEnv(sim), cwd: dir });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/Node "pve99" does not exist[\s\S]*pve1, pve2/);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      cleanup();
    }
  });

  it("without a terminal, a missing value is a usage error naming the flag", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const run = await cli(["init"], { env: cleanEnv(), cwd: dir });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("Missing --endpoint.");
    } finally {
      cleanup();
    }
  });
});
