/**
 * `token create|list|revoke`: the API tokens `serve` accepts (docs/api.md).
 * A token is stored as a scrypt hash in the workspace's store and shown once,
 * by `create`; its role (viewer, operator, admin) says which routes it may call.
 */
import { UsageError } from "../core/errors.js";
import { requireWorkspace } from "./context.js";
import { defineCommand } from "./define.js";
import { checkItemName, when } from "./named-items.js";
import { choice, defineOptions, text } from "./options.js";

const ACTIONS = ["create", "list", "revoke"] as const;
const ROLES = ["viewer", "operator", "admin"] as const;
const UNITS = { h: 36e5, d: 864e5, w: 7 * 864e5 } as const;

/** `30d`, `12h`, `2w` → when the token ends, counted from `now`. */
export function expiryFrom(text: string, now: Date): Date {
  const m = /^(\d+)\s*([hdw])$/.exec(text.trim());
  if (!m || Number(m[1]) < 1) throw new UsageError(`--expires must be a duration such as 12h, 30d or 2w, got "${text}".`);
  return new Date(now.getTime() + Number(m[1]) * UNITS[m[2] as keyof typeof UNITS]);
}


export const tokenCommand = defineCommand({
  name: "token",
  summary: "Create, list or revoke the API tokens of `serve`",
  description:
    "A token is shown once, by `create`, and stored only as a scrypt hash. Roles: viewer reads; operator also runs power actions, create, plan, sync and snapshots; admin everything (apply, destroy, delete, restore, migrate). See docs/api.md.",
  examples: ["proxmox-mpc token create ci --role operator --expires 30d", "proxmox-mpc token list", "proxmox-mpc token revoke ci"],
  arguments: [
    { name: "action", description: "create, list or revoke", required: true, choices: ACTIONS },
    { name: "name", description: "the token's name (create, revoke)" },
  ],
  options: defineOptions({
    role: choice("--role <role>", "what the token may do (create)", ROLES),
    expires: text("--expires <duration>", "the token ends after this long: 12h, 30d, 2w (create; default: never)"),
  }),
  workspace: "required",
  mcp: { tool: false, why: "manages who may call the REST API; a token is shown once, to the person who makes it at a terminal" },
  async run(ctx, input) {
    requireWorkspace(ctx);
    const [action, name] = input.args;
    const o = input.options;
    if (action !== "create" && (o.role !== undefined || o.expires !== undefined)) throw new UsageError("--role and --expires are for `token create`.");
    checkItemName("token", action, name, `proxmox-mpc token ${action} ci${action === "create" ? " --role viewer" : ""}`);
    const store = await ctx.services.store();
    const now = new Date();
    if (action === "create") {
      if (!o.role) throw new UsageError("token create needs --role viewer|operator|admin.", `e.g. proxmox-mpc token create ${name} --role viewer`);
      const expiresAt = o.expires === undefined ? undefined : expiryFrom(o.expires, now);
      const made = await store.tokens.create(name as string, o.role, { expiresAt, now });
      const text = [
        `Token ${name} (${o.role}${expiresAt ? `, until ${when(expiresAt)}` : ""}):`,
        made.token,
        "It is shown this once: keep it now. Send it as `Authorization: Bearer TOKEN`.",
      ].join("\n");
      return { kind: "data", data: { ...made.info, bearer: made.token }, text };
    }
    if (action === "revoke") {
      if (!(await store.tokens.revoke(name as string, now))) throw new UsageError(`No active token named ${name}.`, "`proxmox-mpc token list` shows the tokens.", "token-not-found");
      return { kind: "message", level: "success", text: `Token ${name} revoked: it is refused from now on.` };
    }
    const tokens = await store.tokens.list(now);
    return {
      kind: "data",
      data: tokens,
      table: {
        columns: [
          { key: "name", header: "NAME" },
          { key: "role", header: "ROLE" },
          { key: "state", header: "STATE" },
          { key: "created", header: "CREATED" },
          { key: "expires", header: "EXPIRES" },
          { key: "lastUsed", header: "LAST USED" },
        ],
        rows: tokens.map((t) => ({ name: t.name, role: t.role, state: t.state, created: when(t.createdAt), expires: when(t.expiresAt), lastUsed: when(t.lastUsedAt) })),
      },
    };
  },
});
