/** The managed set file: round trip, atomic and serialised writes, a damaged file. */
import { readdir, readFile, writeFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { forgetManaged, managedStatePath, markManaged, readManaged, type ManagedGuest } from "../../../src/engine/native/state.js";
import { tempDir } from "../../helpers/sim.js";

const guest = (vmid: number): ManagedGuest => ({ vmid, name: `g-${vmid}`, node: "pve1", type: "qemu", address: `proxmox_virtual_environment_vm.g_${vmid}` });

it("an absent file is an empty set; marks and forgets round-trip through the documented layout", async () => {
  const { dir, cleanup } = tempDir();
  try {
    expect((await readManaged(dir)).size).toBe(0);
    await markManaged(dir, [guest(101), guest(100)]);
    await markManaged(dir, [{ ...guest(100), name: "renamed" }]);
    await forgetManaged(dir, [101, 999]);
    expect(JSON.parse(await readFile(managedStatePath(dir), "utf8"))).toEqual({
      version: 1,
      resources: { "100": { name: "renamed", node: "pve1", type: "qemu", address: "proxmox_virtual_environment_vm.g_100" } },
    });
    expect([...(await readManaged(dir)).values()]).toEqual([{ ...guest(100), name: "renamed" }]);
  } finally {
    cleanup();
  }
});

it("parallel updates are serialised (none lost) and leave no temp files", async () => {
  const { dir, cleanup } = tempDir();
  try {
    await Promise.all(Array.from({ length: 50 }, (_, i) => markManaged(dir, [guest(100 + i)])));
    await Promise.all([forgetManaged(dir, [100, 101]), markManaged(dir, [guest(500)])]);
    const set = await readManaged(dir);
    expect(set.size).toBe(49);
    expect(set.has(100)).toBe(false);
    expect(set.has(500)).toBe(true);
    expect(await readdir(dirname(managedStatePath(dir)))).toEqual(["native-state.json"]);
  } finally {
    cleanup();
  }
});

it("a damaged file is an error that says what to do", async () => {
  const { dir, cleanup } = tempDir();
  try {
    await mkdir(dirname(managedStatePath(dir)), { recursive: true });
    await writeFile(managedStatePath(dir), "{not json");
    await expect(readManaged(dir)).rejects.toMatchObject({ code: "managed-state-invalid", hint: expect.stringContaining("run sync") });
  } finally {
    cleanup();
  }
});
