/**
 * The console: a readline REPL over the command registry. Every command line
 * runs through the same CLI program (runCli) as the shell, with the console's
 * streams; the console adds the prompt, banner, history, Tab completion,
 * /help, "did you mean", plain English (src/nl/route.ts decides; the
 * natural-language face answers), and Ctrl-C that cancels the running command.
 * Without a terminal it reads one command per line and exits with the status
 * of the last failure.
 */
import { clearLine, clearScreenDown, createInterface, cursorTo, type Interface } from "node:readline";
import { COMMANDS } from "../commands/registry.js";
import { EXIT_OK, EXIT_USAGE, asProxmoxMpcError } from "../core/errors.js";
import { contextLabel } from "../core/contexts.js";
import { colorWanted, style } from "../core/style.js";
import { packageVersion } from "../core/version.js";
import { findWorkspaceRoot, loadWorkspace, type Workspace } from "../core/workspace.js";
import { bannerHead, bannerTail, helpText, promptText } from "./banner.js";
import { BUILTINS, complete } from "../commands/completer.js";
import { appendHistory, loadHistory } from "./history.js";
import { SessionState } from "./session-state.js";
import { suggest, tokenize } from "../commands/tokenize.js";
import { routeLine } from "../nl/route.js";

export interface ConsoleOptions {
  /** Global flags given on the command line (-C DIR, --no-color, …): passed to every command. */
  argv: string[];
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  isTTY: boolean;
  /** Called once the first prompt is shown (benchmarks). */
  onReady?: () => void;
}

interface Session {
  opts: ConsoleOptions;
  ws?: Workspace;
  /** Banner and completion data, refreshed after every command. */
  state: SessionState;
  /** The banner's tail while a slow store is still being read (shown once, above the prompt). */
  tail?: Promise<string>;
  history: string[];
  color: boolean;
  lastFailure: number;
}

/** Run the console until /exit, Ctrl-D, or the end of piped input; returns the exit code. */
export async function runConsole(opts: ConsoleOptions): Promise<number> {
  const workspaceFlag = flagValue(opts.argv, ["-C", "--workspace"]);
  const root = findWorkspaceRoot(workspaceFlag ?? opts.cwd);
  let ws: Workspace | undefined;
  try {
    ws = root ? await loadWorkspace(root) : undefined;
  } catch (err) {
    const e = asProxmoxMpcError(err);
    opts.stderr.write(`error: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ""}`);
  }
  const session: Session = {
    opts,
    ws,
    state: new SessionState(ws, opts.env),
    history: opts.isTTY ? loadHistory(ws?.paths.history) : [],
    color: colorWanted(!opts.argv.includes("--no-color"), opts.env, opts.isTTY),
    lastFailure: EXIT_OK,
  };
  try {
    return await (opts.isTTY ? interactive(session) : piped(session));
  } finally {
    await session.state.close();
  }
}

async function interactive(s: Session): Promise<number> {
  const first = s.state.refresh();
  const tail = (): string => bannerTail({ ws: s.ws, state: s.state.current, color: s.color });
  s.opts.stdout.write(bannerHead({ version: packageVersion(), ws: s.ws, color: s.color, context: sessionContext(s) }));
  // A slow store (PostgreSQL) must not hold up the first prompt: its lines follow when read.
  if (s.state.fast) {
    await first;
    s.opts.stdout.write(tail());
  } else {
    s.tail = first.then(tail);
  }
  let ready = false;
  for (;;) {
    const line = await readLine(s, () => {
      if (!ready) s.opts.onReady?.();
      ready = true;
    });
    if (line === null) break;
    if (s.tail) s.opts.stdout.write(await takeTail(s));
    const result = await execute(s, line);
    if (result === "exit") break;
  }
  s.opts.stdout.write("\n");
  return s.lastFailure;
}

async function piped(s: Session): Promise<number> {
  const rl = createInterface({ input: s.opts.stdin, terminal: false, crlfDelay: Infinity });
  s.opts.onReady?.();
  try {
    for await (const line of rl) {
      if ((await execute(s, line)) === "exit") break;
      // Whoever read our output went away (`… | head`): the next answers would go nowhere, so stop
      // reading commands (bin/proxmox-mpc.js keeps the EPIPE itself quiet). Waiting for the
      // output to reach the reader also keeps a slow reader from piling answers up in memory.
      if (await readerGone(s.opts.stdout)) break;
    }
  } finally {
    rl.close();
  }
  return s.lastFailure;
}

