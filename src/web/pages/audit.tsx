/**
 * Audit (admins): who did what — GET /api/v1/audit with the filters of
 * `audit` (since, actor, action, principal, result, limit), newest first,
 * read again as runs finish while "Follow live" is on.
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { load, query } from "../api.js";
import { Filters, useFilters, type Field } from "../filters.js";
import { Failure, fmt, PageTitle, Table, useLive, useLoad } from "../ui.js";

interface AuditEntry {
  time: string;
  actor: string;
  principal: string | null;
  role: string | null;
  source: string | null;
  action: string;
  target: string | null;
  result: string;
  correlationId: string;
}

const FIELDS: Field[] = [
  { key: "since", label: "Since", placeholder: "24h, 7d, 2026-11-01" },
  { key: "actor", label: "Actor", choices: ["cli", "console", "mcp", "nl", "api"] },
  { key: "action", label: "Action", placeholder: "snapshot create" },
  { key: "principal", label: "Principal", placeholder: "a token's name" },
  { key: "result", label: "Result", choices: ["ok", "failed", "cancelled"] },
  { key: "limit", label: "Limit", placeholder: "100" },
];

export function AuditPage(): JSX.Element {
  const [values, set, settled] = useFilters({ limit: "100" });
  const [follow, setFollow] = useState(true);
  const entries = useLoad(() => load<AuditEntry[]>(`/api/v1/audit${query(settled)}`), [JSON.stringify(settled)]);
  useLive(["operation.started", "operation.finished"], entries.reload, follow);
  return (
    <>
      <PageTitle>Audit</PageTitle>
      <Filters label="Audit filters" fields={FIELDS} values={values} set={set} follow={follow} setFollow={setFollow} />
      <Failure error={entries.error} />
      <Table
        caption="Audit"
        columns={[
          { header: "Time", width: "11rem", render: (e: AuditEntry) => fmt.time(e.time) },
          { header: "Actor", width: "5rem", render: (e) => e.actor },
          { header: "Principal", width: "8rem", render: (e) => e.principal ?? "–" },
          { header: "Role", width: "6rem", render: (e) => e.role ?? "–" },
          { header: "Source", width: "8rem", render: (e) => e.source ?? "–" },
          { header: "Action", width: "9rem", render: (e) => e.action },
          { header: "Target", render: (e) => e.target ?? "–", class: "wrap" },
          { header: "Result", width: "6rem", render: (e) => e.result },
          { header: "Correlation", width: "8.5rem", render: (e) => <code>{e.correlationId}</code> },
        ]}
        rows={entries.data ?? []}
        rowKey={(e) => e.correlationId}
        empty={entries.data ? "No audit entries match (try a longer Since or fewer filters)." : "Loading…"}
      />
    </>
  );
}
