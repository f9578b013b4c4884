/**
 * The filter forms of the Logs and Audit pages: the command's options as
 * labelled fields (text or a choice), applied as the operator types
 * (debounced), and the "Follow live" switch.
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";

export interface Field {
  key: string;
  label: string;
  placeholder?: string;
  choices?: readonly string[];
  width?: string;
}

export type Values = Record<string, string>;

/** The values as typed, and the values to query with (settled for 300 ms). */
export function useFilters(initial: Values): [Values, (key: string, value: string) => void, Values] {
  const [values, setValues] = useState(initial);
  const [settledValues, setSettled] = useState(initial);
  useEffect(() => {
    const t = window.setTimeout(() => setSettled(values), 300);
    return () => window.clearTimeout(t);
  }, [values]);
  return [values, (key, value) => setValues((v) => ({ ...v, [key]: value })), settledValues];
}

export function Filters({ fields, values, set, follow, setFollow, label }: { fields: Field[]; values: Values; set: (key: string, value: string) => void; follow: boolean; setFollow: (on: boolean) => void; label: string }): JSX.Element {
  return (
    <form class="filters form" aria-label={label} onSubmit={(e) => e.preventDefault()}>
      {fields.map((f) => (
        <div class="field" key={f.key}>
          <label for={`f-${f.key}`}>{f.label}</label>
          {f.choices ? (
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
