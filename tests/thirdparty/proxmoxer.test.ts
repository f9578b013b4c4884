/**
 * python3-proxmoxer, a client we did not write, against the simulator: a real
 * Python child process (proxmoxer-client.py) over HTTPS, once with an API
 * token and once with a password (ticket, cookie and CSRF token). Every
 * assertion is on what proxmoxer got back, then on the simulator's model.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describeWith } from "../helpers/real-parts.js";
import { startSim, type RunningSimulator } from "../helpers/sim.js";
import { CT_TEMPLATE, DEBIAN_PYTHON, hostPort, runProcess, SEED } from "./helpers.js";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "proxmoxer-client.py");
const TOKEN = "root@pam!mpc=7d0c8a4e-0b9e-4f39-9d55-1f0c2b3a4d5e";
const PASSWORD = "proxmoxer-Pa55word";

/** What the script prints: each step's result (objects, lists) or `{error}`. */
type Report = Record<string, Record<string, unknown>>;

let sim: RunningSimulator;

/** Run the Python client with these settings; its JSON report. */
async function proxmoxer(settings: Record<string, unknown>): Promise<Report> {
  const input = JSON.stringify({ ...hostPort(sim.url), node: "pve1", vmid: 100, pool: "prod", template: CT_TEMPLATE, ...settings });
  const r = await runProcess(DEBIAN_PYTHON, [SCRIPT], { input });
  if (r.code !== 0) throw new Error(`proxmoxer-client.py exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout) as Report;
}

/** The steps that raised in proxmoxer, with their errors. */
const failures = (report: Report): Record<string, unknown> =>
  Object.fromEntries(Object.entries(report).filter(([, v]) => v !== null && typeof v === "object" && "error" in v));

describeWith("proxmoxer")("proxmoxer against the simulator", () => {
  beforeAll(async () => {
    sim = await startSim({ tls: true, seed: SEED, token: TOKEN, password: PASSWORD, taskDelayMs: 1 });
  });
  afterAll(() => sim.close());

  test("API token: reads, then create a container on local-lvm, resize (waiting on the UPID), unlink, cipassword", async () => {
    const report = await proxmoxer({ auth: "token", user: "root@pam", token_name: "mpc", token_value: TOKEN.split("=")[1], ctid: 700, unlink: "scsi1", force: 0, cipassword: "t0ken-pw" });
    expect(failures(report)).toEqual({});
    expect(report.version).toEqual({ version: "9.1.2", release: "9.1", repoid: "9d436f37a0ac4172" });
    expect(report.node_version).toEqual(report.version);
    expect(report.nodes).toEqual(["pve1", "pve2"]);
    expect(report.resources).toEqual(["lxc/101", "qemu/100", "qemu/102", "qemu/9000"]);
    expect(report.pools).toEqual([{ poolid: "prod", comment: "Production" }]);
    expect(report.pool_members).toEqual(["lxc/101", "qemu/100"]);
    expect(report.config).toMatchObject({ cores: 2, memory: "2048", scsi0: "local-lvm:vm-100-disk-0,iothread=1,size=32G", tags: "prod;web" });
    expect(report.node_rrddata).toMatchObject({ points: 60, step: 60 });
    expect(report.node_rrddata.keys).toEqual(expect.arrayContaining(["cpu", "memused", "memfree", "pressurecpusome", "time"]));
    expect(report.vm_rrddata).toMatchObject({ points: 60, step: 60 });
    expect(report.vm_rrddata.keys).toEqual(expect.arrayContaining(["cpu", "mem", "memhost", "netin", "time"]));

    expect(report.create_ct).toMatchObject({ exitstatus: "OK", rootfs: "local-lvm:vm-700-disk-0,size=4G", mp0: "local-lvm:vm-700-disk-1,mp=/data,size=2G" });
    expect(String(report.create_ct.upid)).toMatch(/^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:vzcreate:700:root@pam!mpc:$/);
    expect(report.resize).toMatchObject({ exitstatus: "OK", scsi0: "local-lvm:vm-100-disk-0,iothread=1,size=34G" });
    expect(String(report.resize.upid)).toMatch(/:resize:100:root@pam!mpc:$/);
    expect(report.unlink).toEqual({ result: null, still_there: false, unused: { unused0: "local-lvm:vm-100-disk-1" } });
    expect(report.cipassword).toEqual({ config: "**********", pending: ["**********"] });
    expect(report.tasks).toEqual(expect.arrayContaining([report.create_ct.upid, report.resize.upid]));

    expect(sim.cluster.guest(700)!.config.rootfs).toBe("local-lvm:vm-700-disk-0,size=4G");
    expect(String(sim.cluster.guest(100)!.config.cipassword)).not.toContain("t0ken-pw");
  });

  test("password: the ticket and CSRF token proxmoxer keeps carry the same reads and writes", async () => {
    const report = await proxmoxer({ auth: "password", user: "root@pam", password: PASSWORD, ctid: 701, unlink: "scsi2", force: 1, cipassword: "ticket-pw" });
    expect(failures(report)).toEqual({});
    expect(report.nodes).toEqual(["pve1", "pve2"]);
    expect(report.resources).toEqual(["lxc/101", "lxc/700", "qemu/100", "qemu/102", "qemu/9000"]);
    expect(report.pool_members).toEqual(["lxc/101", "qemu/100"]);
    expect(report.create_ct).toMatchObject({ exitstatus: "OK", rootfs: "local-lvm:vm-701-disk-0,size=4G", mp0: "local-lvm:vm-701-disk-1,mp=/data,size=2G" });
    // Ticket logins run tasks as the user itself.
    expect(String(report.create_ct.upid)).toMatch(/:vzcreate:701:root@pam:$/);
    expect(report.resize).toMatchObject({ exitstatus: "OK", scsi0: "local-lvm:vm-100-disk-0,iothread=1,size=36G" });
    expect(report.unlink).toEqual({ result: null, still_there: false, unused: { unused0: "local-lvm:vm-100-disk-1" } });
    expect(report.cipassword).toEqual({ config: "**********", pending: ["**********"] });
    expect(report.tasks).toEqual(expect.arrayContaining([report.create_ct.upid, report.resize.upid]));
    expect(Object.values(sim.cluster.guest(100)!.config).join(" ")).not.toContain("vm-100-disk-2");
  });

  test("a wrong password: proxmoxer refuses to connect (PVE's 401 authentication failure)", async () => {
    const input = JSON.stringify({ ...hostPort(sim.url), auth: "password", user: "root@pam", password: "wrong", node: "pve1", vmid: 100, ctid: 702 });
    const r = await runProcess(DEBIAN_PYTHON, [SCRIPT], { input });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/AuthenticationError: Couldn't authenticate user: root@pam/);
    expect(r.stderr + r.stdout).not.toContain(PASSWORD);
    expect(sim.cluster.guest(702)).toBeUndefined();
  });
});
