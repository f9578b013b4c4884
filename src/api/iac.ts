/**
 * The IaC file routes the dashboard's editor uses (docs/dashboard.md):
 * list the workspace's IaC files (terraform/**.tf, ansible/**.yml|yaml|cfg),
 * read one, write one (operator; a new file is written at once, overwriting
 * an existing one first answers 409 with the diff and needs "confirm": true,
 * as the command routes do), and check a text before it is saved with the
 * checks of `test`, on a scratch copy of the workspace's IaC. Paths are
 * relative to the workspace root; anything else — absolute, `..`, hidden
 * folders, other extensions, symbolic links out — is refused.
 */
import { createHash } from "node:crypto";
import { lstat, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, writeFile, cp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, sep } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { newCorrelationId } from "../core/logger.js";
import { unifiedDiff } from "../iac/terraform/diff-lines.js";
import { atomicWrite } from "../iac/terraform/write.js";
import type { ApiCaller, ApiKit } from "./app.js";
import type { Role } from "./roles.js";
import { API_PREFIX } from "./routes.js";

/** A route of a part beside the command routes: its role, and its OpenAPI operation. */
export interface PartRoute {
  method: "GET" | "POST" | "PUT";
  /** OpenAPI form. */
  path: string;
  /** Fastify form. */
  url: string;
  role: Role;
  operationId: string;
  summary: string;
  /** The OpenAPI operation's parameters, requestBody and responses. */
  spec: Record<string, unknown>;
}

const FILES = `${API_PREFIX}/iac/files`;
const CHECK = `${API_PREFIX}/iac/check`;
/** The largest IaC file written or checked (the server's body limit is 1 MiB). */
const MAX_FILE = 512 * 1024;

const json = (description: string, schema: Record<string, unknown> = { type: "object" }) => ({ description, content: { "application/json": { schema } } });
const refusals = { "401": json("No valid token"), "403": json("The token's role may not do this") };
const pathParam = { name: "path", in: "path", required: true, schema: { type: "string" }, description: "relative to the workspace, slashes included: terraform/web_01.tf, ansible/inventory.yml" };

export const IAC_ROUTES: PartRoute[] = [
  {
    method: "GET",
    path: FILES,
    url: FILES,
    role: "viewer",
    operationId: "listIacFiles",
    summary: "The workspace's IaC files: terraform/**.tf and ansible/**.yml|yaml|cfg",
    spec: { responses: { "200": json("{ok, data: {files: [{path, size, modifiedAt}]}}"), ...refusals } },
  },
  {
    method: "GET",
    path: `${FILES}/{path}`,
    url: `${FILES}/*`,
    role: "viewer",
    operationId: "readIacFile",
    summary: "One IaC file's text",
    spec: { parameters: [pathParam], responses: { "200": json("{ok, data: {path, content, size, modifiedAt}}"), "400": json("Not an IaC file path"), "404": json("No such file"), ...refusals } },
  },
  {
    method: "PUT",
    path: `${FILES}/{path}`,
    url: `${FILES}/*`,
    role: "operator",
    operationId: "writeIacFile",
    summary: "Write an IaC file: a new one at once; an existing one answers 409 with the diff first, then needs confirm: true",
    spec: {
      parameters: [pathParam],
      requestBody: { required: true, content: { "application/json": { schema: { type: "object", required: ["content"], additionalProperties: false, properties: { content: { type: "string" }, confirm: { type: "boolean" }, base: { type: "string", description: "The base of the 409 answer: the overwrite goes ahead only if the file is still the text that diff was made from (else 409 again, with the new diff)." } } } } } },
      responses: { "200": json("Written over the old text (or unchanged): {ok, data: {path, created: false, changed}}"), "201": json("A new file: {ok, data: {path, created: true, changed: true}}"), "400": json("Not an IaC file path, or a bad body"), "409": json("Overwriting: nothing was written; wouldDo is the diff; send again with confirm: true"), ...refusals },
    },
  },
  {
    method: "POST",
    path: CHECK,
    url: CHECK,
    role: "viewer",
    operationId: "checkIacFile",
    summary: "The checks of `test` on the workspace's IaC with this text in place of the file (nothing is written)",
    spec: {
      requestBody: { required: true, content: { "application/json": { schema: { type: "object", required: ["path", "content"], additionalProperties: false, properties: { path: { type: "string" }, content: { type: "string" } } } } } },
      responses: { "200": json("{ok, data: the report of `test -o json` (results with file and line)}"), "400": json("Not an IaC file path, or a bad body"), ...refusals },
    },
  },
];

/** A path the routes refuse, with what is allowed. */
class BadPath extends Error {}

const KINDS: Record<string, RegExp> = { terraform: /\.tf$/, ansible: /\.(ya?ml|cfg)$/ };

