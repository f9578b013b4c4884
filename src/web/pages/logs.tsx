/**
 * Logs: the operation log with the filters of `logs` (since, level,
 * operation, correlation, resource, text, limit), newest first (where the
 * entries of a run arrive while "Follow live" reads them again as runs start,
 * show progress and finish). On a phone each entry's message is on its own
 * line under its time, level, operation and correlation.
 */
import type { JSX } from "preact";
import { FilteredPage, type Field } from "../filters.js";
import { fmt } from "../ui.js";

interface Entry {
  timestamp: string;
  level: string;
  correlationId?: string;
  operation?: string;
  phase?: string;
  message: string;
  durationMs?: number;
}

const FIELDS: Field[] = [
  { key: "since", label: "Since", placeholder: "30m, 2h, 2026-11-28" },
  { key: "level", label: "Level", choices: ["debug", "info", "warn", "error"] },
  { key: "op", label: "Operation", placeholder: "sync" },
  { key: "correlation", label: "Correlation", placeholder: "c-1b2c3d" },
  { key: "resource", label: "Resource", placeholder: "web-01" },
  { key: "grep", label: "Text", placeholder: "timeout" },
  { key: "limit", label: "Limit", placeholder: "100" },
];

export function LogsPage(): JSX.Element {
  return (
    <FilteredPage
      title="Logs"
      route="/api/v1/logs"
      fields={FIELDS}
      live={["operation.started", "operation.progress", "operation.finished"]}
      columns={[
        { header: "Time", width: "12.5rem", render: (e: Entry) => fmt.time(e.timestamp) },
        { header: "Level", width: "4.5rem", render: (e) => <span class={`level ${e.level}`}>{e.level}</span> },
        { header: "Operation", width: "8rem", render: (e) => e.operation ?? "–" },
        { header: "Correlation", width: "8.5rem", render: (e) => (e.correlationId ? <code>{e.correlationId}</code> : "–") },
        { header: "Message", render: (e) => `${e.phase ? `${e.phase}: ` : ""}${e.message}${e.durationMs !== undefined ? ` (${fmt.ms(e.durationMs)})` : ""}`, class: "wrap" },
      ]}
      rowKey={(e) => `${e.timestamp}|${e.correlationId ?? ""}|${e.phase ?? ""}|${e.message}`}
      empty="No log entries match (try a longer Since or fewer filters)."
      newestFirst
      stack
    />
  );
}