/** Resolves once what was written so far has left the process: true when the reader has gone (EPIPE). */
function readerGone(stream: NodeJS.WritableStream): Promise<boolean> {
  return new Promise((resolve) => {
    stream.write("", (err?: Error | null) => resolve((err as NodeJS.ErrnoException | null | undefined)?.code === "EPIPE"));
  });
}

/**
 * One prompt: a fresh readline interface per line, closed while the command
 * runs, so commands own the terminal (confirmations, spinners, Ctrl-C).
 */
function readLine(s: Session, onPrompt: () => void): Promise<string | null> {
  return new Promise((resolve) => {
    const rl: Interface = createInterface({
      input: s.opts.stdin,
      output: s.opts.stdout,
      terminal: true,
      history: [...s.history],
      historySize: 1000,
      removeHistoryDuplicates: true,
      completer: (line: string) => complete(line, COMMANDS.filter((c) => !c.hidden), s.state.current.names),
      prompt: promptText(s.ws, s.color, sessionContext(s)),
    });
    let done = false;
    let interrupts = 0;
    const finish = (value: string | null): void => {
      if (done) return;
      done = true;
      rl.close();
      resolve(value);
    };
    rl.on("line", (line) => finish(line));
    rl.on("close", () => finish(null));
    rl.on("SIGINT", () => {
      if (rl.line.length > 0) {
        rl.write(null, { ctrl: true, name: "u" });
        interrupts = 0;
        return;
      }
      interrupts++;
      if (interrupts >= 2) return finish(null);
      s.opts.stdout.write("\n(To exit, press Ctrl-C again, Ctrl-D, or type /exit)\n");
      rl.prompt();
    });
    rl.prompt();
    onPrompt();
    const tail = s.tail;
    void tail?.then((text) => {
      if (done || s.tail !== tail) return;
      s.tail = undefined;
      printAbovePrompt(rl, s.opts.stdout, text);
    });
  });
}

/** The banner's pending tail, once: whoever takes it prints it. */
async function takeTail(s: Session): Promise<string> {
  const tail = s.tail;
  s.tail = undefined;
  return tail ? await tail : "";
}

/** Print text above the prompt, keeping what the user has typed. */
function printAbovePrompt(rl: Interface, out: NodeJS.WritableStream, text: string): void {
  cursorTo(out, 0);
  clearLine(out, 0);
  out.write(text);
  rl.prompt(true);
}

/** Run one console line. */
async function execute(s: Session, raw: string): Promise<"exit" | number> {
  const line = raw.trim();
  if (!line || line.startsWith("#")) return EXIT_OK;
  if (s.opts.isTTY) {
    if (s.history[0] !== line) s.history.unshift(line);
    appendHistory(s.ws?.paths.history, line);
  }
  let words: string[];
  try {
    words = tokenize(line);
  } catch (err) {
    // "what's wrong with web-01": an apostrophe is no quote in English.
    if (!line.startsWith("/") && routeLine(line.split(/\s+/), COMMANDS, BUILTINS).kind === "english") return runEnglish(s, line);
    return fail(s, asProxmoxMpcError(err).message, EXIT_USAGE);
  }
  const slash = words[0].startsWith("/");
  const name = slash ? words[0].slice(1) : words[0];
  const rest = words.slice(1);

  if ((BUILTINS as readonly string[]).includes(name) && (slash || (name === "help" && rest.length <= 1) || name === "exit" || name === "quit")) {
    return builtin(s, name, rest);
  }
  // Neither a slash command nor a command line: English, for the natural-language face (a typo still gets "Did you mean").
  if (!slash && routeLine(words, COMMANDS, BUILTINS).kind === "english") return runEnglish(s, line);
  const command = COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
  if (!command || (slash && !command.slash)) {
    const known = [...COMMANDS.filter((c) => !slash || c.slash).map((c) => (slash ? `/${c.name}` : c.name)), ...BUILTINS.map((b) => `/${b}`)];
    const hints = suggest(slash ? `/${name}` : name, known);
    const offer = !s.ws && !slash ? " You are not in a workspace: /init creates one here, `demo` tries everything on a simulator." : "";
    return fail(s, `Unknown command "${words[0]}".${hints.length ? ` Did you mean ${hints.join(", ")}?` : " Type /help for the list."}${offer}`, EXIT_USAGE);
  }
  const code = await runCommandLine(s, [command.name, ...rest]);
  if (s.opts.isTTY) await refreshState(s);
  if (code !== EXIT_OK) s.lastFailure = code;
  return code;
}

