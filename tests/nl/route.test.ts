/**
 * Routing a console line (command, typo of a command, English) and the
 * registry's check of every proposed line, on the real registry.
 */
import { COMMANDS } from "../../src/commands/registry.js";
import { tokenize } from "../../src/commands/tokenize.js";
import { isQuestion, routeLine } from "../../src/nl/route.js";
import { validatePlan } from "../../src/nl/validate.js";

const route = (line: string): string => routeLine(tokenize(line), COMMANDS).kind;

describe("routing a console line", () => {
  it.each(["get vms", "get vms -o json", "stop vm web-01", "create vm --name web-01 --cores 2", "describe vm web-01", "sync", "health", "delete vm web-01 --yes"])("a command line runs as a command: %s", (line) => {
    expect(route(line)).toBe("command");
  });

  it.each(["gte vms", "stpo vm web-01", "sycn", "heatlh", "statu", "creat vm --name x", "gett vms --node pve1"])("a typo one edit away gets Did you mean, not the engine: %s", (line) => {
    expect(route(line)).toBe("typo");
  });

  it.each([
    "show me the running vms",
    "create 3 web VMs with 4 cores and 8GB RAM on pve2",
    "why is web-01 down?",
    "list all containers on pve1",
    "start web-01 and web-02",
    "get vms on pve1 please",
    "which guests use the most memory",
    "set web-01 to four cores please",
  ])("English goes to the natural-language engine: %s", (line) => {
    expect(route(line)).toBe("english");
  });

  it("a typo of a console word (help, exit …) is a typo too", () => {
    expect(routeLine(["helo"], COMMANDS, ["help", "exit"]).kind).toBe("typo");
    expect(routeLine(["helo", "there", "how", "are", "you"], COMMANDS, ["help", "exit"]).kind).toBe("english");
  });

  it("a command with a missing argument or a bad flag stays the command's own usage error", () => {
    expect(route("describe vm")).toBe("command");
    expect(route("get vms --nod pve1")).toBe("command");
    expect(route("get foo")).toBe("command");
  });

  it("tells questions about a problem from requests", () => {
    expect(isQuestion("why is web-01 down?")).toBe(true);
    expect(isQuestion("What's wrong with db-01")).toBe(true);
    expect(isQuestion("is the sync failing?")).toBe(true);
    expect(isQuestion("create 3 web VMs")).toBe(false);
    expect(isQuestion("how many vms are there?")).toBe(false);
  });
});

describe("the registry checks every proposed line", () => {
  it("accepts commands with their arguments and options, with the safety from the registry's metadata", async () => {
    const steps = await validatePlan(["get vms --status running", "proxmox-mpc create vm --name web-{n} --count 3 --cores 4 --memory 8192", "/plan", "delete vm web-01 --apply", "start vm web-01 -o json"], COMMANDS);
    expect(steps.map((s) => [s.line, s.safety])).toEqual([
      ["get vms --status running", "safe"],
      ["create vm --name web-{n} --count 3 --cores 4 --memory 8192", "requires-confirmation"],
      ["plan", "safe"],
      ["delete vm web-01 --apply", "dangerous"],
      ["start vm web-01 -o json", "requires-confirmation"],
    ]);
    expect(steps[1].argv).toEqual(["create", "vm", "--name", "web-{n}", "--count", "3", "--cores", "4", "--memory", "8192"]);
  });

  it.each([
    [["get vms", "frobnicate vm web-01"], /step 2 of 2 \(frobnicate vm web-01\): there is no command "frobnicate"/],
    [["get vms --colour red"], /step 1 of 1 \(get vms --colour red\): get has no option --colour/],
    [["create vm --name x --cores many"], /step 1 of 1 .*--cores must be a whole number/],
    [["get vms", "get nodes", "describe vm"], /step 3 of 3 \(describe vm\): describe needs its name argument/],
    [["describe box web-01"], /kind must be one of vm, ct/],
    [["test everything now"], /test takes no arguments, got 2: everything now/],
    [["get vms -C /elsewhere"], /-C is not allowed: a plan runs in this workspace/],
    [["mcp --allow-write"], /mcp cannot be part of a plan: it is the MCP server itself/],
    [["ask \"do it again\""], /ask cannot be part of a plan/],
    [["create vm --name x --cores"], /--cores needs a value/],
  ])("refuses the whole plan at the first bad line, saying where: %j", async (lines, message) => {
    await expect(validatePlan(lines, COMMANDS)).rejects.toThrow(message);
    await expect(validatePlan(lines, COMMANDS)).rejects.toMatchObject({ exitCode: 2, hint: expect.stringContaining("Nothing was run") });
  });
});
