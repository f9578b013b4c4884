/**
 * The `started` line of a guest's .tf file, read and changed on the text
 * (edit-hcl.ts), for the power commands: after `start` the file says
 * `started = true`, after `stop`/`shutdown` `started = false`, so the next
 * plan does not undo what the operator did. Only that line changes (its
 * indentation, alignment and trailing comment stay); an absent argument or an
 * expression is left alone and the caller is told why.
 */
import type { GuestKind } from "../model.js";
import { EditRefusal, HclDocument } from "./edit-hcl.js";
import { CT_RESOURCE, VM_RESOURCE } from "./render-common.js";

/** What the file says about `started`. */
export type StartedLine =
  | { state: "literal"; value: boolean; line: number }
  | { state: "absent" }
  | { state: "expression"; raw: string; line: number }
  | { state: "unreadable"; why: string };

/** The outcome of setStartedText: the new text when the line changed, else why not. */
export type StartedEdit = { changed: true; text: string } | { changed: false; found: StartedLine };

/** Which resource of the file. */
export interface StartedTarget {
  file: string;
  kind: GuestKind;
  resourceName: string;
}

/** Read the resource's `started` argument. */
export function readStarted(text: string, target: StartedTarget): StartedLine {
  return locate(new HclDocument(text, target.file), target);
}

/** Set `started = value` when the file holds that argument as a literal of the other value. */
export function setStartedText(text: string, target: StartedTarget, value: boolean): StartedEdit {
  const doc = new HclDocument(text, target.file);
  const found = locate(doc, target);
  if (found.state !== "literal" || found.value === value) return { changed: false, found };
  const line = doc.lines[found.line];
  doc.lines[found.line] = { ...line, text: line.text.replace(/^(\s*started\s*=\s*)(?:true|false)\b/, `$1${value}`) };
  return { changed: true, text: doc.text };
}

function locate(doc: HclDocument, target: StartedTarget): StartedLine {
  try {
    const resource = doc.resource(target.kind === "lxc" ? CT_RESOURCE : VM_RESOURCE, target.resourceName);
    const attr = doc.attr(resource, "started");
    if (!attr) return { state: "absent" };
    const raw = attr.raw.trim();
    if (raw === "true" || raw === "false") return { state: "literal", value: raw === "true", line: attr.line };
    return { state: "expression", raw, line: attr.line };
  } catch (err) {
    if (err instanceof EditRefusal) return { state: "unreadable", why: err.message };
    throw err;
  }
}
