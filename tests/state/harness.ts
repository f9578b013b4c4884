/**
 * Runs the same store tests on SQLite (a temp file per test) and on
 * PostgreSQL (a fresh database per test file, a schema per test). When no
 * server answers at MPC_TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
 * the PostgreSQL cases are skipped with the reason printed, or, with CI=true,
 * the test file fails (tests/helpers/real-parts.ts).
 */
import path from "node:path";
import { missingPart } from "../helpers/real-parts.js";
import { createPgDatabase, tempDir } from "./helpers.js";

/** One database flavour under test. */
export interface StoreCase {
  name: "sqlite" | "postgresql";
  /** A URL to a new, empty database. */
  newUrl(): string;
}

/** The cases of one test file, and its teardown (call from afterAll). */
export async function storeCases(): Promise<{ cases: StoreCase[]; teardown: () => Promise<void> }> {
  const tmp = tempDir();
  let n = 0;
  const cases: StoreCase[] = [{ name: "sqlite", newUrl: () => `file:${path.join(tmp.dir, `state-${++n}.db`)}` }];
  const pg = await createPgDatabase();
  if (pg.url === null) {
    missingPart("postgresql", pg.reason);
  } else {
    const base = pg.url;
    cases.push({ name: "postgresql", newUrl: () => `${base}?schema=t${++n}` });
  }
  return {
    cases,
    teardown: async () => {
      tmp.cleanup();
      if (pg.url !== null) await pg.drop();
    },
  };
}
