/**
 * One guest: its summary and power buttons, then config, disks, network,
 * snapshots, backups, history and its IaC file — from describe, snapshot
 * list, backup list and the IaC file route. Its status follows the events.
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { load } from "../api.js";
import { readsOnly } from "../events.js";
import type { Guest } from "../guests-data.js";
import { power, POWER } from "../power.js";
import { can, Failure, fmt, href, PageTitle, TableSection, useApp, useEvents, useLive, useLoad } from "../ui.js";

/** `describe`: the guest as listed, and what only describe knows. */
interface Described extends Guest {
  disks: { key: string; storage: string | null; volume: string | null; sizeGiB: number | null; format: string | null }[];
  nets: { key: string; model?: string | null; mac?: string | null; bridge?: string | null; vlanTag?: number | null; ip?: string | null; firewall?: boolean }[];
  config: Record<string, unknown>;
  iacFile: string | null;
  history: { syncRun: number; kind: string; diff: Record<string, unknown> | null }[];
  operations: { command: string; actor: string; startedAt: string; result: string | null; correlationId: string }[];
}

interface Snapshot {
  name: string;
  current?: boolean;
  parent: string | null;
  /** ISO time (snapshot list -o json), as the API sends it. */
  snaptime: string | null;
  description: string;
  vmstate: boolean;
}

interface Backup {
  volid: string;
  size: number;
  /** ISO time (backup list -o json), as the API sends it. */
  ctime: string;
  nodes?: string[];
}