/** A line in English: `ask LINE` through the CLI program, which hands it to the natural-language face. */
async function runEnglish(s: Session, line: string): Promise<number> {
  if (!s.ws) return fail(s, `"${line.split(/\s+/)[0]}" is not a command, and plain English needs a workspace. Type /help for the commands. You are not in a workspace: /init creates one here, \`demo\` tries everything on a simulator.`, EXIT_USAGE);
  const code = await runCommandLine(s, ["ask", line]);
  if (s.opts.isTTY) await refreshState(s);
  if (code !== EXIT_OK) s.lastFailure = code;
  return code;
}

/** Read the banner and completion data again after a command (only a terminal uses them). */
async function refreshState(s: Session): Promise<void> {
  if (!s.ws) {
    // `/init` may have just created a workspace here.
    const root = findWorkspaceRoot(s.opts.cwd);
    const ws = root ? await loadWorkspace(root).catch(() => undefined) : undefined;
    if (!ws) return;
    s.ws = ws;
    await s.state.setWorkspace(ws);
  }
  const read = s.state.refresh();
  // SQLite answers in milliseconds; a slower store updates completion when it answers.
  if (s.state.fast) await read;
}

/** Run a command through the CLI program; Ctrl-C aborts it and returns to the prompt. */
async function runCommandLine(s: Session, argv: string[]): Promise<number> {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) return;
    controller.abort();
    s.opts.stderr.write("\nCancelling…\n");
  };
  process.on("SIGINT", onSigint);
  try {
    const globals = s.opts.argv.filter((a, i, all) => !(a === "-C" || a === "--workspace" || all[i - 1] === "-C" || all[i - 1] === "--workspace"));
    const workspace = s.ws ? ["-C", s.ws.paths.root] : [];
    // Loaded on the first command, not before the first prompt.
    const { runCli } = await import("../cli/main.js");
    const code = await runCli([...workspace, ...globals, ...argv], {
      stdout: s.opts.stdout,
      stderr: s.opts.stderr,
      env: s.opts.env,
      cwd: s.opts.cwd,
      isTTY: s.opts.isTTY,
      columns: (s.opts.stdout as NodeJS.WriteStream).columns,
      signal: controller.signal,
      actor: "console",
      // English (and `ask`) goes to the natural-language face, loaded on first use.
      naturalLanguage: async (request) => (await import("../nl/face.js")).runNl(request),
    });
    return controller.signal.aborted && code !== EXIT_OK ? 130 : code;
  } catch (err) {
    // The console never dies on a failed command.
    return fail(s, asProxmoxMpcError(err).message, 1);
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
}

async function builtin(s: Session, name: string, args: string[]): Promise<"exit" | number> {
  switch (name) {
    case "exit":
    case "quit":
      return "exit";
    case "clear":
      cursorTo(s.opts.stdout, 0, 0);
      clearScreenDown(s.opts.stdout);
      return EXIT_OK;
    case "history": {
      const lines = [...s.history].reverse().slice(-20);
      s.opts.stdout.write(lines.map((l, i) => `${String(i + 1).padStart(4)}  ${l}`).join("\n") + (lines.length ? "\n" : ""));
      return EXIT_OK;
    }
    case "help":
    default: {
      if (args[0]) return runCommandLine(s, [args[0].replace(/^\//, ""), "--help"]);
      s.opts.stdout.write(helpText(COMMANDS, s.color));
      return EXIT_OK;
    }
  }
}

function fail(s: Session, message: string, code: number): number {
  s.opts.stderr.write(`${style(s.color).error("error:")} ${message}\n`);
  s.lastFailure = code;
  return code;
}

/** The context in effect for the console's commands (--context, PROXMOX_MPC_CONTEXT, the workspace's, or the current one outside a workspace). */
function sessionContext(s: Session): string | undefined {
  return contextLabel(flagValue(s.opts.argv, ["--context"]), s.opts.env, s.ws?.config.context, s.ws !== undefined);
}

function flagValue(argv: string[], names: string[]): string | undefined {
  const i = argv.findIndex((a) => names.includes(a));
  return i >= 0 ? argv[i + 1] : undefined;
}
