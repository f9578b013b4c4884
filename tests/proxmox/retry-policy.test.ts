/**
 * The transport's retry policy and retry budget, over real HTTP with fake
 * timers: how long each backoff waits (capped, jittered), which failures a
 * policy retries, and when a shared budget stops retrying. No real sleeps.
 */
import { jest } from "@jest/globals";
import { ProxmoxClient, RetryBudget, type RetryPolicy } from "../../src/proxmox/client.js";
import { parseApiToken } from "../../src/proxmox/connection.js";
import { AuthenticationError, NotFoundError, PermissionError, ServerError, ValidationError } from "../../src/proxmox/errors.js";
import { retryDelay } from "../../src/proxmox/transport.js";
import { startTestServer, type Reply, type TestServer } from "../helpers/http-server.js";

let server: TestServer;
let script: Reply[] = [];

beforeAll(async () => {
  server = await startTestServer(() => script.shift() ?? { body: { data: "ok" } });
});
afterAll(() => server.close());
beforeEach(() => {
  script = [];
  jest.useFakeTimers({ doNotFake: ["setImmediate", "nextTick", "queueMicrotask"] });
});
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

function client(retry?: RetryPolicy, retries = 3): ProxmoxClient {
  return new ProxmoxClient({ baseUrl: server.url, token: parseApiToken("root@pam!mpc=secret"), tls: { mode: "insecure" } }, { retries, retry });
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Let real I/O run until `done()` (the fake clock stands still meanwhile). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 5000 && !done(); i++) await tick();
  if (!done()) throw new Error("condition not reached");
}

/** Settle `promise`, moving the fake clock to each backoff timer as the transport sets it. */
async function drive<T>(promise: Promise<T>): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => (settled = true));
  watched.catch(() => undefined);
  for (let i = 0; i < 1000 && !settled; i++) {
    await until(() => settled || jest.getTimerCount() > 0);
    if (!settled) await jest.advanceTimersToNextTimerAsync();
  }
  return watched;
}

const seenSince = (before: number) => server.seen.length - before;

describe("backoff", () => {
  it("doubles from the base, is capped, and waits exactly that long before the next attempt", async () => {
    jest.spyOn(Math, "random").mockReturnValue(0.5); // jitter factor 1.0
    script = Array.from({ length: 4 }, () => ({ status: 503, reason: "Service Unavailable" }));
    const before = server.seen.length;
    const result = client({ attempts: 5, baseMs: 1000, maxDelayMs: 3000 }).request("GET", "/version");
    for (const [n, wait] of [[1, 1000], [2, 2000], [3, 3000], [4, 3000]] as const) {
      await until(() => jest.getTimerCount() > 0);
      expect(seenSince(before)).toBe(n);
      await jest.advanceTimersByTimeAsync(wait - 1);
      for (let i = 0; i < 20; i++) await tick();
      expect(seenSince(before)).toBe(n); // not retried before the backoff is over
      await jest.advanceTimersByTimeAsync(1);
      await until(() => seenSince(before) === n + 1);
    }
    await expect(result).resolves.toBe("ok");
  });

  it("jitters between 50 % and 150 % of the capped delay", () => {
    expect(retryDelay(1, 250, 2000, () => 0)).toBe(125);
    expect(retryDelay(1, 250, 2000, () => 0.9999)).toBe(375);
    expect(retryDelay(3, 250, 2000, () => 0.5)).toBe(1000);
    expect(retryDelay(10, 250, 2000, () => 0)).toBe(1000);
    expect(retryDelay(10, 250, 2000, () => 0.9999)).toBe(3000);
  });
});

describe("which failures a policy retries", () => {
  it("with serverErrors, a GET answered with a plain 500 is retried", async () => {
    script = [{ status: 500, reason: "internal error" }];
    const before = server.seen.length;
    await expect(drive(client({ attempts: 6, serverErrors: true }).request("GET", "/nodes/pve1/lxc/191/config"))).resolves.toBe("ok");
    expect(seenSince(before)).toBe(2);
  });

  it("without it (the default), a plain 500 is final", async () => {
    script = [{ status: 500, reason: "internal error" }];
    const before = server.seen.length;
    await expect(drive(client().request("GET", "/version"))).rejects.toBeInstanceOf(ServerError);
    expect(seenSince(before)).toBe(1);
  });

  it.each([
    ["a 500 'does not exist'", { status: 500, reason: "Configuration file 'nodes/pve1/lxc/191.conf' does not exist" }, NotFoundError],
    ["a 401", { status: 401, reason: "invalid token value!" }, AuthenticationError],
    ["a 403", { status: 403, reason: "Permission check failed (/vms/191, VM.Audit)" }, PermissionError],
    ["a 400", { status: 400, reason: "Parameter verification failed.", body: { data: null, errors: { vmid: "invalid" } } }, ValidationError],
  ])("never retries %s, even with the sync's policy", async (_label, reply, type) => {
    script = [reply, reply];
    const before = server.seen.length;
    await expect(drive(client({ attempts: 6, serverErrors: true }).request("GET", "/nodes/pve1/lxc/191/config"))).rejects.toBeInstanceOf(type);
    expect(seenSince(before)).toBe(1);
  });

  it("never retries a POST on a 5xx, even with serverErrors", async () => {
    script = [{ status: 503, reason: "Service Unavailable" }];
    const before = server.seen.length;
    await expect(drive(client({ attempts: 6, serverErrors: true }).request("POST", "/nodes/pve1/qemu/100/status/start"))).rejects.toBeInstanceOf(ServerError);
    expect(seenSince(before)).toBe(1);
  });

  it("a request's policy wins over the transport's", async () => {
    script = Array.from({ length: 2 }, () => ({ status: 502, reason: "Bad Gateway" }));
    const before = server.seen.length;
    const noRetries = client(undefined, 0);
    await expect(drive(noRetries.request("GET", "/version", {}, { retry: { attempts: 3, baseMs: 10 } }))).resolves.toBe("ok");
    expect(seenSince(before)).toBe(3);
  });
});

describe("retry budget", () => {
  it("is shared by requests: once spent, failures are final", async () => {
    const budget = new RetryBudget({ min: 2, ratio: 0 });
    const c = client({ attempts: 10, baseMs: 10, budget });
    script = Array.from({ length: 10 }, () => ({ status: 503, reason: "Service Unavailable" }));
    const before = server.seen.length;
    await expect(drive(c.request("GET", "/version"))).rejects.toBeInstanceOf(ServerError);
    expect(seenSince(before)).toBe(3); // the first attempt and the budget's two retries
    await expect(drive(c.request("GET", "/version"))).rejects.toBeInstanceOf(ServerError);
    expect(seenSince(before)).toBe(4); // nothing left: no retry
    expect([budget.used, budget.refused]).toEqual([2, 2]);
  });

  it("grows with the requests started (min + ratio × requests)", () => {
    const budget = new RetryBudget({ min: 1, ratio: 0.5 });
    expect(budget.take()).toBe(true);
    expect(budget.take()).toBe(false);
    budget.noteRequest();
    budget.noteRequest();
    expect(budget.allowed).toBe(2);
    expect(budget.take()).toBe(true);
    expect(budget.take()).toBe(false);
    expect([budget.used, budget.refused]).toEqual([2, 2]);
  });
});
