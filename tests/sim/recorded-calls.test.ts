/**
 * Replays the recorded write calls and error responses of real PVE servers
 * (writes.fog.json, errors.fog.json) against a simulator holding the same
 * guests, and checks status, reason phrase and the type of `data`.
 */
import { startSimulator, type RunningSimulator, type SeedDocument } from "../../src/sim/index.js";
import { Api, fixture } from "./helpers.js";

interface Recorded {
  source: string;
  request: { method: string; path: string; body: string | null };
  response: { status: number; reason: string; body: { data: unknown; errors?: Record<string, string> } | null };
}

const SEED: SeedDocument = {
  nodes: [
    {
      name: "pve",
      storage: [
        { storage: "local", type: "dir", content: "iso,vztmpl,backup,images", volumes: ["local:vztmpl/alpine-3.12-default_20200823_amd64.tar.xz"] },
        { storage: "local-lvm", type: "lvmthin", content: "images,rootdir" },
      ],
    },
    { name: "proxmox-noris" },
  ],
};

// The writes were recorded on PVE 6.2, whose PUT .../qemu/{vmid}/resize answered null (a UPID since qemu-server 8.0.2).
const REPLAY = { seed: SEED, taskDelayMs: 1, resizeReturnsTask: false };

let sim: RunningSimulator;
let api: Api;
beforeAll(async () => {
  sim = await startSimulator(REPLAY);
  api = new Api(sim);
});
afterAll(() => sim.close());

async function replay(call: Recorded) {
  const path = call.request.path.replace(/^\/api2\/json/, "");
  const [p, q] = path.split("?");
  const params = Object.fromEntries(new URLSearchParams(call.request.body ?? q ?? ""));
  const reply = await api.call(call.request.method, p, params);
  if (typeof reply.body?.data === "string" && reply.body.data.startsWith("UPID:")) await api.waitTask(reply.body.data);
  return reply;
}

test("recorded writes: same status and the same kind of data (UPID string or null)", async () => {
  const writes = fixture<Recorded[]>("writes.fog.json");
  const fileOf = (c: Recorded): string => c.source.split("#")[0];
  // Stable sort by recorded file: each file's calls in their recorded order.
  const ordered = [...writes].sort((a, b) => fileOf(a).localeCompare(fileOf(b)));
  let replayed = 0;
  let group = "";
  for (const call of ordered) {
    // Each recorded file (servers.yml, containers.yml, ...) started from its own state: so does each replay.
    const file = fileOf(call);
    if (file !== group) {
      group = file;
      await sim.close();
      sim = await startSimulator(REPLAY);
      api = new Api(sim);
    }
    // The restore needs a vzdump archive, which the simulator does not model.
    if (call.request.body?.includes("archive=")) continue;
    if (call.request.path.includes("/snapshot/snapshot1/config")) {
      await api.waitTask((await api.post("/nodes/proxmox-noris/qemu", { vmid: 101, scsi0: "local-lvm:8" })).body!.data);
      await api.waitTask((await api.post("/nodes/proxmox-noris/qemu/101/snapshot", { snapname: "snapshot1" })).body!.data);
    }
    const reply = await replay(call);
    expect({ source: call.source, status: reply.status }).toEqual({ source: call.source, status: call.response.status });
    const want = call.response.body!.data;
    if (typeof want === "string") expect(String(reply.body!.data)).toMatch(new RegExp(`^UPID:${want.split(":")[1]}:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:${want.split(":")[5]}:${want.split(":")[6]}:`));
    else expect(reply.body!.data).toBeNull();
    replayed++;
  }
  expect(replayed).toBe(writes.length - 1);
});

test("recorded errors: same status, reason phrase and errors object", async () => {
  await sim.close();
  sim = await startSimulator({ seed: { nodes: [{ name: "pve" }], guests: [{ vmid: 100, node: "pve" }] }, taskDelayMs: 1, password: "the-right-one" });
  api = new Api(sim);
  const errors = fixture<Recorded[]>("errors.fog.json");
  const checked: string[] = [];
  for (const call of errors) {
    // User tokens, network and pool changes are endpoints the simulator does not implement.
    if (/\/access\/users|\/network|\/pools/.test(call.request.path)) continue;
    const reply = await replay(call);
    expect({ status: reply.status, reason: reply.reason }).toEqual({ status: call.response.status, reason: call.response.reason });
    if (call.response.body?.errors) expect(reply.body!.errors).toEqual(call.response.body.errors);
    expect(reply.body!.data).toBeNull();
    checked.push(call.source);
  }
  expect(checked.length).toBe(6);
  expect(checked).toContain("spec/fixtures/proxmox/identity/auth_access_ticket.yml#interaction[1]");
});
