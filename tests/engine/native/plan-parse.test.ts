/**
 * How the native plan avoids the WASM parser — files exactly as the generator
 * writes them for the live guests are read without parsing, and unchanged
 * files come from the parse cache it shares with `test` — gives exactly what
 * parsing every file gives, and exactly the same plan.
 */
import { existsSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { generatedFiles } from "../../../src/engine/native/generated.js";
import { listGuests, readConfigs } from "../../../src/engine/native/live.js";
import { planNative } from "../../../src/engine/native/plan.js";
import { parseCacheFile, readSpecs } from "../../../src/engine/native/specs.js";
import { ParseCache } from "../../../src/iac/checks/parse-cache.js";
import { parseTerraformFile, readHeader, type ParsedWorkspace } from "../../../src/iac/terraform/index.js";
import { textHash } from "../../../src/iac/terraform/parse/index.js";
import { newVm, nativeWorkspace, type NativeWorkspace } from "./helpers.js";

let ws: NativeWorkspace | undefined;
afterEach(async () => {
  await ws?.close();
  ws = undefined;
});

async function liveGuests(w: NativeWorkspace) {
  const live = await listGuests(w.client);
  await readConfigs(w.client, live, live.keys());
  return live;
}

async function files(dir: string) {
  const names = (await readdir(dir)).filter((f) => f.endsWith(".tf")).sort();
  return Promise.all(names.map(async (f) => ({ path: join(dir, f), text: await readFile(join(dir, f), "utf8") })));
}

it("files generated for the live guests read back exactly as the parser reads them", async () => {
  ws = await nativeWorkspace({ size: 40 });
  await ws.adopt();
  const tf = await files(ws.tfDir);
  const known = await generatedFiles(liveGuests(ws))(tf, []);
  // Every file: the guests', imports.tf and provider.tf.
  expect(known.filter((r) => r === undefined)).toEqual([]);
  expect(tf.map((f) => f.path.split("/").pop())).toEqual(expect.arrayContaining(["imports.tf", "provider.tf"]));
  for (let i = 0; i < tf.length; i++) expect([tf[i].path, known[i]]).toEqual([tf[i].path, await parseTerraformFile(tf[i].path, tf[i].text)]);

  // A guest changed in Proxmox no longer matches its file: that file (and imports.tf, which
  // no longer lists every guest's spec as read) is left to the parser; a failed read leaves all.
  const g = ws.sim.cluster.guests().find((x) => x.type === "qemu" && typeof x.config.cores === "number")!;
  g.config = { ...g.config, cores: Number(g.config.cores) + 1 };
  ws.sim.cluster.touch();
  const again = await generatedFiles(liveGuests(ws))(tf, []);
  const left = tf.filter((_, i) => again[i] === undefined).map((f) => f.path);
  const itsFile = tf.find((f) => readHeader(f.text)?.vmid === g.vmid)?.path;
  expect(itsFile).toBeDefined();
  expect(left).toContain(itsFile);
  expect(left.length).toBeLessThan(tf.length);
  expect(await generatedFiles(Promise.reject(new Error("no cluster")))(tf, [])).toEqual(tf.map(() => undefined));
}, 30_000);

it("the plan is the same with every file parsed, after a sync (no parsing), and from the cache", async () => {
  ws = await nativeWorkspace({ size: 60 });
  const adopted = await ws.adopt();
  // Something to plan: a new guest, a file edited by hand, a guest changed in Proxmox.
  await ws.write([...adopted, newVm({ name: "fresh-01", vmid: 4321, node: "pve1" })]);
  const edited = adopted.find((s) => s.kind === "qemu" && !s.template)!;
  await ws.edit(`${edited.resourceName}.tf`, (t) => t.replace(/cores(\s*)=(\s*)\d+/, "cores$1=$2" + String(edited.cpu?.cores === 7 ? 6 : 7)));
  const changed = ws.sim.cluster.guests().find((x) => x.vmid !== edited.vmid && x.template !== true && x.config.template !== 1)!;
  changed.status = changed.status === "running" ? "stopped" : "running";
  ws.sim.cluster.touch();
  const cacheFile = parseCacheFile(ws.dir);

  const parsed = await readSpecs(ws.ctx()); // no live guests: every file parsed
  expect(existsSync(cacheFile)).toBe(true);
  await rm(cacheFile);
  const shortcut = await readSpecs(ws.ctx(), liveGuests(ws));
  const cached = await readSpecs(ws.ctx());
  expect(shortcut).toEqual(parsed);
  expect(cached).toEqual(parsed);
  expect(parsed.specs.length).toBe(adopted.length + 1);

  await rm(cacheFile);
  const cold = await planNative(ws.ctx());
  const warm = await planNative(ws.ctx());
  const view = (p: typeof cold) => ({ text: p.text, changes: p.changes, summary: p.summary, unsupported: p.unsupported, warnings: p.warnings });
  expect(view(warm)).toEqual(view(cold));
  expect(cold.summary).toMatchObject({ create: 1, update: 2 });
  expect(cold.changes.map((c) => c.vmid).sort()).toEqual([edited.vmid, changed.vmid, 4321].sort());
}, 60_000);

it("what the parse cache hands out is the caller's own", async () => {
  ws = await nativeWorkspace({ size: 4 });
  await ws.adopt();
  const [file] = await files(ws.tfDir);
  const result: ParsedWorkspace = await parseTerraformFile(file.path, file.text);
  const cacheFile = join(ws.dir, "cache.json");
  const cache = await ParseCache.open(cacheFile, "1.0.0");
  const hash = textHash(file.text);
  cache.set(file.path, hash, result);
  result.errors.push({ file: file.path, message: "changed after set" });
  const first = cache.get(file.path, hash) as ParsedWorkspace;
  expect(first.errors).toEqual([]);
  first.specs.push(first.specs[0]);
  expect(cache.get(file.path, hash)?.specs.length).toBe(result.specs.length);
  await cache.save();
  const reopened = await ParseCache.open(cacheFile, "1.0.0");
  expect(reopened.get(file.path, hash)).toEqual({ ...result, errors: [] });
  expect(reopened.get(file.path, "other")).toBeUndefined();
});
