/**
 * Opening a PostgreSQL state database: a plain `pg` connection first (so an
 * unreachable server, a wrong password or a missing database become one clear
 * sentence naming host:port, never the password), migrations under an
 * advisory lock, then the Prisma client over the pg driver adapter — or, for
 * the read path, that plain connection itself.
 */
import type pg from "pg";
import { ProxmoxMpcError } from "../core/errors.js";
import { errorSignature, type Db, type DbClient } from "./db.js";
import { applyMigrations, loadMigrations, type AppliedMigration, type MigrationDriver, type MigrationReport } from "./migrations.js";
import { pgConnection, pgTypes, type ReaderOpening } from "./read-connection.js";
import { redactDatabaseUrl, type DatabaseTarget } from "./url.js";

type PgTarget = Extract<DatabaseTarget, { provider: "postgresql" }>;

/** pg_advisory_xact_lock key of proxmox-mpc's migrations ("pmpc" in ASCII). */
const MIGRATION_LOCK_KEY = 0x706d7063;
const CONNECT_TIMEOUT_MS = 10_000;
const UNREACHABLE_CODES = ["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "ECONNRESET", "EAI_AGAIN", "P1001", "P1002"];

/** Translate PostgreSQL conditions into ProxmoxMpcErrors; other errors pass through. */
export function translatePgError(err: unknown, target: PgTarget): unknown {
  if (err instanceof ProxmoxMpcError) return err;
  const where = `${target.host}:${target.port}`;
  const { codes, text } = errorSignature(err);
  const user = safeUser(target.url);
  if (codes.some((c) => UNREACHABLE_CODES.includes(c)) || /timeout expired|connection terminated|Can't reach database/i.test(text)) {
    return new ProxmoxMpcError(`Cannot reach PostgreSQL at ${where}.`, {
      code: "database-unreachable",
      hint: `Check that the server runs and accepts connections there, or fix database.url (${redactDatabaseUrl(target.url)}).`,
      cause: err,
    });
  }
  if (codes.includes("28P01") || codes.includes("28000") || codes.includes("P1000")) {
    return new ProxmoxMpcError(`PostgreSQL at ${where} refused the login of user "${user}".`, {
      code: "database-auth",
      hint: "Check the user and password in database.url (or DATABASE_URL) and pg_hba.conf.",
      cause: err,
    });
  }
  if (codes.includes("3D000") || codes.includes("P1003")) {
    return new ProxmoxMpcError(`The PostgreSQL database "${target.database}" does not exist on ${where}.`, {
      code: "database-missing",
      hint: `Create it first: createdb -h ${target.host} -p ${target.port} -U ${user} ${target.database}`,
      cause: err,
    });
  }
  return err;
}

function safeUser(url: string): string {
  try {
    return decodeURIComponent(new URL(url).username) || "postgres";
  } catch {
    return "postgres";
  }
}

/** The URL as `pg` should see it: without Prisma's `schema` parameter. */
function pgConnectionString(target: PgTarget): string {
  const url = new URL(target.url);
  url.searchParams.delete("schema");
  return url.toString();
}

function pgDriver(client: pg.Client, schema: string | undefined): MigrationDriver {
  let schemaReady = !schema;
  return {
    async transaction(fn) {
      await client.query("BEGIN");
      try {
        // Serializes concurrent migrators (two proxmox-mpc starting on a new database).
        await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
        if (!schemaReady) {
          await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
          schemaReady = true;
        }
        const result = await fn();
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      }
    },
    async exec(sql) {
      await client.query(sql);
    },
    async applied() {
      const res = await client.query<AppliedMigration>('SELECT "version", "name", "checksum" FROM "SchemaMigration" ORDER BY "version"');
      return res.rows;
    },
    async record(m, appliedAt) {
      await client.query('INSERT INTO "SchemaMigration" ("version", "name", "appliedAt", "checksum") VALUES ($1, $2, $3, $4)', [
        m.version,
        m.name,
        appliedAt,
        m.checksum,
      ]);
    },
  };
}

/** A connected, migrated plain pg.Client (timestamps read as UTC), and what opening needs next. */
async function connectRaw(target: PgTarget): Promise<{ raw: pg.Client; migrations: MigrationReport; connectionString: string; options: { options?: string } }> {
  const { default: pgModule } = await import("pg");
  const connectionString = pgConnectionString(target);
  // Unqualified table names (migrations, raw bulk inserts) resolve through search_path.
  const options = target.schema ? { options: `-c search_path="${target.schema}"` } : {};
  const raw = new pgModule.Client({ connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, types: pgTypes(pgModule.types), ...options });
  raw.on("error", () => undefined); // a dropped idle connection must not crash the process
  try {
    await raw.connect();
    const migrations = await applyMigrations(pgDriver(raw, target.schema), loadMigrations("postgresql"));
    return { raw, migrations, connectionString, options };
  } catch (err) {
    await raw.end().catch(() => undefined);
    throw translatePgError(err, target);
  }
}

/** Connect to, and migrate, a PostgreSQL state database. */
export async function openPostgres(target: PgTarget): Promise<Db> {
  const translate = (err: unknown) => translatePgError(err, target);
  const { raw, migrations, connectionString, options } = await connectRaw(target);
  await raw.end().catch(() => undefined);
  const [{ PrismaPg }, { PrismaClient }] = await Promise.all([
    import("@prisma/adapter-pg"),
    import("./generated/postgres/client.js"),
  ]);
  const adapter = new PrismaPg(
    { connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, max: 5, ...options },
    { schema: target.schema, onPoolError: () => undefined },
  );
  // Same model API as the SQLite flavour for everything the store uses (see db.ts).
  const client = new PrismaClient({ adapter }) as unknown as DbClient;
  return {
    client,
    provider: "postgresql",
    label: redactDatabaseUrl(target.url),
    migrations,
    translate,
    close: () => client.$disconnect(),
  };
}

/**
 * Connect to, and migrate, a PostgreSQL state database for the read path:
 * the same checks and errors as `openPostgres`, on one plain `pg` connection
 * kept open (no Prisma).
 */
export async function openPostgresReader(target: PgTarget): Promise<ReaderOpening> {
  const { raw, migrations } = await connectRaw(target);
  return { connection: pgConnection(raw), label: redactDatabaseUrl(target.url), migrations, translate: (err) => translatePgError(err, target) };
}
