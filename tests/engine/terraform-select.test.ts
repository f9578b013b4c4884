/**
 * Finding terraform on PATH and choosing the engine. PATH is always built
 * from folders made here (and tests/fixtures/bin, the STAND-IN terraform used
 * by the tests), so a real terraform installed on the machine never counts.
 */
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chooseEngine, engineChoice, type EngineLoaders } from "../../src/engine/select.js";
import { findTerraform, terraformEngine } from "../../src/engine/terraform/index.js";
import type { Engine } from "../../src/engine/types.js";

const STANDIN = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "bin", "terraform");
let root: string;
let standinDir: string;
let tofuDir: string;
let emptyDir: string;
let plainFileDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "mpc-tf-select-"));
  [standinDir, tofuDir, emptyDir, plainFileDir] = ["standin", "tofu", "empty", "plain"].map((d) => join(root, d));
  for (const d of [standinDir, tofuDir, emptyDir, plainFileDir]) await mkdir(d);
  await symlink(STANDIN, join(standinDir, "terraform"));
  await symlink(STANDIN, join(tofuDir, "tofu"));
  await writeFile(join(plainFileDir, "terraform"), "not executable");
  await chmod(join(plainFileDir, "terraform"), 0o644);
  await mkdir(join(emptyDir, "terraform")); // a directory named terraform is not a binary either
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const path = (...dirs: string[]): NodeJS.ProcessEnv => ({ PATH: dirs.join(delimiter) });

test("findTerraform: the first executable terraform on PATH, like which, without a shell", () => {
  expect(findTerraform(path(emptyDir, plainFileDir, standinDir, tofuDir))).toBe(join(standinDir, "terraform"));
  expect(findTerraform(path(emptyDir, plainFileDir))).toBeUndefined();
  expect(findTerraform({})).toBeUndefined();
});

test("findTerraform: tofu (OpenTofu) is the fallback when no terraform is on PATH", () => {
  expect(findTerraform(path(tofuDir, emptyDir))).toBe(join(tofuDir, "tofu"));
  expect(findTerraform(path(tofuDir, standinDir))).toBe(join(standinDir, "terraform"));
});

test("findTerraform: empty and relative PATH entries are ignored (they depend on the current directory)", () => {
  expect(findTerraform({ PATH: `${delimiter}.${delimiter}tests/fixtures/bin` })).toBeUndefined();
});

const fakeNative = { name: "native" } as unknown as Engine;
const loaders: EngineLoaders = { terraform: async () => terraformEngine, native: async () => fakeNative };

test("chooseEngine: terraform when requested or installed, native otherwise", async () => {
  expect(await chooseEngine(undefined, path(standinDir), loaders)).toBe(terraformEngine);
  expect(await chooseEngine(undefined, path(emptyDir), loaders)).toBe(fakeNative);
  expect(await chooseEngine("native", path(standinDir), loaders)).toBe(fakeNative);
  expect(await chooseEngine("terraform", path(emptyDir), loaders)).toBe(terraformEngine);
  expect(await chooseEngine(undefined, path(standinDir))).toBe(terraformEngine);
  expect((await chooseEngine(undefined, path(emptyDir))).name).toBe("native");
});

test("engineChoice says which engine and why, without loading either", () => {
  expect(engineChoice(undefined, path(standinDir))).toEqual({ name: "terraform", binary: join(standinDir, "terraform"), reason: `terraform found on PATH (${join(standinDir, "terraform")})` });
  expect(engineChoice(undefined, path(emptyDir))).toEqual({ name: "native", reason: "terraform is not installed (no terraform or tofu on PATH)" });
  expect(engineChoice("native", path(standinDir))).toEqual({ name: "native", reason: "--engine native" });
  expect(engineChoice("terraform", path(emptyDir))).toMatchObject({ name: "terraform", binary: undefined, reason: "--engine terraform (not found on PATH)" });
});
