/**
 * Guests: every VM and container in a sortable table, narrowed by the search
 * box and tag chips; operators select rows for bulk power actions (asked
 * first). A guest's status changes in place when a guest.status event comes.
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { kindOf, loadGuests, type Guest } from "../guests-data.js";
import { power, POWER } from "../power.js";
import { can, Failure, fmt, href, PageTitle, Table, useApp, useEvents, useLive, useLoad, type Column } from "../ui.js";

export function GuestsPage(): JSX.Element {
  const { who } = useApp();
  const guests = useLoad(loadGuests, []);
  const [live, setLive] = useState<Record<number, string>>({});
  const [search, setSearch] = useState("");
  const [chips, setChips] = useState<string[]>([]);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [busy, setBusy] = useState(false);
  useEvents(["guest.status"], (e) => {
    const vmid = Number(e.data.vmid);
    if (Number.isFinite(vmid) && typeof e.data.status === "string") setLive((l) => ({ ...l, [vmid]: String(e.data.status) }));
  });
  // operation.finished: a run that changed something (another process's too, read from the store: a CLI stop).
  useLive(["sync.done", "apply.done", "operation.finished"], guests.reload);
  // Fresh rows from the store carry what the events said.
  useEffect(() => setLive({}), [guests.data]);
  const operator = can(who, "operator");

  const all = (guests.data ?? []).map((g) => ({ ...g, status: live[g.vmid] ?? g.status }));
  const tags = [...new Set(all.flatMap((g) => g.tags))].sort();
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = all.filter((g) => {
    if (!chips.every((c) => g.tags.includes(c))) return false;
    const text = [g.name, g.vmid, g.node, g.status, kindOf(g), ...g.tags, ...g.ipAddresses].join(" ").toLowerCase();
    return words.every((w) => text.includes(w));
  });
  const chosen = all.filter((g) => selected.has(g.vmid));
  const toggle = (vmid: number) => setSelected((s) => (s.has(vmid) ? new Set([...s].filter((v) => v !== vmid)) : new Set([...s, vmid])));
  const allShown = shown.length > 0 && shown.every((g) => selected.has(g.vmid));

  const columns: Column<Guest>[] = [
    ...(operator
      ? [
          {
            header: "Select",
            width: "4.5rem",
            render: (g: Guest) => <input type="checkbox" aria-label={`Select ${g.name}`} checked={selected.has(g.vmid)} onChange={() => toggle(g.vmid)} />,
          },
        ]
      : []),
    { header: "Name", width: "12rem", sortBy: (g) => g.name, render: (g) => <a href={href("guests", kindOf(g), g.name)}>{g.name}</a> },
    { header: "VMID", width: "5.5rem", sortBy: (g) => g.vmid, render: (g) => g.vmid, class: "num" },
    { header: "Kind", width: "4.5rem", sortBy: (g) => kindOf(g), render: (g) => kindOf(g) },
    { header: "Node", width: "6rem", sortBy: (g) => g.node, render: (g) => g.node },
    { header: "Status", width: "7rem", sortBy: (g) => g.status, render: (g) => <span class={`state ${g.status}`}>{g.status}</span> },
    { header: "Cores", width: "5rem", sortBy: (g) => g.cores ?? 0, render: (g) => g.cores ?? "–", class: "num" },
    { header: "Memory", width: "7rem", sortBy: (g) => g.memory ?? 0, render: (g) => fmt.mib(g.memory), class: "num" },
    { header: "Disk", width: "6rem", sortBy: (g) => g.disk ?? 0, render: (g) => fmt.gib(g.disk), class: "num" },
    { header: "Tags", width: "12rem", sortBy: (g) => g.tags.join(","), render: (g) => g.tags.join(", ") },
  ];

  const act = async (label: (typeof POWER)[number]) => {
    setBusy(true);
    try {
      if (await power(label, chosen.map((g) => ({ name: g.name, kind: kindOf(g), status: g.status })))) {
        setSelected(new Set());
        guests.reload();
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageTitle>Guests</PageTitle>
      <Failure error={guests.error} />
      <div class="filters">
        <input type="search" aria-label="Search guests" placeholder="Search guests" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        <div role="group" aria-label="Tags" class="chips">
          {tags.map((t) => {
            const on = chips.includes(t);
            return (
              <button key={t} type="button" class="chip" aria-pressed={on} onClick={() => setChips(on ? chips.filter((c) => c !== t) : [...chips, t])}>
                {t}
              </button>
            );
          })}
        </div>
      </div>
      <div class="bar">
        <span aria-label="Shown" class="count">
          {shown.length} of {all.length} guests
        </span>
        {operator ? (
          <>
            <label class="select-all">
              <input type="checkbox" checked={allShown} onChange={() => setSelected(allShown ? new Set() : new Set([...selected, ...shown.map((g) => g.vmid)]))} /> Select all
            </label>
            <div role="toolbar" aria-label="Bulk actions" class="toolbar">
              {POWER.map((label) => (
                <button key={label} type="button" disabled={!chosen.length || busy} onClick={() => act(label)}>
                  {label}
                </button>
              ))}
            </div>
          </>
        ) : null}
      </div>
      <Table caption="Guests" columns={columns} rows={shown} rowKey={(g) => g.vmid} empty={guests.data ? "No guest matches." : "Loading…"} initialSort={{ column: "Name" }} />
    </>
  );
}
