/**
 * Wrong tokens are rate-limited per client address, over real HTTP: the
 * test's requests leave from 127.0.0.2, .3 and .4 (all loopback) to the
 * server on 127.0.0.1. After ten different wrong tokens one address gets 429 with
 * Retry-After — even for a right token the server has not checked yet (so
 * no scrypt ran) — while a token it already verified still gets in, and the
 * other address is not affected; one wrong token sent again and again stays
 * a 401 (answered from memory). The window's end is checked on the limiter
 * itself with a manual clock (no waiting).
 */
import { request } from "node:http";
import path from "node:path";
import { FailedAuthLimiter } from "../../src/api/rate-limit.js";
import { openStore } from "../../src/state/index.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";
import { apiServer, stopAll, type ApiServer } from "./helpers.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let server: ApiServer;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  sim = await startSim({ size: 2 });
  ws = await initWorkspace(sim);
  const store = await openStore({ url: `file:${path.join(ws.dir, ".proxmox-mpc", "state.db")}` });
  try {
    for (const name of ["used", "fresh", "other"]) tokens[name] = (await store.tokens.create(name, "viewer")).token;
  } finally {
    await store.close();
  }
  server = await apiServer(ws.dir, ws.env);
}, 60_000);

afterAll(() => stopAll(server, sim, ws));

/** GET path from a given local address; status, Retry-After and body. */
function get(from: string, path: string, token: string): Promise<{ status: number; retryAfter?: string; body: string }> {
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, localAddress: from, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"], body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A token of the right shape whose secret is wrong (the n-th such guess). */
// (The whole secret after the 12-character id: a base64url secret may hold "_" itself, even at its end.)
const wrong = (token: string, n: number) => token.replace(/^(pmpc_[A-Za-z0-9]{12}_).+$/, `$1${String(n).padStart(32, "x")}`);

test("ten different wrong tokens from one address, then 429 without a check; checked tokens and other addresses unaffected", async () => {
  const attacker = "127.0.0.2";
  expect((await get(attacker, "/api/v1/status", tokens.used)).status).toBe(200);
  for (let i = 0; i < 10; i++) expect((await get(attacker, "/api/v1/status", wrong(tokens.used, i))).status).toBe(401);

  const limited = await get(attacker, "/api/v1/status", wrong(tokens.used, 10));
  expect(limited.status).toBe(429);
  expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(limited.retryAfter)).toBeLessThanOrEqual(60);
  expect(JSON.parse(limited.body)).toEqual({ ok: false, error: { code: "rate-limited", message: expect.stringMatching(/Too many wrong tokens from 127\.0\.0\.2: try again in \d+ s\./), hint: expect.any(String) } });
  expect(limited.body).not.toContain(tokens.used.split("_").slice(2).join("_"));
  // A right token this server never checked is not checked either (that would be a scrypt): 429.
  expect((await get(attacker, "/api/v1/status", tokens.fresh)).status).toBe(429);
  // The token already verified from here still gets in (a cached check, no scrypt).
  expect((await get(attacker, "/api/v1/status", tokens.used)).status).toBe(200);
  expect((await get(attacker, "/metrics", tokens.used)).status).toBe(200);

  const neighbour = "127.0.0.3";
  expect((await get(neighbour, "/api/v1/status", tokens.fresh)).status).toBe(200);
  expect((await get(neighbour, "/api/v1/status", wrong(tokens.other, 0))).status).toBe(401);
  expect((await get(neighbour, "/api/v1/status", tokens.other)).status).toBe(200);
});

test("the same wrong token sent again and again is refused with 401 each time, and counts once", async () => {
  const retrier = "127.0.0.4";
  for (let i = 0; i < 25; i++) expect((await get(retrier, "/api/v1/status", wrong(tokens.other, 99))).status).toBe(401);
  expect((await get(retrier, "/api/v1/status", tokens.other)).status).toBe(200);
  expect((await get(retrier, "/api/v1/status", wrong(tokens.other, 98))).status).toBe(401);
});

test("the limiter: a repeat from memory, 429 from the tenth different failure until the window has passed, per address", () => {
  let now = 1_000_000;
  const limiter = new FailedAuthLimiter(10, 60_000, () => now);
  for (let i = 0; i < 9; i++) limiter.failed("a", `t${i}`);
  expect(limiter.before("a", "t0")).toEqual({ check: false, status: 401 });
  expect(limiter.before("a", "t9")).toEqual({ check: true });
  limiter.failed("a", "t9");
  expect(limiter.before("a", "t10")).toEqual({ check: false, status: 429, retryAfter: 60 });
  expect(limiter.before("b", "t10")).toEqual({ check: true });
  limiter.succeeded("good");
  expect(limiter.before("a", "good")).toEqual({ check: true });
  now += 59_500;
  expect(limiter.before("a", "t10")).toEqual({ check: false, status: 429, retryAfter: 1 });
  now += 500;
  expect(limiter.before("a", "t10")).toEqual({ check: true });
  expect(limiter.before("a", "t0")).toEqual({ check: true });
});
