/**
 * `serve --trust-proxy`: behind a reverse proxy the client's address is the
 * one X-Forwarded-For names — recorded in the audit trail (and counted by the
 * rate limit) — but only when the request comes from a trusted proxy; without
 * the option the header is ignored (anyone could send it). A value that is not
 * an address or a network is refused with exit 2 before anything starts.
 */
import { guestName, type initWorkspace, type RunningSimulator } from "../helpers/sim.js";
import { apiServer, call, stopAll, syncedWorkspace, type ApiServer } from "./helpers.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let proxied: ApiServer;

beforeAll(async () => {
  ({ sim, ws } = await syncedWorkspace({ size: 4, randomSeed: 5 }));
  proxied = await apiServer(ws.dir, ws.env, ["--trust-proxy", "127.0.0.1,10.0.0.0/8"]);
}, 60_000);
afterAll(() => stopAll(proxied, sim, ws));

/** The audit source of the start the request made. */
async function sourceOfStart(server: ApiServer, token: string, forwardedFor: string): Promise<unknown> {
  const vm = sim.cluster.guests().find((g) => g.type === "qemu" && !g.template)!;
  const started = await call(server, "POST", `/api/v1/vms/${encodeURIComponent(guestName(vm))}/start`, { token, body: {}, headers: { "x-forwarded-for": forwardedFor } });
  expect(started.status).toBe(200);
  const audit = await call(server, "GET", `/api/v1/audit?action=start`, { token });
  const row = (audit.body.data as Array<{ correlationId: string; source: string }>).find((r) => r.correlationId === started.body.correlationId);
  return row?.source;
}

test("from a trusted proxy, the client X-Forwarded-For names is the audit's source", async () => {
  expect(await sourceOfStart(proxied, proxied.token, "203.0.113.9")).toBe("203.0.113.9");
});

test("without --trust-proxy the header is ignored: the source is the connection's address", async () => {
  await proxied.stop();
  const plain = await apiServer(ws.dir, ws.env);
  try {
    const token = (await ws.run(["token", "create", "proxy-test", "--role", "admin", "-o", "json"])).stdout;
    const bearer = (JSON.parse(token) as { bearer: string }).bearer;
    expect(await sourceOfStart(plain, bearer, "203.0.113.9")).toBe("127.0.0.1");
  } finally {
    await plain.stop();
  }
});

test.each(["proxy.example.com", "10.0.0.0/33", "", "127.0.0.1/8/1"])("--trust-proxy %j is refused with exit 2", async (value) => {
  const run = await ws.run(["serve", "--port", "0", "--trust-proxy", value]);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/--trust-proxy/);
});