/** The file's absolute path, after refusing anything but terraform/…/X.tf and ansible/…/X.yml|yaml|cfg inside the workspace. */
export async function iacPath(root: string, given: string): Promise<string> {
  const parts = given.split("/");
  const allowed = KINDS[parts[0]];
  if (!allowed || parts.length < 2 || given.includes("\\") || given.includes("\0") || parts.some((p) => !p || p.startsWith(".")) || !allowed.test(given)) {
    throw new BadPath(`"${given}" is not an IaC file of the workspace.`);
  }
  const top = join(root, parts[0]);
  const file = join(root, ...parts);
  // Symbolic links must not lead out: the nearest existing folder must be inside the real terraform/ or ansible/.
  const realTop = await realpath(top).catch(() => top);
  let dir = dirname(file);
  for (;;) {
    const real = await realpath(dir).catch(() => undefined);
    if (real !== undefined) {
      if (real !== realTop && !real.startsWith(realTop + sep)) throw new BadPath(`"${given}" leads out of ${parts[0]}/.`);
      break;
    }
    if (dir === top || dir === root) break;
    dir = dirname(dir);
  }
  const link = await lstat(file).catch(() => undefined);
  if (link?.isSymbolicLink()) throw new BadPath(`"${given}" is a symbolic link.`);
  if (link && !link.isFile()) throw new BadPath(`"${given}" is not a file.`);
  return file;
}

/** Every IaC file, relative to the root, sorted. */
async function listFiles(root: string): Promise<{ path: string; size: number; modifiedAt: string }[]> {
  const out: { path: string; size: number; modifiedAt: string }[] = [];
  const walk = async (dir: string, allowed: RegExp): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full, allowed);
      else if (e.isFile() && allowed.test(e.name)) {
        const s = await stat(full);
        out.push({ path: relative(root, full).split(sep).join("/"), size: s.size, modifiedAt: s.mtime.toISOString() });
      }
    }
  };
  for (const [top, allowed] of Object.entries(KINDS)) await walk(join(root, top), allowed);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

const writeBody = z.strictObject({
  content: z.string().max(MAX_FILE, `An IaC file is at most ${MAX_FILE / 1024} KiB.`),
  confirm: z.boolean().optional(),
  /** The `base` of the 409 answer: the confirmed overwrite goes ahead only over the text that was shown. */
  base: z.string().optional(),
});

/** The version of a file's text a 409 answer showed the diff against. */
const baseOf = (text: string) => createHash("sha256").update(text).digest("hex");
const checkBody = z.strictObject({ path: z.string(), content: z.string().max(MAX_FILE, `An IaC file is at most ${MAX_FILE / 1024} KiB.`) });

