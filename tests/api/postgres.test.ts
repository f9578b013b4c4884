/**
 * `serve` on a workspace whose store is PostgreSQL (a team's shared one):
 * the first start makes the admin token there, tokens made by `token create`
 * are accepted at once, reads and a 202 sync work, operations are recorded
 * with actor "api", a revoked token is refused from the next request on.
 */
import { missingPart } from "../helpers/real-parts.js";
import { createPgDatabase } from "../state/helpers.js";
import { apiServer, call, settled, stopAll, syncedWorkspace, type ApiServer } from "./helpers.js";
import type { initWorkspace, RunningSimulator } from "../helpers/sim.js";

const pg = await createPgDatabase();
if (pg.url === null) {
  missingPart("postgresql", pg.reason);
  it.todo(`serve on PostgreSQL (skipped: ${pg.reason})`);
} else {
  const url = pg.url;
  let sim: RunningSimulator;
  let ws: Awaited<ReturnType<typeof initWorkspace>>;
  let server: ApiServer;

  beforeAll(async () => {
    ({ sim, ws } = await syncedWorkspace({ size: 8, randomSeed: 9 }, { database: url }));
    server = await apiServer(ws.dir, ws.env);
  }, 90_000);
  afterAll(async () => {
    await stopAll(server, sim, ws);
    await pg.drop();
  });

  it("serves the workspace from PostgreSQL with tokens kept there", async () => {
    expect(server.token).toMatch(/^pmpc_/);
    const made = await ws.run(["token", "create", "ci", "--role", "operator", "-o", "json"]);
    const ci = (JSON.parse(made.stdout) as { bearer: string }).bearer;
    const vms = await call(server, "GET", "/api/v1/vms", { token: ci });
    expect([vms.status, (vms.body.data as { items: unknown[] }).items.length]).toEqual([200, sim.cluster.guests().filter((g) => g.type === "qemu").length]);
    const sync = await call(server, "POST", "/api/v1/sync", { token: ci, body: {} });
    expect(sync.status).toBe(202);
    expect(await settled(server, ci, String(sync.body.correlationId))).toMatchObject({ status: "ok" });
    const ops = JSON.parse((await ws.run(["logs", "--operations", "-o", "json"])).stdout) as Array<{ command: string; actor: string }>;
    expect(ops.filter((o) => o.actor === "api").map((o) => o.command).sort()).toEqual(["get", "sync"]);
    expect((await ws.run(["token", "revoke", "ci"])).code).toBe(0);
    expect((await call(server, "GET", "/api/v1/vms", { token: ci })).status).toBe(401);
    expect((await call(server, "GET", "/api/v1/vms", { token: server.token })).status).toBe(200);
  });
}
