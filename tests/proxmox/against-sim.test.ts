/**
 * The client against the simulator over real HTTP and HTTPS: TLS trust
 * (pinned fingerprint, wrong fingerprint, CA file, none), authentication and
 * privileges, tasks (success, failure, timeout), retries under faults, and
 * PVE's per-parameter validation errors.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ProxmoxClient } from "../../src/proxmox/client.js";
import { parseApiToken, type TlsTrust } from "../../src/proxmox/connection.js";
import { AuthenticationError, PermissionError, TaskFailedError, TimeoutError, TlsError, ValidationError } from "../../src/proxmox/errors.js";
import { cli } from "../helpers/cli.js";
import { simEnv, startSim, tempDir, type RunningSimulator } from "../helpers/sim.js";

const AUDIT_ONLY = "audit@pve!ro=00000000-1111-4222-8333-444444444444";

let tlsSim: RunningSimulator;
let sim: RunningSimulator;
const clients: ProxmoxClient[] = [];

function client(s: RunningSimulator, tls: TlsTrust, token = s.token, retries = 0): ProxmoxClient {
  const c = new ProxmoxClient({ baseUrl: s.url, token: parseApiToken(token), tls }, { retries, retryBaseMs: 1 });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  tlsSim = await startSim({ size: 10, tls: true });
  sim = await startSim({ size: 30, extraTokens: [{ token: AUDIT_ONLY, privileges: ["Sys.Audit"] }] });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await tlsSim.close();
  await sim.close();
});

describe("TLS trust", () => {
  it("a pinned fingerprint connects", async () => {
    expect((await client(tlsSim, { mode: "fingerprint", fingerprint: tlsSim.fingerprint! }).version()).version).toBe(tlsSim.cluster.version.version);
  });

  it("a wrong fingerprint is refused before the token is sent", async () => {
    const wrong = tlsSim.fingerprint!.replace(/^../, tlsSim.fingerprint!.startsWith("00") ? "11" : "00");
    const before = tlsSim.stats().requests;
    const err = await client(tlsSim, { mode: "fingerprint", fingerprint: wrong }).version().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TlsError);
    expect((err as TlsError).message).toContain(`does not match the pinned fingerprint ${wrong}`);
    expect(tlsSim.stats().requests).toBe(before);
  });

  it("the certificate as a CA file connects", async () => {
    expect((await client(tlsSim, { mode: "ca", caPem: tlsSim.caPem! }).nodes()).length).toBeGreaterThan(0);
  });

  it("no trust given is refused, and the error carries the server's fingerprint and the flag", async () => {
    const err = await client(tlsSim, { mode: "verify" }).version().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TlsError);
    expect((err as TlsError).serverFingerprint).toBe(tlsSim.fingerprint);
    expect((err as TlsError).hint).toContain(`--fingerprint ${tlsSim.fingerprint}`);
  });

  it("--insecure connects (and warns)", async () => {
    expect((await client(tlsSim, { mode: "insecure" }).version()).release).toBeDefined();
  });

  it("test-connection --ca FILE works from the CLI", async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, "ca.pem"), tlsSim.caPem!);
      const run = await cli(["test-connection", "--ca", "ca.pem", "-o", "json"], { env: simEnv(tlsSim), cwd: dir });
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ tls: "ca", canReadRoot: true, tokenId: "root@pam!mpc", user: "root@pam" });
    } finally {
      cleanup();
    }
  });
});

describe("authentication and privileges", () => {
  it("a wrong token is an AuthenticationError", async () => {
    const err = await client(sim, { mode: "verify" }, "root@pam!mpc=not-the-secret").version().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
  });

  it("a token without a privilege gets a PermissionError naming path and privilege", async () => {
    const c = client(sim, { mode: "verify" }, AUDIT_ONLY);
    const [guest] = sim.cluster.guests().filter((g) => g.type === "qemu");
    const err = await c.powerAction(guest.node, "qemu", guest.vmid, "start").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermissionError);
    expect((err as PermissionError).message).toMatch(new RegExp(`/vms/${guest.vmid}`));
  });

  it("test-connection reports what a limited token can read", async () => {
    const run = await cli(["test-connection", "-o", "json"], { env: simEnv(sim, { PROXMOX_VE_API_TOKEN: AUDIT_ONLY }) });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ user: "audit@pve", canReadRoot: true, privilegesOnRoot: ["Sys.Audit"] });
  });
});

describe("tasks", () => {
  const stopped = (): { vmid: number; node: string } => sim.cluster.guests().find((g) => g.type === "qemu" && g.status === "stopped" && !g.template)!;

  it("a start task succeeds and the guest runs", async () => {
    const c = client(sim, { mode: "verify" });
    const g = stopped();
    const status = await c.waitForTask(await c.powerAction(g.node, "qemu", g.vmid, "start"), { pollMs: 5 });
    expect(status.exitstatus).toBe("OK");
    expect((await c.guestStatus(g.node, "qemu", g.vmid)).status).toBe("running");
  });

  it("a failing task throws TaskFailedError with its exit status and log tail", async () => {
    const c = client(sim, { mode: "verify" });
    const g = stopped();
    sim.cluster.failNextTask({ vmid: g.vmid, message: "start failed: QEMU exited with code 1" });
    const err = await c.waitForTask(await c.powerAction(g.node, "qemu", g.vmid, "start"), { pollMs: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskFailedError);
    expect((err as TaskFailedError).exitStatus).toBe("start failed: QEMU exited with code 1");
    expect((err as TaskFailedError).logTail.join("\n")).toContain("start failed: QEMU exited with code 1");
  });

  it("a task that never ends times out with the UPID in the hint", async () => {
    const c = client(sim, { mode: "verify" });
    const g = stopped();
    sim.cluster.hangTasks(true);
    try {
      const upid = await c.powerAction(g.node, "qemu", g.vmid, "start");
      const err = await c.waitForTask(upid, { pollMs: 5, timeoutMs: 100 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      expect((err as TimeoutError).hint).toContain(upid);
    } finally {
      sim.cluster.hangTasks(false);
    }
  });
});

describe("retries and validation", () => {
  it("GETs get through injected 503/596/dropped connections", async () => {
    const c = client(sim, { mode: "verify" }, sim.token, 3);
    sim.cluster.faultNext(1, 503);
    sim.cluster.faultNext(1, 596);
    sim.cluster.faultNext(1, "drop");
    const before = sim.stats().requests;
    expect((await c.version()).version).toBeDefined();
    expect(sim.stats().requests - before).toBeGreaterThanOrEqual(3);
  });

  it("under --fault-rate 0.3 a read-heavy workload still completes", async () => {
    const flaky = await startSim({ size: 20, faultRate: 0.3, randomSeed: 11 });
    try {
      const c = client(flaky, { mode: "verify" }, flaky.token, 6);
      const resources = (await c.clusterResources("vm")).filter((r) => r.type === "qemu");
      const configs = await Promise.all(resources.map((r) => c.guestConfig(r.node!, "qemu", r.vmid!)));
      expect(configs).toHaveLength(resources.length);
      expect(flaky.stats().requests).toBeGreaterThan(resources.length + 1);
    } finally {
      await flaky.close();
    }
  });

  it("invalid parameters come back as per-parameter messages", async () => {
    const c = client(sim, { mode: "verify" });
    const err = await c.createGuest("pve1", "qemu", { vmid: 42, cores: "many" as unknown as number, bogus: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const fields = (err as ValidationError).fields;
    expect(Object.keys(fields).sort()).toEqual(["bogus", "cores", "vmid"]);
    expect(fields.bogus).toMatch(/property is not defined in schema/);
  });
});
