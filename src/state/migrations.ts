/**
 * The store applies its own migrations (the Prisma CLI never runs at run
 * time): the committed SQL in prisma/migrations/<sqlite|postgres>/NNNN_name.sql,
 * each in its own transaction, recorded in "SchemaMigration" with a checksum.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ProxmoxMpcError } from "../core/errors.js";
import type { StoreProvider } from "./url.js";

/** One migration file. */
export interface Migration {
  /** "0001" */
  version: string;
  /** "init" */
  name: string;
  sql: string;
  /** sha256 of the SQL (line endings normalized) */
  checksum: string;
}

/** A row of "SchemaMigration". */
export interface AppliedMigration {
  version: string;
  name: string;
  checksum: string;
}

/** What a provider gives the runner. */
export interface MigrationDriver {
  /** Run `fn` in one transaction that excludes other migrating processes. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Run a script of several statements. */
  exec(sql: string): Promise<void>;
  applied(): Promise<AppliedMigration[]>;
  record(migration: Migration, appliedAt: Date): Promise<void>;
}

/** The outcome of `applyMigrations`. */
export interface MigrationReport {
  /** Every applied version, oldest first (including the ones applied now). */
  applied: string[];
  /** Versions applied by this call. */
  newlyApplied: string[];
  /** Applied versions whose file changed since (a development mistake, reported by health). */
  checksumMismatches: string[];
}

const FILE_RE = /^(\d{4})_([a-z0-9_]+)\.sql$/;
const BOOTSTRAP_RE = /CREATE TABLE IF NOT EXISTS "SchemaMigration" \([\s\S]*?\n\);/;
const cache = new Map<StoreProvider, Migration[]>();

/** prisma/migrations/<flavour>, found by walking up from this module (src/ or dist/). */
export function migrationsDir(provider: StoreProvider): string {
  const flavour = provider === "postgresql" ? "postgres" : "sqlite";
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "prisma", "migrations", flavour);
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new ProxmoxMpcError(`The database migrations of proxmox-mpc (prisma/migrations/${flavour}) are missing.`, {
    code: "migrations-missing",
    hint: "Reinstall proxmox-mpc: its package is incomplete.",
  });
}

/** sha256 of a migration's SQL with CRLF normalized (so a Windows checkout matches). */
export function migrationChecksum(sql: string): string {
  return createHash("sha256").update(sql.replace(/\r\n/g, "\n")).digest("hex");
}

/** The migrations this program knows, oldest first. */
export function loadMigrations(provider: StoreProvider): Migration[] {
  const known = cache.get(provider);
  if (known) return known;
  const dir = migrationsDir(provider);
  const migrations = readdirSync(dir)
    .filter((f) => FILE_RE.test(f))
    .sort()
    .map((file) => {
      const [, version, name] = FILE_RE.exec(file) as RegExpExecArray;
      const sql = readFileSync(path.join(dir, file), "utf8");
      return { version, name, sql, checksum: migrationChecksum(sql) };
    });
  cache.set(provider, migrations);
  return migrations;
}

/** The "SchemaMigration" table's DDL, taken from the first migration (one source of truth). */
export function bootstrapSql(migrations: Migration[]): string {
  const match = migrations.length ? BOOTSTRAP_RE.exec(migrations[0].sql) : null;
  if (!match) throw new Error("The first migration does not create \"SchemaMigration\" with IF NOT EXISTS.");
  return match[0];
}

/** Refuse a database that a newer proxmox-mpc migrated. */
function checkNotNewer(applied: AppliedMigration[], migrations: Migration[]): void {
  const newestKnown = migrations.length ? migrations[migrations.length - 1].version : "0000";
  const newer = applied.map((m) => m.version).filter((v) => v > newestKnown).sort();
  if (newer.length) {
    const newest = newer[newer.length - 1];
    throw new ProxmoxMpcError(
      `This database was written by a newer proxmox-mpc (migration ${newest}); upgrade proxmox-mpc or point database.url elsewhere.`,
      {
        code: "database-newer",
        hint: `This proxmox-mpc knows migrations up to ${newestKnown}. Install the newer version (npm install -g proxmox-mpc@latest).`,
      },
    );
  }
}

/**
 * Bring a database up to date: create "SchemaMigration" if needed, refuse a
 * newer database, then apply each pending migration in its own transaction
 * (re-checked inside it, so two processes opening a new database at once are safe).
 */
export async function applyMigrations(driver: MigrationDriver, migrations: Migration[]): Promise<MigrationReport> {
  const current = await upToDate(driver, migrations);
  if (current) return current;
  const bootstrap = bootstrapSql(migrations);
  await driver.transaction(() => driver.exec(bootstrap));
  const applied = await driver.applied();
  checkNotNewer(applied, migrations);
  const byVersion = new Map(applied.map((m) => [m.version, m]));
  const newlyApplied: string[] = [];
  for (const migration of migrations) {
    if (byVersion.has(migration.version)) continue;
    await driver.transaction(async () => {
      const now = await driver.applied();
      checkNotNewer(now, migrations);
      if (now.some((m) => m.version === migration.version)) return;
      await driver.exec(migration.sql);
      await driver.record(migration, new Date());
      newlyApplied.push(migration.version);
    });
  }
  return report(applied, migrations, newlyApplied);
}

function report(applied: AppliedMigration[], migrations: Migration[], newlyApplied: string[]): MigrationReport {
  const byVersion = new Map(applied.map((m) => [m.version, m]));
  const checksumMismatches = migrations
    .filter((m) => byVersion.has(m.version) && byVersion.get(m.version)?.checksum !== m.checksum)
    .map((m) => m.version);
  const all = new Set([...applied.map((m) => m.version), ...migrations.map((m) => m.version)]);
  return { applied: [...all].sort(), newlyApplied, checksumMismatches };
}

/**
 * The cheap check of every open: one read of "SchemaMigration", outside any
 * transaction (no write lock, so a running sync does not make a reader wait).
 * A newer database is refused here; the report when every known migration is
 * applied, else undefined (no table yet, or migrations pending: the caller
 * migrates under the lock).
 */
export async function upToDate(driver: Pick<MigrationDriver, "applied">, migrations: Migration[]): Promise<MigrationReport | undefined> {
  let applied: AppliedMigration[];
  try {
    applied = await driver.applied();
  } catch {
    // No "SchemaMigration" yet (a new database): migrating creates it.
    return undefined;
  }
  checkNotNewer(applied, migrations);
  const versions = new Set(applied.map((m) => m.version));
  if (migrations.some((m) => !versions.has(m.version))) return undefined;
  return report(applied, migrations, []);
}
