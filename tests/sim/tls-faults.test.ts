/** HTTPS with a fresh self-signed certificate (pinned by CA or fingerprint), latency and fault injection. */
import { X509Certificate } from "node:crypto";
import https from "node:https";
import type { TLSSocket } from "node:tls";
import { startSimulator, type RunningSimulator } from "../../src/sim/index.js";
import { Api } from "./helpers.js";

function httpsGet(sim: RunningSimulator, path: string, opts: https.RequestOptions): Promise<{ status: number; body: string; peerFingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${sim.url}/api2/json${path}`, { ...opts, headers: { Authorization: `PVEAPIToken=${sim.token}` } }, (res) => {
      const peer = (res.socket as TLSSocket).getPeerCertificate();
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, peerFingerprint: peer.fingerprint256 }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("TLS", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ tls: true, size: 4 });
  });
  afterAll(() => sim.close());

  test("serves HTTPS; the CA pin works and the fingerprint is the certificate's SHA-256", async () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const cert = new X509Certificate(sim.caPem!);
    expect(cert.fingerprint256).toBe(sim.fingerprint);
    expect(cert.subjectAltName).toContain("IP Address:127.0.0.1");
    expect(cert.subjectAltName).toContain("DNS:localhost");
    const r = await httpsGet(sim, "/version", { ca: sim.caPem, agent: false });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).data.release).toBe("9.1");
    expect(r.peerFingerprint).toBe(sim.fingerprint);
  });

  test("an untrusted client refuses the self-signed certificate", async () => {
    await expect(httpsGet(sim, "/version", { agent: false })).rejects.toThrow(/self[- ]signed/i);
  });

  test("the first node reports the served certificate's fingerprint, like PVE's ssl_fingerprint", async () => {
    const r = await httpsGet(sim, "/nodes", { ca: sim.caPem, agent: false });
    expect(JSON.parse(r.body).data[0].ssl_fingerprint).toBe(sim.fingerprint);
  });

  test("every start has a new certificate", async () => {
    const other = await startSimulator({ tls: true, size: 1 });
    try {
      expect(other.fingerprint).not.toBe(sim.fingerprint);
    } finally {
      await other.close();
    }
  });
});

describe("faults and latency", () => {
  test("faultNext answers the next n requests with the status, then recovers", async () => {
    const sim = await startSimulator({ size: 2 });
    try {
      const api = new Api(sim);
      sim.cluster.faultNext(2, 503);
      sim.cluster.faultNext(1, 596);
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await api.get("/version")).status);
      expect(statuses).toEqual([503, 503, 596, 200]);
      sim.cluster.faultNext(1, 596);
      const r = await api.get("/version");
      expect([r.reason, r.body]).toEqual(["Connection timed out", { data: null, message: "Connection timed out\n" }]);
    } finally {
      await sim.close();
    }
  });

  test("a dropped connection fails the request at the client", async () => {
    const sim = await startSimulator({ size: 2 });
    try {
      sim.cluster.faultNext(1, "drop");
      await expect(fetch(`${sim.url}/api2/json/version`, { headers: { Authorization: `PVEAPIToken=${sim.token}` } })).rejects.toThrow();
      expect((await new Api(sim).get("/version")).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  async function faultSequence(randomSeed: number, n = 60): Promise<(number | string)[]> {
    const sim = await startSimulator({ size: 2, faultRate: 0.3, randomSeed });
    const out: (number | string)[] = [];
    try {
      for (let i = 0; i < n; i++) {
        try {
          out.push((await fetch(`${sim.url}/api2/json/version`, { headers: { Authorization: `PVEAPIToken=${sim.token}` } })).status);
        } catch {
          out.push("drop");
        }
      }
    } finally {
      await sim.close();
    }
    return out;
  }

  test("faultRate is deterministic for a randomSeed and has the expected mix", async () => {
    const a = await faultSequence(7);
    const b = await faultSequence(7);
    const c = await faultSequence(8);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    const faults = a.filter((s) => s !== 200);
    expect(faults.length).toBeGreaterThan(6);
    expect(faults.length).toBeLessThan(36);
    expect(faults.every((s) => [500, 502, 503, 504, 596, "drop"].includes(s))).toBe(true);
  });

  test("latencyMs is added to every response", async () => {
    const sim = await startSimulator({ size: 2, latencyMs: 60 });
    try {
      const api = new Api(sim);
      const t = performance.now();
      await api.get("/version");
      await api.get("/nodes/pve1/qemu/999/config");
      const elapsed = performance.now() - t;
      expect(elapsed).toBeGreaterThanOrEqual(115);
      expect(sim.stats().requests).toBe(2);
      // The 2 × 60 ms of latency are not handler time: handler time and latency add up to at most the wall time.
      expect(sim.stats().handlerMicros / 1000 + 115).toBeLessThanOrEqual(elapsed);
    } finally {
      await sim.close();
    }
  });
});
