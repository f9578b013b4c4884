/**
 * All terminal interaction behind one small interface: messages to stderr,
 * data lines to stdout, spinners, confirmations. The CLI and the console use
 * the terminal implementation; tests and MCP use a scripted one.
 */
import { CancelledError, UsageError } from "./errors.js";
import { redactString } from "./redact.js";

export interface Spinner {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

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
    const prefix = this.opts.color ? "\u001b[33mwarning:\u001b[39m " : "warning: ";
    this.opts.stderr.write(`${prefix}${redactString(message)}\n`);
  }

  success(message: string): void {
    const prefix = this.opts.color ? "\u001b[32m✔\u001b[39m " : "";
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
}

/** A minimal spinner that needs no import at start-up. */
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
    this.stream.write(`\r\u001b[2K\u001b[36m${f}\u001b[39m ${this.text}`);
  }

  update(text: string): void {
    this.text = text;
    this.draw();
  }

  private end(symbol: string, text?: string): void {
    clearInterval(this.timer);
    this.stream.write(`\r\u001b[2K${symbol}${text ?? this.text}\n`);
  }

  succeed(text?: string): void {
    this.end("\u001b[32m✔\u001b[39m ", text);
  }

  fail(text?: string): void {
    this.end("\u001b[31m✖\u001b[39m ", text);
  }

  stop(): void {
    clearInterval(this.timer);
    this.stream.write("\r\u001b[2K");
  }
}

function defaultAsk(stderr: NodeJS.WritableStream): (q: string) => Promise<string> {
  return async (question) => {
    const { createInterface } = await import("node:readline/promises");
    const rl = createInterface({ input: process.stdin, output: stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  };
}

/** A UI for tests and machine faces: records messages, answers from a script. */
export class ScriptedUI implements UI {
  readonly messages: { level: string; text: string }[] = [];
  readonly lines: string[] = [];

  constructor(
    private readonly answers: boolean[] = [],
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
    if (answer === undefined) throw new CancelledError("No scripted answer.");
    return answer;
  }
}
