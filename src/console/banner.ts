/** The console's banner, prompt and /help text. */
import type { Command } from "../commands/types.js";
import { describeDrift, readDrift, type DriftRecord } from "../core/drift.js";
import { style } from "../core/style.js";
import type { Workspace } from "../core/workspace.js";
import type { QuickState } from "../state/quick-state.js";

const bold = (s: string, on: boolean): string => style(on).strong(s);
const dim = (s: string, on: boolean): string => style(on).faint(s);
const cyan = (s: string, on: boolean): string => style(on).accent(s);

/** The server's host as shown in the prompt (`pve1` of https://pve1.example.com:8006). */
export function serverLabel(ws: Workspace): string {
  try {
    const host = new URL(ws.config.endpoint).hostname;
    return /^[\d.]+$|^\[/.test(host) ? host : host.split(".")[0];
  } catch {
    return "?";
  }
}

/**
 * `proxmox-mpc lab@pve1> ` (or `proxmox-mpc> ` outside a workspace); with a context in effect it names
 * the server instead: `proxmox-mpc infra (lab)> `, `proxmox-mpc (lab)> `.
 */
export function promptText(ws: Workspace | undefined, color: boolean, context?: string): string {
  const where = context ? `${ws ? ` ${ws.name}` : ""} (${context})` : ws ? ` ${ws.name}@${serverLabel(ws)}` : "";
  return `${cyan("proxmox-mpc", color)}${bold(where, color)}> `;
}

/** How long ago, in words. */
export function age(date: Date | undefined, now = Date.now()): string {
  if (!date) return "never";
  const s = Math.max(0, Math.round((now - date.getTime()) / 1000));
  if (s < 90) return `${s}s ago`;
  if (s < 5400) return `${Math.round(s / 60)}m ago`;
  if (s < 129600) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

/** The start-up banner: version, workspace, server, last sync age. Reads no network. */
export function banner(input: { version: string; ws?: Workspace; state: QuickState; color: boolean }): string {
  return bannerHead(input) + bannerTail(input);
}

/** The banner's first lines, which need no store: version, workspace and server. */
export function bannerHead(input: { version: string; ws?: Workspace; color: boolean; context?: string }): string {
  const { ws, color } = input;
  const lines = [`${bold("proxmox-mpc", color)} ${input.version} ${dim("— Infrastructure as Code for Proxmox VE", color)}`];
  if (ws) {
    lines.push(`  workspace  ${ws.name} ${dim(`(${ws.paths.root})`, color)}`);
    lines.push(`  server     ${ws.config.endpoint} ${dim(`as ${ws.config.tokenId}`, color)}`);
  } else {
    lines.push(`  No workspace here. ${bold("/init", color)} creates one; ${bold("demo", color)} tries everything on a simulated cluster.`);
  }
  // The context in effect names the server each command talks to (docs/day2.md "Several clusters").
  if (input.context) lines.push(`  context    ${input.context} ${dim("(its server and token serve every command; see context show)", color)}`);
  return lines.join("\n") + "\n";
}

/**
 * The rest of the banner, from the store: last sync age and drift, then the
 * key hints and a blank line. Printed with the head when the store is read
 * fast, or above the prompt once a slower store has answered.
 */
export function bannerTail(input: { ws?: Workspace; state: QuickState; color: boolean }): string {
  const { ws, state, color } = input;
  const lines: string[] = [];
  if (ws) {
    lines.push(`  last sync  ${syncLine(state, color)}`);
    lines.push(`  drift      ${driftLine(readDrift(ws.paths), state.lastSyncAt, color)}`);
  }
  lines.push(dim("  /help for commands, Tab to complete, Ctrl-C cancels, /exit quits", color), "");
  return lines.join("\n") + "\n";
}

function syncLine(state: QuickState, color: boolean): string {
  if (state.error && !state.lastSyncAt) return `unknown ${dim(`— ${state.error}`, color)}`;
  const guests = state.guests !== undefined && state.lastSyncAt ? ` ${dim(`(${state.guests} guests)`, color)}` : "";
  return `${age(state.lastSyncAt)}${guests}${state.lastSyncAt ? "" : dim(" — run /sync", color)}`;
}

/** The drift line: what the last plan found, and whether a sync came after it. */
export function driftLine(drift: DriftRecord | undefined, lastSyncAt: Date | undefined, color: boolean): string {
  if (!drift) return dim("unknown — run /plan", color);
  const at = new Date(drift.at);
  const stale = lastSyncAt && lastSyncAt.getTime() > at.getTime() ? dim("; synced since — run /plan", color) : "";
  return `${describeDrift(drift)} ${dim(`(plan ${age(at)})`, color)}${stale}`;
}

/** /help: the registry's commands, slash commands first. */
export function helpText(commands: readonly Command[], color: boolean): string {
  const width = Math.max(...commands.map((c) => c.name.length + 1), 10) + 2;
  const slash = commands.filter((c) => c.slash && !c.hidden);
  const plain = commands.filter((c) => !c.slash && !c.hidden);
  const row = (name: string, summary: string): string => `  ${bold(name.padEnd(width), color)}${summary}`;
  return [
    "Workspace commands:",
    ...slash.map((c) => row(`/${c.name}`, c.summary)),
    row("/help [CMD]", "this list, or the help of one command"),
    row("/history", "the last commands"),
    row("/clear", "clear the screen"),
    row("/exit", "leave the console (also Ctrl-D)"),
    "",
    "Resource commands (type them as in the shell, without proxmox-mpc):",
    ...plain.map((c) => row(c.name, c.summary)),
    "",
    "Every command takes -o table|wide|json|yaml and --help.",
    "",
  ].join("\n");
}
