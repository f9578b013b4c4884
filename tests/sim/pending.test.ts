/**
 * Pending changes in the simulator, as PVE keeps them: a change a running
 * guest cannot take now (a VM's cores, its memory without memory hotplug, a
 * container's hostname) waits until the next start. GET config answers the
 * pending values, `current=1` the running ones, GET …/pending both; hot-plug
 * keys, stopped guests and `revert` behave as on PVE. Every request passes the
 * simulator's schema validation (the vendored official schema).
 */
import { resolve } from "node:path";
import { startSimulator, type RunningSimulator } from "../../src/sim/index.js";
import { Api, seedsDir } from "./helpers.js";

let sim: RunningSimulator;
let api: Api;
beforeEach(async () => {
  sim = await startSimulator({ seed: resolve(seedsDir, "small.yaml"), taskDelayMs: 1 });
  api = new Api(sim);
});
afterEach(() => sim.close());

type Entry = { key: string; value?: string; pending?: string; delete?: number };
const pending = async (path: string): Promise<Entry[]> => (await api.data<Entry[]>(`${path}/pending`)).filter((e) => e.pending !== undefined || e.delete);
const ok = async (reply: Awaited<ReturnType<Api["put"]>>): Promise<void> => {
  expect([reply.status, reply.body?.errors]).toEqual([200, undefined]);
  if (typeof reply.body?.data === "string") expect((await api.waitTask(reply.body.data)).exitstatus).toBe("OK");
};

describe("a running VM", () => {
  const vm = "/nodes/pve1/qemu/100";

  test("cores and memory (no memory hotplug) wait for the restart; tags and the name change at once", async () => {
    const before = await api.data(`${vm}/config`);
    await ok(await api.post(`${vm}/config`, { cores: 6, memory: "8192", tags: "a;b", name: "renamed" }));
    expect(await pending(vm)).toEqual([
      { key: "cores", value: String(before.cores), pending: "6" },
      { key: "memory", value: String(before.memory), pending: "8192" },
    ]);
    expect(await api.data(`${vm}/config`)).toMatchObject({ cores: 6, memory: "8192", tags: "a;b", name: "renamed" });
    expect(await api.data(`${vm}/config`, { current: 1 })).toMatchObject({ cores: before.cores, memory: before.memory, tags: "a;b", name: "renamed" });
    // A second change keeps the running value; setting a key back to it ends its pending state.
    await ok(await api.put(`${vm}/config`, { cores: 8 }));
    await ok(await api.put(`${vm}/config`, { memory: String(before.memory) }));
    expect(await pending(vm)).toEqual([{ key: "cores", value: String(before.cores), pending: "8" }]);
    // A reboot applies what is pending.
    await ok(await api.post(`${vm}/status/reboot`));
    expect(await pending(vm)).toEqual([]);
    expect((await api.data(`${vm}/config`, { current: 1 })).cores).toBe(8);
  });

  test("with memory in hotplug the memory changes at once", async () => {
    await ok(await api.put(`${vm}/config`, { hotplug: "network,disk,memory", numa: 1 }));
    await api.post(`${vm}/status/reboot`).then(ok);
    await ok(await api.put(`${vm}/config`, { memory: "6144" }));
    expect((await pending(vm)).map((e) => e.key)).not.toContain("memory");
    expect((await api.data(`${vm}/config`, { current: 1 })).memory).toBe("6144");
  });

  test("a deleted key is a pending removal; revert drops pending keys", async () => {
    await ok(await api.put(`${vm}/config`, { cores: 3, delete: "ostype" }));
    expect(await pending(vm)).toEqual([expect.objectContaining({ key: "cores", pending: "3" }), { key: "ostype", value: "l26", delete: 1 }]);
    expect((await api.data(`${vm}/config`)).ostype).toBeUndefined();
    await ok(await api.put(`${vm}/config`, { revert: "cores,ostype" }));
    expect(await pending(vm)).toEqual([]);
    expect((await api.data(`${vm}/config`)).ostype).toBe("l26");
  });

  test("a change that fails (stale digest) leaves nothing pending", async () => {
    const r = await api.put(`${vm}/config`, { cores: 5, digest: "0".repeat(40) });
    expect(r.status).toBe(500);
    expect(await pending(vm)).toEqual([]);
  });
});

test("a stopped VM changes at once; a stop keeps what is pending until the next start", async () => {
  await ok(await api.put("/nodes/pve2/qemu/102/config", { cores: 3 }));
  expect(await pending("/nodes/pve2/qemu/102")).toEqual([]);
  const vm = "/nodes/pve1/qemu/100";
  await ok(await api.put(`${vm}/config`, { cores: 7 }));
  await ok(await api.post(`${vm}/status/stop`));
  expect(await pending(vm)).toHaveLength(1);
  await ok(await api.post(`${vm}/status/start`));
  expect(await pending(vm)).toEqual([]);
});

test("a running container: cores and memory at once, the hostname at the next start", async () => {
  const ct = "/nodes/pve1/lxc/101";
  const before = await api.data(`${ct}/config`);
  await ok(await api.put(`${ct}/config`, { cores: 3, memory: 2048, hostname: "renamed" }));
  expect(await pending(ct)).toEqual([{ key: "hostname", value: String(before.hostname), pending: "renamed" }]);
  expect(await api.data(`${ct}/config`, { current: 1 })).toMatchObject({ cores: 3, memory: 2048, hostname: before.hostname });
});
