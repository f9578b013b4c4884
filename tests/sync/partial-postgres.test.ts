/** A guest whose config always fails → a partial sync, on PostgreSQL: a fresh database for this file (see partial-suite.ts). */
import { missingPart } from "../helpers/real-parts.js";
import { createPgDatabase } from "../state/helpers.js";
import { describePartialSync } from "./partial-suite.js";

const pg = await createPgDatabase();
if (pg.url === null) {
  missingPart("postgresql", pg.reason);
  it.todo(`a partial sync on PostgreSQL (skipped: ${pg.reason})`);
} else {
  afterAll(pg.drop);
  describePartialSync(pg.url);
}