/** Register a part's route behind its role: the token is checked as the request arrives, before its body is read. */
export function addPartRoute(app: FastifyInstance, kit: ApiKit, route: PartRoute, handler: (caller: ApiCaller, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>): void {
  const callers = new WeakMap<FastifyRequest, ApiCaller>();
  app.route({
    method: route.method,
    url: route.url,
    onRequest: async (request, reply) => {
      const caller = await kit.authenticate(request, reply, route.role);
      if (caller) callers.set(request, caller);
      return reply.sent ? reply : undefined;
    },
    handler: async (request, reply) => {
      const caller = callers.get(request);
      return caller ? handler(caller, request, reply) : reply;
    },
  });
}

export function registerIac(app: FastifyInstance, kit: ApiKit): void {
  const root = kit.input.workspace.paths.root;
  const [list, read, write, check] = IAC_ROUTES;
  const bad = (reply: FastifyReply, message: string, hint?: string) => kit.send(reply, 400, { ok: false, error: { code: "bad-path", message, hint: hint ?? "IaC files are terraform/NAME.tf (and .tf below it) and ansible/…/NAME.yml, .yaml or .cfg, relative to the workspace." } });
  const usage = (reply: FastifyReply, err: z.ZodError) => kit.send(reply, 400, { ok: false, error: { code: "usage", message: err.issues[0]?.message ?? "Bad body.", hint: "The body is a JSON object; see /api/openapi.json." } });
  /** The path of the URL (`files/*`), or the refusal already sent. */
  const fileOf = async (reply: FastifyReply, given: string): Promise<string | undefined> => {
    try {
      return await iacPath(root, given);
    } catch (err) {
      if (!(err instanceof BadPath)) throw err;
      await bad(reply, err.message);
      return undefined;
    }
  };
  /** The path after files/, as Fastify decoded it (%2F is a slash, once). */
  const wild = (request: FastifyRequest) => ((request.params ?? {}) as Record<string, string>)["*"] ?? "";

  addPartRoute(app, kit, list, async (_caller, _request, reply) => kit.send(reply, 200, { ok: true, data: { files: await listFiles(root) } }));

  addPartRoute(app, kit, read, async (_caller, request, reply) => {
    const given = wild(request);
    const file = await fileOf(reply, given);
    if (!file) return reply;
    const s = await stat(file).catch(() => undefined);
    if (!s) return kit.send(reply, 404, { ok: false, error: { code: "not-found", message: `No file ${given}.`, hint: `GET ${FILES} lists them.` } });
    return kit.send(reply, 200, { ok: true, data: { path: given, content: await readFile(file, "utf8"), size: s.size, modifiedAt: s.mtime.toISOString() } });
  });

  addPartRoute(app, kit, write, async (caller, request, reply) => {
    const body = writeBody.safeParse(request.body ?? {});
    if (!body.success) return usage(reply, body.error);
    const given = wild(request);
    const file = await fileOf(reply, given);
    if (!file) return reply;
    const { content, confirm, base } = body.data;
    const old = await readFile(file, "utf8").catch(() => undefined);
    if (old === content) return kit.send(reply, 200, { ok: true, data: { path: given, created: false, changed: false } });
    // Someone changed the file after the diff was shown: nothing is written, the new diff is shown.
    const moved = confirm === true && base !== undefined && (old === undefined ? base !== "" : baseOf(old) !== base);
    if ((old !== undefined && confirm !== true) || moved) {
      return kit.send(reply, 409, {
        ok: false,
        confirmationRequired: true,
        question: moved ? `${given} changed since the diff you confirmed. Overwrite it now?` : `Overwrite ${given}?`,
        wouldDo: unifiedDiff(old ?? "", content, `a/${given}`, `b/${given}`).trimEnd().split("\n"),
        base: old === undefined ? "" : baseOf(old),
        howToConfirm: 'Nothing was written. Send the same request again with "confirm": true and this "base" to go ahead.',
      });
    }
    const startedAt = new Date();
    await mkdir(dirname(file), { recursive: true });
    // Written beside it, then renamed: a reader never sees half a file.
    await atomicWrite(file, content);
    const store = await kit.input.store();
    const correlationId = newCorrelationId();
    await store.operations.record({ correlationId, command: "iac-save", actor: "api", arguments: { args: [given], options: {} }, startedAt, principal: caller.name, role: caller.role, source: caller.source, target: given, result: "ok", exitCode: 0, finishedAt: new Date() });
    kit.input.log.info({ correlationId, path: given, principal: caller.name, created: old === undefined }, "iac file saved");
    return kit.send(reply, old === undefined ? 201 : 200, { ok: true, correlationId, data: { path: given, created: old === undefined, changed: true } });
  });

  addPartRoute(app, kit, check, async (_caller, request, reply) => {
    const body = checkBody.safeParse(request.body ?? {});
    if (!body.success) return usage(reply, body.error);
    const file = await fileOf(reply, body.data.path);
    if (!file) return reply;
    const report = await checkWith(kit, body.data.path, body.data.content);
    return kit.send(reply, 200, { ok: true, data: report });
  });
}

/** What the IaC checks copy: the IaC folders' text files, never .terraform/ (providers) or state. */
const COPIED = /\.(tf|ya?ml|cfg|ini)$/;

/** The report of `test` with `content` in place of `path`, on a scratch copy (the workspace is not touched). */
async function checkWith(kit: ApiKit, path: string, content: string): Promise<unknown> {
  const ws = kit.input.workspace;
  const scratch = await mkdtemp(join(tmpdir(), "mpc-check-"));
  try {
    for (const top of ["terraform", "ansible", "tests"]) {
      const copied = async (source: string) => {
        const name = basename(source);
        if (name.startsWith(".")) return false;
        const s = await lstat(source);
        return s.isDirectory() || (s.isFile() && COPIED.test(name));
      };
      await cp(join(ws.paths.root, top), join(scratch, top), { recursive: true, filter: copied }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== "ENOENT") throw err;
      });
    }
    const target = join(scratch, ...path.split("/"));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
    const store = await kit.input.store();
    const facts = Promise.all([store.syncs.last({ status: "completed" }), store.nodes.list(), store.storage.list(), store.guests.list()]).then(([last, nodes, storage, guests]) => ({ synced: last !== null, nodes, storage, guests }));
    const { runWorkspaceTests } = await import("../iac/checks/index.js");
    const report = await runWorkspaceTests({ paths: { root: scratch, terraform: join(scratch, "terraform"), ansible: join(scratch, "ansible"), tests: join(scratch, "tests") }, facts, signal: kit.input.signal });
    // A message naming the scratch folder names the workspace instead.
    return JSON.parse(JSON.stringify(report).split(scratch).join(ws.paths.root)) as unknown;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
