/**
 * The REST routes, derived from the registry (no code per command): every
 * command the registry offers as a tool is `POST /api/v1/commands/{name}`
 * with the tool's input as the body, and the usual resources and actions have
 * their own paths onto the same commands (RESOURCES, ACTIONS): reads as GET
 * with the input in the query, actions as POST with it in the body. Each
 * route's input is the command's zod input schema (schema.ts) without what the
 * path fixes and without the options that need a terminal (commands/remote.ts),
 * plus `confirm` for the mutating ones. Every route has a role (roles.ts).
 */
import { z } from "zod";
import type { Command } from "../commands/types.js";
import { viewRole, type Role } from "./roles.js";
import { isReadView, remoteInputSchema } from "../commands/remote.js";

export type ToolKind = "read" | "write" | "destructive";

export interface ApiRoute {
  method: "GET" | "POST";
  /** OpenAPI form: /api/v1/vms/{name} */
  path: string;
  command: Command;
  kind: ToolKind;
  /** The lowest role any call needs (roles.ts); the exact one is checked once the input is read. */
  role: Role;
  summary: string;
  /** Tool input the path fixes: { resource: "vms" }. */
  fixed: Readonly<Record<string, unknown>>;
  /** Path parameter → the tool input key it fills (a variadic argument gets a one-item list). */
  params: Readonly<Record<string, string>>;
}

export const API_PREFIX = "/api/v1";


/** Commands that may run long: once confirmed (or when they never ask) they answer 202 and run on. */
const LONG = new Set(["sync", "apply", "destroy", "migrate", "backup", "clone"]);

/** Whether a call runs on after the answer (202 + an operation to follow). */
export function runsLong(command: Command, toolInput: Record<string, unknown>): boolean {
  return LONG.has(command.name) || toolInput.apply === true;
}

interface Shortcut {
  method: "GET" | "POST";
  path: string;
  command: string;
  fixed?: Record<string, unknown>;
  params?: Record<string, string>;
  summary: string;
  /** A read view of a mutating command (its `mcp.views`): the action that only reads; the route is a read. */
  view?: string;
}

/** Resources, read with GET. */
const RESOURCES: Shortcut[] = [
  ...(["vms", "cts", "nodes", "storage", "tasks"] as const).map((resource) => ({ method: "GET" as const, path: `/${resource}`, command: "get", fixed: { resource }, summary: `List ${resource} (get ${resource})` })),
  { method: "GET", path: "/nodes/{name}", command: "get", fixed: { resource: "nodes" }, params: { name: "name" }, summary: "One node (get nodes NAME)" },
  { method: "GET", path: "/vms/{name}", command: "describe", fixed: { kind: "vm" }, params: { name: "name" }, summary: "Everything known about one VM (describe vm NAME)" },
  { method: "GET", path: "/cts/{name}", command: "describe", fixed: { kind: "ct" }, params: { name: "name" }, summary: "Everything known about one container (describe ct NAME)" },
  { method: "GET", path: "/operations", command: "logs", fixed: { operations: true }, summary: "Recorded operations (logs --operations)" },
  { method: "GET", path: "/health", command: "health", summary: "Health checks (health)" },
  { method: "GET", path: "/status", command: "status", summary: "Workspace, server, last sync, drift (status)" },
  { method: "GET", path: "/logs", command: "logs", summary: "The operation log (logs)" },
  { method: "GET", path: "/audit", command: "audit", summary: "Who did what: the audit trail (audit)" },
  // The read views of mutating commands (their mcp.views), as sub-resources of a guest.
  ...(["vms", "cts"] as const).flatMap((noun): Shortcut[] => {
    const kind = noun === "vms" ? "vm" : "ct";
    return [
      { method: "GET", path: `/${noun}/{name}/snapshots`, command: "snapshot", view: "list", fixed: { action: "list", kind }, params: { name: "target" }, summary: `The snapshots of one ${kind === "vm" ? "VM" : "container"}, as a tree (snapshot list ${kind} NAME)` },
      { method: "GET", path: `/${noun}/{name}/backups`, command: "backup", view: "list", fixed: { action: "list" }, params: { name: "target" }, summary: `The backups of one ${kind === "vm" ? "VM" : "container"} (backup list NAME)` },
    ];
  }),
];

