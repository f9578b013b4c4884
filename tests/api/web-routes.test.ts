/**
 * The dashboard's server side over real HTTP (`proxmox-mpc serve` as a child
 * process on a synced simulator workspace): `/` and its hashed assets with
 * their content types, caching and Content-Security-Policy; the page that
 * says to build when dist/web/ is missing; GET /api/v1/whoami for each role;
 * the IaC file routes — list, read, write (a new file at once, an overwrite
 * only after 409 + confirm, recorded in the audit trail), paths out of the
 * IaC folders refused, viewers refused — and the check of an unsaved text,
 * which reports file and line and writes nothing.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import Fastify from "fastify";
import type { ApiKit } from "../../src/api/app.js";
import { CSP, registerWeb } from "../../src/api/web.js";
import { openStore } from "../../src/state/index.js";
import { apiServer, call, stopAll, syncedWorkspace, type ApiServer } from "./helpers.js";
import type { initWorkspace, RunningSimulator } from "../helpers/sim.js";

let sim: RunningSimulator;
let ws: Awaited<ReturnType<typeof initWorkspace>>;
let server: ApiServer;
const tokens: Record<string, string> = {};
/** A guest's .tf file sync wrote, relative to the workspace (terraform/NAME.tf). */
let guestTf: string;

beforeAll(async () => {
  ({ sim, ws } = await syncedWorkspace({ size: 4, randomSeed: 7 }));
  const store = await openStore({ url: `file:${path.join(ws.dir, ".proxmox-mpc", "state.db")}` });
  try {
    for (const role of ["viewer", "operator", "admin"] as const) tokens[role] = (await store.tokens.create(`${role}-1`, role)).token;
  } finally {
    await store.close();
  }
  const name = readdirSync(path.join(ws.dir, "terraform")).find((n) => n.endsWith(".tf") && readFileSync(path.join(ws.dir, "terraform", n), "utf8").includes('resource "proxmox_virtual_environment_'));
  if (!name) throw new Error("sync wrote no guest .tf file");
  guestTf = `terraform/${name}`;
  server = await apiServer(ws.dir, ws.env);
}, 90_000);

afterAll(() => stopAll(server, sim, ws));

const onDisk = (rel: string) => readFileSync(path.join(ws.dir, rel), "utf8");

