/**
 * Inbound hooks: `POST /api/v1/hooks/{id}` (docs/webhooks.md). No bearer
 * token: the sender proves it knows the hook's secret, over the raw body —
 * GitHub's `X-Hub-Signature-256: sha256=<hex HMAC(secret, body)>`, this
 * program's own `X-Proxmox-MPC-Signature-256` with `X-Proxmox-MPC-Timestamp`
 * (HMAC(secret, timestamp + "." + body), the timestamp within 5 minutes), or
 * GitLab's `X-Gitlab-Token: <secret>`; every comparison is constant-time. A
 * missing or wrong proof is a 401 and runs nothing. A verified call runs the
 * hook's action through the runner (actor api) and answers 202 with the
 * operation to follow; an apply hook made without --allow-apply plans
 * instead and changes nothing. The body is read as raw bytes by a parser
 * registered in this route's own scope (Fastify encapsulation): no other
 * route's parsing changes.
 */
import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { findCommand } from "../commands/registry.js";
import { remoteDefaults } from "../commands/remote.js";
import { toCommandInput } from "../commands/schema.js";
import { registerSecret } from "../core/redact.js";
import { signature } from "../observability/webhooks.js";
import type { ApiKit } from "./app.js";
import { API_PREFIX } from "./routes.js";

/** How far the X-Proxmox-MPC-Timestamp of a signed call may be from now. */
const SKEW_SECONDS = 300;

/** Equal, in time that does not depend on where they differ. */
function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  // Lengths differ: compare with itself so the time is the same, then refuse.
  return x.length === y.length ? timingSafeEqual(x, y) : (timingSafeEqual(x, x), false);
}

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Which proof the call carries and whether it holds (with why not, when the timestamp is the reason); undefined when it carries none. */
export function verifyCall(secret: string, body: Buffer, headers: (name: string) => string | undefined, now = Date.now()): { scheme: string; ok: boolean; why?: string } | undefined {
  const github = headers("x-hub-signature-256");
  if (github !== undefined) return { scheme: "github", ok: same(github.trim().toLowerCase(), signature(secret, body)) };
  const own = headers("x-proxmox-mpc-signature-256");
  if (own !== undefined) {
    const timestamp = headers("x-proxmox-mpc-timestamp") ?? "";
    const valid = same(own.trim().toLowerCase(), signature(secret, Buffer.concat([Buffer.from(`${timestamp}.`), body])));
    const why = staleness(timestamp, now);
    return { scheme: "proxmox-mpc", ok: valid && !why, ...(why ? { why } : {}) };
  }
  const gitlab = headers("x-gitlab-token");
  if (gitlab !== undefined) return { scheme: "gitlab", ok: same(gitlab, secret) };
  return undefined;
}

/** Why X-Proxmox-MPC-Timestamp refuses the call (missing, too old, ahead of this clock), or undefined when it is fresh. */
function staleness(timestamp: string, now: number): string | undefined {
  const fix = "sign each call with the current Unix time in seconds, and check the sender's clock.";
  if (!/^\d{1,12}$/.test(timestamp)) return `X-Proxmox-MPC-Timestamp is missing or not Unix seconds: ${fix}`;
  const behind = Math.round(now / 1000 - Number(timestamp));
  if (behind > SKEW_SECONDS) return `The timestamp is too old (more than ${SKEW_SECONDS / 60} minutes): it is ${behind} s behind this server's clock; ${fix}`;
  if (-behind > SKEW_SECONDS) return `The timestamp is ahead of this server's clock by more than ${SKEW_SECONDS / 60} minutes (${-behind} s): ${fix}`;
  return undefined;
}

/** Register POST /api/v1/hooks/:id in a scope of its own (raw body parser). */
export function registerHooks(app: FastifyInstance, kit: ApiKit): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
    scope.post(`${API_PREFIX}/hooks/:id`, (request, reply) => call(kit, request, reply));
  });
}

async function call(kit: ApiKit, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { id } = request.params as { id: string };
  const store = await kit.input.store();
  const hook = await store.hooks.hookForCall(id);
  if (!hook) return kit.send(reply, 404, { ok: false, error: { code: "not-found", message: `No hook ${id}.`, hint: "`proxmox-mpc hook list` shows the hooks and their paths." } });
  registerSecret(hook.secret);
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const proof = verifyCall(hook.secret, body, (name) => header(request, name));
  if (!proof?.ok) {
    kit.input.log.warn({ hook: hook.name, scheme: proof?.scheme ?? "none", source: request.ip, ...(proof?.why ? { why: proof.why } : {}) }, "inbound hook refused");
    reply.header("www-authenticate", 'HMAC realm="proxmox-mpc hooks"');
    const message = proof?.why ?? (proof ? "The signature is not valid for this hook." : "Sign the body: X-Hub-Signature-256, X-Proxmox-MPC-Signature-256 (with X-Proxmox-MPC-Timestamp) or X-Gitlab-Token.");
    return kit.send(reply, 401, { ok: false, error: { code: "unauthorized", message, hint: "See docs/webhooks.md, Inbound hooks." } });
  }
  void store.hooks.called(hook.id).catch(() => undefined);
  // An apply hook without --allow-apply plans: it shows what apply would do and changes nothing.
  const planOnly = hook.action === "apply" && !hook.allowApply;
  const name = planOnly ? "plan" : hook.action;
  const command = findCommand(name);
  if (!command) return kit.send(reply, 500, { ok: false, error: { code: "internal", message: `The ${name} command is missing.` } });
  kit.input.log.info({ hook: hook.name, scheme: proof.scheme, action: hook.action, runs: name, source: request.ip }, "inbound hook called");
  const caller = { principal: `hook:${hook.name}`, source: request.ip };
  const { ctx, done } = kit.runner.start(command, toCommandInput(command, { ...remoteDefaults(command) }), { confirm: hook.action === "apply" && hook.allowApply, caller });
  const where = kit.follow(command.name, ctx.correlationId, done);
  reply.header("location", where);
  const note = planOnly ? "This hook is not allowed to apply (made without --allow-apply): it planned; nothing was changed." : undefined;
  return kit.send(reply, 202, { ok: true, hook: hook.name, command: command.name, correlationId: ctx.correlationId, status: "running", operation: where, ...(note ? { note } : {}) });
}
