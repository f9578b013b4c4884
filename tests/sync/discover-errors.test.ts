/**
 * What each kind of failed read does to a sync's discovery (after retries),
 * against the simulator with persistent per-path faults: one guest's failure
 * makes that guest stale, a node that cannot answer is unreachable, while a
 * rejected token or an unreadable resource list stop the whole sync.
 */
import { setMaxListeners } from "node:events";
import { AuthenticationError, ServerError } from "../../src/proxmox/errors.js";
import { ProxmoxClient } from "../../src/proxmox/client.js";
import { parseApiToken } from "../../src/proxmox/connection.js";
import { discover } from "../../src/sync/discover.js";
import { syncRetryPolicy } from "../../src/sync/policy.js";
import { guestName, startSim, type RunningSimulator } from "../helpers/sim.js";

const SIZE = 20;
let sim: RunningSimulator;
let client: ProxmoxClient;
const signal = new AbortController().signal;
setMaxListeners(0, signal);

beforeAll(async () => {
  sim = await startSim({ size: SIZE, randomSeed: 5 });
  client = new ProxmoxClient({ baseUrl: sim.url, token: parseApiToken(sim.token), tls: { mode: "verify" } }, { concurrency: 16 });
});
afterAll(async () => {
  client.close();
  await sim.close();
});

const read = () => discover(client, { signal, retry: syncRetryPolicy({ baseMs: 1, maxDelayMs: 4 }) });
const configPath = (g: { node: string; type: string; vmid: number }) => `/nodes/${g.node}/${g.type}/${g.vmid}/config`;

function withFault<T>(path: string, kind: number | "drop", work: () => Promise<T>): Promise<T> {
  sim.cluster.failPath(path, kind);
  return work().finally(() => sim.cluster.failPath(path, null));
}

it("a guest whose config keeps failing (504, dropped connection, 403) is stale with its /cluster/resources row; the others are read", async () => {
  const [a, b, c] = sim.cluster.guests();
  sim.cluster.failPath(configPath(b), "drop");
  sim.cluster.failPath(configPath(c), 403);
  const before = sim.stats().requests;
  const { snapshot } = await withFault(configPath(a), 504, read).finally(() => {
    sim.cluster.failPath(configPath(b), null);
    sim.cluster.failPath(configPath(c), null);
  });
  expect(snapshot.guests).toHaveLength(SIZE - 3);
  expect(snapshot.staleGuests?.map((s) => s.vmid)).toEqual([a.vmid, b.vmid, c.vmid].sort((x, y) => x - y));
  const staleOf = (vmid: number) => snapshot.staleGuests!.find((s) => s.vmid === vmid)!;
  expect(staleOf(a.vmid).reason).toContain("504");
  expect(staleOf(b.vmid).reason).toMatch(/^Cannot reach /);
  expect(staleOf(c.vmid).reason).toMatch(/^Permission denied/);
  expect(staleOf(a.vmid).fallback).toMatchObject({ vmid: a.vmid, name: guestName(a), node: a.node, type: a.type, config: {}, disks: [], nets: [] });
  // 6 attempts for each retried failure, one for the 403 (never retried), one per other request.
  const others = 2 + sim.cluster.nodes.size + (SIZE - 3);
  expect(sim.stats().requests - before).toBe(others + 6 + 6 + 1);
  expect(snapshot.unreachableNodes).toEqual([]);
});

it("a node whose storage read cannot be forwarded (596) is unreachable: its guests are not read, nor stale", async () => {
  const node = [...sim.cluster.nodes.keys()][0];
  const { snapshot } = await withFault(`/nodes/${node}/storage`, 596, read);
  expect(snapshot.unreachableNodes).toEqual([node]);
  expect(snapshot.guests.some((g) => g.node === node)).toBe(false);
  expect(snapshot.staleGuests).toEqual([]);
});

it("a rejected token stops the whole sync", async () => {
  const g = sim.cluster.guests()[0];
  await expect(withFault(configPath(g), 401, read)).rejects.toBeInstanceOf(AuthenticationError);
});

it("a resource list that cannot be read stops the whole sync (after its retries)", async () => {
  await expect(withFault("/cluster/resources", 503, read)).rejects.toBeInstanceOf(ServerError);
});
