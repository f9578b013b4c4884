/**
 * Logs: the operation log with the filters of `logs` (since, level,
 * operation, correlation, resource, text, limit), newest last, read again as
 * runs start, show progress and finish while "Follow live" is on.
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { load, query } from "../api.js";
import { Filters, useFilters, type Field } from "../filters.js";
import { Failure, fmt, PageTitle, Table, useLive, useLoad } from "../ui.js";

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
  const [values, set, settled] = useFilters({ limit: "100" });
  const [follow, setFollow] = useState(true);
  const entries = useLoad(() => load<Entry[]>(`/api/v1/logs${query(settled)}`), [JSON.stringify(settled)]);
  useLive(["operation.started", "operation.progress", "operation.finished"], entries.reload, follow);
  return (
    <>
      <PageTitle>Logs</PageTitle>
      <Filters label="Log filters" fields={FIELDS} values={values} set={set} follow={follow} setFollow={setFollow} />
      <Failure error={entries.error} />
      <Table
        caption="Logs"
        columns={[
          { header: "Time", width: "11rem", render: (e: Entry) => fmt.time(e.timestamp) },
          { header: "Level", width: "4.5rem", render: (e) => <span class={`level ${e.level}`}>{e.level}</span> },
          { header: "Operation", width: "8rem", render: (e) => e.operation ?? "–" },
          { header: "Correlation", width: "8.5rem", render: (e) => (e.correlationId ? <code>{e.correlationId}</code> : "–") },
          { header: "Message", render: (e) => `${e.phase ? `${e.phase}: ` : ""}${e.message}${e.durationMs !== undefined ? ` (${fmt.ms(e.durationMs)})` : ""}`, class: "wrap" },
        ]}
        rows={entries.data ?? []}
        rowKey={(e) => `${e.timestamp}|${e.correlationId ?? ""}|${e.phase ?? ""}|${e.message}`}
        empty={entries.data ? "No log entries match (try a longer Since or fewer filters)." : "Loading…"}
      />
    </>
  );
}
