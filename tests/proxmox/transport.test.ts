/**
 * Retry policy, concurrency limit, cancellation and secret hygiene of the transport, over real
 * HTTP. Retries wait their real backoff (the default 250 ms base) on jest's fake clock.
 */
import { jest } from "@jest/globals";
import { inspect } from "node:util";
import { Writable } from "node:stream";
import { createLogger } from "../../src/core/logger.js";
import { ProxmoxClient } from "../../src/proxmox/client.js";
import { parseApiToken } from "../../src/proxmox/connection.js";
import { AbortedError, NetworkError, ServerError, TimeoutError } from "../../src/proxmox/errors.js";
import { startTestServer, type Reply, type TestServer } from "../helpers/http-server.js";

const CANARY = "canary-5ec12e7-0000-4000-8000-c0ffee000001";

let server: TestServer;
let script: Reply[] = [];
let inFlight = 0;
let maxInFlight = 0;
/** /slow requests are held here until the test opens the gate. */
let gate: Promise<void> = Promise.resolve();

beforeAll(async () => {
  server = await startTestServer(async (req) => {
    if (req.path.endsWith("/slow")) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await gate;
      inFlight--;
      return { body: { data: "slow" } };
    }
    return script.shift() ?? { body: { data: { ok: 1 } } };
  });
});
afterAll(() => server.close());
beforeEach(() => {
  script = [];
});

function client(opts: { retries?: number; concurrency?: number; timeoutMs?: number; baseUrl?: string } = {}, logLines?: string[]): ProxmoxClient {
  const log = logLines ? createLogger({ level: "debug", destination: { write: (s: string) => logLines.push(s) } }) : undefined;
  return new ProxmoxClient(
    { baseUrl: opts.baseUrl ?? server.url, token: parseApiToken(`root@pam!mpc=${CANARY}`), tls: { mode: "insecure" } },
    { retries: opts.retries ?? 3, concurrency: opts.concurrency, timeoutMs: opts.timeoutMs, log },
  );
}

/** Let real I/O (the server, the sockets) run until `done()`; the fake clock stands still meanwhile. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 5000 && !done(); i++) await new Promise<void>((resolve) => setImmediate(resolve));
  if (!done()) throw new Error("condition not reached");
}

/** Settle `promise`, moving the fake clock to each backoff timer as the transport sets it. */
async function drive<T>(promise: Promise<T>): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => (settled = true));
  watched.catch(() => undefined);
  while (!settled) {
    await until(() => settled || jest.getTimerCount() > 0);
    if (!settled) await jest.advanceTimersToNextTimerAsync();
  }
  return watched;
}

describe("retries", () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ["setImmediate", "nextTick", "queueMicrotask"] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it("retries a GET on 503 and 596 and succeeds", async () => {
    script = [{ status: 503, reason: "Service Unavailable" }, { status: 596, reason: "Connection timed out" }, { body: { data: "fine" } }];
    const before = server.seen.length;
    await expect(drive(client().request("GET", "/version"))).resolves.toBe("fine");
    expect(server.seen.length - before).toBe(3);
  });

  it("retries a GET whose connection was dropped", async () => {
    script = [{ drop: true }, { body: { data: "after-drop" } }];
    await expect(drive(client().request("GET", "/version"))).resolves.toBe("after-drop");
  });

  it("never retries a POST on 503 (the change may have happened)", async () => {
    script = [{ status: 503, reason: "Service Unavailable" }, { body: { data: "second" } }];
    const before = server.seen.length;
    await expect(drive(client().request("POST", "/nodes/pve/qemu/100/status/start"))).rejects.toBeInstanceOf(ServerError);
    expect(server.seen.length - before).toBe(1);
  });

  it("retries a POST on a lock timeout (the change did not start)", async () => {
    script = [{ status: 500, reason: "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout" }, { body: { data: "UPID:pve:1:2:3:qmconfig:100:root@pam:" } }];
    await expect(drive(client().request("POST", "/nodes/pve/qemu/100/config", { cores: 4 }))).resolves.toMatch(/^UPID:/);
  });

  it("never retries a 401", async () => {
    script = [{ status: 401, reason: "invalid token value!" }, { body: { data: "no" } }];
    const before = server.seen.length;
    await expect(drive(client().request("GET", "/version"))).rejects.toThrow(/rejected the API token/);
    expect(server.seen.length - before).toBe(1);
  });

  it("gives up after the configured retries", async () => {
    script = Array.from({ length: 5 }, () => ({ status: 502, reason: "Bad Gateway" }));
    const before = server.seen.length;
    await expect(drive(client({ retries: 2 }).request("GET", "/version"))).rejects.toBeInstanceOf(ServerError);
    expect(server.seen.length - before).toBe(3);
  });
});

