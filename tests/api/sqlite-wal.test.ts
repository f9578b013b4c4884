/**
 * A long-lived process (the API server) keeps its read store open and opens
 * the full store beside it on its first write. Opening must not drop the
 * read connection's locks: when it did (a file check opened and closed the
 * database file, and closing any descriptor drops a process's POSIX locks),
 * the next process to close the database deleted the WAL under the server,
 * whose writes from then on reached no one else.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { openStore } from "../../src/state/index.js";
import { tempDir } from "../state/helpers.js";
import { REPO_ROOT } from "../helpers/cli.js";

function countOperationsElsewhere(file: string): number {
  // Another process opens the database, reads, and closes it (the last to close checkpoints the WAL).
  const script = `const D = require(${JSON.stringify(path.join(REPO_ROOT, "node_modules", "better-sqlite3"))}); const db = new D(${JSON.stringify(file)}); console.log(db.prepare('SELECT count(*) AS n FROM "Operation"').get().n); db.close();`;
  const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(run.stderr);
  return Number(run.stdout.trim());
}

it("writes of a read store stay visible to other processes after the full store opened in the same process", async () => {
  const tmp = tempDir();
  const file = path.join(tmp.dir, "state.db");
  const store = await openStore({ url: `file:${file}`, readOnly: true });
  try {
    const record = (id: string) => store.operations.record({ correlationId: id, command: "get", actor: "api", arguments: {}, startedAt: new Date(), finishedAt: new Date(), result: "ok" });
    await record("c-1");
    expect(countOperationsElsewhere(file)).toBe(1);
    await store.guests.setStatus(100, "running"); // opens the full store (Prisma) beside the read connection
    expect(countOperationsElsewhere(file)).toBe(1);
    await record("c-2");
    expect(countOperationsElsewhere(file)).toBe(2);
    await store.tokens.create("after", "viewer");
    expect(countOperationsElsewhere(file)).toBe(2);
    await record("c-3");
    expect(countOperationsElsewhere(file)).toBe(3);
  } finally {
    await store.close();
    tmp.cleanup();
  }
});
