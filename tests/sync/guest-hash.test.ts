/**
 * The pure comparison behind syncs: hashing is insensitive to key order,
 * the digest alone is not a change, and disk/net changes without a config
 * change still show up.
 */
import { canonicalGuest, checkSnapshot, diffGuest, guestHash } from "../../src/sync/guest-hash.js";
import type { GuestDetail } from "../../src/state/index.js";
import { makeGuest } from "../state/helpers.js";

function stored(vmid: number): GuestDetail {
  const g = canonicalGuest(makeGuest(vmid));
  return {
    ...g,
    updatedAt: new Date(),
    firstSeenSyncId: 1,
    lastChangedSyncId: 1,
    disks: g.disks.map((d) => ({ vmid, ...d })),
    nets: g.nets.map((n) => ({ vmid, ...n })),
  };
}

test("the hash ignores the order of config keys, disks and nets, and the digest", () => {
  const a = makeGuest(104);
  const b = structuredClone(a);
  b.config = Object.fromEntries(Object.entries(b.config).reverse());
  b.disks.reverse();
  b.nets.reverse();
  b.digest = "another-digest";
  expect(guestHash(canonicalGuest(b))).toBe(guestHash(canonicalGuest(a)));
  b.cores = 3;
  expect(guestHash(canonicalGuest(b))).not.toBe(guestHash(canonicalGuest(a)));
});

test("missing optional disk/net fields become null in the canonical form", () => {
  const g = makeGuest(101);
  g.disks = [{ key: "scsi0", sizeGiB: 4, raw: "local:4" }];
  g.nets = [{ key: "net0", firewall: false, raw: "virtio" }];
  const n = canonicalGuest(g);
  expect(n.disks[0]).toEqual({ key: "scsi0", storage: null, volume: null, sizeGiB: 4, format: null, raw: "local:4" });
  expect(n.nets[0]).toEqual({ key: "net0", model: null, mac: null, bridge: null, vlanTag: null, ip: null, firewall: false, raw: "virtio" });
});

test("diffGuest lists normalized fields, config keys, and parsed disks whose config line did not change", () => {
  const old = stored(104);
  const now = canonicalGuest(makeGuest(104));
  expect(diffGuest(old, now)).toEqual({});
  now.disks[1] = { ...now.disks[1], format: "qcow2" }; // parsed differently, same config line
  now.config.scsi0 = "local-lvm:vm-104-disk-0,size=9G";
  now.config.agent = "1";
  now.nets = [];
  delete now.config.net0;
  expect(diffGuest(old, now)).toEqual({
    "config.agent": [null, "1"],
    "config.net0": [old.config.net0, null],
    "config.scsi0": ["local-lvm:vm-104-disk-0,size=8G", "local-lvm:vm-104-disk-0,size=9G"],
    "disks.scsi1": [expect.objectContaining({ format: "raw" }), expect.objectContaining({ format: "qcow2" })],
  });
});

test("an invalid snapshot is refused before anything is written", () => {
  expect(() => checkSnapshot([canonicalGuest(makeGuest(100)), canonicalGuest(makeGuest(100))])).toThrow(
    "The sync produced an invalid snapshot: vmid 100 appears twice.",
  );
});
