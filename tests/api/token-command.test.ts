/**
 * `token create|list|revoke` from the command line: shown once, listed
 * without secret, expiry, revocation, and the refusals (exit 2) for what
 * makes no sense.
 */
import { expiryFrom } from "../../src/commands/token.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;

beforeAll(async () => {
  sim = await startSim({ size: 2 });
  ws = await initWorkspace(sim);
}, 60_000);
afterAll(async () => {
  await sim?.close();
  ws?.cleanup();
});

it("creates a token shown once, lists it with its expiry, revokes it", async () => {
  const made = await ws.run(["token", "create", "ci", "--role", "operator", "--expires", "30d"]);
  expect(made.code).toBe(0);
  const token = /pmpc_\S+/.exec(made.stdout)?.[0];
  expect(token).toBeDefined();
  expect(made.stdout).toMatch(/shown this once/);
  const list = await ws.run(["token", "list", "-o", "json"]);
  expect(list.stdout).not.toContain(token!.slice(18));
  const [row] = JSON.parse(list.stdout) as Array<{ name: string; role: string; state: string; expiresAt: string }>;
  expect(row).toMatchObject({ name: "ci", role: "operator", state: "active" });
  expect(new Date(row.expiresAt).getTime() - Date.now()).toBeGreaterThan(29 * 864e5);
  expect((await ws.run(["token", "revoke", "ci"])).code).toBe(0);
  expect((await ws.run(["token", "list"])).stdout).toMatch(/ci\s+operator\s+revoked/);
});

it.each([
  [["token", "create", "x"], /needs --role/],
  [["token", "create", "x", "--role", "root"], /--role/],
  [["token", "create", "x", "--role", "viewer", "--expires", "soon"], /--expires must be a duration/],
  [["token", "create", "bad name!", "--role", "viewer"], /not a token name/],
  [["token", "revoke", "nobody"], /No active token named nobody/],
  [["token", "list", "extra"], /takes no name/],
  [["token", "revoke"], /needs a name/],
  [["token", "list", "--role", "admin"], /for `token create`/],
])("refuses %j (exit 2)", async (args, message) => {
  const run = await ws.run(args);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(message);
});

it("refuses a second active token of the same name", async () => {
  expect((await ws.run(["token", "create", "dup", "--role", "viewer"])).code).toBe(0);
  const again = await ws.run(["token", "create", "dup", "--role", "admin"]);
  expect(again.code).toBe(2);
  expect(again.stderr).toMatch(/A token named dup exists/);
});

it("reads durations in hours, days and weeks", () => {
  const now = new Date(Date.UTC(2026, 0, 1));
  expect(expiryFrom("12h", now).toISOString()).toBe("2026-01-01T12:00:00.000Z");
  expect(expiryFrom("30d", now).toISOString()).toBe("2026-01-31T00:00:00.000Z");
  expect(expiryFrom("2w", now).toISOString()).toBe("2026-01-15T00:00:00.000Z");
  expect(() => expiryFrom("0d", now)).toThrow(/duration/);
});

it("`serve` run where no process can be handed over (in-process, or the console) says how to start it", async () => {
  const run = await ws.run(["serve", "--port", "0"]);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/The API server runs in its own process: run it from a shell: proxmox-mpc serve/);
  const bad = await ws.run(["serve", "--port", "70000"]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/--port/);
});
