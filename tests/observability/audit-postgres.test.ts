/**
 * The audit trail on PostgreSQL (a team's shared store): the same full
 * workflow as audit.test.ts — CLI, API, MCP over stdio and HTTP, then
 * `audit` with its filters run as PostgreSQL queries (the action's first
 * argument is a jsonb path there) — and a finished operation never finished
 * again, on a fresh database of its own.
 */
import { openStore } from "../../src/state/store.js";
import { missingPart } from "../helpers/real-parts.js";
import { createPgDatabase } from "../state/helpers.js";
import { auditWorkflow } from "./audit-workflow.js";

const pg = await createPgDatabase();
if (pg.url === null) {
  missingPart("postgresql", pg.reason);
  it.todo(`the audit trail on PostgreSQL (skipped: ${pg.reason})`);
} else {
  const url = pg.url;
  auditWorkflow(url);
  afterAll(() => pg.drop()); // after the workflow's own afterAll has stopped its servers

  it("a finished operation is never finished again on PostgreSQL (Prisma store and read store)", async () => {
    for (const readOnly of [false, true]) {
      const store = await openStore({ url, readOnly });
      try {
        const op = await store.operations.record({ correlationId: `c-pgonce${readOnly ? 1 : 0}`, command: "stop", actor: "api", arguments: { args: ["vm", "db-01"] }, result: "ok", principal: "ops", role: "operator", source: "10.9.8.7", target: "vm db-01" });
        await expect(store.operations.finish(op.id, { result: "failed" })).rejects.toMatchObject({ code: "operation-finished" });
        expect((await store.operations.list({ correlationId: op.correlationId }))[0]).toStrictEqual(op);
        expect(await store.operations.list({ principal: "ops", command: "stop", action: "vm", result: "ok" })).toHaveLength(readOnly ? 2 : 1);
      } finally {
        await store.close();
      }
    }
  });
}
