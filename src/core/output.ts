/**
 * Renderers: a command's result as a table, wide table, JSON or YAML. Data
 * goes to stdout; the caller decides where. Tables align columns and are cut
 * to the terminal width; colour only where the caller allows it.
 */
import type { Column, CommandResult, OutputFormat } from "./result.js";
import { UsageError } from "./errors.js";
import { redactValue } from "./redact.js";
import { style } from "./style.js";

export interface RenderOptions {
  format: OutputFormat;
  /** Terminal width; undefined = do not truncate. */
  width?: number;
  color?: boolean;
}

/** Parse -o, naming the valid values when given a wrong one. */
export function parseOutputFormat(value: string | undefined): OutputFormat {
  const v = (value ?? "table").toLowerCase();
  if (v === "table" || v === "wide" || v === "json" || v === "yaml") return v;
  throw new UsageError(`Unknown output format "${value}".`, "Use one of: table, wide, json, yaml.");
}

/** The text a face writes to stdout for a result ("" for none). */
export async function renderResult(result: CommandResult, options: RenderOptions): Promise<string> {
  if (result.kind === "none" || result.kind === "console" || result.kind === "serve" || result.kind === "ask") return "";
  if (result.kind === "message") {
    if (options.format === "json") return `${JSON.stringify({ message: result.text }, null, 2)}\n`;
    if (options.format === "yaml") return (await toYaml({ message: result.text })) as string;
    return `${result.text}\n`;
  }
  if (options.format === "json") return `${JSON.stringify(redactValue(result.data), null, 2)}\n`;
  if (options.format === "yaml") return toYaml(redactValue(result.data));
  if (result.text !== undefined && (options.format === "table" || !result.table)) return result.text.endsWith("\n") || result.text === "" ? result.text : `${result.text}\n`;
  // Redacted once: the rows of the table (the data when it is the table), else the data printed as JSON.
  if (result.table) return renderTable(result.table.columns, redactValue(result.table.rows), options);
  const data = redactValue(result.data);
  if (!Array.isArray(data)) return `${JSON.stringify(data, null, 2)}\n`;
  return renderTable(inferColumns(data as Record<string, unknown>[]), data as Record<string, unknown>[], options);
}

async function toYaml(data: unknown): Promise<string> {
  const { dump } = await import("js-yaml");
  return dump(data, { noRefs: true, lineWidth: 120, sortKeys: false });
}

function inferColumns(rows: Record<string, unknown>[]): Column[] {
  const keys = new Set<string>();
  for (const row of rows.slice(0, 50)) for (const k of Object.keys(row)) keys.add(k);
  return [...keys].map((key) => ({ key, header: key.toUpperCase() }));
}

/** Format a cell: arrays joined with ",", booleans yes/no, absent as "-". */
export function cellText(value: unknown): string {
  if (value === undefined || value === null || value === "") return "-";
  if (Array.isArray(value)) return value.length ? value.map(String).join(",") : "-";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(2);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** An aligned plain-text table; the widest column shrinks first to fit `width`. */
export function renderTable(columns: Column[], rows: Record<string, unknown>[], options: RenderOptions): string {
  const cols = columns.filter((c) => options.format === "wide" || !c.wide);
  const cells = rows.map((row) => cols.map((c) => cellText(row[c.key]).replace(/\s+/g, " ")));
  const widths = cols.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i].length)));
  if (options.width && options.format !== "wide") shrink(widths, cols.map((c) => c.header.length), options.width);
  const line = (values: string[]): string =>
    values
      .map((v, i) => {
        const text = v.length > widths[i] ? `${v.slice(0, Math.max(0, widths[i] - 1))}…` : v;
        return cols[i].align === "right" ? text.padStart(widths[i]) : text.padEnd(widths[i]);
      })
      .join("  ")
      .trimEnd();
  const header = line(cols.map((c) => c.header));
  const head = style(Boolean(options.color)).strong(header);
  return [head, ...cells.map(line)].join("\n") + "\n";
}

function shrink(widths: number[], minimums: number[], total: number): void {
  const gaps = 2 * (widths.length - 1);
  let excess = widths.reduce((a, b) => a + b, 0) + gaps - total;
  while (excess > 0) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) if (widths[i] > Math.max(minimums[i], 4) && (widest === -1 || widths[i] > widths[widest])) widest = i;
    if (widest === -1) return;
    widths[widest]--;
    excess--;
  }
}
