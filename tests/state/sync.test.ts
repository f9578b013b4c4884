/**
 * Writing syncs: the first write, a re-sync that writes nothing, field-level
 * change detection, removal, rename, dry run, unreachable nodes, and an
 * interrupted write that leaves the previous state intact.
 */
import { spawnSync } from "node:child_process";
import { CancelledError } from "../../src/core/errors.js";
import { openStore, toGuestJson, toNodeJson, type ObservedSnapshot, type Store } from "../../src/state/index.js";
import { storeCases } from "./harness.js";
import { commitSnapshot, diffSnapshot, makeGuest, makeSnapshot } from "./helpers.js";

const { cases, teardown } = await storeCases();
afterAll(teardown);

/** Every guest/disk/net row as written (ids and timestamps included). */
async function rows(store: Store) {
  const p = store.prisma;
  const [guests, disks, nets] = await Promise.all([
    p.guest.findMany({ orderBy: { vmid: "asc" }, select: { vmid: true, updatedAt: true, lastChangedSyncId: true, hash: true } }),
    p.disk.findMany({ orderBy: { id: "asc" } }),
    p.networkInterface.findMany({ orderBy: { id: "asc" } }),
  ]);
  return { guests, disks, nets };
}

function clone(snapshot: ObservedSnapshot): ObservedSnapshot {
  return structuredClone(snapshot);
}

