/**
 * The natural-language face: a request in English (from `ask`, English typed
 * in the console, or `report-issue --analyze`) becomes a plan of proxmox-mpc
 * commands. The engine (claude, else local; claude falls back to local with a
 * one-line reason) proposes; the registry checks every line before anything
 * runs; the plan is shown with each step's safety; anything that writes or
 * destroys is confirmed (or --yes), and a dangerous step (a hard stop, a delete)
 * still shows its own confirmation with its real targets unless ask was given
 * --yes; the steps then run one by one through the
 * same CLI program as the console, as actor "nl", and the first failure stops
 * the plan and says which step failed and which did not run.
 */
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { runCli, type NlRequest } from "../cli/main.js";
import { createContext } from "../commands/context.js";
import { COMMANDS } from "../commands/registry.js";
import { CancelledError, EXIT_OK, EXIT_USAGE } from "../core/errors.js";
import { redactString } from "../core/redact.js";
import { style } from "../core/style.js";
import { StreamsUI } from "../core/ui.js";
import { loadWorkspace, type Workspace } from "../core/workspace.js";
import { ClaudeFailure, runClaude } from "./claude.js";
import { readNlContext } from "./context.js";
import { chooseEngine, DEFAULT_TIMEOUT_SECONDS, type EngineChoice } from "./engine.js";
import { parseLocal } from "./local/index.js";
import { systemPrompt, userPrompt } from "./prompt.js";
import { isQuestion } from "./route.js";
import { planSafety, type NlContext, type NlPlan, type Safety } from "./types.js";
import { normalizeLine, validatePlan, type PlanStep } from "./validate.js";

const SAFETY_LABEL: Record<Safety, string> = { safe: "safe", "requires-confirmation": "writes: asks first", dangerous: "DANGEROUS: destroys or stops" };

/** Run one request to the end; the exit code (0 done, 1 a step failed, 2 refused or not understood). */
export async function runNl(req: NlRequest): Promise<number> {
  const s = style(req.globals.color);
  // -o json / yaml keep stdout for data (the plan, the steps' output): the conversation goes to stderr.
  const machine = req.globals.output === "json" || req.globals.output === "yaml";
  const human = machine ? req.stderr : req.stdout;
  const say = (line: string): void => void human.write(`${redactString(line)}\n`);
  if (req.preface) say(req.preface);

  const ws = await loadWorkspace(req.root);
  const context = await storeContext(req, ws);
  const choice = chooseEngine(req.engine, ws.config.ai, req.env, ws.paths.root);
  if (choice.note) say(`${s.warning("⚠")} ${choice.note}`);
  const diagnose = req.mode === "diagnose" || isQuestion(req.text);
  const plan = choice.engine === "claude" ? await claudePlan(req, ws, context, choice, diagnose, say) : localPlan(req.text, context, diagnose, say);

  const steps = await validatePlan(plan.commands, COMMANDS);
  if (req.dryRun && machine) {
    req.stdout.write(req.globals.output === "json" ? `${JSON.stringify(plan, null, 2)}\n` : (await import("js-yaml")).dump(plan));
    return EXIT_OK;
  }
  showPlan(plan, steps, say, s);
  if (!steps.length) return plan.engine === "claude" || diagnose ? EXIT_OK : EXIT_USAGE;
  if (req.dryRun) {
    say(s.faint("Dry run: nothing was run."));
    return EXIT_OK;
  }
  const asks = steps.some((step) => step.safety !== "safe");
  if (asks) {
    const ui = new StreamsUI({ stdout: req.stdout, stderr: req.stderr, color: req.globals.color, interactive: req.isTTY && req.globals.input, yes: req.globals.yes });
    const dangerous = steps.filter((step) => step.safety === "dangerous").length;
    const question = `Run ${steps.length === 1 ? "this step" : `these ${steps.length} steps`}${dangerous ? ` (${dangerous} dangerous)` : ""}?`;
    if (!(await ui.confirm(question))) {
      say("Nothing was run.");
      return EXIT_OK;
    }
  }
  return runSteps(req, steps, asks, say, s);
}

