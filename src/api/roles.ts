/**
 * Who may run what over the REST API. Every command the registry offers as a
 * tool (its `mcp.tool`) gets a role from that kind — read → viewer, write →
 * operator, destructive → admin — unless OVERRIDES says otherwise (for some
 * commands by the action the input names). A command added later is routed
 * with the role of its kind: none is routed without one (tests/api/roles.test.ts).
 */
import type { Command, CommandInput } from "../commands/types.js";

export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** A role for the command, or one per value of its first argument (the action) with a default. */
type RoleRule = Role | { byAction: Readonly<Record<string, Role>>; otherwise: Role; when?: never } | { when: (input: CommandInput) => Role; lowest: Role; byAction?: never };

/** Where the role differs from the one of the command's MCP kind (docs/api.md, "Roles"). */
export const OVERRIDES: Readonly<Record<string, RoleRule>> = {
  // Reads that change the workspace or cost the cluster work.
  plan: "operator",
  // Who did what, from which address, with which token: an admin's, like the tokens themselves (a viewer sees what happened in logs --operations).
  audit: "admin",
  "report-issue": "operator",
  // A power action: operator, although MCP asks before stopping.
  stop: "operator",
  snapshot: { byAction: { list: "viewer", create: "operator", rollback: "admin", delete: "admin" }, otherwise: "admin" },
  backup: { byAction: { list: "viewer", create: "operator", restore: "admin", delete: "admin" }, otherwise: "admin" },
  // Writing the IaC is an operator's; carrying a change out on an existing guest is an admin's.
  set: { when: (input) => (input.options.apply === true ? "admin" : "operator"), lowest: "operator" },
};

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether `held` may do what `needed` may. */
export function allows(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}

function byKind(command: Command): Role | undefined {
  switch (command.mcp.tool) {
    case "read":
      return "viewer";
    case "write":
      return "operator";
    case "destructive":
      return "admin";
    default:
      return undefined;
  }
}

/** The lowest role any call of the command needs (checked before its input is read); undefined: not routed. */
export function lowestRole(command: Command): Role | undefined {
  const kind = byKind(command);
  if (!kind) return undefined;
  const rule = OVERRIDES[command.name];
  if (rule === undefined) return kind;
  if (typeof rule === "string") return rule;
  if (rule.byAction) return Object.values(rule.byAction).reduce((low, r) => (RANK[r] < RANK[low] ? r : low), rule.otherwise);
  return rule.lowest;
}

/** The lowest role of a command's calls, or, for a read view (`snapshot list`), the role of that action. */
export function viewRole(command: Command, viewAction?: string): Role | undefined {
  return viewAction === undefined ? lowestRole(command) : roleFor(command, { args: [viewAction], options: {} });
}

/** The role this call needs. */
export function roleFor(command: Command, input: CommandInput): Role | undefined {
  const kind = byKind(command);
  if (!kind) return undefined;
  const rule = OVERRIDES[command.name];
  if (rule === undefined) return kind;
  if (typeof rule === "string") return rule;
  if (rule.byAction) return rule.byAction[input.args[0] ?? ""] ?? rule.otherwise;
  return rule.when(input);
}
