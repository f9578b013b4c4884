/**
 * The values every face and command share: global flags, output formats, the
 * result a command returns and the columns of its table. They live below the
 * commands that return them, so renderers in core need not import commands.
 */

/** Flags every command accepts. */
export interface GlobalOptions {
  /** Workspace folder (-C). */
  workspace?: string;
  output: OutputFormat;
  debug: boolean;
  color: boolean;
  /** false with --no-input: never prompt. */
  input: boolean;
  /** --yes: confirmations are answered yes. */
  yes: boolean;
  /** --context NAME: this context's server, trust and token for the run (src/core/contexts.ts). */
  context?: string;
}

export type OutputFormat = "table" | "wide" | "json" | "yaml";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["table", "wide", "json", "yaml"];

/** Who ran a command (recorded with every operation). */
export type Actor = "cli" | "console" | "mcp" | "nl" | "api";

/** A column of a table rendering. */
export interface Column {
  key: string;
  header: string;
  /** Shown only with -o wide. */
  wide?: boolean;
  align?: "left" | "right";
}

/** The value a command returns; the face decides how to draw it. */
export type CommandResult =
  | {
      kind: "data";
      /** Machine form: what -o json / -o yaml print. */
      data: unknown;
      /** Rows for -o table / wide (defaults to `data` when it is an array). */
      table?: { columns: Column[]; rows: Record<string, unknown>[] };
      /** Human form for -o table when the data is not tabular. */
      text?: string;
      exitCode?: number;
    }
  /** `declined`: the person answered "no" at a confirmation: nothing was done; recorded as cancelled (see declined()). */
  | { kind: "message"; text: string; level?: "info" | "success" | "warn"; exitCode?: number; declined?: boolean }
  | { kind: "none"; exitCode?: number }
  /** Open the console in `cwd` with `env` (demo); the face calls `close` when the console ends. */
  | { kind: "console"; cwd: string; env: NodeJS.ProcessEnv; close: () => Promise<void>; exitCode?: number }
  /**
   * Serve the workspace `root` through a long-running face (`mcp`; the HTTP API later) until the
   * run's signal ends it. A command cannot import a face: the shell face hands this to the server
   * the entry point loads; the console refuses it.
   */
  | { kind: "serve"; face: "mcp" | "api"; cwd: string; root: string; options: ServeOptions; exitCode?: number }
  /**
   * Hand a request in plain English to the natural-language face (`ask`, `report-issue --analyze`):
   * it proposes commands, shows them, confirms and runs them. A command cannot import a face: the
   * shell face passes this to the handler the entry point (or the console) injects.
   */
  | { kind: "ask"; request: AskRequest; exitCode?: number };

/** What the natural-language face is asked (validated by the command that asks). */
export interface AskRequest {
  /** The request or question, in English. */
  text: string;
  /** --engine; else the workspace's `ai.engine`, else claude when on PATH, else local. */
  engine?: "local" | "claude";
  /** Show the plan and run nothing. */
  dryRun: boolean;
  /** The workspace root (every step runs in it; Claude reads it through `proxmox-mpc -C ROOT mcp`). */
  root: string;
  cwd: string;
  /** "diagnose": a question about a problem (or report-issue --analyze); "auto": decided from the text. */
  mode: "auto" | "diagnose";
  /** A diagnostic bundle (report-issue's readable .md) handed to Claude with the question. */
  bundle?: string;
  /** Printed before anything else (report-issue's summary of the bundle it wrote). */
  preface?: string;
}

/** How a serving face listens and what it allows (validated by the command that asks for it). */
export interface ServeOptions {
  /** stdio (the MCP client starts the process) or HTTP on `host:port` (port 0: a free one). */
  transport: "stdio" | "http";
  host: string;
  port?: number;
  /** The bearer token HTTP clients must send (generated at start when absent). */
  token?: string;
  /** `serve --cert/--key`: serve HTTPS with this certificate and key (absolute paths of PEM files, checked by the command). */
  tls?: { cert: string; key: string };
  /** `serve --trust-proxy`: the reverse proxies whose X-Forwarded-For names the client. */
  trustProxy?: string[];
  /** List and run the mutating commands too. */
  allowWrite: boolean;
  /** Only guests on these nodes may be touched. */
  nodes?: string[];
  /** Only these guests may be touched. */
  vmids?: number[];
}

/** The result of a "no" at a confirmation: nothing was done, exit 1, recorded as cancelled (not failed). */
export function declined(text = "Nothing was changed."): CommandResult {
  return { kind: "message", text, exitCode: 1, declined: true };
}
