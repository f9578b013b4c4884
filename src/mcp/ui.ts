/**
 * The UI a command gets when an MCP client runs it (core/recording-ui.ts):
 * what it shows is handed back with the result; a confirmation is answered by
 * the tool call's `confirm`, and without it the run stops with a
 * ConfirmationRequired that carries the plan shown so far.
 */
import { ProxmoxMpcError } from "../core/errors.js";
import { RecordingUI, type LineLevel } from "../core/recording-ui.js";

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

export class McpUI extends RecordingUI {
  /** `onLine`: each line shown, as it is shown (the server's event stream: operation.progress). */
  constructor(confirmed: boolean, onLine?: (line: string, level: LineLevel) => void) {
    super({ confirmed, refuse: (question, wouldDo) => new ConfirmationRequired(question, wouldDo), inputHint: "Give it as an argument of the tool (see its input schema).", onLine });
  }
}
