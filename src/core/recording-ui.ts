/**
 * The UI of a face with no terminal (MCP tool calls, REST requests): what the
 * command shows (its plan, warnings, progress) is kept in order, secrets and
 * terminal control sequences removed, and handed back with the result. A
 * confirmation is answered by the call: confirmed, it is yes; otherwise the
 * run stops right there with the face's error carrying everything shown so
 * far — the plan — and nothing has been done, because every command asks
 * before it acts. A question for input is refused with the face's hint.
 */
import type { EventBus } from "./events.js";
import { UsageError } from "./errors.js";
import { redactString } from "./redact.js";
import type { Question, Spinner, UI } from "./ui.js";

export interface RecordingOptions {
  /** The call said go ahead (`confirm: true`). */
  confirmed: boolean;
  /** The error that stops an unconfirmed run (question redacted; wouldDo: the lines shown so far). */
  refuse: (question: string, wouldDo: string[]) => Error;
  /** Where the caller gives input the command asked for. */
  inputHint: string;
  /** Each line as it is shown (the API's operation.progress events), and each spinner frame, which is not kept. */
  onLine?: (line: string, level: LineLevel) => void;
}

/** How a line was shown: info/success (a spinner's first text too), a warning, a data line, a spinner's later frame (progress). */
export type LineLevel = "info" | "warn" | "data" | "progress";

export class RecordingUI implements UI {
  /** No person is there to type answers. */
  readonly interactive = false;
  readonly shown: string[] = [];

  constructor(private readonly options: RecordingOptions) {}

  info(message: string): void {
    this.show(message);
  }
  warn(message: string): void {
    this.show(`warning: ${message}`, "warn");
  }
  success(message: string): void {
    this.show(message);
  }
  emit(line: string): void {
    this.show(line, "data");
  }
  spinner(text: string): Spinner {
    this.show(text);
    return {
      // Progress frames would only bloat the answer; a listener still gets them.
      update: (t) => this.options.onLine?.(plain(t), "progress"),
      succeed: (t) => t && this.show(t),
      fail: (t) => t && this.show(t, "warn"),
      stop: () => undefined,
    };
  }
  async confirm(question: string): Promise<boolean> {
    if (this.options.confirmed) {
      this.show(`${question} yes (confirm: true)`);
      return true;
    }
    throw this.options.refuse(redactString(question), [...this.shown]);
  }
  async ask(question: Question): Promise<string> {
    throw new UsageError(`Input needed: ${question.message}`, this.options.inputHint, "input-required");
  }

  private show(text: string, level: LineLevel = "info"): void {
    for (const line of plain(text).split("\n")) {
      this.shown.push(line);
      this.options.onLine?.(line, level);
    }
  }
}

/** Secrets and terminal control sequences (a redrawn frame means nothing to a client) removed. */
function plain(text: string): string {
  return redactString(text).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}

/** Spinner frames at most this often per run (a sync of 1,000 guests redraws its counter 1,000 times). */
const FRAME_MS = 250;

/**
 * operation.progress for every line a run shows; nothing is built while nobody listens. A spinner
 * redrawing the same line with new figures ("Reading guest configs 140/300") sends at most one frame
 * per FRAME_MS, and its last frame when it stops changing; a line of another shape (the next step,
 * "[2/6] updating web-01 (cores)…") is always sent at once.
 */
export function progressEvents(events: EventBus, command: string, correlationId: () => string): (text: string, level: LineLevel) => void {
  let lastFrame = 0;
  let lastShape = "";
  let held: { text: string; timer: NodeJS.Timeout } | undefined;
  const send = (text: string, level: LineLevel) => events.emit("operation.progress", { command, text, level }, correlationId());
  const release = () => {
    if (!held) return;
    clearTimeout(held.timer);
    const { text } = held;
    held = undefined;
    lastFrame = Date.now();
    send(text, "progress");
  };
  return (text, level) => {
    if (!events.listened || !text) return;
    if (level !== "progress") {
      release();
      lastShape = "";
      return send(text, level);
    }
    // The figures do not make a new line, a step counter does: "[2/6] …" is a new step, never a frame of "[1/6] …".
    const step = /^\[\d+\/\d+\]/.exec(text)?.[0] ?? "";
    const shape = step + text.slice(step.length).replace(/\d+/g, "#");
    const now = Date.now();
    if (shape === lastShape && now - lastFrame < FRAME_MS) {
      // The same line with new figures, too soon: kept, sent when the window ends unless a newer frame replaces it.
      if (held) held.text = text;
      else held = { text, timer: setTimeout(release, FRAME_MS - (now - lastFrame)) };
      return;
    }
    if (held && shape !== lastShape) release();
    if (held) clearTimeout(held.timer), (held = undefined);
    lastShape = shape;
    lastFrame = now;
    send(text, level);
  };
}
