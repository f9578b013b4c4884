/**
 * Overview: health checks, guests by status, drift, the last sync and the
 * recent operations, each reloaded when an event says it changed.
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { load, problem, query, request, settled } from "../api.js";
import { readsOnly } from "../events.js";
import { loadGuests } from "../guests-data.js";
import { can, Failure, fmt, notify, PageTitle, Table, useApp, useLive, useLoad } from "../ui.js";

interface Status {
  lastSync: { id: number; finishedAt: string; ageSeconds: number; guests: number; added: number; changed: number; removed: number } | null;
  lastAttempt: { status?: string; startedAt?: string; error?: string } | null;
  drift: { at: string; engine: string; create: number; update: number; delete: number; replace: number } | null;
  counts: Record<string, number>;
}

interface Health {
  status: string;
  checks: { name: string; group: string; status: string; figure?: string; message: string }[];
}

export interface Operation {
  id: number;
  correlationId: string;
  command: string;
  actor: string;
  principal?: string | null;
  arguments?: { args?: unknown[] };
  startedAt: string;
  durationMs: number | null;
  result: string | null;
}

export function OverviewPage(): JSX.Element {
  const { who } = useApp();
  const status = useLoad(() => load<Status>("/api/v1/status"), []);
  const health = useLoad(() => load<Health>("/api/v1/health"), []);
  const guests = useLoad(loadGuests, []);
  // The runs that changed something (the reads, this page's own among them, would fill the table).
  const ops = useLoad(() => load<Operation[]>(`/api/v1/operations${query({ limit: 200 })}`).then((all) => all.filter((o) => !readsOnly(o.command, o.arguments?.args)).slice(0, 10)), []);
  useLive(["sync.done", "drift.found", "apply.done"], status.reload);
  useLive(["health.changed", "health.failed", "sync.done"], health.reload);
  useLive(["guest.status", "sync.done", "apply.done", "operation.finished"], guests.reload);
  useLive(["operation.started", "operation.finished"], ops.reload);
  const [syncing, setSyncing] = useState(false);

  const sync = async () => {
    setSyncing(true);
    try {
      const answer = await request("POST", "/api/v1/sync", {});
      if (answer.status !== 202 && answer.status !== 200) throw problem(answer);
      const done = answer.body.operation ? await settled(answer.body.operation) : answer.body;
      notify(done.ok ? "sync: ok" : `sync failed: ${done.error?.message ?? "see Logs"}`, done.ok ? "info" : "error");
    } catch (err) {
      notify(`sync failed: ${(err as Error).message}`, "error");
    } finally {
      setSyncing(false);
      status.reload();
      guests.reload();
    }
  };

  const byStatus = new Map<string, { vms: number; cts: number }>();
  for (const g of guests.data ?? []) {
    if (g.template) continue;
    const row = byStatus.get(g.status) ?? { vms: 0, cts: 0 };
    if (g.type === "lxc") row.cts++;
    else row.vms++;
    byStatus.set(g.status, row);
  }
  // In a fixed order (running first), so a live update changes numbers, never the rows' places.
  const statusRows = [...byStatus.entries()].sort(([a], [b]) => (a === "running" ? -1 : b === "running" ? 1 : a.localeCompare(b))).map(([s, n]) => ({ status: s, ...n }));
  const s = status.data;
  const drift = s?.drift;
  const driftCount = drift ? drift.create + drift.update + drift.delete + drift.replace : 0;

  return (
    <>
      <PageTitle>Overview</PageTitle>
      <div class="cards">
        <section class="card" aria-labelledby="h-health">
          <h2 id="h-health">Health</h2>
          <Failure error={health.error} />
          {health.data ? (
            <>
              <p>
                Overall: <span class={`badge ${health.data.status}`}>{health.data.status}</span>
              </p>
              <ul class="checks" aria-label="Health checks">
                {health.data.checks.map((c) => (
                  <li key={c.name} class={c.status}>
                    {c.name}: {c.status} — {c.message}
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p class="placeholder">Checking…</p>
          )}
        </section>
        <section class="card" aria-labelledby="h-status">
          <h2 id="h-status">Guests by status</h2>
          <Failure error={guests.error} />
          <Table
            caption="Guests by status"
            columns={[
              // Fixed widths that fit each header whole; Status takes the rest.
              { header: "Status", render: (r) => r.status },
              { header: "VMs", render: (r) => r.vms, class: "num", width: "3rem" },
              { header: "Containers", render: (r) => r.cts, class: "num", width: "6rem" },
              { header: "Count", render: (r) => r.vms + r.cts, class: "num", width: "3.75rem" },
            ]}
            rows={statusRows}
            rowKey={(r) => r.status}
            empty={guests.data ? "No guests." : "Loading…"}
          />
        </section>
        <section class="card" aria-labelledby="h-drift">
          <h2 id="h-drift">Drift</h2>
          <Failure error={status.error} />
          {!s ? (
            <p class="placeholder">Loading…</p>
          ) : !drift ? (
            <p>Unknown: no plan yet. {can(who, "operator") ? <a href="#/plan">Run a plan</a> : null}</p>
          ) : driftCount === 0 ? (
            <p>No drift. (plan of {fmt.time(drift.at)})</p>
          ) : (
            <ul aria-label="Drift">
              {drift.create ? <li>{drift.create} to create</li> : null}
              {drift.update ? <li>{drift.update} to change</li> : null}
              {drift.replace ? <li>{drift.replace} to replace</li> : null}
              {drift.delete ? <li>{drift.delete} to destroy</li> : null}
              <li>
                found by the plan of {fmt.time(drift.at)} — <a href="#/plan">see the plan</a>
              </li>
            </ul>
          )}
        </section>
        <section class="card" aria-labelledby="h-sync">
          <h2 id="h-sync">Last sync</h2>
          {!s ? (
            <p class="placeholder">Loading…</p>
          ) : s.lastSync ? (
            <p>
              #{s.lastSync.id} at {fmt.time(s.lastSync.finishedAt)}: {s.lastSync.guests} guests (+{s.lastSync.added} ~{s.lastSync.changed} -{s.lastSync.removed})
            </p>
          ) : (
            <p>Never synced.</p>
          )}
          {can(who, "operator") ? (
            <button type="button" onClick={sync} disabled={syncing}>
              Sync
            </button>
          ) : null}
        </section>
      </div>
      <section aria-labelledby="h-ops">
        <h2 id="h-ops">Recent operations</h2>
        <Failure error={ops.error} />
        <Table
          caption="Recent operations"
          columns={[
            { header: "Time", render: (o: Operation) => fmt.time(o.startedAt), width: "12.5rem" },
            { header: "Command", render: (o) => o.command, width: "9rem" },
            { header: "Actor", render: (o) => (o.principal ? `${o.actor} (${o.principal})` : o.actor), width: "10rem" },
            { header: "Result", render: (o) => o.result ?? "running", width: "7rem" },
            { header: "Duration", render: (o) => fmt.ms(o.durationMs), width: "6rem", class: "num" },
          ]}
          rows={ops.data ?? []}
          rowKey={(o) => o.id}
          empty={ops.data ? "No changes made yet (reads are not listed)." : "Loading…"}
        />
      </section>
    </>
  );
}
