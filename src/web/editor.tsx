/**
 * The IaC editor: a real <textarea> (labelled "IaC file": the keyboard,
 * screen readers, undo, paste and browser tests all work as with any text
 * field) with the highlighted text drawn behind it and line numbers beside
 * it, scrolled together. Lines with a problem are marked in the gutter.
 */
import type { JSX } from "preact";
import { useImperativeHandle, useMemo, useRef } from "preact/hooks";
import type { Ref } from "preact";
import { highlight } from "./highlight.js";

export interface EditorHandle {
  /** Put the cursor at the start of a line (1-based) and show it. */
  goToLine(line: number): void;
}

interface Props {
  path: string;
  value: string;
  onInput: (value: string) => void;
  readOnly?: boolean;
  /** Lines with a problem (1-based). */
  marks?: ReadonlySet<number>;
  handle?: Ref<EditorHandle>;
}

export function Editor({ path, value, onInput, readOnly, marks, handle }: Props): JSX.Element {
  const area = useRef<HTMLTextAreaElement>(null);
  const back = useRef<HTMLPreElement>(null);
  const gutter = useRef<HTMLPreElement>(null);
  const lines = useMemo(() => highlight(path, value), [path, value]);

  const sync = () => {
    const a = area.current;
    if (!a) return;
    if (back.current) {
      back.current.scrollTop = a.scrollTop;
      back.current.scrollLeft = a.scrollLeft;
    }
    if (gutter.current) gutter.current.scrollTop = a.scrollTop;
  };

  useImperativeHandle(handle ?? null, () => ({
    goToLine(line: number) {
      const a = area.current;
      if (!a) return;
      const all = a.value.split("\n");
      const n = Math.max(1, Math.min(line, all.length));
      const offset = all.slice(0, n - 1).reduce((sum, l) => sum + l.length + 1, 0);
      a.focus();
      a.setSelectionRange(offset, offset);
      const height = parseFloat(getComputedStyle(a).lineHeight) || 20;
      a.scrollTop = Math.max(0, (n - 4) * height);
      sync();
    },
  }));

  return (
    <div class="editor">
      <pre class="gutter" ref={gutter} aria-hidden="true">
        {lines.map((_, i) => (
          <span key={i} class={marks?.has(i + 1) ? "marked" : undefined}>
            {i + 1}
            {"\n"}
          </span>
        ))}
      </pre>
      <div class="editor-body">
        <pre class="back" ref={back} aria-hidden="true">
          {lines.map((tokens, i) => (
            <span key={i} class={marks?.has(i + 1) ? "line marked" : "line"}>
              {tokens.map((t, j) => (t.kind ? <span key={j} class={`t-${t.kind}`}>{t.text}</span> : t.text))}
              {"\n"}
            </span>
          ))}
        </pre>
        <textarea
          id="iac-editor"
          ref={area}
          aria-label="IaC file"
          spellcheck={false}
          autocapitalize="off"
          autocomplete="off"
          wrap="off"
          readOnly={readOnly}
          value={value}
          onInput={(e) => onInput(e.currentTarget.value)}
          onScroll={sync}
        />
      </div>
    </div>
  );
}
