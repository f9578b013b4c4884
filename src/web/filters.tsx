/**
 * The Logs and Audit pages' shape: the command's options as labelled filter
 * fields (text or a choice), applied as the operator types (debounced), a
 * "Follow live" switch reading the route again as runs start and finish,
 * and the entries in one table.
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { load, query } from "./api.js";
import { Failure, PageTitle, Table, useLive, useLoad, type Column } from "./ui.js";

export interface Field {
  key: string;
  label: string;
  placeholder?: string;
  choices?: readonly string[];
  width?: string;
  /** A checkbox: "true" when checked, left out of the query when not. */
  flag?: boolean;
}

export type Values = Record<string, string>;

/** The values as typed, and the values to query with (settled for 300 ms). */
function useFilters(initial: Values): [Values, (key: string, value: string) => void, Values] {
  const [values, setValues] = useState(initial);
  const [settledValues, setSettled] = useState(initial);
  useEffect(() => {
    const t = window.setTimeout(() => setSettled(values), 300);
    return () => window.clearTimeout(t);
  }, [values]);
  return [values, (key, value) => setValues((v) => ({ ...v, [key]: value })), settledValues];
}

function Filters({ fields, values, set, follow, setFollow, label }: { fields: Field[]; values: Values; set: (key: string, value: string) => void; follow: boolean; setFollow: (on: boolean) => void; label: string }): JSX.Element {
  return (
    <form class="filters form" aria-label={label} onSubmit={(e) => e.preventDefault()}>
      {fields.map((f) => (
        <div class={f.flag ? "field check" : "field"} key={f.key}>
          <label for={`f-${f.key}`}>{f.label}</label>
          {f.flag ? (
            <input id={`f-${f.key}`} type="checkbox" checked={values[f.key] === "true"} onChange={(e) => set(f.key, e.currentTarget.checked ? "true" : "")} />
          ) : f.choices ? (
            <select id={`f-${f.key}`} value={values[f.key] ?? ""} onChange={(e) => set(f.key, e.currentTarget.value)}>
              <option value="">any</option>
              {f.choices.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          ) : (
            <input id={`f-${f.key}`} value={values[f.key] ?? ""} placeholder={f.placeholder} spellcheck={false} onInput={(e) => set(f.key, e.currentTarget.value)} style={f.width ? { width: f.width } : undefined} />
          )}
        </div>
      ))}
      <div class="field check">
        <input id="f-follow" type="checkbox" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} />
        <label for="f-follow">Follow live</label>
      </div>
    </form>
  );
}

interface FilteredPageProps<R> {
  title: string;
  /** The GET route the filters go to as its query. */
  route: string;
  fields: Field[];
  /** The events after which the entries are read again while following. */
  live: readonly string[];
  columns: Column<R>[];
  rowKey: (row: R) => string;
  empty: string;
  /** The route answers oldest first: show the newest first (where live entries arrive, always in view). */
  newestFirst?: boolean;
  /** Stack each row on a narrow screen (Table's `stack`). */
  stack?: boolean;
  /** Filter values to start with (besides limit 100). */
  initial?: Values;
}

/** A page of entries read with filters, following live (Logs, Audit). */
export function FilteredPage<R>({ title, route, fields, live, columns, rowKey, empty, newestFirst, stack, initial }: FilteredPageProps<R>): JSX.Element {
  const [values, set, settled] = useFilters({ limit: "100", ...initial });
  const [follow, setFollow] = useState(true);
  const entries = useLoad(() => load<R[]>(`${route}${query(settled)}`), [JSON.stringify(settled)]);
  useLive(live, entries.reload, follow);
  return (
    <>
      <PageTitle>{title}</PageTitle>
      <Filters label={`${title} filters`} fields={fields} values={values} set={set} follow={follow} setFollow={setFollow} />
      <Failure error={entries.error} />
      <Table caption={title} columns={columns} rows={newestFirst ? [...(entries.data ?? [])].reverse() : (entries.data ?? [])} rowKey={rowKey} empty={entries.data ? empty : "Loading…"} stack={stack} />
    </>
  );
}
