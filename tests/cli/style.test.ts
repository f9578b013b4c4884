/**
 * One place for colour: core/style.ts (chalk) decides every escape code, on
 * or off per run; NO_COLOR, --no-color and a non-terminal turn it off.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { colorWanted, style } from "../../src/core/style.js";

const SRC = fileURLToPath(new URL("../../src", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === "generated") return [];
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

it("colours with escape codes when on and returns plain text when off", () => {
  expect(style(true).error("error:")).toBe("\u001b[31merror:\u001b[39m");
  expect(style(true).strong("NAME")).toBe("\u001b[1mNAME\u001b[22m");
  expect(style(false).error("error:")).toBe("error:");
  expect(style(false).faint("x")).toBe("x");
});

it("colour needs the flag, a terminal and no NO_COLOR", () => {
  expect(colorWanted(true, {}, true)).toBe(true);
  expect(colorWanted(true, { NO_COLOR: "1" }, true)).toBe(false);
  expect(colorWanted(false, {}, true)).toBe(false);
  expect(colorWanted(true, {}, false)).toBe(false);
});

it("no source file but core/style.ts writes SGR colour codes", () => {
  const offenders = sources(SRC)
    .filter((f) => !f.endsWith(join("core", "style.ts")))
    .filter((f) => /\\u001b\[\d*(;\d+)*m|\\x1b\[\d*(;\d+)*m/.test(readFileSync(f, "utf8")))
    .map((f) => relative(SRC, f));
  expect(offenders).toEqual([]);
});
