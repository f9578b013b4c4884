/**
 * Command options are declared once (src/commands/options.ts): every command
 * of the registry uses defineOptions, its keys are the names commander gives
 * its flags, and validation turns what a face passes on (text from a command
 * line, JSON values) into typed values with defaults — or into one UsageError
 * (exit 2) naming the flag and what it takes.
 */
import { Option } from "commander";
import { z } from "zod";
import { complete } from "../../src/commands/completer.js";
import { applyCommand } from "../../src/commands/apply.js";
import { createCommand } from "../../src/commands/create.js";
import { demoCommand } from "../../src/commands/demo.js";
import { getCommand } from "../../src/commands/get.js";
import { acceptOptions, defineOptions, flag, isOptionSet, number } from "../../src/commands/options.js";
import { planCommand } from "../../src/commands/plan.js";
import { COMMANDS } from "../../src/commands/registry.js";
import { validateOptions } from "../../src/commands/schema.js";
import { syncCommand } from "../../src/commands/sync.js";
import { UsageError } from "../../src/core/errors.js";
import { testContext } from "../helpers/context.js";

const NO_NAMES = { guests: ["web-01"], nodes: ["pve1"], storage: ["local-lvm"], tags: ["web"] };

/** The UsageError a validation throws (or a failure of the test when it does not). */
function refusal(run: () => unknown): UsageError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error("expected a UsageError");
}

describe("declarations", () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))("%s declares its options with defineOptions, each with a zod schema", (_name, command) => {
    if (command.options === undefined) return;
    expect(isOptionSet(command.options)).toBe(true);
    for (const option of command.options) {
      expect(option.schema(z)).toBeInstanceOf(z.ZodType);
      expect(option.schema(z).description).toBe(option.description);
      // The key in input.options (and a tool's input) is the name commander gives the flag.
      expect(option.key).toBe(new Option(option.flags).attributeName());
    }
  });

  it("a hand-written list of options is not a declaration", () => {
    const handWritten = [{ flags: "--dry-run", description: "write nothing", key: "dryRun", names: ["--dry-run"], long: "--dry-run", takesValue: false, schema: () => z.boolean() }];
    expect(isOptionSet(handWritten)).toBe(false);
    expect(isOptionSet(defineOptions({ dryRun: flag("--dry-run", "write nothing") }))).toBe(true);
  });

  it("a declaration lists its flags in order, with names, defaults and choices for --help", () => {
    const options = defineOptions({ port: number("-p, --port <port>", "TCP port", { int: true, default: 8006 }), tls: flag("--tls", "HTTPS") });
    expect(options.map((o) => [o.key, o.names, o.long, o.takesValue, o.default])).toEqual([
      ["port", ["-p", "--port"], "--port", true, 8006],
      ["tls", ["--tls"], "--tls", false, undefined],
    ]);
    expect(planCommand.options?.find((o) => o.key === "engine")?.choices).toEqual(["terraform", "native"]);
  });
});

describe("validation", () => {
  it("applies defaults, and reads numbers and lists from command-line text", () => {
    expect(validateOptions(syncCommand, {})).toEqual({ wait: 30 });
    expect(validateOptions(syncCommand, { wait: "2.5", dryRun: true })).toEqual({ wait: 2.5, dryRun: true });
    expect(validateOptions(applyCommand, {})).toEqual({ refresh: true });
    expect(validateOptions(applyCommand, { refresh: false, engine: "native" })).toEqual({ refresh: false, engine: "native" });
    expect(validateOptions(createCommand, { cores: "4", tag: ["web", "db"] })).toEqual({ cores: 4, count: 1, tag: ["web", "db"] });
    expect(validateOptions(createCommand, { tag: "web" })).toEqual({ count: 1, tag: ["web"] });
    expect(validateOptions(getCommand, { limit: 10 })).toEqual({ limit: 10 });
    expect(validateOptions(getCommand, {})).toEqual({});
  });

  it.each([
    [syncCommand, { wait: "soon" }, '--wait must be a number 0 or more, got "soon".'],
    [syncCommand, { wait: -1 }, '--wait must be a number 0 or more, got "-1".'],
    [createCommand, { cores: "1.5" }, '--cores must be a whole number between 1 and 512, got "1.5".'],
    [createCommand, { count: "0" }, '--count must be a whole number between 1 and 100, got "0".'],
    [getCommand, { limit: "" }, '--limit must be a whole number, got "".'],
    [planCommand, { engine: "tf" }, '--engine must be one of terraform, native, got "tf".'],
    [getCommand, { node: 5 }, "--node must be text, got 5."],
    [syncCommand, { dryRun: "yes" }, "--dry-run is a flag: true or false."],
  ] as const)("%#: a bad value is one line naming the flag and what it takes", (command, options, message) => {
    const err = refusal(() => validateOptions(command, options));
    expect(err.message).toBe(message);
    expect(err.exitCode).toBe(2);
  });

  it("an unknown option names the ones there are", () => {
    const err = refusal(() => validateOptions(planCommand, { engin: "native" }));
    expect(err.message).toBe('plan has no option "engin".');
    expect(err.hint).toBe("Its options: engine (--engine).");
    expect(refusal(() => validateOptions(COMMANDS.find((c) => c.name === "describe")!, { all: true })).hint).toBe("describe takes no options.");
  });

  it("a command checks its options before it does anything", async () => {
    const ui = testContext().ui;
    await expect(demoCommand.run(testContext({ ui }), { args: [], options: { size: "0" } })).rejects.toThrow('--size must be a whole number between 1 and 20000, got "0".');
  });
});

describe("validation without zod agrees with zod", () => {
  const VALUES: unknown[] = [undefined, true, false, "", " ", "x", "5", "-1", "1.5", "1e3", "0x10", "70000", 0, -1, 1, 1.5, 8006, 70000, 2 ** 53, NaN, Infinity, null, {}, [], ["a"], ["a", 1], "terraform", "native", "8.4", "9.1"];

  it.each(COMMANDS.filter((c) => c.options?.length).map((c) => [c.name, c] as const))("%s: every option takes and refuses the same values either way", (_name, command) => {
    for (const option of command.options ?? []) {
      // The declared default (what --help shows and the fast path applies) is the schema's.
      expect(option.schema(z).parse(undefined)).toEqual(option.default);
      for (const value of [...VALUES, ...(option.choices ?? [])]) {
        const given = { [option.key]: value };
        const fast = acceptOptions(command.options, given);
        let slow: Record<string, unknown> | UsageError;
        try {
          slow = validateOptions(command, given);
        } catch (err) {
          slow = err as UsageError;
        }
        if (fast === undefined) expect([option.key, value, slow]).toEqual([option.key, value, expect.any(UsageError)]);
        else expect([option.key, value, slow]).toEqual([option.key, value, fast]);
      }
    }
    expect(acceptOptions(command.options, { notAnOption: true })).toBeUndefined();
    expect(acceptOptions(command.options, {})).toEqual(validateOptions(command, {}));
  });
});

describe("completion from the declarations", () => {
  it.each([
    ["plan --engine ", ["native", "terraform"]],
    ["create vm --tag ", ["web"]],
    ["create vm --node ", ["pve1"]],
    ["apply --no-r", ["--no-refresh"]],
    ["sync --w", ["--wait"]],
    ["get vms --status ", ["paused", "running", "stopped"]],
    ["create vm --name x --cores 2 --clone ", ["web-01"]],
  ])("%j → %j", (line, expected) => {
    expect(complete(line, COMMANDS, NO_NAMES)[0]).toEqual(expected);
  });
});