describe("the page and its assets", () => {
  test("/ is the built page with a strict CSP; its script and stylesheet load with their types, cached by hash", async () => {
    const page = await call(server, "GET", "/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toBe(CSP);
    expect(CSP).toContain("script-src 'self'");
    expect(CSP).not.toContain("unsafe-inline");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    // No inline script or style: every <script> has a src, no style attribute or element.
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.text).not.toMatch(/<style|style=/);
    const script = /<script type="module" src="(\/assets\/app-[A-Z0-9]{8}\.js)"/.exec(page.text)?.[1];
    const style = /<link rel="stylesheet" href="(\/assets\/app-[A-Z0-9]{8}\.css)"/.exec(page.text)?.[1];
    expect([script, style]).toEqual([expect.any(String), expect.any(String)]);
    const js = await call(server, "GET", script!);
    expect([js.status, js.headers.get("content-type"), js.headers.get("cache-control")]).toEqual([200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"]);
    expect(js.headers.get("content-security-policy")).toBe(CSP);
    // The bundle is the dashboard (its accessible names) and asks nothing of another origin.
    expect(js.text).toContain("API token");
    expect(js.text).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z0-9.-]+\.[a-z]{2,}\//i);
    const css = await call(server, "GET", style!);
    expect([css.status, css.headers.get("content-type")]).toEqual([200, "text/css; charset=utf-8"]);
    expect(css.text).toMatch(/prefers-color-scheme: ?dark/);
  });

  test("no asset outside dist/web/assets: unknown names and climbing paths are 404", async () => {
    for (const p of ["/assets/nope-AAAAAAAA.js", "/assets/..%2F..%2Fpackage.json", "/assets/.hidden.js", "/assets/x.json"]) {
      const answer = await call(server, "GET", p);
      expect([p, answer.status]).toEqual([p, 404]);
    }
    const raw = await rawGet("/assets/../index.html");
    expect(raw.status).not.toBe(200);
  });

  test("without a build, / says how to make one", async () => {
    const app = Fastify();
    const empty = mkdtempSync(path.join(tmpdir(), "mpc-noweb-"));
    const kit = { input: { workspace: { paths: { root: empty } } }, authenticate: async () => undefined, send: (r: { code: (n: number) => { send: (b: string) => unknown } }, n: number, b: unknown) => r.code(n).send(JSON.stringify(b)) } as unknown as ApiKit;
    registerWeb(app, kit, path.join(empty, "web"));
    await app.listen({ host: "127.0.0.1", port: 0 });
    try {
      const res = await fetch(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`);
      expect(res.status).toBe(503);
      expect(res.headers.get("content-security-policy")).toBe(CSP);
      expect(await res.text()).toContain("npm run build");
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

test("whoami: each token's name and role; 401 without one", async () => {
  for (const role of ["viewer", "operator", "admin"]) {
    const answer = await call(server, "GET", "/api/v1/whoami", { token: tokens[role] });
    expect([answer.status, answer.body]).toEqual([200, { ok: true, name: `${role}-1`, role }]);
  }
  const none = await call(server, "GET", "/api/v1/whoami");
  expect(none.status).toBe(401);
  expect(none.text).not.toContain("viewer-1");
});

describe("IaC files", () => {
  test("the list holds the .tf files and the Ansible files, nothing hidden", async () => {
    const answer = await call(server, "GET", "/api/v1/iac/files", { token: tokens.viewer });
    expect(answer.status).toBe(200);
    const files = (answer.body.data as { files: { path: string; size: number }[] }).files.map((f) => f.path);
    expect(files).toContain(guestTf);
    expect(files).toContain("ansible/inventory.yml");
    expect(files.every((f) => /^terraform\/.+\.tf$|^ansible\/.+\.(ya?ml|cfg)$/.test(f))).toBe(true);
    expect(files.some((f) => f.includes("/."))).toBe(false);
  });

  test("read gives the file's text; a missing one is 404", async () => {
    const answer = await call(server, "GET", `/api/v1/iac/files/${guestTf}`, { token: tokens.viewer });
    expect(answer.status).toBe(200);
    expect((answer.body.data as { content: string }).content).toBe(onDisk(guestTf));
    const missing = await call(server, "GET", "/api/v1/iac/files/terraform/not-there.tf", { token: tokens.viewer });
    expect([missing.status, (missing.body.error as { code: string }).code]).toEqual([404, "not-found"]);
  });

  test("a new file is written at once (201); the same text again changes nothing", async () => {
    const text = '# a new file from the dashboard\nvariable "note" {\n  default = "x"\n}\n';
    const created = await call(server, "PUT", "/api/v1/iac/files/terraform/dash_new.tf", { token: tokens.operator, body: { content: text } });
    expect([created.status, created.body.data]).toEqual([201, { path: "terraform/dash_new.tf", created: true, changed: true }]);
    expect(onDisk("terraform/dash_new.tf")).toBe(text);
    const again = await call(server, "PUT", "/api/v1/iac/files/terraform/dash_new.tf", { token: tokens.operator, body: { content: text } });
    expect([again.status, again.body.data]).toEqual([200, { path: "terraform/dash_new.tf", created: false, changed: false }]);
  });

  test("a confirmed overwrite with the 409's base over a file changed meanwhile writes nothing and shows the new diff", async () => {
    const before = onDisk(guestTf);
    const mine = before.replace(/cores\s*=\s*\d+/, "cores = 9");
    const asked = await call(server, "PUT", `/api/v1/iac/files/${guestTf}`, { token: tokens.operator, body: { content: mine } });
    expect(asked.status).toBe(409);
    const base = asked.body.base as string;
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    // Someone else saves the file between the diff and the confirmation.
    const theirs = `${before}# edited by someone else\n`;
    writeFileSync(path.join(ws.dir, guestTf), theirs);
    const stale = await call(server, "PUT", `/api/v1/iac/files/${guestTf}`, { token: tokens.operator, body: { content: mine, confirm: true, base } });
    expect(stale.status).toBe(409);
    expect(stale.body.question).toMatch(/changed since the diff you confirmed/);
    expect(stale.body.wouldDo).toContain("-# edited by someone else");
    expect(onDisk(guestTf)).toBe(theirs);
    // Confirmed against what is there now, it writes.
    const written = await call(server, "PUT", `/api/v1/iac/files/${guestTf}`, { token: tokens.operator, body: { content: mine, confirm: true, base: stale.body.base } });
    expect(written.status).toBe(200);
    expect(onDisk(guestTf)).toBe(mine);
    writeFileSync(path.join(ws.dir, guestTf), before);
  });

  test("overwriting answers 409 with the diff and writes nothing; with confirm it writes, and the audit trail says who", async () => {
    const before = onDisk(guestTf);
    const after = before.replace(/cores\s*=\s*\d+/, "cores = 7");
    expect(after).not.toBe(before);
    const asked = await call(server, "PUT", `/api/v1/iac/files/${guestTf}`, { token: tokens.operator, body: { content: after } });
    expect(asked.status).toBe(409);
    expect(asked.body.confirmationRequired).toBe(true);
    const diff = asked.body.wouldDo as string[];
    expect(diff[0]).toBe(`--- a/${guestTf}`);
    expect(diff).toContainEqual(expect.stringMatching(/^-\s+cores\s*=\s*\d+$/));
    expect(diff).toContain("+    cores = 7");
    expect(onDisk(guestTf)).toBe(before);

    const written = await call(server, "PUT", `/api/v1/iac/files/${guestTf}`, { token: tokens.operator, body: { content: after, confirm: true } });
    expect([written.status, written.body.data]).toEqual([200, { path: guestTf, created: false, changed: true }]);
    expect(onDisk(guestTf)).toBe(after);
    expect(readdirSync(path.join(ws.dir, "terraform")).filter((n) => n.endsWith(".tmp"))).toEqual([]);

    const audit = await call(server, "GET", "/api/v1/audit?action=iac-save", { token: tokens.admin });
    expect(audit.status).toBe(200);
    expect(audit.body.data).toContainEqual(expect.objectContaining({ action: "iac-save", target: guestTf, principal: "operator-1", role: "operator", result: "ok", correlationId: written.body.correlationId }));
  });

  test("a viewer may read but not write (403, nothing written)", async () => {
    const before = onDisk(guestTf);
    const answer = await call(server, "PUT", `/api/v1/iac/files/${guestTf}`, { token: tokens.viewer, body: { content: "# gone\n", confirm: true } });
    expect(answer.status).toBe(403);
    expect(Object.keys(answer.body).sort()).toEqual(["error", "ok"]);
    expect(onDisk(guestTf)).toBe(before);
  });

  test("paths out of terraform/ and ansible/, hidden ones, other extensions and links out are refused (400), nothing written", async () => {
    const outside = mkdtempSync(path.join(tmpdir(), "mpc-outside-"));
    symlinkSync(outside, path.join(ws.dir, "terraform", "escape"));
    try {
      const refused = [
        "terraform/..%2F..%2Fevil.tf",
        "terraform/a%2F..%2F..%2Fevil.tf",
        "%2Fetc%2Fevil.tf",
        "terraform/.terraform/evil.tf",
        "terraform/evil.sh",
        "terraform/evil.tfstate",
        "tests/evil.tf",
        ".proxmox-mpc/config.yaml",
        "ansible/evil.tf",
        "terraform/escape/evil.tf",
        "terraform/a%5C..%5Cevil.tf",
      ];
      for (const p of refused) {
        const answer = await call(server, "PUT", `/api/v1/iac/files/${p}`, { token: tokens.admin, body: { content: "x", confirm: true } });
        expect([p, answer.status, (answer.body.error as { code?: string } | undefined)?.code]).toEqual([p, 400, "bad-path"]);
        const read = await call(server, "GET", `/api/v1/iac/files/${p}`, { token: tokens.admin });
        expect([p, read.status]).toEqual([p, 400]);
      }
      // A raw request line with ../ (clients normalise it; this one does not).
      const raw = await rawGet("/api/v1/iac/files/terraform/../../.proxmox-mpc/config.yaml", tokens.admin);
      expect(raw.status).not.toBe(200);
      expect(raw.body).not.toContain("endpoint");
      expect(readdirSync(outside)).toEqual([]);
      expect(existsSync(path.join(ws.dir, "evil.tf"))).toBe(false);
      expect(existsSync(path.join(path.dirname(ws.dir), "evil.tf"))).toBe(false);
    } finally {
      rmSync(path.join(ws.dir, "terraform", "escape"));
      rmSync(outside, { recursive: true, force: true });
    }
  });

  test("check reports the problems of an unsaved text with file and line, and writes nothing", async () => {
    const before = onDisk(guestTf);
    const lines = before.split("\n");
    const at = lines.findIndex((l) => /^\s+name\s*=/.test(l));
    expect(at).toBeGreaterThan(0);
    lines.splice(at + 1, 0, "  bogus_argument = 1");
    const answer = await call(server, "POST", "/api/v1/iac/check", { token: tokens.viewer, body: { path: guestTf, content: lines.join("\n") } });
    expect(answer.status).toBe(200);
    const report = answer.body.data as { ok: boolean; results: { check: string; status: string; file?: string; line?: number; message: string }[] };
    expect(report.ok).toBe(false);
    expect(report.results).toContainEqual(expect.objectContaining({ check: "arguments", status: "failed", file: guestTf, line: at + 2, message: expect.stringContaining("bogus_argument") }));
    expect(JSON.stringify(report)).not.toContain("mpc-check-");
    expect(onDisk(guestTf)).toBe(before);
    // The saved text passes the same check.
    const clean = await call(server, "POST", "/api/v1/iac/check", { token: tokens.viewer, body: { path: guestTf, content: before } });
    expect((clean.body.data as { results: { status: string; file?: string }[] }).results.filter((r) => r.status === "failed" && r.file === guestTf)).toEqual([]);
  });

  test("bad bodies are refused with the reason", async () => {
    const noContent = await call(server, "PUT", `/api/v1/iac/files/${guestTf}`, { token: tokens.operator, body: { text: "x" } });
    expect(noContent.status).toBe(400);
    const badCheck = await call(server, "POST", "/api/v1/iac/check", { token: tokens.viewer, body: { path: "../x.tf", content: "" } });
    expect([badCheck.status, (badCheck.body.error as { code: string }).code]).toEqual([400, "bad-path"]);
  });
});

/** A GET with the path exactly as given (fetch would resolve ../). */
function rawGet(pathname: string, token?: string): Promise<{ status: number; body: string }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: pathname, method: "GET", headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}