describe.each(cases)("sync writes on $name", ({ newUrl }) => {
  let store: Store;
  let base: ObservedSnapshot;

  beforeEach(async () => {
    store = await openStore({ url: newUrl() });
    base = makeSnapshot(50);
    await commitSnapshot(store, await store.syncs.begin({ correlationId: "c-first" }), base);
  });
  afterEach(() => store.close());

  test("the first sync writes nodes, storage, guests with disks and nets, and a completed run", async () => {
    const run = await store.syncs.last();
    expect(run).toMatchObject({ id: 1, status: "completed", correlationId: "c-first", nodes: 3, guests: 50, added: 50, changed: 0, removed: 0 });
    expect(run?.durationMs).toBeGreaterThanOrEqual(0);
    expect(await store.counts()).toMatchObject({ nodes: 3, storage: 6, guests: 50, vms: 40, containers: 10, running: 37 });
    const changes = await store.syncs.changes(1);
    expect(changes).toHaveLength(50);
    expect(changes[0]).toMatchObject({ vmid: 100, name: "guest-100", kind: "added", diff: null });

    const guest = await store.guests.get(104);
    const observed = makeGuest(104);
    expect(guest).toMatchObject({ vmid: 104, name: "guest-104", config: observed.config, firstSeenSyncId: 1, lastChangedSyncId: 1 });
    expect(guest?.disks.map((d) => d.key)).toEqual(["scsi0", "scsi1", "scsi2"]);
    expect(guest?.nets[0]).toMatchObject({ key: "net0", model: "virtio", bridge: "vmbr0", firewall: true, vlanTag: null });
    expect(toGuestJson(guest!)).toMatchObject({
      vmid: 104, name: "guest-104", node: "pve3", type: "qemu", status: "stopped", cores: 2, memory: 2048, disk: 48, tags: ["db"], template: false,
    });
    const [node] = await store.nodes.list();
    expect(toNodeJson(node)).toEqual({ name: "pve1", status: "online", cpu: 0.1, maxcpu: 16, mem: 8 * 1024 ** 3, maxmem: 64 * 1024 ** 3, uptime: 3600 });
  });

  test("a re-sync with nothing changed writes no guest, disk or net row", async () => {
    const before = await rows(store);
    const { run, diff } = await commitSnapshot(store, await store.syncs.begin(), clone(base));
    expect(diff).toMatchObject({ added: [], changed: [], removed: [], renamed: [], unchanged: 50 });
    expect(run).toMatchObject({ status: "completed", added: 0, changed: 0, removed: 0, renamed: 0, guests: 50 });
    expect(await rows(store)).toEqual(before); // same ids (nothing re-inserted), same updatedAt
    expect(await store.syncs.changes(run.id)).toEqual([]);
  });

  test("changes are detected field by field and only the changed guests are rewritten", async () => {
    const before = await rows(store);
    const next = clone(base);
    const g101 = next.guests[1];
    g101.cores = 4;
    g101.config.cores = 4;
    const g103 = next.guests[3];
    g103.status = "stopped";
    const g104 = next.guests[4];
    g104.disks[0].sizeGiB = 64;
    g104.disks[0].raw = "local-lvm:vm-104-disk-0,size=64G";
    g104.config.scsi0 = g104.disks[0].raw;
    g104.disk += 56;
    g104.tags = ["db", "big"];
    const { run, diff } = await commitSnapshot(store, await store.syncs.begin(), next);

    expect(diff.changed.map((c) => c.vmid)).toEqual([101, 103, 104]);
    expect(diff.changed[0].diff).toEqual({ cores: [2, 4], "config.cores": [2, 4] });
    expect(diff.changed[1].diff).toEqual({ status: ["running", "stopped"] });
    expect(diff.changed[2].diff).toEqual({
      disk: [48, 104],
      tags: [["db"], ["db", "big"]],
      "config.scsi0": ["local-lvm:vm-104-disk-0,size=8G", "local-lvm:vm-104-disk-0,size=64G"],
    });
    expect(run).toMatchObject({ changed: 3, added: 0, removed: 0, guests: 50 });
    const stored = await store.syncs.changes(run.id);
    expect(stored.map((c) => [c.vmid, c.kind])).toEqual([[101, "changed"], [103, "changed"], [104, "changed"]]);
    expect(stored[0].diff).toEqual({ cores: [2, 4], "config.cores": [2, 4] });

    const after = await rows(store);
    const changedVmids = new Set([101, 103, 104]);
    for (const [i, g] of after.guests.entries()) {
      if (changedVmids.has(g.vmid)) expect(g.lastChangedSyncId).toBe(run.id);
      else expect(g).toEqual(before.guests[i]);
    }
    expect(await store.guests.get(104)).toMatchObject({ firstSeenSyncId: 1, lastChangedSyncId: run.id, disk: 104, tags: ["db", "big"] });
    expect((await store.guests.get(104))?.disks[0]).toMatchObject({ sizeGiB: 64 });
    // Disks of untouched guests keep their rows.
    const untouched = (d: { vmid: number }) => !changedVmids.has(d.vmid);
    expect(after.disks.filter(untouched)).toEqual(before.disks.filter(untouched));
  });

  test("removed guests are deleted with their disks and nets, and recorded", async () => {
    const next = clone(base);
    next.guests = next.guests.filter((g) => g.vmid !== 105 && g.vmid !== 106);
    const { run, diff } = await commitSnapshot(store, await store.syncs.begin(), next);
    expect(diff.removed).toEqual([
      { vmid: 105, name: "guest-105", kind: "removed", diff: null },
      { vmid: 106, name: "guest-106", kind: "removed", diff: null },
    ]);
    expect(run).toMatchObject({ removed: 2, guests: 48 });
    expect(await store.guests.get(105)).toBeNull();
    expect(await store.prisma.disk.count({ where: { vmid: { in: [105, 106] } } })).toBe(0);
    expect(await store.prisma.networkInterface.count({ where: { vmid: 106 } })).toBe(0);
    expect((await store.syncs.changesOf(105))[0]).toMatchObject({ kind: "removed", syncRunId: run.id });
  });

  test("a new name on the same vmid is a rename", async () => {
    const next = clone(base);
    next.guests[7].name = "web-07";
    next.guests[7].config.name = "web-07";
    const { run, diff } = await commitSnapshot(store, await store.syncs.begin(), next);
    expect(diff.renamed).toEqual([
      { vmid: 107, name: "web-07", kind: "renamed", diff: { name: ["guest-107", "web-07"], "config.name": ["guest-107", "web-07"] } },
    ]);
    expect(diff.changed).toEqual([]);
    expect(run).toMatchObject({ renamed: 1, changed: 0 });
    expect((await store.guests.get("web-07"))?.vmid).toBe(107);
    expect(await store.guests.get("guest-107")).toBeNull();
  });

  test("dry run returns the same diff as the write, and writes nothing", async () => {
    const next = clone(base);
    next.guests.splice(0, 1);
    next.guests[0].memory = 4096;
    next.guests.push(makeGuest(999));
    next.nodes.push({ ...next.nodes[0], name: "pve4" });
    const runsBefore = (await store.syncs.history()).length;
    const before = await rows(store);
    const dry = await diffSnapshot(store, next);
    expect(await rows(store)).toEqual(before);
    expect((await store.syncs.history()).length).toBe(runsBefore);
    expect(dry.nodes).toEqual({ added: ["pve4"], removed: [] });
    const { diff } = await commitSnapshot(store, await store.syncs.begin(), next);
    expect(diff).toEqual(dry);
    expect(dry.added.map((c) => c.vmid)).toEqual([999]);
    expect(dry.removed.map((c) => c.vmid)).toEqual([100]);
    expect(dry.changed.map((c) => c.vmid)).toEqual([101]);
  });

  test("guests of an unreachable node are kept, not reported removed", async () => {
    const next = clone(base);
    next.guests = next.guests.filter((g) => g.node !== "pve2");
    next.storage = next.storage.filter((s) => s.node !== "pve2");
    next.unreachableNodes = ["pve2"];
    const { diff } = await commitSnapshot(store, await store.syncs.begin(), next);
    expect(diff.removed).toEqual([]);
    expect((await store.guests.list({ node: "pve2" })).length).toBeGreaterThan(0);
    expect(await store.storage.list("pve2")).toHaveLength(2);
  });

  test("an interrupted write leaves the previous state intact", async () => {
    const before = await rows(store);
    const countsBefore = await store.counts();
    const next = makeSnapshot(3000, 100); // 2950 more guests: several batches
    next.guests[0].cores = 8;
    const controller = new AbortController();
    const run = await store.syncs.begin();
    const phases: string[] = [];
    await expect(
      commitSnapshot(store, run, next, {
        signal: controller.signal,
        onProgress: (p) => {
          phases.push(p.phase);
          if (p.phase === "added" && p.done >= 1000) controller.abort(); // after guests were written
        },
      }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(phases).toContain("changed");
    expect(await rows(store)).toEqual(before);
    expect(await store.counts()).toEqual({ ...countsBefore, syncRuns: countsBefore.syncRuns + 1 });
    expect(await store.syncs.last()).toMatchObject({ id: run.id, status: "interrupted", error: expect.stringMatching(/cancelled/) });
    expect(await store.syncs.changes(run.id)).toEqual([]);

    // A crash inside the transaction (here: a throwing callback) rolls back the same way.
    const run2 = await store.syncs.begin();
    const boom = () => {
      throw new Error("process died");
    };
    await expect(commitSnapshot(store, run2, next, { onProgress: (p) => p.phase === "finish" && boom() })).rejects.toThrow("process died");
    expect(await rows(store)).toEqual(before);
    expect(await store.syncs.last()).toMatchObject({ id: run2.id, status: "failed", error: "process died" });
    // A finished run cannot be written again.
    await expect(commitSnapshot(store, run2, next)).rejects.toMatchObject({ code: "sync-not-running" });
  });

  test("a run left running by a dead process is marked interrupted by the next begin", async () => {
    const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    const deadPid = Number(child.stdout);
    const ghost = await store.prisma.syncRun.create({
      data: { pid: deadPid, host: (await import("node:os")).hostname(), startedAt: new Date(Date.now() - 60_000), status: "running" },
    });
    await store.syncs.begin();
    const history = await store.syncs.history(5);
    expect(history.find((r) => r.id === ghost.id)).toMatchObject({ status: "interrupted" });
    expect(history[0]).toMatchObject({ status: "running" });
  });
});