describe("limits and failures", () => {
  it("keeps at most `concurrency` requests in flight", async () => {
    maxInFlight = 0;
    let open = (): void => undefined;
    gate = new Promise((resolve) => (open = resolve));
    const c = client({ concurrency: 3 });
    const all = Promise.all(Array.from({ length: 12 }, () => c.request("GET", "/slow")));
    // Three reach the server and are held there; the other nine wait in the client.
    await until(() => inFlight === 3);
    for (let i = 0; i < 50; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(inFlight).toBe(3);
    open();
    await all;
    expect(maxInFlight).toBe(3);
    c.close();
  });

  it("a refused connection is a NetworkError naming the endpoint", async () => {
    const err = await client({ baseUrl: "http://127.0.0.1:9", retries: 0 }).version().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).message).toBe("Cannot reach http://127.0.0.1:9: connection refused.");
  });

  it("a slow answer becomes a TimeoutError", async () => {
    script = [{ delayMs: 300, body: { data: 1 } }];
    await expect(client({ timeoutMs: 50, retries: 0 }).version()).rejects.toBeInstanceOf(TimeoutError);
  });

  it("an aborted signal abandons the request", async () => {
    script = [{ delayMs: 300, body: { data: 1 } }];
    const controller = new AbortController();
    const before = server.seen.length;
    const request = client().request("GET", "/version", {}, { signal: controller.signal });
    await until(() => server.seen.length > before); // in flight: the server has it and has not answered
    controller.abort();
    await expect(request).rejects.toBeInstanceOf(AbortedError);
  });
});

describe("the token secret stays secret", () => {
  it("is sent only in the Authorization header", async () => {
    await client().version();
    const last = server.seen[server.seen.length - 1];
    expect(last.headers.authorization).toBe(`PVEAPIToken=root@pam!mpc=${CANARY}`);
  });

  it("appears in no error, log line or inspection of the client", async () => {
    const lines: string[] = [];
    const failures: unknown[] = [];
    const replies: Reply[] = [
      { status: 401, reason: "invalid token value!" },
      { status: 403, reason: "Permission check failed (/, Sys.Audit)" },
      { status: 400, reason: "Parameter verification failed.", body: { data: null, errors: { name: "invalid format" } } },
      { status: 500, reason: `echo PVEAPIToken=root@pam!mpc=${CANARY}` },
      { status: 596, reason: "Connection timed out" },
      { drop: true },
    ];
    for (const reply of replies) {
      script = [reply];
      failures.push(await client({ retries: 0 }, lines).request("POST", "/nodes/pve/qemu", { vmid: 100, name: "x" }).catch((e: unknown) => e));
    }
    failures.push(await client({ baseUrl: "http://127.0.0.1:9", retries: 0 }, lines).version().catch((e: unknown) => e));
    const c = client({}, lines);
    const everything = [
      ...failures.map((e) => `${String(e)} ${JSON.stringify(e)} ${inspect(e, { depth: 5 })} ${(e as Error).stack}`),
      lines.join("\n"),
      inspect(c.transport, { depth: 3 }),
      JSON.stringify(c.settings.baseUrl),
    ].join("\n");
    expect(failures.every((f) => f instanceof Error)).toBe(true);
    expect(lines.length).toBeGreaterThan(0);
    expect(everything).not.toContain(CANARY);
  });

  it("the logger scrubs the secret from any field or message", () => {
    const out: string[] = [];
    const sink = new Writable({ write: (chunk, _e, cb) => (out.push(String(chunk)), cb()) });
    const log = createLogger({ destination: sink });
    log.info({ token: CANARY, nested: { header: `PVEAPIToken=root@pam!mpc=${CANARY}` }, cipassword: "hunter2" }, `message with ${CANARY}`);
    expect(out.join("")).not.toContain(CANARY);
    expect(out.join("")).not.toContain("hunter2");
    expect(out.join("")).toContain("[REDACTED]");
  });
});
