/**
 * The one place for colour: chalk, switched on or off per run. Whether colour
 * is on is decided once by the face (--no-color, NO_COLOR, a terminal) and
 * passed here; nothing else writes escape codes for colour.
 */
import { Chalk, type ChalkInstance } from "chalk";

const on = new Chalk({ level: 1 });
const off = new Chalk({ level: 0 });

/** The styles proxmox-mpc uses, named by what they mean. */
export interface Style {
  /** "error:" */
  error(text: string): string;
  /** "warning:" */
  warning(text: string): string;
  /** ✔ and success lines */
  ok(text: string): string;
  /** ✖ */
  bad(text: string): string;
  /** table headers, the product name, commands to type */
  strong(text: string): string;
  /** secondary text */
  faint(text: string): string;
  /** the prompt, the spinner */
  accent(text: string): string;
}

/** The style of a run: plain text when colour is off. */
export function style(color: boolean): Style {
  const c: ChalkInstance = color ? on : off;
  return {
    error: (t) => c.red(t),
    warning: (t) => c.yellow(t),
    ok: (t) => c.green(t),
    bad: (t) => c.red(t),
    strong: (t) => c.bold(t),
    faint: (t) => c.dim(t),
    accent: (t) => c.cyan(t),
  };
}

/** Whether a run is coloured: the face's flag, unless NO_COLOR is set or the stream is no terminal. */
export function colorWanted(flag: boolean, env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  return flag && !env.NO_COLOR && isTTY;
}