export function GuestPage({ kind, name }: { kind: "vm" | "ct"; name: string }): JSX.Element {
  const { who } = useApp();
  const path = `/api/v1/${kind === "vm" ? "vms" : "cts"}/${encodeURIComponent(name)}`;
  const guest = useLoad(() => load<Described>(path), [path]);
  const snapshots = useLoad(() => load<Snapshot[]>(`${path}/snapshots`), [path]);
  const backups = useLoad(() => load<Backup[]>(`${path}/backups`), [path]);
  const iacPath = guest.data?.iacFile ?? undefined;
  const iac = useLoad(() => (iacPath ? load<{ content: string }>(`/api/v1/iac/files/${iacPath}`) : Promise.resolve(undefined)), [iacPath]);
  const [liveStatus, setLiveStatus] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  useEvents(["guest.status"], (e) => e.data.name === name && typeof e.data.status === "string" && setLiveStatus(e.data.status));
  // operation.finished: a run that changed something (another process's too, read from the store: a CLI stop).
  useLive(["sync.done", "apply.done", "operation.finished"], guest.reload);
  // Fresh data from the store carries what the events said.
  useEffect(() => setLiveStatus(undefined), [guest.data]);
  useLive(["operation.finished"], snapshots.reload);

  const g = guest.data;
  const status = liveStatus ?? g?.status;
  const act = async (label: (typeof POWER)[number]) => {
    setBusy(true);
    try {
      if (await power(label, [{ name, kind }])) {
        setLiveStatus(undefined);
        guest.reload();
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageTitle>{name}</PageTitle>
      <p>
        <a href="#/guests">All guests</a>
      </p>
      <Failure error={guest.error} />
      <dl aria-label="Summary" class="summary">
        {(
          [
            ["Status", status ?? "…"],
            ["VMID", g?.vmid ?? "…"],
            ["Node", g?.node ?? "…"],
            ["Kind", kind],
            ["Cores", g?.cores ?? "–"],
            ["Memory", fmt.mib(g?.memory)],
            ["Tags", g?.tags.join(", ") || "–"],
          ] as const
        ).map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd class={term === "Status" ? `state ${status ?? ""}` : undefined}>{value}</dd>
          </div>
        ))}
      </dl>
      {can(who, "operator") ? (
        <div role="toolbar" aria-label="Power" class="toolbar">
          {POWER.map((label) => (
            <button key={label} type="button" disabled={busy} onClick={() => act(label)}>
              {label}
            </button>
          ))}
        </div>
      ) : null}

      <TableSection
        caption="Config"
        columns={[
          { header: "Key", width: "12rem", render: (r: [string, unknown]) => r[0] },
          { header: "Value", render: (r) => <code>{String(r[1])}</code>, class: "wrap" },
        ]}
        rows={Object.entries(g?.config ?? {})}
        rowKey={(r) => r[0]}
        empty={g ? "No config." : "Loading…"}
      />
      <TableSection
        caption="Disks"
        columns={[
          { header: "Disk", width: "7rem", render: (d: Described["disks"][number]) => d.key },
          { header: "Storage", width: "9rem", render: (d) => d.storage ?? "–" },
          { header: "Volume", render: (d) => d.volume ?? "–", class: "wrap" },
          { header: "Size", width: "6rem", render: (d) => fmt.gib(d.sizeGiB), class: "num" },
        ]}
        rows={g?.disks ?? []}
        rowKey={(d) => d.key}
        empty={g ? "No disks." : "Loading…"}
      />
      <TableSection
        caption="Network"
        columns={[
          { header: "Interface", width: "6rem", render: (n: Described["nets"][number]) => n.key },
          { header: "Model", width: "6rem", render: (n) => n.model ?? "–" },
          { header: "Bridge", width: "6rem", render: (n) => n.bridge ?? "–" },
          { header: "VLAN", width: "4rem", render: (n) => n.vlanTag ?? "–" },
          { header: "MAC", width: "12.5rem", render: (n) => n.mac ?? "–" },
          { header: "IP", render: (n) => n.ip ?? "–" },
        ]}
        rows={g?.nets ?? []}
        rowKey={(n) => n.key}
        empty={g ? "No network interfaces." : "Loading…"}
      />
      <TableSection
        error={snapshots.error}
        caption="Snapshots"
        columns={[
          { header: "Name", width: "12rem", render: (s: Snapshot) => s.name },
          { header: "Time", width: "12.5rem", render: (s) => fmt.time(s.snaptime) },
          { header: "RAM", width: "4rem", render: (s) => (s.vmstate ? "yes" : "no") },
          { header: "Description", render: (s) => s.description || "–", class: "wrap" },
        ]}
        rows={(snapshots.data ?? []).filter((s) => !s.current && s.name !== "current")}
        rowKey={(s) => s.name}
        empty={snapshots.data ? "No snapshots." : "Loading…"}
      />
      <TableSection
        error={backups.error}
        caption="Backups"
        columns={[
          { header: "Volume", render: (b: Backup) => b.volid, class: "wrap" },
          { header: "Time", width: "12.5rem", render: (b) => fmt.time(b.ctime) },
          { header: "Size", width: "7rem", render: (b) => fmt.bytes(b.size), class: "num" },
        ]}
        rows={backups.data ?? []}
        rowKey={(b) => b.volid}
        empty={backups.data ? "No backups." : "Loading…"}
      />
      <TableSection
        caption="History"
        columns={[
          { header: "When", width: "12.5rem", render: (h: HistoryRow) => h.when },
          { header: "What", render: (h) => h.what, class: "wrap" },
          { header: "Result", width: "7rem", render: (h) => h.result },
        ]}
        rows={history(g)}
        rowKey={(h) => h.key}
        empty={g ? "No history." : "Loading…"}
      />
      <section aria-labelledby="h-iac">
        <h2 id="h-iac">IaC file</h2>
        {iacPath ? (
          <>
            <p>
              <a href={href("iac", ...iacPath.split("/"))}>Edit {iacPath}</a>
            </p>
            <Failure error={iac.error} />
            <pre class="code" aria-label={iacPath}>
              {iac.data?.content ?? "…"}
            </pre>
          </>
        ) : (
          <p>{g ? "No IaC file describes this guest (sync writes one)." : "…"}</p>
        )}
      </section>
    </>
  );
}

interface HistoryRow {
  key: string;
  when: string;
  what: string;
  result: string;
}

function history(g: Described | undefined): HistoryRow[] {
  if (!g) return [];
  const ops = g.operations.filter((o) => !readsOnly(o.command)).map((o) => ({ key: o.correlationId, when: fmt.time(o.startedAt), what: `${o.command} (${o.actor})`, result: o.result ?? "running" }));
  const syncs = g.history.map((h) => ({
    key: `sync-${h.syncRun}-${h.kind}`,
    when: `sync #${h.syncRun}`,
    what: `${h.kind}${h.diff ? `: ${Object.keys(h.diff).join(", ")}` : ""}`,
    result: "–",
  }));
  return [...ops, ...syncs];
}
