/**
 * Audit (admins): who did what — GET /api/v1/audit with the filters of
 * `audit` (since, actor, action, principal, result, limit), newest first,
 * read again as runs finish while "Follow live" is on.
 */
import type { JSX } from "preact";
import { FilteredPage, type Field } from "../filters.js";
import { fmt } from "../ui.js";

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
  // The dashboard's own reads would bury the changes otherwise: reads are shown on request.
  { key: "changes", label: "Changes only", flag: true },
];

export function AuditPage(): JSX.Element {
  return (
    <FilteredPage
      title="Audit"
      route="/api/v1/audit"
      fields={FIELDS}
      initial={{ changes: "true" }}
      live={["operation.started", "operation.finished"]}
      columns={[
        { header: "Time", width: "12.5rem", render: (e: AuditEntry) => fmt.time(e.time) },
        { header: "Actor", width: "5rem", render: (e) => e.actor },
        { header: "Principal", width: "8rem", render: (e) => e.principal ?? "–" },
        { header: "Role", width: "6rem", render: (e) => e.role ?? "–" },
        { header: "Source", width: "8rem", render: (e) => e.source ?? "–" },
        { header: "Action", width: "9rem", render: (e) => e.action },
        { header: "Target", render: (e) => e.target ?? "–", class: "wrap" },
        { header: "Result", width: "6rem", render: (e) => e.result },
        { header: "Correlation", width: "8.5rem", render: (e) => <code>{e.correlationId}</code> },
      ]}
      rowKey={(e) => e.correlationId}
      empty="No audit entries match (try a longer Since or fewer filters)."
    />
  );
}
