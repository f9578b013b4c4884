/**
 * The OpenAPI 3.1 document of the REST API (GET /api/openapi.json), made from
 * the same route table and zod schemas that check the requests: a GET
 * route's input as query parameters, a POST route's as its JSON body; every
 * route behind the bearer token, with its role in `x-role` and its answers.
 */
import { z } from "zod";
import { API_PREFIX, pathParams, routeInputSchema, type ApiRoute } from "./routes.js";
import { DASHBOARD_ROUTES } from "./web.js";

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: "input", target: "draft-2020-12", unrepresentable: "any" }) as Json;
  return rest;
}

const ERROR: Json = {
  type: "object",
  required: ["ok", "error"],
  properties: {
    ok: { const: false },
    error: { type: "object", required: ["code", "message"], properties: { code: { type: "string" }, message: { type: "string" }, hint: { type: "string" } } },
  },
};

const ENVELOPE: Json = {
  type: "object",
  required: ["ok", "command"],
  properties: {
    ok: { type: "boolean", description: "true when the command succeeded (exit code 0)" },
    command: { type: "string", description: "the proxmox-mpc command that ran" },
    correlationId: { type: "string", description: "the operation's correlation id (GET /api/v1/operations/{id}, `logs --correlation ID`)" },
    exitCode: { type: "integer", description: "0 ok, 1 failed, 2 bad input or refused (nothing was changed)" },
    data: { description: "the command's JSON output (what -o json prints)" },
    text: { type: "string", description: "the command's human output" },
    shown: { type: "array", items: { type: "string" }, description: "what the command showed on the way (plan, warnings, progress)" },
    status: { enum: ["running", "ok", "failed", "cancelled"] },
    operation: { type: "string", description: "where to follow a run answered with 202" },
    confirmationRequired: { type: "boolean" },
    question: { type: "string" },
    wouldDo: { type: "array", items: { type: "string" }, description: "what a confirmed call would do" },
    howToConfirm: { type: "string" },
    error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" }, hint: { type: "string" } } },
  },
};

const OPERATION: Json = {
  type: "object",
  required: ["id", "command", "status"],
  properties: {
    id: { type: "string" },
    command: { type: "string" },
    status: { enum: ["running", "ok", "failed", "cancelled"] },
    startedAt: { type: "string", format: "date-time" },
    finishedAt: { type: "string", format: "date-time" },
    exitCode: { type: "integer" },
    error: { type: "string" },
    result: { $ref: "#/components/schemas/Envelope" },
  },
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description: string) => ({ description, content: { "application/json": { schema } } });

function responses(route: ApiRoute): Json {
  return {
    "200": json(ref("Envelope"), "The command ran (ok false: it finished with a non-zero exit code)"),
    ...(route.kind === "read" ? {} : { "202": json(ref("Envelope"), "A long run goes on: follow `operation` (GET /api/v1/operations/{id})") }),
    "400": json(ref("Error"), "Bad input: nothing was done"),
    "401": json(ref("Error"), "No valid token (missing, unknown, expired or revoked)"),
    "403": json(ref("Error"), "The token's role may not do this"),
    "404": json(ref("Error"), "Not found"),
    ...(route.kind === "read" ? {} : { "409": json(ref("Envelope"), "The command asks for confirmation: nothing was done; see wouldDo, send again with confirm: true") }),
    "500": json(ref("Error"), "The operation failed"),
  };
}

function operationId(route: ApiRoute): string {
  const words = `${route.method.toLowerCase()} ${route.path.slice(API_PREFIX.length)}`.replace(/[{}]/g, "").split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((w, i) => (i ? w[0].toUpperCase() + w.slice(1) : w)).join("");
}

/** The whole document. */
export function openApiDocument(routes: readonly ApiRoute[], version: string): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const input = jsonSchema(routeInputSchema(route));
    const properties = (input.properties ?? {}) as Record<string, Json>;
    const required = new Set((input.required ?? []) as string[]);
    const parameters: Json[] = pathParams(route).map((name) => ({ name, in: "path", required: true, schema: { type: "string" }, description: "a guest or node name (or a vmid)" }));
    const op: Json = {
      operationId: operationId(route),
      summary: route.summary,
      description: [route.command.description ?? route.command.summary, `Command: \`${route.command.name}\`. Role: ${route.role} or above.`].join("\n\n"),
      tags: [route.path.startsWith(`${API_PREFIX}/commands/`) ? "commands" : "resources"],
      "x-role": route.role,
      "x-command": route.command.name,
      security: [{ bearer: [] }],
      responses: responses(route),
    };
    if (route.method === "GET") {
      for (const [name, schema] of Object.entries(properties)) {
        const { description, ...rest } = schema;
        parameters.push({ name, in: "query", required: required.has(name), schema: rest, ...(description ? { description } : {}) });
      }
    } else {
      op.requestBody = { required: false, content: { "application/json": { schema: input } } };
    }
    if (parameters.length) op.parameters = parameters;
    (paths[route.path] ??= {})[route.method.toLowerCase()] = op;
  }
  paths[`${API_PREFIX}/operations/{id}`] = {
    get: {
      operationId: "getOperation",
      summary: "Follow an operation (a run answered with 202, or any recorded one) by its correlation id",
      tags: ["resources"],
      "x-role": "viewer",
      security: [{ bearer: [] }],
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
      responses: { "200": json(ref("Operation"), "The operation"), "401": json(ref("Error"), "No valid token"), "404": json(ref("Error"), "No such operation") },
    },
  };
  paths[`${API_PREFIX}/events`] = {
    get: {
      operationId: "streamEvents",
      summary: "The workspace's live events as Server-Sent Events (docs/api.md, Events)",
      tags: ["resources"],
      "x-role": "viewer",
      security: [{ bearer: [] }],
      parameters: [
        { name: "types", in: "query", required: false, schema: { type: "string" }, description: "only these event types, comma-separated (e.g. sync.done,drift.found)" },
        { name: "Last-Event-ID", in: "header", required: false, schema: { type: "string", pattern: "^[0-9]+$" }, description: "resume after this event id (the events the server still keeps)" },
      ],
      responses: {
        "200": { description: "`id: SEQ`, `event: TYPE`, `data: JSON` per event; `: keep-alive` every 15 s", content: { "text/event-stream": { schema: { type: "string" } } } },
        "400": json(ref("Error"), "An unknown event type or query key, or a bad Last-Event-ID"),
        "401": json(ref("Error"), "No valid token (in the Authorization header; never in the URL)"),
      },
    },
  };
  for (const r of DASHBOARD_ROUTES) (paths[r.path] ??= {})[r.method.toLowerCase()] = { operationId: r.operationId, summary: r.summary, tags: ["dashboard"], "x-role": r.role, security: [{ bearer: [] }], ...r.spec };
  return {
    openapi: "3.1.0",
    info: {
      title: "proxmox-mpc REST API",
      version,
      description: "Every proxmox-mpc command over HTTP, with the same input as the command line and the MCP tools. Send `Authorization: Bearer TOKEN` (`proxmox-mpc token create NAME --role viewer|operator|admin`).",
    },
    servers: [{ url: "/" }],
    tags: [
      { name: "resources", description: "Resources (GET) and actions (POST) on the usual paths" },
      { name: "commands", description: "Every command: POST /api/v1/commands/{name} with its input as the body" },
    ],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API token of `proxmox-mpc token create`" } },
      schemas: { Envelope: ENVELOPE, Error: ERROR, Operation: OPERATION },
    },
  };
}
