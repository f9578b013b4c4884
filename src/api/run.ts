/**
 * The API face's one way to run a command: a context of its own per request
 * (actor `api`, a new correlation id, the server's logger, the store kept
 * open across requests), a UI that keeps what the command shows and answers
 * its confirmation from the request's `confirm`, and a record of the
 * operation (every call is recorded). The same runCommand as every face.
 */
import { createContext } from "../commands/context.js";
import { runCommand } from "../commands/runner.js";
import type { Caller, Command, CommandContext, CommandInput, CommandResult, GlobalOptions } from "../commands/types.js";
import { ProxmoxMpcError } from "../core/errors.js";
import type { EventBus } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import { progressEvents, RecordingUI } from "../core/recording-ui.js";
import type { Workspace } from "../core/workspace.js";
import type { Store } from "../state/store.js";

/** The command asked to confirm and the request did not: nothing was done; what it showed is the plan. */
export class NeedsConfirmation extends ProxmoxMpcError {
  constructor(
    readonly question: string,
    readonly wouldDo: string[],
  ) {
    super(`Confirmation required: ${question}`, { code: "confirmation-required", hint: 'Nothing was done. Send the same request again with "confirm": true to go ahead.', exitCode: 2 });
  }
}

export interface ApiRunner {
  /** A new run: its context (correlation id known at once) and the promise of its result. */
  /** `caller`: the token's name and role and the client's address, recorded with the operation (the audit trail). */
  /** `read`: a read route's call, recorded in the store's next batch rather than waited for (runner.ts "soon"). */
  start(command: Command, input: CommandInput, options: { confirm: boolean; caller?: Caller; read?: boolean }): { ctx: CommandContext; done: Promise<ApiRun> };
}

/** How a run ended: its result or its failure, what it showed, its correlation id. */
export type ApiRun = { correlationId: string; shown: string[] } & ({ result: CommandResult; error?: undefined } | { error: unknown; result?: undefined });

export function createRunner(input: { workspace: Workspace; version: string; env: NodeJS.ProcessEnv; signal: AbortSignal; log: Logger; store: () => Promise<Store>; commands: readonly Command[]; context?: string; events: EventBus }): ApiRunner {
  const ws = input.workspace;
  return {
    start(command, commandInput, options) {
      const ui = new RecordingUI({
        confirmed: options.confirm,
        refuse: (question, wouldDo) => new NeedsConfirmation(question, wouldDo),
        inputHint: "Give it in the request (see the route's schema in /api/openapi.json).",
        onLine: progressEvents(input.events, command.name, () => ctx.correlationId),
      });
      const globals: GlobalOptions = { workspace: ws.paths.root, output: "json", debug: false, color: false, input: true, yes: false, context: input.context };
      const ctx = createContext({ cwd: ws.paths.root, env: input.env, globals, ui, signal: input.signal, actor: "api", caller: options.caller, version: input.version, command: command.name, commands: input.commands, rootLogger: input.log, workspace: ws, sharedStore: input.store, events: input.events });
      const done = runCommand(command, ctx, commandInput, { record: options.read ? "soon" : true })
        .then((result): ApiRun => ({ result, shown: ui.shown, correlationId: ctx.correlationId }))
        .catch((error: unknown): ApiRun => {
          if (!(error instanceof NeedsConfirmation)) ctx.log.error({ err: error }, "api call failed");
          return { error, shown: ui.shown, correlationId: ctx.correlationId };
        })
        .finally(() => ctx.services.close());
      return { ctx, done };
    },
  };
}
