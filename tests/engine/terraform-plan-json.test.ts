/**
 * The mapping of Terraform's JSON plan representation (`terraform show -json`,
 * format 1.x, documented at developer.hashicorp.com/terraform/internals/json-format)
 * to the engines' PlanJson. Pure, and independent of the stand-in binary:
 * plans recorded from the real terraform (tests/fixtures/terraform, see its
 * SOURCES.md; no bpg/proxmox plan was found, so they use other providers) for
 * the generic parts, and hand-written changes in the documented shape for the
 * bpg guest resources.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ProxmoxMpcError } from "../../src/core/errors.js";
import { mapActions, parseTerraformPlan, toPlanJson, type TfPlan, type TfResourceChange } from "../../src/engine/terraform/index.js";
import { SENSITIVE_VALUE, topLevelDiff, UNKNOWN_VALUE } from "../../src/engine/terraform/plan-json.js";

const VM = "proxmox_virtual_environment_vm";
const CT = "proxmox_virtual_environment_container";

function rc(type: string, name: string, actions: string[], before: unknown, after: unknown, extra: Partial<TfResourceChange["change"]> = {}): TfResourceChange {
  return { address: `${type}.${name}`, mode: "managed", type, name, change: { actions, before, after, after_unknown: {}, ...extra } };
}

const web = { vm_id: 100, node_name: "pve1", name: "web-01", cpu: [{ cores: 2, sockets: 1 }], tags: ["web"] };

test("actions: create, update, delete, both replace orders; no-op and read are skipped", () => {
  expect(mapActions(["create"])).toBe("create");
  expect(mapActions(["update"])).toBe("update");
  expect(mapActions(["delete"])).toBe("delete");
  expect(mapActions(["delete", "create"])).toBe("replace");
  expect(mapActions(["create", "delete"])).toBe("replace");
  expect(mapActions(["no-op"])).toBeUndefined();
  expect(mapActions(["read"])).toBeUndefined();
});

test("a create: name, vmid, node and address from `after`; diff has every known argument with null before", () => {
  const plan = toPlanJson([rc(VM, "web_01", ["create"], null, web, { after_unknown: { id: true, ipv4_addresses: true } })]);
  expect(plan.changes).toEqual([
    {
      action: "create",
      type: "qemu",
      name: "web-01",
      vmid: 100,
      node: "pve1",
      address: `${VM}.web_01`,
      diff: { cpu: [null, [{ cores: 2, sockets: 1 }]], name: [null, "web-01"], node_name: [null, "pve1"], tags: [null, ["web"]], vm_id: [null, 100] },
    },
  ]);
  expect(plan.summary).toEqual({ create: 1, update: 0, delete: 0, replace: 0 });
});

test("an update: only top-level arguments that differ (deep compare, key order ignored)", () => {
  const before = { ...web, id: "100", cpu: [{ sockets: 1, cores: 2 }] };
  const after = { ...web, id: "100", cpu: [{ cores: 4, sockets: 1 }], tags: ["web"] };
  const [change] = toPlanJson([rc(VM, "web_01", ["update"], before, after)]).changes;
  expect(change.action).toBe("update");
  expect(change.diff).toEqual({ cpu: [[{ cores: 2, sockets: 1 }], [{ cores: 4, sockets: 1 }]] });
});

test("a container's name is initialization[0].hostname; a delete takes everything from `before`", () => {
  const ct = { vm_id: 200, node_name: "pve2", initialization: [{ hostname: "db-01" }], id: "200" };
  const plan = toPlanJson([rc(CT, "db_01", ["delete"], ct, null)]);
  expect(plan.changes[0]).toMatchObject({ action: "delete", type: "lxc", name: "db-01", vmid: 200, node: "pve2" });
  expect(plan.changes[0].diff).toEqual({ initialization: [[{ hostname: "db-01" }], null], node_name: ["pve2", null], vm_id: [200, null] });
  expect(plan.summary.delete).toBe(1);
});

test("a replacement (create_before_destroy order too): the new vmid wins; an unknown id is not a difference", () => {
  const before = { ...web, id: "100" };
  const after = { ...web, vm_id: 101 };
  const plan = toPlanJson([rc(VM, "web_01", ["create", "delete"], before, after, { after_unknown: { id: true } })]);
  expect(plan.changes[0]).toMatchObject({ action: "replace", vmid: 101, diff: { vm_id: [100, 101] } });
  expect(Object.keys(plan.changes[0].diff)).toEqual(["vm_id"]);
});

test("values unknown until apply and sensitive values are shown as such, never in clear", () => {
  const before = { ...web, id: "100", initialization: [{ user_account: [{ password: "old-secret", username: "ops" }] }], description: "a" };
  const after = { ...web, id: "100", initialization: [{ user_account: [{ password: "new-secret", username: "ops" }] }] };
  const sensitive = { initialization: [{ user_account: [{ password: true }] }] };
  const [change] = toPlanJson([
    rc(VM, "web_01", ["update"], before, after, { before_sensitive: sensitive, after_sensitive: sensitive, after_unknown: { description: true } }),
  ]).changes;
  // The password changed: a change, shown masked on both sides, as terraform shows it.
  const masked = (password: string) => [{ user_account: [{ password, username: "ops" }] }];
  expect(change.diff).toEqual({ description: ["a", "(known after apply)"], initialization: [masked("(sensitive value)"), masked("(sensitive value)")] });
  expect(JSON.stringify(change)).not.toContain("secret");
});

test("no-ops, reads, data sources and deposed objects are skipped; other resources and imports are reported apart", () => {
  const plan = toPlanJson([
    rc(VM, "same", ["no-op"], web, web),
    { ...rc(VM, "src", ["read"], null, web), mode: "data" },
    { ...rc(VM, "old", ["delete"], web, null), deposed: "00000001" },
    rc(VM, "adopted", ["no-op"], null, web, { importing: { id: "pve1/100" } }),
    rc("proxmox_virtual_environment_pool", "ops", ["create"], null, { pool_id: "ops" }),
  ]);
  expect(plan.changes).toEqual([]);
  expect(plan.imports).toEqual([`${VM}.adopted`]);
  expect(plan.others).toEqual(["create proxmox_virtual_environment_pool.ops"]);
});

test("show -json output: format 1.x is read, another major version or non-JSON is a clear error", () => {
  const text = JSON.stringify({ format_version: "1.2", terraform_version: "1.9.8", resource_changes: [rc(VM, "web_01", ["create"], null, web)] });
  expect(parseTerraformPlan(text).summary.create).toBe(1);
  expect(parseTerraformPlan(JSON.stringify({ format_version: "1.0" })).changes).toEqual([]);
  expect(() => parseTerraformPlan(JSON.stringify({ format_version: "2.0", resource_changes: [] }))).toThrow(/format 2\.0/);
  expect(() => parseTerraformPlan("Error: not json")).toThrow(ProxmoxMpcError);
});

describe("plans recorded from the real terraform 1.7.5", () => {
  const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "terraform");
  const text = (name: string): string => readFileSync(join(FIXTURES, `plan-${name}.json`), "utf8");
  const change = (name: string): TfResourceChange => (JSON.parse(text(name)) as TfPlan).resource_changes![0];

  test("every action becomes a note about a resource that is not a guest; a no-op is no note", () => {
    const notes = ["create", "update", "delete", "replace", "no-op", "replace-sensitive"].map((name) => {
      const plan = parseTerraformPlan(text(name));
      expect([name, plan.changes, plan.summary, plan.imports]).toEqual([name, [], { create: 0, update: 0, delete: 0, replace: 0 }, []]);
      return plan.others;
    });
    expect(notes).toEqual([
      ["create random_pet.example"],
      ["update terraform_data.replacement"],
      ["delete random_pet.example"],
      ["replace random_pet.example"],
      [],
      ["replace random_bytes.test"],
    ]);
  });

  test("an update: the changed argument, and one known only after apply", () => {
    expect(topLevelDiff(change("update").change)).toEqual({ input: ["foo", "bar"], output: ["foo", UNKNOWN_VALUE] });
  });

  test("a delete: every argument that had a value goes to null; the provider's id is left out", () => {
    expect(topLevelDiff(change("delete").change)).toEqual({ length: [2, null], separator: ["-", null] });
  });

  test("a replacement: the arguments that force it; a create: nothing unknown counts as a difference", () => {
    expect(topLevelDiff(change("replace").change)).toEqual({ length: [2, 3], separator: ["-", ","] });
    expect(topLevelDiff(change("create").change)).toEqual({ length: [null, 2], separator: [null, "-"] });
    expect(topLevelDiff(change("no-op").change)).toEqual({});
  });

  test("values the provider marks sensitive never appear in clear", () => {
    const diff = topLevelDiff(change("replace-sensitive").change);
    expect(diff.length).toEqual([4, 8]);
    // Whatever is shown of the regenerated bytes is a marker, never the value.
    // They change (new bytes), and are shown as Terraform shows them: masked on both sides.
    expect(diff.base64).toEqual([SENSITIVE_VALUE, SENSITIVE_VALUE]);
    expect(diff.hex).toEqual([SENSITIVE_VALUE, SENSITIVE_VALUE]);
    const shown = JSON.stringify(parseTerraformPlan(text("replace-sensitive"))) + JSON.stringify(diff);
    expect(shown).not.toContain("hxk5iA==");
    expect(shown).not.toContain("87193988");
  });
});
