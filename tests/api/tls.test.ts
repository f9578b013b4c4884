/**
 * `serve --cert FILE --key FILE` over real TLS: a self-signed certificate
 * made here (RSA key by node:crypto, signed by node-forge, as the simulator
 * makes its own), a client that trusts it gets answers over https://, one
 * that does not is refused, plain HTTP gets nothing. A missing, unreadable,
 * wrong or mismatched certificate or key stops `serve` with exit 2 and says
 * which file and why.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { get } from "node:https";
import { join } from "node:path";
import { createSelfSignedCert } from "../../src/sim/tls.js";
import { initWorkspace, startSim, type RunningSimulator } from "../helpers/sim.js";
import { apiServer, stopAll, type ApiServer } from "./helpers.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let server: ApiServer;
let certPem: string;
/** A line of the private key: never in any output. */
let keyCanary: string;
const files = { cert: "", key: "", otherKey: "", unreadable: "" };

beforeAll(async () => {
  sim = await startSim({ size: 2 });
  ws = await initWorkspace(sim);
  const dir = join(ws.dir, "tls");
  mkdirSync(dir);
  const mine = createSelfSignedCert("127.0.0.1");
  certPem = mine.certPem;
  keyCanary = mine.keyPem.split("\n")[1];
  files.cert = join(dir, "mpc.crt");
  files.key = join(dir, "mpc.key");
  files.otherKey = join(dir, "other.key");
  files.unreadable = join(dir, "locked.key");
  writeFileSync(files.cert, mine.certPem);
  writeFileSync(files.key, mine.keyPem);
  writeFileSync(files.otherKey, createSelfSignedCert("127.0.0.1").keyPem);
  writeFileSync(files.unreadable, mine.keyPem);
  chmodSync(files.unreadable, 0o000);
  server = await apiServer(ws.dir, ws.env, ["--cert", files.cert, "--key", files.key]);
}, 60_000);

afterAll(() => stopAll(server, sim, ws));

/** GET over https with the given trust; status and body. */
function fetchTls(path: string, ca: string | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(`${server.url}${path}`, { ca, headers: { authorization: `Bearer ${server.token}` } }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
}

test("the first line says https://; a client trusting the certificate gets answers, others are refused", async () => {
  expect(server.firstLine).toMatch(/^listening on https:\/\/127\.0\.0\.1:\d+ token pmpc_\S+$/);
  const ok = await fetchTls("/api/v1/status", certPem);
  expect(ok.status).toBe(200);
  expect(JSON.parse(ok.body)).toMatchObject({ ok: true, command: "status" });
  await expect(fetchTls("/api/v1/status", undefined)).rejects.toThrow(/self[- ]signed certificate/);
  await expect(fetch(server.url.replace("https:", "http:") + "/api/v1/status")).rejects.toThrow();
  expect(server.stdout() + server.stderr()).not.toContain(keyCanary);
});

test("a missing, unreadable, wrong or mismatched certificate or key: exit 2, which file and why", async () => {
  const serve = (...args: string[]) => ws.run(["serve", "--port", "0", ...args]);
  const cases: [string[], RegExp][] = [
    [["--cert", files.cert], /--cert needs --key/],
    [["--key", files.key], /--key needs --cert/],
    [["--cert", join(ws.dir, "tls", "nope.crt"), "--key", files.key], /Cannot read the certificate .*nope\.crt: no such file\./],
    [["--cert", files.key, "--key", files.key], /mpc\.key is not a PEM certificate\./],
    [["--cert", files.cert, "--key", files.cert], /mpc\.crt is not a readable PEM private key\./],
    [["--cert", files.cert, "--key", files.otherKey], /The key .*other\.key does not belong to the certificate .*mpc\.crt\./],
  ];
  // root reads any file whatever its mode: the unreadable case only where permissions bite.
  if (process.getuid?.() !== 0) cases.push([["--cert", files.cert, "--key", files.unreadable], /Cannot read the key .*locked\.key: permission denied\./]);
  for (const [args, message] of cases) {
    const run = await serve(...args);
    expect([args.join(" "), run.code]).toEqual([args.join(" "), 2]);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).not.toMatch(/listening/);
    expect(run.stderr + run.stdout).not.toContain(keyCanary);
  }
});

test("the plain-HTTP warning is for HTTP only", async () => {
  const withTls = await apiServer(ws.dir, ws.env, ["--host", "0.0.0.0", "--cert", files.cert, "--key", files.key]);
  try {
    expect(withTls.firstLine).toMatch(/^listening on https:\/\/0\.0\.0\.0:\d+ /);
    expect(withTls.stderr()).not.toMatch(/plain HTTP/);
  } finally {
    await withTls.stop();
  }
  const plain = await apiServer(ws.dir, ws.env, ["--host", "0.0.0.0"]);
  try {
    expect(plain.firstLine).toMatch(/^listening on http:\/\/0\.0\.0\.0:\d+ /);
    expect(plain.stderr()).toMatch(/plain HTTP carries tokens in clear text/);
  } finally {
    await plain.stop();
  }
});
