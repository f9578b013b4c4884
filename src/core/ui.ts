/**
 * All terminal interaction behind one small interface: messages to stderr,
 * data lines to stdout, spinners, confirmations. The CLI and the console use
 * the terminal implementation; tests and MCP use a scripted one.
 */
import { clearLine, cursorTo } from "node:readline";
import { CancelledError, ProxmoxMpcError, UsageError } from "./errors.js";
import { redactString } from "./redact.js";
import { style } from "./style.js";

export interface Spinner {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

/** A question for {@link UI.ask}. */
export type Question =
  | { kind: "input"; message: string; default?: string; validate?: (value: string) => string | true }
  | { kind: "password"; message: string; validate?: (value: string) => string | true }
  | { kind: "select"; message: string; choices: { name: string; value: string; description?: string }[]; default?: string };

export interface UI {
  /** True when a person can answer prompts. */
  readonly interactive: boolean;
  info(message: string): void;
  warn(message: string): void;
  success(message: string): void;
  /** Write one line of data to stdout now (long-running commands such as sim). */
  emit(line: string): void;
  spinner(text: string): Spinner;
  /** Ask yes/no; defaults to no. */
  confirm(question: string, options?: { default?: boolean }): Promise<boolean>;
  /** Ask for text, a hidden secret or a choice (only when `interactive`). */
  ask(question: Question): Promise<string>;
}

export interface StreamsUIOptions {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  color: boolean;
  /** May we ask questions? (a TTY and not --no-input) */
  interactive: boolean;
  /** --yes: confirmations answer themselves. */
  yes: boolean;
  /** Answers a confirmation on a terminal; injected so the console can use its readline. */
  ask?: (question: string) => Promise<string>;
  /** Input stream for prompts (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
}

const noopSpinner: Spinner = { update: () => undefined, succeed: () => undefined, fail: () => undefined, stop: () => undefined };

/** A UI over plain streams. Spinners are drawn only on a colour terminal. */
export class StreamsUI implements UI {
  constructor(private readonly opts: StreamsUIOptions) {}

  get interactive(): boolean {
    return this.opts.interactive;
  }

  info(message: string): void {
    this.opts.stderr.write(`${redactString(message)}\n`);
  }

  warn(message: string): void {
    const prefix = `${style(this.opts.color).warning("warning:")} `;
    this.opts.stderr.write(`${prefix}${redactString(message)}\n`);
  }

  success(message: string): void {
    const prefix = this.opts.color ? `${style(true).ok("✔")} ` : "";
    this.opts.stderr.write(`${prefix}${redactString(message)}\n`);
  }

  emit(line: string): void {
    this.opts.stdout.write(`${line}\n`);
  }

  spinner(text: string): Spinner {
    if (!this.opts.color || !(this.opts.stderr as NodeJS.WriteStream).isTTY) {
      this.opts.stderr.write(`${text}\n`);
      return {
        ...noopSpinner,
        succeed: (t) => t && this.opts.stderr.write(`${t}\n`),
        fail: (t) => t && this.opts.stderr.write(`${t}\n`),
      };
    }
    return new TerminalSpinner(this.opts.stderr as NodeJS.WriteStream, text);
  }

  async confirm(question: string, options: { default?: boolean } = {}): Promise<boolean> {
    if (this.opts.yes) return true;
    if (!this.opts.interactive) {
      throw new UsageError(`Confirmation needed: ${question}`, "Pass --yes to confirm without a prompt.", "confirmation-required");
    }
    const ask = this.opts.ask ?? defaultAsk(this.opts.stderr);
    const suffix = options.default ? " [Y/n] " : " [y/N] ";
    const answer = (await ask(`${question}${suffix}`)).trim().toLowerCase();
    if (answer === "") return options.default ?? false;
    return answer === "y" || answer === "yes";
  }

