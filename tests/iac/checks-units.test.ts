/**
 * The pieces of `test` on their own: argument line lookup, YAML positions,
 * the spec value languages, reading the files (the shortcut for generated
 * files and the parse cache give exactly what the parser gives), a workspace
 * that was never synced, and the real CLI.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ParseCache } from "../../src/iac/checks/parse-cache.js";
import { argumentLine } from "../../src/iac/checks/locate.js";
import { compare, globToRegExp, parseComparison, parseSubnet, parseVmids } from "../../src/iac/checks/spec-values.js";
import { readTerraformFiles } from "../../src/iac/checks/terraform-files.js";
import { lineAt, readYaml, yamlPositions } from "../../src/iac/checks/yaml-positions.js";
import { assignResourceNames, specFromPve } from "../../src/iac/model.js";
import { writeTerraform } from "../../src/iac/terraform/index.js";
import { cli } from "../helpers/cli.js";
import { initWorkspace, startSim } from "../helpers/sim.js";
import { checkedWorkspace, context } from "./checks-workspace.js";
import { allGuests, generatedGuests } from "./terraform-fixtures.js";
import { testCommand } from "../../src/commands/test.js";
import { loadWorkspace } from "../../src/core/workspace.js";
import type { TestReport } from "../../src/iac/checks/index.js";

describe("argumentLine", () => {
  const text = `# header
resource "proxmox_virtual_environment_vm" "a" {
  node_name = "pve1" # node
  cpu {
    cores = 2
  }
  disk {
    datastore_id = "local-lvm"
  }
  disk {
    datastore_id = "fast"
    speed {
      read = 10
    }
  }
  network_device {
    bridge = "vmbr0"
  }
}
`;
  test.each([
    ["node_name", 3],
    ["cpu.cores", 5],
    ["disk[0].datastore_id", 8],
    ["disk[1].datastore_id", 11],
    ["disk[1].speed.read", 13],
    ["network_device[0].bridge", 17],
    // Not there: the deepest block found, else the resource.
    ["cpu.sockets", 4],
    ["watchdog.model", 2],
    ["disk[2].size", 2],
  ])("%s → line %d", (path, line) => {
    expect(argumentLine(text, 2, path)).toBe(line);
  });
});

describe("YAML positions", () => {
  const text = "# c\n- name: a\n  select: { name: 'web-*', tag: web }\n  expect:\n    cores: '>= 2'\n\n- name: b\n  count: 3\n";
  test("keys and items have the line they start on", () => {
    const pos = yamlPositions(text);
    expect(lineAt(pos, 0)).toBe(2);
    expect(lineAt(pos, 0, "select", "tag")).toBe(3);
    expect(lineAt(pos, 0, "expect", "cores")).toBe(5);
    expect(lineAt(pos, 1, "count")).toBe(8);
    expect(lineAt(pos, 1, "nothing")).toBe(7);
  });

  test("readYaml gives the same value as js-yaml's load, and throws with a mark on bad YAML", async () => {
    const { load } = await import("js-yaml");
    expect(readYaml(text).value).toEqual(load(text));
    let mark: { line: number } | undefined;
    try {
      readYaml("- a: [1\n- b");
    } catch (err) {
      mark = (err as { mark?: { line: number } }).mark;
    }
    expect(mark?.line).toBe(1);
  });
});

describe("spec values", () => {
  test("comparisons with units", () => {
    expect(parseComparison(">= 2G", "mib")).toEqual({ op: ">=", value: 2048, text: ">= 2G" });
    expect(parseComparison("<1T", "gib")).toEqual({ op: "<", value: 1024, text: "<1T" });
    expect(parseComparison(4, "none")).toEqual({ op: "==", value: 4, text: "4" });
    expect(parseComparison("= 4", "none")).toMatchObject({ op: "==", value: 4 });
    expect(parseComparison("4G", "none")).toBe('"4G" takes no unit');
    expect(parseComparison("lots", "none")).toBe('"lots" is not a comparison like ">= 2"');
    expect(compare(3, { op: "!=", value: 4, text: "" })).toBe(true);
  });

  test("globs, vmid ranges, subnets", () => {
    expect(globToRegExp("web-*").test("WEB-01")).toBe(true);
    expect(globToRegExp("web-?[12]").test("web-01")).toBe(true);
    expect(globToRegExp("web-?[12]").test("web-03")).toBe(false);
    expect(globToRegExp("a.b").test("axb")).toBe(false);
    const ids = parseVmids(["100-199", 9000]);
    expect(typeof ids === "function" && [ids(150), ids(200), ids(9000)]).toEqual([true, false, true]);
    const inside = parseSubnet("10.0.10.0/24")!;
    expect([inside("10.0.10.21/24"), inside("10.0.11.1"), inside("fe80::1")]).toEqual([true, false, false]);
    expect(parseSubnet("10.0.10.0/40")).toBeUndefined();
  });
});

describe("reading the files", () => {
  let dir: string;
  const guests = [...allGuests(), ...generatedGuests(60)];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mpc-checks-"));
    await writeTerraform(dir, assignResourceNames(guests.map((g) => ({ ...specFromPve(g), adopted: true }))));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("generated files of synced guests read back exactly as the parser reads them (no parsing needed)", async () => {
    const parsed = await readTerraformFiles(dir);
    const shortcut = await readTerraformFiles(dir, { synced: guests });
    expect(parsed.specs.length).toBe(guests.length);
    expect(parsed.errors).toEqual([]);
    expect(shortcut).toEqual(parsed);
    // A hand edit makes a file differ from the generator's output: it is parsed for real.
    const file = parsed.specs[0].file;
    await writeFile(file, (await readFile(file, "utf8")).replace(/vm_id\s*=\s*\d+/, "vm_id = 4242"));
    const edited = await readTerraformFiles(dir, { synced: guests });
    expect(edited.specs.find((s) => s.file === file)?.vmid).toBe(4242);
    expect(edited).toEqual(await readTerraformFiles(dir));
  });

  test("the parse cache serves unchanged files, re-reads changed ones, and is dropped for another version", async () => {
    const cacheFile = join(dir, "cache", "parse.json");
    const first = await ParseCache.open(cacheFile, "1.0.0");
    const fresh = await readTerraformFiles(dir, { cache: first });
    await first.save();
    const saved = JSON.parse(await readFile(cacheFile, "utf8")) as { files: Record<string, unknown> };
    expect(Object.keys(saved.files).length).toBe(fresh.fileCount);

    const file = fresh.specs[1].file;
    await writeFile(file, (await readFile(file, "utf8")).replace(/vm_id\s*=\s*\d+/, "vm_id = 4343"));
    const again = await readTerraformFiles(dir, { cache: await ParseCache.open(cacheFile, "1.0.0") });
    expect(again.specs.find((s) => s.file === file)?.vmid).toBe(4343);
    expect(again).toEqual(await readTerraformFiles(dir));

    const other = await ParseCache.open(cacheFile, "2.0.0");
    expect(other.get(file, "x")).toBeUndefined();
  });
});

describe("a workspace that was never synced", () => {
  test("reference and capacity checks are skipped with a hint; nothing fails", async () => {
    const sim = await startSim();
    const ws = await initWorkspace(sim);
    try {
      const workspace = await loadWorkspace(ws.dir);
      const ctx = context(workspace, ws.env);
      const result = await testCommand.run(ctx, { args: [], options: {} });
      await ctx.services.close();
      const report = (result as { data: TestReport }).data;
      expect(report).toMatchObject({ ok: true, failed: 0, guests: 0 });
      expect(report.results.filter((r) => r.status === "skipped").map((r) => r.check)).toEqual(["nodes", "storage", "clone-source", "os-template", "cpu-capacity", "memory-capacity", "disk-capacity"]);
      expect(report.results.find((r) => r.check === "nodes")?.message).toBe("nothing synced yet: run `proxmox-mpc sync` so references can be checked");
    } finally {
      await sim.close();
      ws.cleanup();
    }
  });
});

describe("the real CLI", () => {
  test("exit code 0 when clean, 1 with a failure; -o json prints the report", async () => {
    const cw = await checkedWorkspace();
    try {
      const clean = await cli(["test", "-o", "json"], { env: cw.ws.env, cwd: cw.ws.dir });
      expect(clean.code).toBe(0);
      expect(JSON.parse(clean.stdout)).toMatchObject({ ok: true, failed: 0 });
      await cw.edit("terraform/db_01.tf", (t) => t.replace('node_name  = "pve2"', 'node_name  = "pve9"'));
      const broken = await cli(["test"], { env: cw.ws.env, cwd: cw.ws.dir });
      expect(broken.code).toBe(1);
      expect(broken.stdout).toMatch(/^✖ terraform\/db_01\.tf:3 node_name pve9 of db-01 is not a node of the cluster/);
      const json = JSON.parse((await cli(["test", "-o", "json"], { env: cw.ws.env, cwd: cw.ws.dir })).stdout) as TestReport;
      expect(json).toMatchObject({ ok: false, failed: 1 });
      expect(json.results.find((r) => r.status === "failed")).toEqual({ check: "nodes", status: "failed", file: "terraform/db_01.tf", line: 3, message: expect.any(String) });
    } finally {
      await cw.close();
    }
  }, 60_000);
});
