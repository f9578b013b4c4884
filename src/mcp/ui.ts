/**
 * The UI a command gets when an MCP client runs it: nothing reaches a
 * terminal; what the command shows (its plan, warnings, progress) is kept in
 * order, secrets removed, and handed back with the result. A confirmation is
 * answered by the tool call: with `confirm: true` it is yes; without, the run
 * stops right there with a ConfirmationRequired that carries everything shown
 * so far — the plan — and nothing has been done, because every command asks
 * before it acts.
 */
import { ProxmoxMpcError, UsageError } from "../core/errors.js";
import { redactString } from "../core/redact.js";
import type { Question, Spinner, UI } from "../core/ui.js";

/** A command asked for confirmation and the call did not give it: what it would do, nothing done. */
export class ConfirmationRequired extends ProxmoxMpcError {
  constructor(
    readonly question: string,
    /** Everything the command showed before asking (its plan). */
    readonly wouldDo: string[],
  ) {
    super(`Confirmation required: ${question}`, { code: "confirmation-required", hint: "Nothing was done. Call the tool again with the same arguments and confirm: true to go ahead.", exitCode: 2 });
  }
}

export class McpUI implements UI {
  /** No person is there to type answers; a confirmation is answered by the call (see confirm()). */
  readonly interactive = false;
  readonly shown: string[] = [];

  constructor(private readonly confirmed: boolean) {}

  info(message: string): void {
    this.show(message);
  }
  warn(message: string): void {
    this.show(`warning: ${message}`);
  }
  success(message: string): void {
    this.show(message);
  }
  emit(line: string): void {
    this.show(line);
  }
  spinner(text: string): Spinner {
    this.show(text);
    return {
      update: () => undefined, // progress frames would only bloat the answer
      succeed: (t) => t && this.show(t),
      fail: (t) => t && this.show(t),
      stop: () => undefined,
    };
  }
  async confirm(question: string): Promise<boolean> {
    if (this.confirmed) {
      this.show(`${question} yes (confirm: true)`);
      return true;
    }
    throw new ConfirmationRequired(redactString(question), [...this.shown]);
  }
  async ask(question: Question): Promise<string> {
    throw new UsageError(`Input needed: ${question.message}`, "Give it as an argument of the tool (see its input schema).", "input-required");
  }

  private show(text: string): void {
    // Terminal control sequences (a redrawn frame) mean nothing to a client.
    const plain = redactString(text).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
    for (const line of plain.split("\n")) this.shown.push(line);
  }
}
