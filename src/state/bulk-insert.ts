/**
 * Fast batched inserts for sync writes. Prisma's createMany passes every
 * value through its query compiler (~0.2 ms a row: 9 s for a first sync of
 * 10,000 guests); here a whole batch travels as ONE JSON parameter that the
 * database unpacks itself (SQLite json_each, PostgreSQL jsonb_to_recordset),
 * inside the caller's transaction. Values are written in the formats
 * Prisma reads back (SQLite DateTime as ISO text with +00:00, booleans 0/1,
 * Json as text; PostgreSQL timestamp(3) in UTC, jsonb).
 */
import type { SqlExec } from "./sql-exec.js";
import type { StoreProvider } from "./url.js";

/** How a column's value is encoded. */
export type ColumnKind = "int" | "float" | "text" | "bool" | "json" | "datetime";

/** Column name → kind, in insertion order. */
export type TableColumns = Record<string, ColumnKind>;

const PG_TYPES: Record<ColumnKind, string> = {
  int: "integer",
  float: "double precision",
  text: "text",
  bool: "boolean",
  json: "text",
  datetime: "timestamp(3)",
};

/** The DateTime text Prisma's SQLite adapter writes (and sorts correctly as text). */
export function sqliteDateTime(d: Date): string {
  return d.toISOString().replace("Z", "+00:00");
}

function encode(value: unknown, kind: ColumnKind, provider: StoreProvider): unknown {
  if (value === undefined || value === null) return null;
  switch (kind) {
    case "json":
      return JSON.stringify(value);
    case "datetime":
      return provider === "sqlite" ? sqliteDateTime(value as Date) : (value as Date).toISOString();
    default:
      return value;
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The INSERT … SELECT that unpacks one JSON array of row objects. */
export function bulkInsertSql(provider: StoreProvider, table: string, columns: TableColumns): string {
  const names = Object.keys(columns);
  const target = `INSERT INTO ${quote(table)} (${names.map(quote).join(", ")})`;
  if (provider === "sqlite") {
    const values = names.map((n) => `json_extract(value, '$.${n}')`);
    return `${target} SELECT ${values.join(", ")} FROM json_each(?)`;
  }
  const record = names.map((n) => `${quote(n)} ${PG_TYPES[columns[n]]}`).join(", ");
  const values = names.map((n) => (columns[n] === "json" ? `x.${quote(n)}::jsonb` : `x.${quote(n)}`));
  return `${target} SELECT ${values.join(", ")} FROM jsonb_to_recordset(?::jsonb) AS x(${record})`;
}

/**
 * A statement written with `?` placeholders, in the provider's dialect
 * (PostgreSQL numbers them: $1, $2 …).
 */
export function dialect(provider: StoreProvider, sql: string): string {
  if (provider === "sqlite") return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * `(SELECT … )` listing the members of one JSON array parameter (`?`), for
 * `WHERE x IN …`: a list of any length in one parameter, one statement.
 */
export function jsonList(provider: StoreProvider, kind: "int" | "text"): string {
  if (provider === "sqlite") return "(SELECT value FROM json_each(?))";
  return kind === "int" ? "(SELECT (jsonb_array_elements_text(?::jsonb))::integer)" : "(SELECT jsonb_array_elements_text(?::jsonb))";
}

/** Delete the rows of `table` whose `column` is (or, with `not`, is not) in `values`. */
export async function deleteWhereIn(sql: SqlExec, table: string, column: string, values: (number | string)[], opts: { not?: boolean } = {}): Promise<void> {
  if (!values.length && !opts.not) return;
  const kind = typeof values[0] === "number" ? "int" : "text";
  await sql.run(`DELETE FROM ${quote(table)} WHERE ${quote(column)} ${opts.not ? "NOT IN" : "IN"} ${jsonList(sql.provider, kind)}`, [JSON.stringify(values)]);
}

/** Insert `rows` (objects keyed by column name) in batches of `batchSize`. */
export async function bulkInsert(exec: SqlExec, table: string, columns: TableColumns, rows: Record<string, unknown>[], batchSize = 2000): Promise<void> {
  if (!rows.length) return;
  const { provider } = exec;
  const sql = bulkInsertSql(provider, table, columns);
  const entries = Object.entries(columns);
  for (let i = 0; i < rows.length; i += batchSize) {
    const batch = rows.slice(i, i + batchSize).map((row) => {
      const out: Record<string, unknown> = {};
      for (const [name, kind] of entries) out[name] = encode(row[name], kind, provider);
      return out;
    });
    await exec.run(sql, [JSON.stringify(batch)]);
  }
}

/** Columns of the tables a sync writes in bulk. */
export const COLUMNS = {
  Guest: {
    vmid: "int",
    type: "text",
    node: "text",
    name: "text",
    status: "text",
    template: "bool",
    cores: "int",
    memory: "int",
    disk: "float",
    tags: "json",
    ipAddresses: "json",
    config: "json",
    digest: "text",
    hash: "text",
    updatedAt: "datetime",
    firstSeenSyncId: "int",
    lastChangedSyncId: "int",
    staleSyncId: "int",
    staleReason: "text",
    staleValuesAt: "datetime",
  },
  Disk: { vmid: "int", key: "text", storage: "text", volume: "text", sizeGiB: "float", format: "text", raw: "text" },
  NetworkInterface: {
    vmid: "int",
    key: "text",
    model: "text",
    mac: "text",
    bridge: "text",
    vlanTag: "int",
    ip: "text",
    firewall: "bool",
    raw: "text",
  },
  SyncChange: { syncRunId: "int", vmid: "int", name: "text", kind: "text", diff: "json" },
  Node: {
    name: "text",
    status: "text",
    cpu: "float",
    maxcpu: "int",
    mem: "float",
    maxmem: "float",
    uptime: "int",
    raw: "json",
    lastSyncId: "int",
    updatedAt: "datetime",
  },
  Storage: {
    node: "text",
    storage: "text",
    type: "text",
    content: "text",
    shared: "bool",
    total: "float",
    used: "float",
    avail: "float",
    enabled: "bool",
    active: "bool",
    raw: "json",
    updatedAt: "datetime",
  },
} satisfies Record<string, TableColumns>;
