/**
 * The IaC editor page: the workspace's IaC files, one open in the editor;
 * Validate checks the text as it is (saved or not) with the checks of
 * `test` and lists the problems by line; Save writes it (an overwrite shows
 * the diff and asks first); Plan and Apply as on the Plan page.
 */
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { load, problem, request } from "../api.js";
import { Editor, type EditorHandle } from "../editor.js";
import { ask, can, Failure, href, notify, PageTitle, useApp, useLoad } from "../ui.js";
import { PlanPanel } from "./plan.js";

interface IacFile {
  path: string;
  size: number;
  modifiedAt: string;
}

interface CheckResult {
  check: string;
  status: "passed" | "failed" | "warning" | "skipped";
  file?: string;
  line?: number;
  message: string;
}

interface Report {
  ok: boolean;
  passed: number;
  failed: number;
  warnings: number;
  results: CheckResult[];
}

const NEW_FILE = /^terraform\/[\w.-]+\.tf$|^ansible\/[\w./-]+\.(ya?ml|cfg)$/;

export function IacPage({ path }: { path?: string }): JSX.Element {
  const { who } = useApp();
  const files = useLoad(() => load<{ files: IacFile[] }>("/api/v1/iac/files"), []);
  const [newName, setNewName] = useState("terraform/");
  const [newError, setNewError] = useState<string | undefined>();
  const operator = can(who, "operator");

  const open = (e: Event) => {
    e.preventDefault();
    const name = newName.trim();
    if (!NEW_FILE.test(name) || name.includes("..")) return setNewError("A new file is terraform/NAME.tf (or an Ansible .yml under ansible/).");
    setNewError(undefined);
    location.hash = href("iac", ...name.split("/"));
  };

  return (
    <>
      <PageTitle>IaC</PageTitle>
      <div class="iac">
        <aside class="files">
          <h2 class="small">Files</h2>
          <Failure error={files.error} />
          <ul aria-label="IaC files">
            {(files.data?.files ?? []).map((f) => (
              <li key={f.path}>
                <a href={href("iac", ...f.path.split("/"))} aria-current={f.path === path ? "page" : undefined}>
                  {f.path}
                </a>
              </li>
            ))}
          </ul>
          {operator ? (
            <form onSubmit={open} class="new-file">
              <label for="new-file">New file</label>
              <input id="new-file" value={newName} onInput={(e) => setNewName(e.currentTarget.value)} placeholder="terraform/NAME.tf" spellcheck={false} />
              <button type="submit">New</button>
              {newError ? <p role="alert">{newError}</p> : null}
            </form>
          ) : null}
        </aside>
        <div class="file">{path ? <FileEditor path={path} onSaved={files.reload} key={path} /> : <p>Open a file from the list{operator ? ", or start a new one" : ""}.</p>}</div>
      </div>
    </>
  );
}

function FileEditor({ path, onSaved }: { path: string; onSaved: () => void }): JSX.Element {
  const { who } = useApp();
  const operator = can(who, "operator");
  const file = useLoad(async () => {
    const answer = await request<{ content: string }>("GET", `/api/v1/iac/files/${path}`);
    if (answer.status === 404) return { content: "", exists: false };
    if (answer.status !== 200 || !answer.body.data) throw problem(answer);
    return { content: answer.body.data.content, exists: true };
  }, [path]);
  const [text, setText] = useState<string | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const [report, setReport] = useState<Report | undefined>();
  const [checking, setChecking] = useState(false);
  const [saving, setSaving] = useState(false);
  const [note, setNote] = useState<string | undefined>();
  const editor = useRef<EditorHandle>(null);

  useEffect(() => {
    if (file.data && text === undefined) {
      setText(file.data.content);
      setSaved(file.data.exists ? file.data.content : undefined);
    }
  }, [file.data]);

  const value = text ?? "";
  const dirty = saved === undefined || value !== saved;
  const problems = (report?.results ?? []).filter((r) => r.status === "failed" || r.status === "warning");
  const marks = new Set(problems.filter((r) => r.file === path && r.line).map((r) => r.line!));

  const validate = async () => {
    setChecking(true);
    try {
      const answer = await request<Report>("POST", "/api/v1/iac/check", { path, content: value });
      if (answer.status !== 200 || !answer.body.data) throw problem(answer);
      setReport(answer.body.data);
    } catch (err) {
      notify(`validate failed: ${(err as Error).message}`, "error");
    } finally {
      setChecking(false);
    }
  };

  const save = async () => {
    setSaving(true);
    try {
      let answer = await request<{ changed: boolean; created: boolean }>("PUT", `/api/v1/iac/files/${path}`, { content: value });
      if (answer.status === 409 && answer.body.confirmationRequired) {
        const yes = await ask({ title: `Save ${path}?`, diff: answer.body.wouldDo ?? [] });
        if (!yes) return setNote("Not saved: nothing was changed.");
        // Confirmed over the text the diff was made from: changed meanwhile, the server shows the new diff.
        answer = await request("PUT", `/api/v1/iac/files/${path}`, { content: value, confirm: true, base: answer.body.base });
        if (answer.status === 409 && answer.body.confirmationRequired) {
          const again = await ask({ title: answer.body.question ?? `Save ${path}?`, diff: answer.body.wouldDo ?? [] });
          if (!again) return setNote("Not saved: nothing was changed.");
          answer = await request("PUT", `/api/v1/iac/files/${path}`, { content: value, confirm: true, base: answer.body.base });
        }
      }
      if ((answer.status !== 200 && answer.status !== 201) || !answer.body.ok) throw problem(answer);
      setSaved(value);
      setNote(answer.body.data?.changed === false ? "No change to save." : `Saved ${path}.`);
      notify(`saved ${path}`);
      onSaved();
    } catch (err) {
      notify(`save ${path} failed: ${(err as Error).message}`, "error");
    } finally {
      setSaving(false);
    }
  };

  const label = (r: CheckResult) => {
    const where = r.file === path ? (r.line ? `line ${r.line}` : "") : r.file ? `${r.file}${r.line ? ` line ${r.line}` : ""}` : "";
    return `${where ? `${where}: ` : ""}${r.status === "warning" ? "warning: " : ""}${r.message}`;
  };

  return (
    <>
      <h2>{path}</h2>
      <Failure error={file.error} />
      <p class="file-state" aria-live="polite">
        {file.data && !file.data.exists && saved === undefined ? "New file: not saved yet. " : ""}
        {saved !== undefined && dirty ? "Unsaved changes. " : ""}
        {note ?? ""}
      </p>
      <Editor path={path} value={value} onInput={(v) => (setText(v), setNote(undefined))} readOnly={!operator} marks={marks} handle={editor} />
      <div class="toolbar">
        <button type="button" onClick={validate} disabled={checking || text === undefined}>
          Validate
        </button>
        {operator ? (
          <button type="button" class="primary" onClick={save} disabled={saving || text === undefined}>
            Save
          </button>
        ) : null}
      </div>
      {report ? (
        <section aria-labelledby="h-problems" class="problems">
          <h3 id="h-problems">Problems</h3>
          <p aria-live="polite">
            {problems.length ? `${report.failed} failed, ${report.warnings} warnings (${report.passed} checks passed).` : "No problems."}
          </p>
          <ul aria-label="Problems">
            {problems.map((r, i) => (
              <li key={i} class={r.status}>
                <button type="button" class="link" onClick={() => (r.file === path && r.line ? editor.current?.goToLine(r.line) : r.file ? (location.hash = href("iac", ...r.file.split("/"))) : undefined)}>
                  {label(r)}
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <PlanPanel unsaved={dirty} />
    </>
  );
}
