/**
 * The local engine (src/nl/local): hand-written hard cases, names only from
 * the store's context, refusals below the threshold, safety from the
 * registry's metadata, and every command line it proposes (and every line
 * the data set expects) parsed by the registry's own flags and validated by
 * the commands' option schemas.
 */
import { readFileSync } from "node:fs";
import { Command as Commander, CommanderError, Option } from "commander";
import { COMMANDS } from "../../src/commands/registry.js";
import { validateOptions } from "../../src/commands/schema.js";
import { tokenize } from "../../src/commands/tokenize.js";
import { parseLocal } from "../../src/nl/local/index.js";
import { planSafety, safetyOf, type NlContext } from "../../src/nl/types.js";

const DATA = new URL("../../data/nl/", import.meta.url);
const ctx: NlContext = JSON.parse(readFileSync(new URL("context.json", DATA), "utf8"));
interface Example {
  input: string;
  commands: string[];
  safety: string;
  intent?: string;
  /** A store of its own (a hard case whose guests carry cores and memory). */
  context?: NlContext;
}
const read = (split: string): Example[] =>
  readFileSync(new URL(`${split}.jsonl`, DATA), "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as Example);

/** Parse a command line the way the CLI does (commander, from the registry's declarations), then validate the options by schema. */
function parseWithRegistry(line: string): void {
  const [name, ...rest] = tokenize(line);
  const command = COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
  if (!command) throw new Error(`no command ${name}`);
  const sub = new Commander(command.name).exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  for (const arg of command.arguments ?? []) {
    const a = sub.createArgument(arg.required ? `<${arg.name}${arg.variadic ? "..." : ""}>` : `[${arg.name}${arg.variadic ? "..." : ""}]`, arg.description);
    if (arg.choices) a.choices([...arg.choices]);
    sub.addArgument(a);
  }
  const keys = (command.options ?? []).map((spec) => {
    const option = new Option(spec.flags, spec.description);
    if (spec.repeatable) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    sub.addOption(option);
    return { key: spec.key, attribute: option.attributeName() };
  });
  let parsed: Record<string, unknown> = {};
  sub.action((...received: unknown[]) => {
    parsed = (received[received.length - 1] as Commander).opts();
  });
  sub.parse(rest, { from: "user" });
  validateOptions(command, Object.fromEntries(keys.filter((k) => parsed[k.attribute] !== undefined).map((k) => [k.key, parsed[k.attribute]])));
}

describe("the registry parses every line", () => {
  it("accepts a good line and refuses bad ones (the checker itself)", () => {
    expect(() => parseWithRegistry("create vm --name web-{n} --count 3 --memory 8192")).not.toThrow();
    expect(() => parseWithRegistry("create vm --name web-01 --cores 0")).toThrow(/--cores/);
    expect(() => parseWithRegistry("create box --name web-01")).toThrow(CommanderError);
    expect(() => parseWithRegistry("start vm web-01 --selectr tag=web")).toThrow(CommanderError);
    expect(() => parseWithRegistry("delete vm")).toThrow(CommanderError);
  });

  it("every command the data set expects is a valid command line", () => {
    const lines = new Set(["train", "dev", "test", "hard"].flatMap((split) => read(split).flatMap((e) => e.commands)));
    expect(lines.size).toBeGreaterThan(1000);
    for (const line of lines) expect(() => parseWithRegistry(line)).not.toThrow();
  });

  it("every command the engine proposes for the dev, test and hard splits is a valid command line", () => {
    const proposed = new Set(["dev", "test", "hard"].flatMap((split) => read(split).flatMap((e) => parseLocal(e.input, e.context ?? ctx).commands)));
    for (const line of proposed) {
      try {
        parseWithRegistry(line);
      } catch (err) {
        throw new Error(`${line}: ${(err as Error).message}`);
      }
    }
  });
});

describe("evaluation (the thresholds of npm run eval:nl)", () => {
  const test = read("test");
  const results = test.map((e) => ({ e, plan: parseLocal(e.input, ctx) }));

  it("the data set is large enough and split three ways", () => {
    expect(read("train").length + read("dev").length + test.length).toBeGreaterThanOrEqual(10_000);
  });

  it("≥ 95 % exact match on the test split (phrasings the model never saw)", () => {
    const right = results.filter(({ e, plan }) => JSON.stringify(plan.commands) === JSON.stringify(e.commands)).length;
    expect(right / test.length).toBeGreaterThanOrEqual(0.95);
  });

  it("never proposes a dangerous command where the expected plan has none (test and hard splits)", () => {
    const rows = [...results, ...read("hard").map((e) => ({ e, plan: parseLocal(e.input, e.context ?? ctx) }))];
    const falseDestructive = rows.filter(({ e, plan }) => e.safety !== "dangerous" && planSafety(plan.commands, COMMANDS) === "dangerous");
    expect(falseDestructive.map(({ e }) => e.input)).toEqual([]);
  });

  it("says whether a plan needs confirmation from the registry, not from the model", () => {
    for (const { plan } of results) expect(plan.requiresConfirmation).toBe(planSafety(plan.commands, COMMANDS) !== "safe");
  });
});

describe("hard cases", () => {
  it.each(read("hard").map((e) => [e.input, e.commands, e.context] as const))("%s", (input, commands, context) => {
    const plan = parseLocal(input, context ?? ctx);
    expect(plan.commands).toEqual(commands);
    expect(plan.engine).toBe("local");
  });
});

describe("names come from the store", () => {
  const small: NlContext = { nodes: ["alpha"], storages: ["tank"], guests: [{ name: "web-01", vmid: 200, type: "lxc", node: "alpha", tags: ["web"], status: "running" }] };

  it("takes the kind from the store (web-01 is a container here)", () => {
    expect(parseLocal("restart web-01", small).commands).toEqual(["reboot ct web-01"]);
    expect(parseLocal("describe 200", small).commands).toEqual(["describe ct web-01"]);
  });

  it("does not invent a guest the store does not know", () => {
    for (const text of ["start db-01", "stop db-01", "delete db-01", "describe db-01"]) {
      const plan = parseLocal(text, small);
      expect(plan.commands).toEqual([]);
      expect(plan.explanation).toMatch(/"db-01" is not in the store/);
    }
    expect(parseLocal("stop web-01", { nodes: [], storages: [], guests: [] }).commands).toEqual([]);
  });

  it("matches nodes, storages and tags of the store exactly", () => {
    expect(parseLocal("create a vm with 2 cores on alpha using tank", small).commands).toEqual(["create vm --name vm-01 --node alpha --cores 2 --storage tank"]);
    expect(parseLocal("stop the web containers", small).commands).toEqual(["stop ct --selector tag=web"]);
  });
});

describe("below the threshold", () => {
  it("proposes nothing, says what it did not understand and the nearest commands", () => {
    const plan = parseLocal("frobnicate the quantum flux capacitor", ctx);
    expect(plan.commands).toEqual([]);
    expect(plan.requiresConfirmation).toBe(false);
    expect(plan.explanation).toMatch(/not|Nearest commands/);
  });

  it("never guesses a destructive command: no target, no stop / delete", () => {
    for (const text of ["stop everything", "delete them", "kill it", "remove all the stuff", "stop all vms"]) {
      const plan = parseLocal(text, ctx);
      expect(plan.commands).toEqual([]);
    }
  });

  it("a multi-step request with one step it does not understand proposes nothing", () => {
    expect(parseLocal("sync and then frobnicate the flux", ctx).commands).toEqual([]);
  });
});

describe("day-2 commands (set, snapshot, backup, clone, migrate, context)", () => {
  const sized: NlContext = { ...ctx, guests: ctx.guests.map((g) => (g.name === "web-01" ? { ...g, cores: 4, memory: 8192 } : g)) };
  const V = "nfs-backup:backup/vzdump-qemu-101-2026_11_27-01_00_00.vma.zst";

  it.each([
    ["add 10G to web-01's disk", ["set vm web-01 --disk scsi0=+10G"]],
    ["grow the disk of cache-01 by 4G", ["set ct cache-01 --disk rootfs=+4G"]],
    ["give db-01 8 cores and 32GB of RAM", ["set vm db-01 --cores 8 --memory 32768"]],
    ["tag gitlab with legacy", ["set vm gitlab --add-tag legacy"]],
    ["snapshot web-01 before the upgrade", ["snapshot create vm web-01 before-upgrade"]],
    ["roll web-01 back to before-upgrade", ["snapshot rollback vm web-01 before-upgrade"]],
    ["list the snapshots of dns-01", ["snapshot list ct dns-01"]],
    ["back up web-01", ["backup create vm web-01"]],
    ["list the backups", ["backup list"]],
    [`restore ${V}`, [`backup restore ${V}`]],
    ["clone web-01 as web-09", ["clone vm web-01 --name web-09"]],
    ["move web-01 to pve2", ["migrate vm web-01 --to pve2"]],
    ["drain pve1 into pve2", ["migrate --from pve1 --to pve2"]],
    ["switch to the lab context", ["context use lab"]],
  ])("%s", (input, commands) => {
    expect(parseLocal(input, ctx).commands).toEqual(commands);
  });

  it("a relative change is computed from the store's current value, or refused with why", () => {
    expect(parseLocal("give web-01 two more cores", sized).commands).toEqual(["set vm web-01 --cores 6"]);
    const plan = parseLocal("give web-01 two more cores", ctx);
    expect(plan.commands).toEqual([]);
    expect(plan.explanation).toMatch(/does not say how many web-01 has now/);
  });

  it("a rollback or a restore needs exact names; near misses never become a destructive command", () => {
    for (const text of ["roll web-01 back", "roll web-01 back to before the upgrade", "restore web-01 from last night's backup", "delete web-01's snapshot", "remove the snapshots of db-01", "delete the backup of web-01", "migrate web-01", "drain pve1", "move web-01 to pve1", "clone web-01 as web-02", "roll back the last apply", "don't roll back web-01 to before-upgrade", "do not migrate db-01 to pve3", "what happens if I drain pve1 into pve2?"]) {
      const plan = parseLocal(text, ctx);
      expect([text, plan.commands]).toEqual([text, []]);
    }
    expect(parseLocal("restore web-01 from last night's backup", ctx).explanation).toMatch(/volume id/);
  });

  it("safety of the new commands comes from the registry, whatever the engine thought", () => {
    for (const [text, safety] of [["add 10G to web-01's disk", "requires-confirmation"], ["clone web-01 as web-09", "requires-confirmation"], ["move web-01 to pve2", "dangerous"], ["roll web-01 back to before-upgrade", "dangerous"]] as const) {
      const plan = parseLocal(text, ctx);
      expect(planSafety(plan.commands, COMMANDS)).toBe(safety);
      expect(plan.requiresConfirmation).toBe(true);
    }
  });

  it("a node the store does not have is refused, not dropped", () => {
    for (const text of ["move web-01 to pve9", "start web-01 on pve9", "list vms on pve9", "list vms on node xyz7"]) {
      const plan = parseLocal(text, ctx);
      expect(plan.commands).toEqual([]);
      expect(plan.explanation).toMatch(/not a node of the store/);
    }
  });

  it('", please check" at the end of a question is no step of its own', () => {
    expect(parseLocal("is everything healthy, please check", ctx).commands).toEqual(["health"]);
    expect(parseLocal("which vms are running, please check?", ctx).commands).toEqual(["get vms --status running"]);
    expect(parseLocal("sync, then check the health", ctx).commands).toEqual(["sync", "health"]);
  });
});

describe("safetyOf", () => {
  it("reads the registry's MCP metadata", () => {
    expect(safetyOf("get vms --tag web", COMMANDS)).toBe("safe");
    expect(safetyOf("plan web-01", COMMANDS)).toBe("safe");
    expect(safetyOf("create vm --name web-01", COMMANDS)).toBe("requires-confirmation");
    expect(safetyOf("start vm web-01", COMMANDS)).toBe("requires-confirmation");
    expect(safetyOf("stop vm web-01", COMMANDS)).toBe("dangerous");
    expect(safetyOf("delete vm web-01", COMMANDS)).toBe("dangerous");
    expect(safetyOf("apply", COMMANDS)).toBe("dangerous");
    expect(safetyOf('report-issue "sync hangs"', COMMANDS)).toBe("safe");
    expect(safetyOf("frobnicate", COMMANDS)).toBe("requires-confirmation");
    expect(planSafety(["get vms", "create vm --name a", "apply a"], COMMANDS)).toBe("dangerous");
    expect(planSafety([], COMMANDS)).toBe("safe");
  });
});

describe("a power selection names exactly what the command acts on", () => {
  // The QA store: the tag staging on VMs and containers, some running, some stopped, and a template.
  const g = (name: string, vmid: number, type: "qemu" | "lxc", status: string, extra: Partial<NlContext["guests"][number]> = {}): NlContext["guests"][number] => ({ name, vmid, type, node: "pve1", tags: ["staging"], status, ...extra });
  const staging: NlContext = {
    nodes: ["pve1", "pve2"],
    storages: ["local-lvm"],
    guests: [
      g("app-04", 104, "qemu", "running"), g("web-02", 102, "qemu", "stopped"), g("tpl-01", 900, "qemu", "stopped", { template: true }),
      g("monitor-02", 202, "lxc", "running"), g("proxy-02", 203, "lxc", "running"), g("proxy-03", 204, "lxc", "stopped", { node: "pve2" }),
    ],
  };

  it("stop the staging containers: the containers only (no VM), the stopped one said apart", () => {
    const plan = parseLocal("hard stop the staging containers", staging);
    expect(plan.commands).toEqual(["stop ct --selector tag=staging"]);
    expect(plan.explanation).toMatch(/^Hard-stop monitor-02, proxy-02 \(proxy-03 is stopped already in the store: skipped\)\./);
    expect(plan.explanation).not.toMatch(/app-04|web-02/);
  });

  it("start the staging vms: the stopped VMs, no container and no template", () => {
    const plan = parseLocal("start the staging vms", staging);
    expect(plan.commands).toEqual(["start vm --selector tag=staging"]);
    expect(plan.explanation).toMatch(/^Start web-02 \(app-04 is running already in the store: skipped\)\./);
    expect(plan.explanation).not.toMatch(/monitor-02|proxy-0|tpl-01/);
  });

  it("both kinds when no kind is said, each guest once", () => {
    const plan = parseLocal("reboot all staging guests", staging);
    expect(plan.commands).toEqual(["reboot vm --selector tag=staging", "reboot ct --selector tag=staging"]);
    expect(plan.explanation).toMatch(/^Reboot app-04, monitor-02, proxy-02 \(proxy-03, web-02 are stopped already in the store: skipped\)\./);
  });
});

describe("a new guest's name said after the kind word", () => {
  it("is the name (not vm-01)", () => {
    expect(parseLocal("create a vm qa-02 with 2 cores, 4 gigs of ram and 20 gb disk", ctx).commands).toEqual(["create vm --name qa-02 --cores 2 --memory 4096 --disk 20"]);
    expect(parseLocal("spin up a new vm qa-02 with 4G", ctx).commands).toEqual(["create vm --name qa-02 --memory 4096"]);
    expect(parseLocal("create vm qa-02", ctx).commands).toEqual(["create vm --name qa-02"]);
    expect(parseLocal("give me a container qa-03", ctx).commands).toEqual(["create ct --name qa-03"]);
  });

  it("is still unknown to a command that needs an existing guest", () => {
    for (const text of ["start vm qa-02", "stop vm qa-02", "describe vm qa-02", "delete vm qa-02"]) expect(parseLocal(text, ctx)).toMatchObject({ commands: [], explanation: expect.stringMatching(/"qa-02" is not in the store/) });
    expect(parseLocal("start vm 999", ctx).commands).toEqual([]);
  });
});

describe("a node the store does not have", () => {
  it("is refused with the known nodes, never dropped (list vms on pve3)", () => {
    const two: NlContext = { ...ctx, nodes: ["pve1", "pve2"] };
    for (const text of ["list vms on pve3", "show the containers on node pve3", "start the web vms on pve3"]) {
      const plan = parseLocal(text, two);
      expect(plan.commands).toEqual([]);
      expect(plan.explanation).toMatch(/^"pve3" is not a node of the store \(it has pve1, pve2\)\./);
    }
  });
});
