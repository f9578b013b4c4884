/** Load recorded PVE responses from tests/fixtures/pve (sources in SOURCES.md there). */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

/** The parsed JSON of tests/fixtures/pve/NAME. */
export function pveFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, "pve", name), "utf8")) as T;
}

/** The raw text of tests/fixtures/pve/NAME (byte-for-byte as recorded). */
export function pveFixtureText(name: string): string {
  return readFileSync(join(FIXTURES_DIR, "pve", name), "utf8");
}

/** One recorded exchange of writes.fog.json / errors.fog.json. */
export interface RecordedExchange {
  source: string;
  request: { method: string; path: string; body?: string };
  response: { status: number; reason: string; body: unknown; body_raw: string };
}
