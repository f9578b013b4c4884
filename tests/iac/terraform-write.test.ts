/**
 * writeTerraform: only changed files are written, hand edits are kept (with a
 * diff) unless overwrite, stale files are reported and pruned only when untouched.
 */
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newGuestSpec, specFromPve, type GuestSpec, type QemuGuestSpec } from "../../src/iac/model.js";
import { renderGuest, unifiedDiff, writeTerraform } from "../../src/iac/terraform/index.js";
import { syntheticGuests } from "./terraform-fixtures.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pmpc-write-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const guests = (): GuestSpec[] => syntheticGuests().map(specFromPve);
const OLD = new Date("2020-01-01T00:00:00Z");

async function ageAll(): Promise<void> {
  for (const f of await readdir(dir)) await utimes(join(dir, f), OLD, OLD);
}
async function mtime(file: string): Promise<number> {
  return (await stat(join(dir, file))).mtimeMs;
}

test("first write: provider.tf, one file per guest, imports.tf", async () => {
  const report = await writeTerraform(dir, guests());
  expect(report.written).toEqual(["vm_9gag.tf", "ct_template.tf", "db_01.tf", "debian12_cloud.tf", "imports.tf", "provider.tf", "web_01.tf"].sort());
  expect(report).toMatchObject({ unchanged: [], keptEdited: [], removed: [], staleFiles: [] });
  expect(await readFile(join(dir, "web_01.tf"), "utf8")).toBe(renderGuest(guests()[0]));
  const imports = await readFile(join(dir, "imports.tf"), "utf8");
  expect(imports).toContain('import {\n  to = proxmox_virtual_environment_vm.web_01\n  id = "pve1/100"\n}\n');
  expect(imports.match(/^import \{/gm)).toHaveLength(5);
});

test("untouched files are not rewritten; a changed guest rewrites only its file", async () => {
  await writeTerraform(dir, guests());
  await ageAll();
  const again = await writeTerraform(dir, guests());
  expect(again.written).toEqual([]);
  expect(again.unchanged).toHaveLength(6);
  for (const f of await readdir(dir)) expect(await mtime(f)).toBe(OLD.getTime());

  const changed = guests().map((s) => (s.vmid === 100 ? { ...s, cpu: { ...s.cpu, cores: 8 } } : s));
  const third = await writeTerraform(dir, changed);
  expect(third.written).toEqual(["web_01.tf"]);
  expect(await readFile(join(dir, "web_01.tf"), "utf8")).toContain("    cores   = 8\n");
  expect(await mtime("db_01.tf")).toBe(OLD.getTime());
  expect(await mtime("imports.tf")).toBe(OLD.getTime());
});

test("a hand-edited file is kept and reported with a diff, unless overwrite", async () => {
  await writeTerraform(dir, guests());
  const path = join(dir, "db_01.tf");
  const edited = (await readFile(path, "utf8")).replace("    dedicated = 2048\n", "    dedicated = 4096 # more for postgres\n");
  await writeFile(path, edited);

  const changed = guests().map((s) => (s.vmid === 201 ? { ...s, description: "PostgreSQL 16" } : s));
  const report = await writeTerraform(dir, changed);
  expect(report.written).toEqual([]);
  expect(report.keptEdited.map((k) => k.file)).toEqual(["db_01.tf"]);
  const diff = report.keptEdited[0].diff;
  expect(diff).toMatch(/^--- db_01\.tf \(generated\)\n\+\+\+ db_01\.tf \(current\)\n@@ -\d+,\d+ \+\d+,\d+ @@\n/);
  expect(diff).toContain('\n-  description   = "PostgreSQL 16"\n+  description   = "PostgreSQL"\n');
  expect(diff).toContain("\n-    dedicated = 2048\n+    dedicated = 4096 # more for postgres\n");
  expect(diff).not.toContain("sha256");
  expect(await readFile(path, "utf8")).toBe(edited);

  const forced = await writeTerraform(dir, changed, { overwrite: true });
  expect(forced.written).toEqual(["db_01.tf"]);
  expect(await readFile(path, "utf8")).toBe(renderGuest(changed.find((s) => s.vmid === 201) as GuestSpec));
});

test("files of guests that are gone are stale; prune removes only untouched ones", async () => {
  await writeTerraform(dir, guests());
  await writeFile(join(dir, "mine.tf"), 'resource "aws_instance" "x" {}\n');
  const edited = (await readFile(join(dir, "ct_template.tf"), "utf8")) + "# keep me\n";
  await writeFile(join(dir, "ct_template.tf"), edited);
  const remaining = guests().filter((s) => s.vmid !== 9000 && s.vmid !== 202);

  const report = await writeTerraform(dir, remaining);
  expect(report.staleFiles).toEqual(["ct_template.tf", "debian12_cloud.tf"]);
  expect(report.removed).toEqual([]);
  expect(report.written).toEqual(["imports.tf"]);

  const pruned = await writeTerraform(dir, remaining, { prune: true });
  expect(pruned.removed).toEqual(["debian12_cloud.tf"]);
  expect(pruned.staleFiles).toEqual(["ct_template.tf", "debian12_cloud.tf"]);
  const left = await readdir(dir);
  expect(left).toContain("ct_template.tf");
  expect(left).toContain("mine.tf");
  expect(left).not.toContain("debian12_cloud.tf");
});

test("provider.tf is written once and never overwritten", async () => {
  await writeTerraform(dir, guests());
  await writeFile(join(dir, "provider.tf"), 'provider "proxmox" {\n  insecure = true\n}\n');
  const report = await writeTerraform(dir, guests());
  expect(report.written).not.toContain("provider.tf");
  expect(await readFile(join(dir, "provider.tf"), "utf8")).toContain("insecure = true");
});

test("names are stable: a renamed guest keeps its file, a newcomer with a taken name gets _<vmid>", async () => {
  await writeTerraform(dir, guests());
  const renamed = guests().map((s) => (s.vmid === 100 ? { ...s, name: "frontend", resourceName: "frontend" } : s));
  const newcomer = newGuestSpec({ kind: "qemu", name: "web-01", vmid: 99, node: "pve1" });
  const report = await writeTerraform(dir, [...renamed, newcomer]);
  expect(report.written).toEqual(["web_01.tf", "web_01_99.tf"]);
  const web = await readFile(join(dir, "web_01.tf"), "utf8");
  expect(web).toContain('resource "proxmox_virtual_environment_vm" "web_01" {');
  expect(web).toContain('  name          = "frontend"\n');
  expect(await readFile(join(dir, "web_01_99.tf"), "utf8")).toContain('resource "proxmox_virtual_environment_vm" "web_01_99" {');
});

test("new guests (not adopted) get no import block", async () => {
  const fresh = newGuestSpec({ kind: "qemu", name: "fresh", vmid: 7, node: "pve1" }) as QemuGuestSpec;
  const report = await writeTerraform(dir, [fresh]);
  expect(report.written).toEqual(["fresh.tf", "provider.tf"]);
});

test("unifiedDiff hunks", () => {
  const a = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"].join("\n");
  const b = ["1", "2", "3", "4", "five", "6", "7", "8", "9", "10", "11"].join("\n");
  expect(unifiedDiff(a, b, "a", "b", 1)).toBe("--- a\n+++ b\n@@ -4,3 +4,3 @@\n 4\n-5\n+five\n 6\n@@ -10,1 +10,2 @@\n 10\n+11\n");
  expect(unifiedDiff(a, a, "a", "b")).toBe("");
});