/** The store's names for the engines (an empty context when there is no sync yet). */
async function storeContext(req: NlRequest, workspace: Workspace): Promise<NlContext> {
  const ui = new StreamsUI({ stdout: req.stdout, stderr: req.stderr, color: false, interactive: false, yes: false });
  const ctx = createContext({ cwd: req.cwd, env: req.env, globals: req.globals, ui, signal: req.signal, actor: "nl", version: req.version, command: "ask", commands: COMMANDS, stderr: req.stderr, workspace });
  try {
    return await readNlContext(() => ctx.services.store());
  } finally {
    await ctx.services.close();
  }
}

function localPlan(text: string, context: NlContext, diagnose: boolean, say: (line: string) => void): NlPlan {
  const plan = parseLocal(text, context, COMMANDS);
  if (!diagnose) return plan;
  say("ℹ A diagnosis needs Claude (Claude Code on PATH, or ai.engine: claude); the local engine proposes commands to look into it.");
  // A question asks what is wrong, not for a change: the local engine's answer stands only when it only reads.
  if (plan.commands.length && !plan.requiresConfirmation) return plan;
  const guest = context.guests.find((g) => new RegExp(`(^|[^\\w-])${g.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\w-])`, "i").test(text));
  const commands = ["health", ...(guest ? [`describe ${guest.type === "qemu" ? "vm" : "ct"} ${guest.name}`] : []), "logs --level error --since 1h"];
  return { engine: "local", commands, confidence: 0.5, explanation: `Looks into it: health${guest ? `, ${guest.name}'s details` : ""} and the errors of the last hour.`, requiresConfirmation: planSafety(commands, COMMANDS) !== "safe" };
}

async function claudePlan(req: NlRequest, ws: Workspace, context: NlContext, choice: EngineChoice, diagnose: boolean, say: (line: string) => void): Promise<NlPlan> {
  const s = style(req.globals.color);
  const bundle = diagnose ? await diagnosticBundle(req, say) : undefined;
  say(`🤖 Asking Claude${diagnose ? " for a diagnosis" : ""}…`);
  try {
    const outcome = await runClaude({
      claude: choice.claude!,
      root: ws.paths.root,
      prompt: userPrompt({ text: req.text, diagnose, bundle }),
      systemPrompt: systemPrompt({ workspace: ws, context, commands: COMMANDS }),
      timeoutMs: (ws.config.ai?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
      env: req.env,
      cwd: ws.paths.root,
      signal: req.signal,
      onProgress: (line) => say(s.faint(`  ${line}`)),
    });
    const figures = [outcome.costUsd !== undefined ? `$${outcome.costUsd.toFixed(4)}` : undefined, outcome.durationMs !== undefined ? `${(outcome.durationMs / 1000).toFixed(1)} s` : undefined, outcome.turns !== undefined ? `${outcome.turns} turn${outcome.turns === 1 ? "" : "s"}` : undefined].filter(Boolean);
    if (figures.length) say(s.faint(`  Claude: ${figures.join(" · ")}`));
    if (diagnose) {
      const prose = outcome.text.replace(/```(?:json)?[\s\S]*?```/g, "").trim();
      if (prose) say(`🩺 ${prose}`);
    }
    const commands = outcome.commands.map(normalizeLine);
    return { engine: "claude", commands, confidence: outcome.confidence, explanation: outcome.explanation, requiresConfirmation: planSafety(commands, COMMANDS) !== "safe" };
  } catch (err) {
    if (req.signal.aborted) throw new CancelledError("Cancelled while Claude was answering.");
    if (!(err instanceof ClaudeFailure)) throw err;
    say(`${s.warning("⚠")} ${err.message}; the local engine answers instead.`);
    return localPlan(req.text, context, diagnose, say);
  }
}

/** The bundle Claude reads with a question: the one given (report-issue --analyze), else one written now by report-issue. */
async function diagnosticBundle(req: NlRequest, say: (line: string) => void): Promise<{ path: string; text: string } | undefined> {
  let path = req.bundle;
  if (!path) {
    let out = "";
    const sink = new Writable({ write: (chunk, _enc, cb) => ((out += String(chunk)), cb()) });
    const code = await runCli(["-C", req.root, "-o", "json", "--no-color", "--no-input", "report-issue", req.text], { stdout: sink, stderr: sink, env: req.env, cwd: req.cwd, isTTY: false, signal: req.signal, actor: "nl" });
    try {
      path = code === 0 ? (JSON.parse(out.slice(out.indexOf("{"))) as { markdown?: string }).markdown : undefined;
    } catch {
      path = undefined;
    }
    if (!path) say("ℹ The diagnostic bundle could not be written; Claude reads the workspace through the MCP tools only.");
    else say(`📋 Diagnostic bundle: ${path}`);
  }
  if (!path) return undefined;
  try {
    return { path, text: readFileSync(path, "utf8") };
  } catch {
    return undefined;
  }
}

function showPlan(plan: NlPlan, steps: readonly PlanStep[], say: (line: string) => void, s: ReturnType<typeof style>): void {
  say(`${s.strong(`📋 Plan`)} ${s.faint(`(${plan.engine}, confidence ${plan.confidence.toFixed(2)})`)}: ${plan.explanation}`);
  if (!steps.length) {
    say("  Nothing to run.");
    return;
  }
  const width = Math.min(70, Math.max(...steps.map((step) => step.line.length)));
  for (const [i, step] of steps.entries()) {
    const label = SAFETY_LABEL[step.safety];
    say(`  ${i + 1}. ${step.line.padEnd(width)}  ${step.safety === "dangerous" ? s.bad(label) : step.safety === "safe" ? s.ok(label) : s.warning(label)}`);
  }
}

/** Run the steps in order through the CLI program (actor "nl"); the first failure stops the rest. */
async function runSteps(req: NlRequest, steps: readonly PlanStep[], confirmed: boolean, say: (line: string) => void, s: ReturnType<typeof style>): Promise<number> {
  const g = req.globals;
  const globals = ["-C", req.root, "-o", g.output, ...(g.color ? [] : ["--no-color"]), ...(g.input ? [] : ["--no-input"]), ...(g.debug ? ["--debug"] : [])];
  for (const [i, step] of steps.entries()) {
    const n = `${i + 1}/${steps.length}`;
    say(s.strong(`▶ Step ${n}: ${step.line}`));
    const started = Date.now();
    // The plan's "y" stands for the steps that write; a dangerous step still asks itself, naming its real targets
    // (a hard stop, a delete), unless ask itself was given --yes.
    const yes = g.yes || (confirmed && step.safety !== "dangerous") ? ["--yes"] : [];
    const code = await runCli([...globals, ...yes, ...step.argv], { stdout: req.stdout, stderr: req.stderr, env: req.env, cwd: req.cwd, isTTY: req.isTTY, columns: req.columns, signal: req.signal, actor: "nl" });
    if (code !== EXIT_OK) {
      const left = steps.length - i - 1;
      const notRun = left === 0 ? "" : left === 1 ? ` Step ${steps.length} (${steps[i + 1].line}) did not run.` : ` Steps ${i + 2}–${steps.length} did not run.`;
      say(`${s.bad("✖")} Step ${n} failed (exit ${code}): ${step.line}.${notRun}`);
      return req.signal.aborted ? 130 : code;
    }
    say(`${s.ok("✔")} Step ${n} done ${s.faint(`(${((Date.now() - started) / 1000).toFixed(1)} s)`)}`);
  }
  if (steps.length > 1) say(`${s.ok("✔")} All ${steps.length} steps done.`);
  return EXIT_OK;
}
