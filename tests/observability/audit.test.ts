/**
 * The audit trail on SQLite: the full workflow of audit-workflow.ts (CLI,
 * API, MCP over stdio and HTTP, then `audit` and GET /api/v1/audit), and
 * that it stays append-only: the store offers no way to delete or rewrite an
 * operation (a finished one is never finished again, on the Prisma store and
 * the read store alike), no code or migration deletes one, the command routes
 * are GET and POST and the server's few others are listed with why they
 * remove nothing — each check fails when someone adds such a way.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { apiRoutes } from "../../src/api/routes.js";
import { createApiApp } from "../../src/api/app.js";
import { COMMANDS } from "../../src/commands/registry.js";
import { EventBus } from "../../src/core/events.js";
import { createLogger } from "../../src/core/logger.js";
import { databaseUrl, loadWorkspace } from "../../src/core/workspace.js";
import { OperationRepository } from "../../src/state/operation-repository.js";
import { ReadOperations } from "../../src/state/read-history.js";
import { openStore } from "../../src/state/store.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { tempDir } from "../helpers/sim.js";
import { auditWorkflow } from "./audit-workflow.js";

const flow = auditWorkflow();

/** Names a method that could remove or rewrite rows. */
const REMOVING = /delete|remove|prune|purge|clear|truncate|drop|update|upsert|rewrite|set[A-Z]|replace|reset/i;

function files(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "generated" ? [] : files(path, ext);
    return path.endsWith(ext) ? [path] : [];
  });
}

describe("append-only", () => {
  it("the operation repositories have no method that deletes or rewrites", () => {
    for (const repo of [OperationRepository, ReadOperations]) {
      const methods = Object.getOwnPropertyNames(repo.prototype).filter((m) => m !== "constructor");
      expect(methods).toEqual(expect.arrayContaining(["start", "finish", "record", "list"]));
      expect([repo.name, methods.filter((m) => REMOVING.test(m))]).toEqual([repo.name, []]);
    }
  });

  it("a finished operation is never finished again (Prisma store and read store), and stays as written", async () => {
    const tmp = tempDir("mpc-audit-");
    try {
      const url = `file:${join(tmp.dir, "state.db")}`;
      for (const readOnly of [false, true]) {
        const store = await openStore({ url, readOnly });
        try {
          const op = await store.operations.record({ correlationId: `c-once${readOnly ? 1 : 0}`, command: "start", actor: "api", arguments: { args: ["vm", "web-01"] }, result: "ok", principal: "ops", role: "operator", source: "10.1.2.3", target: "vm web-01" });
          await expect(store.operations.finish(op.id, { result: "failed", error: "rewritten" })).rejects.toMatchObject({ code: "operation-finished" });
          const [again] = await store.operations.list({ correlationId: op.correlationId });
          expect(again).toStrictEqual(op);
          expect(again).toMatchObject({ result: "ok", principal: "ops", role: "operator", source: "10.1.2.3", target: "vm web-01" });
          // A run still going is finished once.
          const running = await store.operations.start({ correlationId: `c-run${readOnly ? 1 : 0}`, command: "sync", actor: "cli", arguments: {} });
          expect((await store.operations.finish(running.id, { result: "ok" })).result).toBe("ok");
          await expect(store.operations.finish(running.id, { result: "failed" })).rejects.toMatchObject({ code: "operation-finished" });
        } finally {
          await store.close();
        }
      }
    } finally {
      tmp.cleanup();
    }
  });

  it("no code and no migration deletes operations; the one UPDATE finishes an unfinished row", () => {
    const sources = files(join(REPO_ROOT, "src"), ".ts").map((path) => ({ path, text: readFileSync(path, "utf8") }));
    for (const { path, text } of sources) {
      expect([path, text.match(/\.operation\.(delete|deleteMany|updateMany|upsert)\b|DELETE\s+FROM\s+"?Operation"?|TRUNCATE\b[^;]*"?Operation"?/i)?.[0]]).toEqual([path, undefined]);
    }
    const updates = sources.flatMap(({ path, text }) => [...text.matchAll(/\.operation\.update\(\{\s*where: \{([^}]*)\}|UPDATE\s+"Operation"[^`]*/g)].map((m) => ({ path, text: m[0] })));
    expect(updates).toHaveLength(2);
    for (const update of updates) expect(update.text).toMatch(/finishedAt: null|"finishedAt" IS NULL/);
    for (const path of files(join(REPO_ROOT, "prisma", "migrations"), ".sql")) {
      expect([path, readFileSync(path, "utf8").match(/DELETE\s+FROM\s+"?Operation"?|DROP\s+TABLE\s+"?Operation"?|TRUNCATE/i)?.[0]]).toEqual([path, undefined]);
    }
  });

  /**
   * The server's routes that are neither GET nor POST, each with why it removes no audit row. A new one fails the test
   * until it is listed here: look first whether it deletes or rewrites an operation.
   */
  const OTHER_METHODS: Record<string, string> = {
    "DELETE /mcp": "ends an MCP session (the Streamable HTTP protocol); sessions are in memory",
    "PUT /api/v1/iac/files*": "writes an IaC file of the workspace (itself recorded as an operation, iac-save)",
  };

  it("the command routes are GET and POST; the server's other methods are listed, and none removes audit rows", async () => {
    for (const route of apiRoutes(COMMANDS)) expect([route.path, route.method]).toEqual([route.path, expect.stringMatching(/^(GET|POST)$/)]);
    const workspace = await loadWorkspace(flow.dir());
    const abort = new AbortController();
    const { app } = createApiApp({ workspace, version: "0.0.0-test", env: {}, signal: abort.signal, log: createLogger(), store: () => openStore({ url: databaseUrl(workspace, {}), readOnly: true }), events: new EventBus() });
    try {
      await app.ready();
      // printRoutes draws the routing tree; a route's path is its line's segment after its parents' (joined as drawn).
      const routes: string[] = [];
      const stack: string[] = [];
      for (const line of app.printRoutes({ commonPrefix: false }).split("\n")) {
        const m = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
        if (!m) continue;
        const depth = m[1].length / 4;
        stack.length = depth;
        stack[depth] = m[2];
        const path = stack.join("").replace(/\/+/g, "/").replace(/^\/?/, "/");
        for (const method of m[3]?.split(/,\s*/) ?? []) routes.push(`${method} ${path}`);
      }
      expect(routes).toEqual(expect.arrayContaining(["GET /api/v1/audit", "POST /api/v1/vms/:name/start", "GET /api/v1/operations/:id"]));
      const others = routes.filter((route) => !/^(GET|HEAD|POST) /.test(route));
      expect(others.filter((route) => !(route in OTHER_METHODS))).toEqual([]);
    } finally {
      abort.abort();
      await app.close();
    }
  });
});
