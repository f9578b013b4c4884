/**
 * What every page of the dashboard shares: who is logged in and the live
 * stream (context), loading a route and reloading it when events say it
 * changed, real tables with captions and column headers (sortable), the one
 * confirmation dialog, the notifications log, formatting, the hash router.
 */
import { createContext, type ComponentChildren, type JSX } from "preact";
import { useCallback, useContext, useEffect, useRef, useState } from "preact/hooks";
import type { ApiError } from "./api.js";
import { isRead, type EventStream, type LiveEvent, type StreamState } from "./events.js";

export type Role = "viewer" | "operator" | "admin";

export interface Who {
  name: string;
  role: Role;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether the logged-in role may do what `needed` may (the API checks again). */
export const can = (who: Who, needed: Role): boolean => RANK[who.role] >= RANK[needed];

export interface AppState {
  who: Who;
  stream: EventStream;
}

export const App = createContext<AppState>(undefined as never);
export const useApp = (): AppState => useContext(App);

// ---- loading ---------------------------------------------------------------

export interface Loaded<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  reload: () => void;
}

/** Load once (and again when `deps` change or reload() is called); the last data stays shown while reloading. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const current = useRef(0);
  useEffect(() => {
    const mine = ++current.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === current.current && setState({ data, loading: false }),
      (error: ApiError) => mine === current.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Call `handler` for each live event of these types (all when empty). */
export function useEvents(types: readonly string[], handler: (event: LiveEvent) => void): void {
  const { stream } = useApp();
  const latest = useRef(handler);
  latest.current = handler;
  const key = types.join(",");
  useEffect(() => stream.subscribe((e) => (!types.length || types.includes(e.type)) && latest.current(e)), [stream, key]);
}

/** Reload when one of these events arrives (not those of runs that only read): at most once a second, the last one always. */
export function useLive(types: readonly string[], reload: () => void, enabled = true): void {
  const { stream } = useApp();
  const timer = useRef<number | undefined>(undefined);
  const last = useRef(0);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  // Back from offline (the server restarted, the network returned): what is shown may be stale, or an error.
  useEffect(() => {
    let previous = stream.state;
    return stream.onState((state) => {
      if (enabled && state === "live" && previous === "offline") reload();
      previous = state;
    });
  }, [stream, reload, enabled]);
  useEvents(types, (e) => {
    if (!enabled || timer.current !== undefined || isRead(e, stream.reads)) return;
    const wait = Math.max(0, last.current + 1000 - Date.now());
    timer.current = window.setTimeout(() => {
      timer.current = undefined;
      last.current = Date.now();
      reload();
    }, wait);
  });
}

/** The stream's state, for the header. */
export function useStreamState(): StreamState {
  const { stream } = useApp();
  const [state, setState] = useState(stream.state);
  useEffect(() => {
    setState(stream.state);
    return stream.onState(setState);
  }, [stream]);
  return state;
}

// ---- notifications ---------------------------------------------------------

interface Note {
  id: number;
  text: string;
  level: "info" | "error";
}

let notes: Note[] = [];
let noteId = 0;
const noteListeners = new Set<() => void>();

/** Tell the operator something happened (kept in the Notifications log, newest last). */
export function notify(text: string, level: Note["level"] = "info"): void {
  notes = [...notes, { id: ++noteId, text, level }].slice(-5);
  for (const l of noteListeners) l();
}

export function Notifications(): JSX.Element {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((t) => t + 1);
    noteListeners.add(l);
    return () => noteListeners.delete(l);
  }, []);
  return (
    <div class="notes" role="log" aria-label="Notifications">
      {notes.map((n) => (
        <p key={n.id} class={`note ${n.level}`}>
          {n.text}
        </p>
      ))}
    </div>
  );
}

// ---- confirmation ----------------------------------------------------------

export interface Question {
  title: string;
  /** What would be done, one line each. */
  lines?: readonly string[];
  /** A unified diff to show instead (lines starting with +, - or a space). */
  diff?: readonly string[];
}

let pending: { question: Question; answer: (yes: boolean) => void } | undefined;
const askListeners = new Set<() => void>();

/** Ask before doing something: a modal dialog with Confirm and Cancel (Escape cancels). */
export function ask(question: Question): Promise<boolean> {
  pending?.answer(false);
  // Focus goes back to what opened the dialog (the button) once it is answered, as soon as it can take it.
  const opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : undefined;
  return new Promise((resolve) => {
    pending = {
      question,
      answer: (yes) => {
        pending = undefined;
        askListeners.forEach((l) => l());
        resolve(yes);
        refocus(opener);
      },
    };
    askListeners.forEach((l) => l());
  });
}

/** Focus `el` when it is back and enabled (a button disabled while its action runs is retried a few times). */
function refocus(el: HTMLElement | undefined, tries = 20): void {
  if (!el) return;
  window.setTimeout(() => {
    if (!el.isConnected) return;
    if ((el as HTMLButtonElement).disabled) return tries > 0 ? refocus(el, tries - 1) : undefined;
    if (document.activeElement === document.body || document.activeElement === null) el.focus();
  }, tries === 20 ? 0 : 150);
}

