/**
 * writeAnsible on a real directory: writes only what changed, keeps mtimes
 * of unchanged files, never overwrites an existing stub, never touches
 * files it did not generate.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { generateAnsible, writeAnsible } from "../../src/iac/ansible/index.js";
import { guestRecords, OPTIONS, RAW_GUESTS, tempDir } from "./ansible-fixtures.js";

const ALL = ["ansible.cfg", "inventory.yml", "playbooks/baseline.yml", "playbooks/ping.yml", "playbooks/qemu-guest-agent.yml", "playbooks/site.yml", "proxmox.yml"];
const OLD = new Date("2020-01-01T00:00:00Z");

let dir: string;
beforeEach(async () => {
  dir = join(await tempDir("mpc-ansible-write-"), "ansible");
});
afterEach(async () => {
  await rm(join(dir, ".."), { recursive: true, force: true });
});

/** Set every generated file's mtime far in the past, so a rewrite is visible. */
async function age(paths: string[]): Promise<void> {
  for (const p of paths) await utimes(join(dir, p), OLD, OLD);
}
const mtime = async (p: string): Promise<number> => (await stat(join(dir, p))).mtimeMs;

describe("writeAnsible", () => {
  test("creates the folder and every file on first write", async () => {
    const files = generateAnsible(guestRecords(), OPTIONS);
    const result = await writeAnsible(dir, files);
    expect(result).toEqual({ written: ALL, unchanged: [] });
    const onDisk = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath ?? e.path, e.name)));
    expect(onDisk.sort()).toEqual(ALL); // no temporary files left behind
    for (const f of files) expect(await readFile(join(dir, f.path), "utf8")).toBe(f.content);
  });

  test("a second write with the same input writes nothing and keeps mtimes", async () => {
    const files = generateAnsible(guestRecords(), OPTIONS);
    await writeAnsible(dir, files);
    await age(ALL);
    const result = await writeAnsible(dir, generateAnsible(guestRecords(), OPTIONS));
    expect(result).toEqual({ written: [], unchanged: ALL });
    for (const p of ALL) expect(await mtime(p)).toBe(OLD.getTime());
  });

  test("a changed guest rewrites only inventory.yml", async () => {
    await writeAnsible(dir, generateAnsible(guestRecords(), OPTIONS));
    await age(ALL);
    const changed = RAW_GUESTS.map((g) => (g.vmid === 101 ? { ...g, status: "stopped" } : g));
    const result = await writeAnsible(dir, generateAnsible(guestRecords(changed), OPTIONS));
    expect(result.written).toEqual(["inventory.yml"]);
    expect(await mtime("inventory.yml")).toBeGreaterThan(OLD.getTime());
    expect(await mtime("proxmox.yml")).toBe(OLD.getTime());
    expect(await readFile(join(dir, "inventory.yml"), "utf8")).toMatch(/stopped:\n {6}hosts:\n(?: {8}.*\n)*? {8}web-01: \{\}/);
  });

  test("keeps a user's edits of a stub and re-creates a deleted one", async () => {
    await writeAnsible(dir, generateAnsible(guestRecords(), OPTIONS));
    const edited = "- name: Mine\n  hosts: all\n  tasks: []\n";
    await writeFile(join(dir, "playbooks/baseline.yml"), edited);
    await writeFile(join(dir, "ansible.cfg"), "[defaults]\ninventory = proxmox.yml\n");
    await rm(join(dir, "playbooks/ping.yml"));
    const result = await writeAnsible(dir, generateAnsible(guestRecords(), OPTIONS));
    expect(result.written).toEqual(["playbooks/ping.yml"]);
    expect(result.unchanged).toContain("playbooks/baseline.yml");
    expect(await readFile(join(dir, "playbooks/baseline.yml"), "utf8")).toBe(edited);
    expect(await readFile(join(dir, "ansible.cfg"), "utf8")).toContain("inventory = proxmox.yml");
    expect(await readFile(join(dir, "playbooks/ping.yml"), "utf8")).toContain("wait_for_connection");
  });

  test("overwrites a hand-edited generated file and leaves the user's own files alone", async () => {
    await mkdir(join(dir, "group_vars"), { recursive: true });
    await mkdir(join(dir, "playbooks"), { recursive: true });
    await writeFile(join(dir, "group_vars/all.yml"), "baseline_timezone: Europe/Berlin\n");
    await writeFile(join(dir, "playbooks/mine.yml"), "- hosts: web\n  tasks: []\n");
    await writeFile(join(dir, "inventory.yml"), "all: {}\n");
    await utimes(join(dir, "playbooks/mine.yml"), OLD, OLD);
    const result = await writeAnsible(dir, generateAnsible(guestRecords(), OPTIONS));
    expect(result.written).toContain("inventory.yml");
    expect(await readFile(join(dir, "inventory.yml"), "utf8")).toContain("web-01:");
    expect(await readFile(join(dir, "group_vars/all.yml"), "utf8")).toBe("baseline_timezone: Europe/Berlin\n");
    expect(await mtime("playbooks/mine.yml")).toBe(OLD.getTime());
    expect([...result.written, ...result.unchanged]).not.toContain("playbooks/mine.yml");
  });

  test("refuses paths that leave the folder", async () => {
    await expect(writeAnsible(dir, [{ path: "../escape.yml", content: "x", kind: "generated" }])).rejects.toThrow(/inside/);
    await expect(writeAnsible(dir, [{ path: "/tmp/abs.yml", content: "x", kind: "generated" }])).rejects.toThrow(/inside/);
    expect(existsSync(join(dir, "..", "escape.yml"))).toBe(false);
  });
});
