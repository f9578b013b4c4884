/**
 * Console history per workspace (.proxmox-mpc/history). A line that carries
 * a secret (a token, a password) is never written to the file.
 */
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { redactString } from "../core/redact.js";

const MAX = 1000;
const SECRETISH = /(secret|password|passwd|token)[=\s:]/i;

/** History lines, newest first (readline's order). */
export function loadHistory(file: string | undefined): string[] {
  if (!file) return [];
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean).slice(-MAX).reverse();
  } catch {
    return [];
  }
}

/** True when a line must not be written to the history file. */
export function isSecretLine(line: string): boolean {
  return redactString(line) !== line || SECRETISH.test(line);
}

/** Append a line unless it holds a secret. */
export function appendHistory(file: string | undefined, line: string): void {
  if (!file || !line.trim() || isSecretLine(line)) return;
  try {
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, `${line.replace(/\n/g, " ")}\n`, { mode: 0o600 });
  } catch {
    // History is a convenience: a read-only workspace must not break the console.
  }
}