  async ask(question: Question): Promise<string> {
    if (!this.opts.interactive) {
      throw new UsageError(`Input needed: ${question.message}`, "Give it as a flag (see --help), or run on a terminal without --no-input.", "input-required");
    }
    return askWithInquirer(question, { stdin: this.opts.stdin, stderr: this.opts.stderr });
  }
}

/** Ask with @inquirer/prompts on the terminal, writing to stderr so stdout stays data only. */
async function askWithInquirer(question: Question, io: { stdin?: NodeJS.ReadableStream; stderr: NodeJS.WritableStream }): Promise<string> {
  const prompts = await import("@inquirer/prompts");
  const context = { input: (io.stdin ?? process.stdin) as NodeJS.ReadStream, output: io.stderr as NodeJS.WriteStream };
  try {
    switch (question.kind) {
      case "input":
        return await prompts.input({ message: question.message, default: question.default, validate: question.validate }, context);
      case "password":
        return await prompts.password({ message: question.message, mask: "*", validate: question.validate }, context);
      case "select":
        return await prompts.select({ message: question.message, choices: question.choices, default: question.default }, context);
    }
  } catch (err) {
    if (err instanceof Error && err.name === "ExitPromptError") throw new CancelledError("Cancelled at the prompt.");
    throw err;
  }
}

/**
 * A minimal spinner (ora was measured at 85–185 ms to import, more than the
 * whole start-up budget of --help; this is 40 lines and loads nothing).
 */
class TerminalSpinner implements Spinner {
  private frame = 0;
  private timer: NodeJS.Timeout;
  private static readonly frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private text: string,
  ) {
    this.timer = setInterval(() => this.draw(), 80);
    this.timer.unref();
    this.draw();
  }

  private draw(): void {
    const f = TerminalSpinner.frames[this.frame++ % TerminalSpinner.frames.length];
    this.clear();
    this.stream.write(`${style(true).accent(f)} ${this.text}`);
  }

  update(text: string): void {
    this.text = text;
    this.draw();
  }

  private end(symbol: string, text?: string): void {
    clearInterval(this.timer);
    this.clear();
    this.stream.write(`${symbol}${text ?? this.text}\n`);
  }

  succeed(text?: string): void {
    this.end(`${style(true).ok("✔")} `, text);
  }

  fail(text?: string): void {
    this.end(`${style(true).bad("✖")} `, text);
  }

  stop(): void {
    clearInterval(this.timer);
    this.clear();
  }

  /** Back to the start of the line, erased. */
  private clear(): void {
    cursorTo(this.stream, 0);
    clearLine(this.stream, 0);
  }
}

function defaultAsk(stderr: NodeJS.WritableStream): (q: string) => Promise<string> {
  return async (question) => {
    const { createInterface } = await import("node:readline/promises");
    const rl = createInterface({ input: process.stdin, output: stderr });
    try {
      return await rl.question(question);
    } catch (err) {
      // Ctrl-C at the question: readline rejects with an AbortError ("Aborted with Ctrl+C").
      // Exit 130 like any Ctrl-C (readline takes the SIGINT, so the process's own handler never sees it).
      if (err instanceof Error && err.name === "AbortError") throw new ProxmoxMpcError("Cancelled at the question: nothing was changed.", { code: "cancelled", exitCode: 130 });
      throw err;
    } finally {
      rl.close();
    }
  };
}

/** A UI for tests and machine faces: records messages, answers from a script. */
export class ScriptedUI implements UI {
  readonly messages: { level: string; text: string }[] = [];
  readonly lines: string[] = [];

  /** `answers` are taken in order: booleans by confirm(), strings by ask(). */
  constructor(
    private readonly answers: (boolean | string)[] = [],
    readonly interactive = true,
  ) {}

  info(text: string): void {
    this.messages.push({ level: "info", text: redactString(text) });
  }
  warn(text: string): void {
    this.messages.push({ level: "warn", text: redactString(text) });
  }
  success(text: string): void {
    this.messages.push({ level: "success", text: redactString(text) });
  }
  emit(line: string): void {
    this.lines.push(line);
  }
  spinner(text: string): Spinner {
    this.messages.push({ level: "progress", text });
    return {
      update: (t) => this.messages.push({ level: "progress", text: t }),
      succeed: (t) => t && this.messages.push({ level: "success", text: t }),
      fail: (t) => t && this.messages.push({ level: "error", text: t }),
      stop: () => undefined,
    };
  }
  async confirm(question: string): Promise<boolean> {
    this.messages.push({ level: "confirm", text: question });
    if (!this.interactive) throw new UsageError(`Confirmation needed: ${question}`, "Pass --yes to confirm without a prompt.");
    const answer = this.answers.shift();
    if (typeof answer !== "boolean") throw new CancelledError(`No scripted yes/no answer for: ${question}`);
    return answer;
  }
  async ask(question: Question): Promise<string> {
    this.messages.push({ level: "ask", text: question.message });
    if (!this.interactive) throw new UsageError(`Input needed: ${question.message}`, "Give it as a flag.", "input-required");
    const answer = this.answers.shift();
    if (typeof answer !== "string") throw new CancelledError(`No scripted answer for: ${question.message}`);
    const verdict = "validate" in question && question.validate ? question.validate(answer) : true;
    if (verdict !== true) throw new UsageError(verdict);
    return answer;
  }
}
