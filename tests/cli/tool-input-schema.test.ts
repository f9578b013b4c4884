/**
 * The input a tool (the coming MCP face) takes to run a command, derived
 * from the command's declarations: positional arguments and options in one
 * flat, strict object, with descriptions and defaults, as zod and as JSON
 * Schema; and the way back to the command's own input.
 */
import { z } from "zod";
import { COMMANDS } from "../../src/commands/registry.js";
import { inputSchema, toCommandInput, validateOptions } from "../../src/commands/schema.js";
import type { Command } from "../../src/commands/types.js";
import { UsageError } from "../../src/core/errors.js";

interface JsonProperty {
  type?: string;
  enum?: string[];
  minimum?: number;
  default?: unknown;
  description?: string;
}

/** A value the JSON Schema allows for each property: what a tool client would build from it. */
function sampleFrom(json: { properties?: Record<string, JsonProperty> }): Record<string, unknown> {
  const sample: Record<string, unknown> = {};
  for (const [key, p] of Object.entries(json.properties ?? {})) {
    if (p.enum) sample[key] = p.enum[0];
    else if (p.type === "boolean") sample[key] = true;
    else if (p.type === "integer" || p.type === "number") sample[key] = Math.max(p.minimum ?? 1, 1);
    else if (p.type === "array") sample[key] = ["web-01"];
    else sample[key] = "web-01";
  }
  return sample;
}

const byName = (name: string): Command => COMMANDS.find((c) => c.name === name)!;

it.each(COMMANDS.map((c) => [c.name, c] as const))("%s yields a tool input schema that takes a sample input and gives the command valid input", (_name, command) => {
  const schema = inputSchema(command);
  const json = z.toJSONSchema(schema, { io: "input" }) as { properties?: Record<string, JsonProperty>; required?: string[]; additionalProperties?: boolean };
  expect(json.additionalProperties).toBe(false);
  const keys = [...(command.arguments ?? []).map((a) => a.name), ...(command.options ?? []).map((o) => o.key)];
  expect(Object.keys(json.properties ?? {})).toEqual(keys);
  for (const p of Object.values(json.properties ?? {})) expect(p.description).toBeTruthy();
  expect(json.required ?? []).toEqual((command.arguments ?? []).filter((a) => a.required).map((a) => a.name));

  const sample = sampleFrom(json);
  expect(schema.safeParse(sample).success).toBe(true);
  const input = toCommandInput(command, sample);
  expect(input.args.length).toBeGreaterThanOrEqual((command.arguments ?? []).filter((a) => a.required).length);
  expect(() => validateOptions(command, input.options)).not.toThrow();
  expect(schema.safeParse({ ...sample, notAnOption: 1 }).success).toBe(false);
});

it("get: the resource is required, filters are optional, --limit is a whole number", () => {
  const json = z.toJSONSchema(inputSchema(byName("get")), { io: "input" }) as { properties: Record<string, JsonProperty>; required: string[] };
  expect(json.required).toEqual(["resource"]);
  expect(json.properties.limit).toMatchObject({ type: "integer", description: expect.stringMatching(/^vms, cts, guests: a page of at most N guests .*tasks: how many per node \(50 unless given\)$/) });
  expect(json.properties.limit.default).toBeUndefined();
  expect(json.properties.cursor).toMatchObject({ type: "string" });
  expect(json.properties.fields).toMatchObject({ type: "string" });
  expect(json.properties.live).toMatchObject({ type: "boolean" });
  expect(inputSchema(byName("get")).safeParse({ resource: "vms", limit: 2.5 }).success).toBe(false);
});

it("defaults and choices are in the schema: sim's port, plan's engine", () => {
  const sim = z.toJSONSchema(inputSchema(byName("sim")), { io: "input" }) as { properties: Record<string, JsonProperty> };
  expect(sim.properties.port).toMatchObject({ type: "integer", default: 8006, minimum: 0, maximum: 65535 });
  const plan = z.toJSONSchema(inputSchema(byName("plan")), { io: "input" }) as { properties: Record<string, JsonProperty> };
  expect(plan.properties.engine.enum).toEqual(["terraform", "native"]);
  expect(plan.properties.names).toMatchObject({ type: "array" });
});

it("a tool's input becomes positionals in order and options by key", () => {
  expect(toCommandInput(byName("start"), { kind: "vm", names: ["web-01", "web-02"], wait: false })).toEqual({ args: ["vm", "web-01", "web-02"], options: { wait: false, timeout: 300 } });
  expect(toCommandInput(byName("create"), { kind: "ct", name: "db-01", tag: ["db"] })).toEqual({ args: ["ct"], options: { name: "db-01", tag: ["db"], count: 1 } });
  expect(toCommandInput(byName("get"), { resource: "vms" })).toEqual({ args: ["vms"], options: {} });
});

it("a tool's bad input is a usage error that says what is wrong", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["get", { name: "web-01" }, "resource is required."],
    ["delete", { kind: "vm", names: [] }, "names needs at least one value."],
    ["describe", { kind: "vms2", name: "x" }, 'kind must be one of vm, ct, vms, cts, got "vms2".'],
    ["sim", { port: "8006" }, '--port must be a whole number between 0 and 65535, got "8006".'],
  ];
  for (const [name, input, message] of cases) {
    let err: unknown;
    try {
      toCommandInput(byName(name), input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe(message);
  }
});
