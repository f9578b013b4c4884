/**
 * Database URLs: `file:/abs/path/state.db` (SQLite, the default) or
 * `postgresql://user:password@host:5432/db` (also `postgres://`).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../core/errors.js";

/** Which database a URL points at. */
export type StoreProvider = "sqlite" | "postgresql";

/** A parsed database URL. */
export type DatabaseTarget =
  | { provider: "sqlite"; path: string; url: string }
  | { provider: "postgresql"; url: string; host: string; port: number; database: string; schema?: string };

/** The password of a URL replaced by `****` (user names stay: they help). */
export function redactDatabaseUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^@/?#]*@/i, "$1:****@")
    .replace(/([?&]password=)[^&#]*/gi, "$1****");
}

/**
 * Parse `database.url` (or DATABASE_URL). Relative SQLite paths resolve
 * against `baseDir` (default: cwd).
 */
export function parseDatabaseUrl(url: string, baseDir = process.cwd()): DatabaseTarget {
  const trimmed = url.trim();
  if (/^file:/i.test(trimmed)) {
    let file: string;
    if (/^file:\/\//i.test(trimmed)) {
      try {
        file = fileURLToPath(trimmed);
      } catch {
        throw badUrl(url);
      }
    } else {
      file = decodeURIComponent(trimmed.slice("file:".length).replace(/\?.*$/, ""));
    }
    if (!file) throw badUrl(url);
    const abs = path.resolve(baseDir, file);
    return { provider: "sqlite", path: abs, url: `file:${abs}` };
  }
  if (/^postgres(ql)?:\/\//i.test(trimmed)) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      throw badUrl(url);
    }
    const schema = parsed.searchParams.get("schema") ?? undefined;
    if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
      throw new UsageError(`The schema "${schema}" in database.url is not a plain identifier.`, "Use letters, digits and _ only.");
    }
    return {
      provider: "postgresql",
      url: trimmed,
      host: parsed.hostname || "localhost",
      port: parsed.port ? Number(parsed.port) : 5432,
      database: decodeURIComponent(parsed.pathname.replace(/^\//, "")) || "postgres",
      schema,
    };
  }
  throw badUrl(url);
}

function badUrl(url: string): UsageError {
  return new UsageError(
    `The database URL "${redactDatabaseUrl(url)}" is not one proxmox-mpc understands.`,
    "Use file:/path/to/state.db (SQLite) or postgresql://user:password@host:5432/db in database.url or DATABASE_URL.",
    "database-url",
  );
}
