/**
 * Password (ticket) login as PVE does it: POST /access/ticket, the
 * PVEAuthCookie cookie on every request, the CSRFPreventionToken header on
 * writes, PVE's 401 answers, and renewal with the ticket as the password.
 */
import { resolve } from "node:path";
import { startSimulator, type RunningSimulator } from "../../src/sim/index.js";
import { Api, seedsDir } from "./helpers.js";

const PASSWORD = "correct horse battery staple";
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: resolve(seedsDir, "small.yaml"), taskDelayMs: 1, password: PASSWORD });
});
afterAll(() => sim.close());

interface Login {
  username: string;
  ticket: string;
  CSRFPreventionToken: string;
  clustername: string;
  cap: Record<string, Record<string, number>>;
}

async function post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; reason: string; body: { data: unknown } }> {
  const r = await fetch(`${sim.url}/api2/json${path}`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(form) });
  return { status: r.status, reason: r.statusText, body: (await r.json()) as { data: unknown } };
}

async function login(username = "root@pam", password = PASSWORD, extra: Record<string, string> = {}): Promise<Login> {
  const r = await post("/access/ticket", { username, password, ...extra });
  if (r.status !== 200) throw new Error(`login: ${r.status} ${r.reason}`);
  return r.body.data as Login;
}

async function call(method: string, path: string, headers: Record<string, string>): Promise<{ status: number; reason: string; data: unknown }> {
  const r = await fetch(`${sim.url}/api2/json${path}`, { method, headers });
  return { status: r.status, reason: r.statusText, data: ((await r.json()) as { data: unknown }).data };
}

test("POST /access/ticket needs no login and answers PVE's ticket, CSRF token, user, cluster name and capabilities", async () => {
  expect(sim.user).toBe("root@pam");
  expect(sim.password).toBe(PASSWORD);
  const t = await login();
  expect(t.username).toBe("root@pam");
  expect(t.ticket).toMatch(/^PVE:root@pam:[0-9A-F]{8}::\S+$/);
  expect(t.CSRFPreventionToken).toMatch(/^[0-9A-F]{8}:[A-Za-z0-9+/]{43}$/);
  expect(t.CSRFPreventionToken.split(":")[0]).toBe(t.ticket.split(":")[2]);
  expect(t.clustername).toBe("homelab");
  expect(t.cap.vms).toMatchObject({ "VM.Allocate": 1, "VM.Audit": 1 });
  expect(t.cap.nodes).toMatchObject({ "Sys.Audit": 1 });
  expect(await call("GET", "/access/ticket", {})).toEqual({ status: 200, reason: "OK", data: null });
});

test("the realm may come separately; a wrong password or user is 401 authentication failure", async () => {
  expect((await login("root", PASSWORD, { realm: "pam" })).username).toBe("root@pam");
  for (const [username, password] of [["root@pam", "wrong"], ["nobody@pam", PASSWORD], ["root@pve", PASSWORD]]) {
    const r = await post("/access/ticket", { username, password });
    expect([r.status, r.reason, r.body.data]).toEqual([401, "authentication failure", null]);
  }
  const missing = await post("/access/ticket", { username: "root@pam" });
  expect([missing.status, (missing.body as { errors?: unknown }).errors]).toEqual([400, { password: "property is missing and it is not optional" }]);
});

test("reads with the PVEAuthCookie cookie (or the Authorization header); a bad ticket is refused", async () => {
  const { ticket } = await login();
  const version = await call("GET", "/version", { Cookie: `PVEAuthCookie=${encodeURIComponent(ticket)}` });
  expect([version.status, (version.data as { version: string }).version]).toEqual([200, "9.1.2"]);
  expect((await call("GET", "/nodes", { Authorization: `PVEAuthCookie=${ticket}` })).status).toBe(200);
  const forged = ticket.replace(/::.*/, "::AAAA");
  expect(await call("GET", "/nodes", { Cookie: `PVEAuthCookie=${forged}` })).toEqual({ status: 401, reason: "permission denied - invalid PVE ticket", data: null });
  const otherUser = ticket.replace("root@pam", "admin@pve");
  expect((await call("GET", "/nodes", { Cookie: `PVEAuthCookie=${otherUser}` })).reason).toBe("permission denied - invalid PVE ticket");
});

test("writes need the CSRFPreventionToken header of the same login", async () => {
  const a = await login();
  const cookie = { Cookie: `PVEAuthCookie=${a.ticket}` };
  const path = "/nodes/pve2/qemu/102/status/start";
  expect(await call("POST", path, cookie)).toEqual({ status: 401, reason: "Permission denied - invalid csrf token", data: null });
  const bad = `${a.CSRFPreventionToken.split(":")[0]}:${"A".repeat(43)}`;
  expect((await call("POST", path, { ...cookie, CSRFPreventionToken: bad })).reason).toBe("Permission denied - invalid csrf token");
  expect(sim.cluster.guest(102)!.status).toBe("stopped");
  const ok = await call("POST", path, { ...cookie, CSRFPreventionToken: a.CSRFPreventionToken });
  // A ticket login runs tasks as the user itself (no !tokenid), as in PVE.
  expect(String(ok.data)).toMatch(/^UPID:pve2:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmstart:102:root@pam:$/);
  expect((await new Api(sim).waitTask(ok.data)).exitstatus).toBe("OK");
  expect(sim.cluster.guest(102)!.status).toBe("running");
});

test("a ticket renews a ticket (proxmoxer's refresh), and root@pam may use skiplock, unlike tokens", async () => {
  const first = await login();
  const renewed = await login("root@pam", first.ticket);
  expect(renewed.ticket).toMatch(/^PVE:root@pam:/);
  const headers = { Cookie: `PVEAuthCookie=${renewed.ticket}`, CSRFPreventionToken: renewed.CSRFPreventionToken };
  sim.cluster.setLock(100, "backup");
  try {
    const put = await fetch(`${sim.url}/api2/json/nodes/pve1/qemu/100/config`, { method: "PUT", headers: { ...headers, "Content-Type": "application/x-www-form-urlencoded" }, body: "description=x&skiplock=1" });
    expect(put.status).toBe(200);
    expect(sim.cluster.guest(100)!.config.description).toBe("x");
  } finally {
    sim.cluster.setLock(100, undefined);
  }
  // A password is not a ticket: the ticket of another user does not log in as root.
  expect((await post("/access/ticket", { username: "root@pam", password: "PVE:root@pam:00000000::AAAA" })).status).toBe(401);
});

test("API tokens keep working next to tickets, and the password never appears in answers", async () => {
  const r = await new Api(sim).get("/cluster/resources");
  expect(r.status).toBe(200);
  expect(JSON.stringify(r.body)).not.toContain(PASSWORD);
  expect(JSON.stringify(await login())).not.toContain(PASSWORD);
});

test("without a password option the password is random per run", async () => {
  const other = await startSimulator({ size: 1 });
  try {
    expect(other.password).toMatch(/^[0-9a-f-]{36}$/);
    expect(other.password).not.toBe(PASSWORD);
    const r = await fetch(`${other.url}/api2/json/access/ticket`, { method: "POST", body: new URLSearchParams({ username: "root@pam", password: other.password }) });
    expect(r.status).toBe(200);
  } finally {
    await other.close();
  }
});