/** Actions, with POST. */
const ACTIONS: Shortcut[] = [
  ...(["vms", "cts"] as const).flatMap((noun) =>
    (["start", "stop", "shutdown", "reboot"] as const).map((verb) => ({
      method: "POST" as const,
      path: `/${noun}/{name}/${verb}`,
      command: verb,
      fixed: { kind: noun === "vms" ? "vm" : "ct" },
      params: { name: "names" },
      summary: `${verb[0].toUpperCase()}${verb.slice(1)} one ${noun === "vms" ? "VM" : "container"} (${verb} ${noun === "vms" ? "vm" : "ct"} NAME)`,
    })),
  ),
  ...(["sync", "plan", "apply", "destroy", "test"] as const).map((name) => ({ method: "POST" as const, path: `/${name}`, command: name, summary: `${name} (the body is the command's input)` })),
];

function kindOf(command: Command): ToolKind | undefined {
  return command.mcp.tool === false ? undefined : command.mcp.tool;
}

/** Every route of the API, for these commands (the registry's). */
export function apiRoutes(commands: readonly Command[]): ApiRoute[] {
  const routes: ApiRoute[] = [];
  const add = (command: Command | undefined, s: Omit<Shortcut, "command">): void => {
    const kind = command && (s.view === undefined ? kindOf(command) : "read");
    const role = command && viewRole(command, s.view);
    if (!command || !kind || !role) return;
    if (s.view !== undefined && !isReadView(command, s.view)) throw new Error(`${command.name} ${s.view} is not one of the command's read views (mcp.views).`);
    routes.push({ method: s.method, path: `${API_PREFIX}${s.path}`, command, kind, role, summary: s.summary, fixed: s.fixed ?? {}, params: s.params ?? {} });
  };
  const byName = (name: string) => commands.find((c) => c.name === name);
  for (const s of [...RESOURCES, ...ACTIONS]) add(byName(s.command), s);
  for (const command of commands) add(command, { method: "POST", path: `/commands/${command.name}`, summary: command.summary });
  return routes;
}

const schemas = new WeakMap<ApiRoute, z.ZodObject>();

/** What a route takes in its query (GET) or body (POST). */
export function routeInputSchema(route: ApiRoute): z.ZodObject {
  let schema = schemas.get(route);
  if (schema) return schema;
  // Without the options no remote caller may give (commands/remote.ts), nor those the path fixes.
  const full = remoteInputSchema(route.command);
  const drop = new Set([...Object.keys(route.fixed), ...Object.values(route.params)]);
  const shape = Object.fromEntries(Object.entries(full.shape).filter(([key]) => !drop.has(key)));
  schema = z.strictObject(shape);
  if (route.kind !== "read") {
    schema = schema.extend({
      confirm: z.boolean().optional().describe("Go ahead when the command asks for confirmation. Leave it out first: the call then answers 409 with what it would do (wouldDo), and nothing is changed."),
    });
  }
  schemas.set(route, schema);
  return schema;
}

/** The path parameters' schemas (text). */
export function pathParams(route: ApiRoute): string[] {
  return [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
}

/** Query text → the values the schema takes: numbers and lists as the command line reads them, flags from true/false. */
export function fromQuery(route: ApiRoute, query: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const options = new Map((route.command.options ?? []).map((o) => [o.key, o]));
  const args = new Map((route.command.arguments ?? []).map((a) => [a.name, a]));
  for (const [key, raw] of Object.entries(query)) {
    const option = options.get(key);
    const arg = args.get(key);
    const one = (value: unknown): unknown => {
      if (typeof value !== "string") return value;
      if (option && !option.takesValue) return value === "true" || value === "" ? true : value === "false" ? false : value;
      return option?.fromText ? option.fromText(value) : value;
    };
    if (Array.isArray(raw)) out[key] = option?.repeatable ? raw.flatMap((v) => [one(v)].flat()) : arg?.variadic ? raw : raw.map(one);
    else out[key] = arg?.variadic ? [raw] : one(raw);
  }
  return out;
}

/** Fastify's form of a path: {name} → :name. */
export function fastifyPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ":$1");
}
