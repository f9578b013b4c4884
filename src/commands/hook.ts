/**
 * `hook add|list|remove`: inbound hooks of `serve` (docs/webhooks.md). A hook
 * is a URL, `POST /api/v1/hooks/{id}`, that a git server or a pipeline calls
 * with a body signed by the hook's secret; it runs one configured action:
 * sync, plan, or apply — apply only when the hook was made with
 * --allow-apply (otherwise it plans and changes nothing). The secret and the
 * path are shown once, by `add`.
 */
import { UsageError } from "../core/errors.js";
import { HOOK_ACTIONS, type InboundHookInfo } from "../state/webhook-repository.js";
import { requireWorkspace } from "./context.js";
import { defineCommand } from "./define.js";
import { choice, defineOptions, flag } from "./options.js";
import { checkItemName, when } from "./named-items.js";
import { declined } from "../core/result.js";

const ACTIONS = ["add", "list", "remove"] as const;

/** The path a hook is called at. */
export const hookPath = (id: string): string => `/api/v1/hooks/${id}`;

function shown(h: InboundHookInfo): Record<string, unknown> {
  return { name: h.name, action: h.action, allowApply: h.allowApply, path: hookPath(h.id), createdAt: h.createdAt, lastCalledAt: h.lastCalledAt };
}

export const hookCommand = defineCommand({
  name: "hook",
  summary: "Let a git server or a pipeline trigger sync, plan or apply through `serve`: add, list, remove inbound hooks",
  description:
    "A hook is POST /api/v1/hooks/{id} on `serve`, without a bearer token: the sender signs the body with the hook's secret (GitHub: X-Hub-Signature-256; GitLab: X-Gitlab-Token; or X-Proxmox-MPC-Signature-256). It runs its action and answers 202 with the operation to follow. An apply hook applies only when made with --allow-apply; otherwise it plans and changes nothing. See docs/webhooks.md.",
  examples: ["proxmox-mpc hook add github-push --action sync", "proxmox-mpc hook add main-merged --action apply --allow-apply", "proxmox-mpc hook list", "proxmox-mpc hook remove github-push --yes"],
  arguments: [
    { name: "subcommand", description: "add, list or remove", required: true, choices: ACTIONS },
    { name: "name", description: "the hook's name (add, remove)" },
  ],
  options: defineOptions({
    action: choice("--action <action>", "what a call runs: sync, plan or apply (add)", HOOK_ACTIONS),
    allowApply: flag("--allow-apply", "an apply hook really applies (add; without it, it only plans)"),
  }),
  workspace: "required",
  mcp: { tool: false, why: "makes URLs that run sync, plan or apply without a token; the secret is shown once, to the person who makes it at a terminal" },
  async run(ctx, input) {
    requireWorkspace(ctx);
    const [verb, name] = input.args;
    const o = input.options;
    if (verb !== "add" && (o.action !== undefined || o.allowApply)) throw new UsageError("--action and --allow-apply are for `hook add`.");
    checkItemName("hook", verb, name, `proxmox-mpc hook ${verb} github-push${verb === "add" ? " --action sync" : ""}`);
    const store = await ctx.services.store();
    if (verb === "add") {
      if (!o.action) throw new UsageError("hook add needs --action sync|plan|apply.", `e.g. proxmox-mpc hook add ${name} --action sync`);
      if (o.allowApply && o.action !== "apply") throw new UsageError("--allow-apply is for a hook with --action apply.");
      const made = await store.hooks.add({ name: name as string, action: o.action, allowApply: o.allowApply === true });
      const path = hookPath(made.info.id);
      const what = o.action === "apply" ? (o.allowApply ? "apply (allowed: a signed call changes the cluster)" : "apply — not allowed: a call plans and changes nothing (--allow-apply to allow)") : o.action;
      const text = [
        `Hook ${name}: ${what}.`,
        `URL path: POST ${path} on your serve address, e.g. https://mpc.example.com${path}`,
        "Secret (shown this once, with the path: set it in the sender now):",
        made.secret,
        "GitHub: a webhook with content type application/json and this secret. GitLab: this secret as the webhook's secret token.",
      ].join("\n");
      return { kind: "data", data: { ...shown(made.info), signingSecret: made.secret }, text };
    }
    if (verb === "remove") {
      const found = (await store.hooks.list()).find((h) => h.name === name);
      if (!found) throw new UsageError(`No hook named ${name}.`, "`proxmox-mpc hook list` shows them.", "hook-not-found");
      if (!(await ctx.ui.confirm(`Remove hook ${name} (${found.action})? Calls to its URL are refused from now on.`))) return declined();
      await store.hooks.remove(name as string);
      return { kind: "message", level: "success", text: `Hook ${name} removed: its URL answers 404 from now on.` };
    }
    const hooks = await store.hooks.list();
    return {
      kind: "data",
      data: hooks.map(shown),
      table: {
        columns: [
          { key: "name", header: "NAME" },
          { key: "action", header: "ACTION" },
          { key: "path", header: "PATH" },
          { key: "created", header: "CREATED" },
          { key: "lastCalled", header: "LAST CALLED" },
        ],
        rows: hooks.map((h) => ({ name: h.name, action: h.action === "apply" && !h.allowApply ? "apply (plans only)" : h.action, path: hookPath(h.id), created: when(h.createdAt), lastCalled: when(h.lastCalledAt) })),
      },
    };
  },
});