export function ConfirmHost(): JSX.Element | null {
  const [, setTick] = useState(0);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const l = () => setTick((t) => t + 1);
    askListeners.add(l);
    return () => askListeners.delete(l);
  }, []);
  const now = pending;
  useEffect(() => {
    if (now && dialog.current && !dialog.current.open) dialog.current.showModal();
  }, [now]);
  if (!now) return null;
  const { question } = now;
  return (
    <dialog ref={dialog} aria-labelledby="confirm-title" onCancel={(e) => (e.preventDefault(), now.answer(false))}>
      <h2 id="confirm-title">{question.title}</h2>
      {question.diff ? (
        <pre class="diff" aria-label="Changes">
          {question.diff.map((line, i) => (
            <span key={i} class={line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : undefined}>
              {line}
              {"\n"}
            </span>
          ))}
        </pre>
      ) : question.lines?.length ? (
        <pre class="would-do">{question.lines.join("\n")}</pre>
      ) : null}
      <div class="buttons">
        <button type="button" class="primary" onClick={() => now.answer(true)}>
          Confirm
        </button>
        {/* Cancel has the focus when the dialog opens: Enter alone never does the dangerous thing. */}
        <button type="button" autoFocus onClick={() => now.answer(false)}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}

// ---- tables ----------------------------------------------------------------

export interface Column<R> {
  header: string;
  /** A fixed width (CSS), so live updates never move the columns. */
  width?: string;
  render: (row: R) => ComponentChildren;
  /** The value to sort by (the column is sortable when given). */
  sortBy?: (row: R) => string | number;
  class?: string;
}

interface TableProps<R> {
  caption: string;
  columns: Column<R>[];
  rows: readonly R[];
  rowKey: (row: R) => string | number;
  empty: string;
  /** Show the caption to sighted users too (else only to screen readers). */
  showCaption?: boolean;
  initialSort?: { column: string; descending?: boolean };
  /** On a narrow screen (≤ 700 px) each row is laid out as lines: its cells side by side, a `wrap` cell on a line of its own under them. */
  stack?: boolean;
}

/** A real table: caption, <th scope="col"> headers, fixed column widths; sortable headers are buttons. */
export function Table<R>({ caption, columns, rows, rowKey, empty, showCaption, initialSort, stack }: TableProps<R>): JSX.Element {
  const [sort, setSort] = useState(initialSort);
  const by = columns.find((c) => c.header === sort?.column)?.sortBy;
  const shown = by ? [...rows].sort((a, b) => compare(by(a), by(b)) * (sort?.descending ? -1 : 1)) : rows;
  return (
    <div class={stack ? "table-wrap stack" : "table-wrap"}>
      <table>
        <caption class={showCaption ? undefined : "visually-hidden"}>{caption}</caption>
        <colgroup>
          {columns.map((c) => (
            <col key={c.header} style={c.width ? { width: c.width } : undefined} />
          ))}
        </colgroup>
        <thead>
          <tr>
            {columns.map((c) => {
              const active = sort?.column === c.header;
              return (
                <th key={c.header} scope="col" class={c.class} aria-sort={active ? (sort?.descending ? "descending" : "ascending") : undefined}>
                  {c.sortBy ? (
                    <button type="button" class="sort" onClick={() => setSort({ column: c.header, descending: active ? !sort?.descending : false })}>
                      {c.header}
                      <span aria-hidden="true" class="arrow">
                        {active ? (sort?.descending ? "▼" : "▲") : ""}
                      </span>
                    </button>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {shown.length ? (
            shown.map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((c) => (
                  <td key={c.header} class={c.class}>
                    {c.render(row)}
                  </td>
                ))}
              </tr>
            ))
          ) : (
            <tr>
              <td colSpan={columns.length} class="empty">
                {empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/** A section headed by the table's caption (an <h2>), with the failure of its load above the table. */
export function TableSection<R>(props: TableProps<R> & { error?: ApiError }): JSX.Element {
  const id = `h-${props.caption.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{props.caption}</h2>
      <Failure error={props.error} />
      <Table {...props} />
    </section>
  );
}

function compare(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** A failed load, said once above what is still shown. */
export function Failure({ error }: { error?: ApiError }): JSX.Element | null {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error.message}
      {error.hint ? ` ${error.hint}` : ""}
    </p>
  );
}

// ---- formatting ------------------------------------------------------------

const pad = (n: number) => String(n).padStart(2, "0");

export const fmt = {
  /** 2026-11-28 15:58:22 in the browser's time zone. */
  time(iso: string | null | undefined): string {
    if (!iso) return "–";
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  },
  /** Memory given in MiB. */
  mib(n: number | null | undefined): string {
    if (n == null) return "–";
    return n >= 1024 ? `${(n / 1024).toFixed(n % 1024 ? 1 : 0)} GiB` : `${n} MiB`;
  },
  gib(n: number | null | undefined): string {
    return n == null ? "–" : `${n} GiB`;
  },
  bytes(n: number | null | undefined): string {
    if (n == null) return "–";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let v = n;
    let i = 0;
    while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
    return `${v.toFixed(i ? 1 : 0)} ${units[i]}`;
  },
  ms(n: number | null | undefined): string {
    if (n == null) return "–";
    return n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(1)} s`;
  },
};

// ---- routing ---------------------------------------------------------------

/** The hash route's parts: #/guests/vm/web-01 → ["guests", "vm", "web-01"]. */
export function useRoute(): string[] {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return hash
    .replace(/^#\/?/, "")
    .split("/")
    .filter(Boolean)
    .map((p) => decodeURIComponent(p));
}

export const href = (...parts: string[]): string => `#/${parts.map(encodeURIComponent).join("/")}`;

/** A page's heading, focused when the page opens (screen readers announce the new page). */
export function PageTitle({ children }: { children: ComponentChildren }): JSX.Element {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus({ preventScroll: true }), []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
