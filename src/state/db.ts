/**
 * The connection the repositories share: one Prisma client (SQLite or
 * PostgreSQL flavour) plus the translation of driver errors into clear
 * ProxmoxMpcErrors. Only types are imported from the generated client here;
 * the client itself is loaded lazily by sqlite.ts / postgres.ts.
 */
import type { PrismaClient, Prisma } from "./generated/sqlite/client.js";
import type { MigrationReport } from "./migrations.js";
import type { StoreProvider } from "./url.js";

/**
 * Both generated clients expose the same model API for what the store uses;
 * the repositories are typed against the SQLite flavour (the PostgreSQL one
 * only adds filters the store does not use, such as `mode: "insensitive"`).
 */
export type DbClient = PrismaClient;
/** The client inside an interactive transaction. */
export type DbTx = Prisma.TransactionClient;
/** A JSON value as Prisma accepts it for writing. */
export type DbJson = Prisma.InputJsonValue;

/** An open database, as the repositories see it. */
export interface Db {
  client: DbClient;
  provider: StoreProvider;
  /** Path (SQLite) or redacted URL (PostgreSQL): safe to print. */
  label: string;
  migrations: MigrationReport;
  /** Turn a driver/Prisma error into a ProxmoxMpcError when it is a known condition. */
  translate(err: unknown): unknown;
  /** Release the connection(s). */
  close(): Promise<void>;
}

/** Run a repository operation, translating database errors. */
export async function guard<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw db.translate(err);
  }
}

/** Codes and messages of an error and of its causes (Prisma wraps driver errors). */
export function errorSignature(err: unknown): { codes: string[]; text: string } {
  const codes: string[] = [];
  const texts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current && depth < 6; depth++) {
    if (typeof current === "object") {
      const record = current as Record<string, unknown>;
      for (const key of ["code", "originalCode", "errno"]) {
        if (typeof record[key] === "string") codes.push(record[key] as string);
      }
      if (typeof record.message === "string") texts.push(record.message);
      if (typeof record.originalMessage === "string") texts.push(record.originalMessage);
      current = record.cause;
    } else {
      texts.push(String(current));
      break;
    }
  }
  return { codes, text: texts.join("\n") };
}

/** Transactions that write a whole sync may be long: never cut them at Prisma's 5 s default. */
export const LONG_TRANSACTION = { maxWait: 60_000, timeout: 30 * 60_000 } as const;
