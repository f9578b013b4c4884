/**
 * Every hint and message names something the user can run today: a
 * `proxmox-mpc WORD` in the source is a registered command, and the commands
 * the design plans but the registry does not hold yet (report-issue, health,
 * logs, …) are not offered to anyone.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { findCommand } from "../../src/commands/registry.js";

const SRC = fileURLToPath(new URL("../../src", import.meta.url));
const PLANNED = ["report-issue", "health", "logs", "mcp", "ask", "serve"];
/** Words after "proxmox-mpc" in messages that are prose, not a command ("proxmox-mpc cannot expand …"). */
const PROSE = new Set(["cannot", "does", "is", "keeps", "writes"]);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === "generated") return [];
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** The code of each source file without its comments (prose there is for developers, not users). */
const files = sources(SRC).map((path) => ({
  path: relative(SRC, path),
  text: readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line))
    .join("\n"),
}));

it("every `proxmox-mpc WORD` the user is told to run names a registered command", () => {
  const unknown: string[] = [];
  for (const { path, text } of files) {
    for (const m of text.matchAll(/`proxmox-mpc ([a-z][a-z-]*)/g)) {
      if (!PROSE.has(m[1]) && !findCommand(m[1])) unknown.push(`${path}: proxmox-mpc ${m[1]}`);
    }
  }
  expect(unknown).toEqual([]);
});

it("no hint points to a planned command that does not exist yet", () => {
  // (Every planned command may exist by now: then there is nothing to check.)
  for (const name of PLANNED.filter((n) => !findCommand(n))) {
    // "run report-issue", "use `health`", "`/logs`": a command offered to the user (not an API path like /snapshot/).
    const pattern = new RegExp(`(\\b(use|run|try)\\s+\`?(proxmox-mpc\\s+)?/?|\`/?)${name}\\b(?![/-])`, "i");
    const offenders = files.filter(({ text }) => pattern.test(text)).map((f) => `${name}: ${f.path}`);
    expect(offenders).toEqual([]);
  }
});

it("the unexpected-error hint points to --debug, the workspace log, the logs command and report-issue", async () => {
  const { asProxmoxMpcError } = await import("../../src/core/errors.js");
  const err = asProxmoxMpcError(new TypeError("boom"));
  expect(err.hint).toMatch(/--debug/);
  expect(err.hint).toMatch(/\.proxmox-mpc\/logs\//);
  expect(err.hint).toMatch(/`proxmox-mpc logs --level error --since 10m`/);
  expect(findCommand("logs")).toBeDefined();
  expect(err.hint).toContain('`proxmox-mpc report-issue "SUMMARY"`');
  expect(findCommand("report-issue")).toBeDefined();
});
