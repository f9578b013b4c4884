/** Generated clusters (determinism, realism, size) and YAML seed files. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { UsageError } from "../../src/core/errors.js";
import { clusterFromSeed, generateCluster, readSeed, startSimulator } from "../../src/sim/index.js";
import { Api, seedsDir } from "./helpers.js";

const strip = (init: ReturnType<typeof generateCluster>) => init.guests.map((g) => ({ vmid: g.vmid, type: g.type, node: g.node, status: g.status, config: g.config }));

describe("generator", () => {
  const big = generateCluster(1000, 42);
  const guests = big.guests;

  test("deterministic for a seed, different for another", () => {
    expect(strip(generateCluster(200, 42))).toEqual(strip(generateCluster(200, 42)));
    expect(strip(generateCluster(200, 43))).not.toEqual(strip(generateCluster(200, 42)));
  });

  test("1000 guests: nodes, unique vmids/names/MACs, ~25% containers, ~10% stopped, templates in the 9000 range", () => {
    expect(guests).toHaveLength(1000);
    expect(big.nodes.map((n) => n.name)).toEqual(Array.from({ length: 13 }, (_, i) => `pve${i + 1}`));
    expect(new Set(guests.map((g) => g.vmid)).size).toBe(1000);
    const names = guests.map((g) => String(g.config.name ?? g.config.hostname));
    expect(new Set(names).size).toBe(1000);
    expect(names.every((n) => /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(n))).toBe(true);
    const macs = guests.map((g) => /([0-9A-F]{2}(:[0-9A-F]{2}){5})/.exec(String(g.config.net0))![1]);
    expect(new Set(macs).size).toBe(1000);
    expect(macs.every((m) => m.startsWith("BC:24:11:"))).toBe(true);
    const lxc = guests.filter((g) => g.type === "lxc").length / 1000;
    expect(lxc).toBeGreaterThan(0.18);
    expect(lxc).toBeLessThan(0.32);
    const stopped = guests.filter((g) => g.status === "stopped" && g.config.template !== 1).length / 1000;
    expect(stopped).toBeGreaterThan(0.05);
    expect(stopped).toBeLessThan(0.16);
    const templates = guests.filter((g) => g.config.template === 1);
    expect(templates.map((t) => t.vmid)).toEqual([9000, 9001, 9002, 9003]);
    expect(templates[0].config).toMatchObject({ name: "debian-12-cloudinit", ide2: "local-lvm:vm-9000-cloudinit,media=cdrom", scsi0: "local-lvm:base-9000-disk-0,iothread=1,size=3G" });
    expect(guests.filter((g) => g.vmid < 9000).map((g) => g.vmid)).toEqual(Array.from({ length: 996 }, (_, i) => 100 + i));
  });

  test("realistic configs: PVE keys and value types, disks on existing storages, cloud-init on some", () => {
    const vms = guests.filter((g) => g.type === "qemu" && g.config.template !== 1);
    const vm = vms[0].config;
    expect(vm).toMatchObject({ scsihw: "virtio-scsi-single", sockets: 1, numa: 0, boot: "order=scsi0;net0" });
    expect(typeof vm.cores).toBe("number");
    expect(typeof vm.memory).toBe("string");
    expect(String(vm.scsi0)).toMatch(/^(local-lvm:vm-\d+-disk-0|nas01:\d+\/vm-\d+-disk-0\.qcow2),iothread=1,size=\d+G$/);
    expect(String(vm.smbios1)).toMatch(/^uuid=[0-9a-f-]{36}$/);
    expect(vms.filter((g) => g.config.ipconfig0 !== undefined).length / vms.length).toBeGreaterThan(0.3);
    expect(vms.some((g) => /,tag=20/.test(String(g.config.net0))) && vms.some((g) => /,firewall=1/.test(String(g.config.net0)))).toBe(true);
    expect(vms.some((g) => g.config.cpu === "host") && vms.some((g) => g.config.cpu === "x86-64-v2-AES")).toBe(true);
    const ct = guests.find((g) => g.type === "lxc")!.config;
    expect(String(ct.rootfs)).toMatch(/^local-lvm:vm-\d+-disk-0,size=\d+G$/);
    expect(String(ct.net0)).toMatch(/^name=eth0,bridge=vmbr0,.*hwaddr=BC:24:11:.*type=veth$/);
    expect(ct.unprivileged).toBe(1);
    expect(guests.every((g) => /;/.test(String(g.config.tags)) || g.config.template === 1)).toBe(true);
    const storages = new Set(big.storages.map((s) => s.storage));
    for (const g of guests) for (const k of ["scsi0", "rootfs"]) if (g.config[k]) expect(storages.has(String(g.config[k]).split(":")[0])).toBe(true);
    expect(big.nodes[0].volumes.local.map((v) => v.volid)).toEqual(expect.arrayContaining(["local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst", "local:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst"]));
  });

  // How fast: `npm run bench:client` prints the generation time and the handler time of this list.
  test("10,000 guests on at least 100 nodes", () => {
    const init = generateCluster(10_000, 1);
    expect(init.guests).toHaveLength(10_000);
    expect(new Set(init.guests.map((g) => g.vmid)).size).toBe(10_000);
    expect(init.nodes.length).toBeGreaterThanOrEqual(100);
  });

  test("a 10,000-guest /cluster/resources lists every guest", async () => {
    const sim = await startSimulator({ size: 10_000 });
    try {
      const api = new Api(sim);
      const guests = await api.data<{ vmid: number }[]>("/cluster/resources", { type: "vm" });
      expect(guests).toHaveLength(10_000);
      expect(new Set(guests.map((g) => g.vmid)).size).toBe(10_000);
      const all = await api.data<{ type: string }[]>("/cluster/resources");
      expect(all.filter((r) => r.type === "qemu" || r.type === "lxc")).toHaveLength(10_000);
    } finally {
      await sim.close();
    }
  });
});

describe("seed files", () => {
  test("small.yaml loads into the model", () => {
    const init = clusterFromSeed(readSeed(resolve(seedsDir, "small.yaml")), 1);
    expect(init.name).toBe("homelab");
    expect(init.nodes.map((n) => [n.name, n.cpus, n.memory])).toEqual([["pve1", 16, 64 * 1024 ** 3], ["pve2", 8, 32 * 1024 ** 3]]);
    expect(init.storages.map((s) => [s.storage, s.type, s.shared, s.nodes])).toEqual([
      ["local", "dir", false, ["pve1", "pve2"]],
      ["local-lvm", "lvmthin", false, ["pve1", "pve2"]],
      ["nas01", "nfs", true, undefined],
    ]);
    const web = init.guests.find((g) => g.vmid === 100)!;
    expect(web).toMatchObject({ type: "qemu", node: "pve1", status: "running" });
    expect(web.config).toMatchObject({ name: "web-01", cores: 2, memory: "2048", agent: "1", onboot: 1 });
    expect(init.guests.find((g) => g.vmid === 9000)!.status).toBe("stopped");
    expect(init.nodes[1].volumes.local.some((v) => v.content === "vztmpl")).toBe(true);
  });

  const bad = (text: string): string => {
    const dir = mkdtempSync(join(tmpdir(), "sim-seed-"));
    writeFileSync(join(dir, "seed.yaml"), text);
    return join(dir, "seed.yaml");
  };

  test.each([
    ["nodes: [", /^Invalid seed file .*: /],
    ["guests: []", /nodes: /],
    ["nodes: [{name: pve1}]\nguests: [{vmid: 100, node: pve9}]", /guest 100 is on unknown node 'pve9'/],
    ["nodes: [{name: pve1}]\nguests: [{vmid: 100, node: pve1}, {vmid: 100, node: pve1}]", /vmid 100 is used twice/],
    ["nodes: [{name: pve1}]\nguests: [{vmid: 99, node: pve1}]", /guests\.0\.vmid/],
    ["nodes: [{name: pve_1}]", /not a valid node name/],
    ["nodes: [{name: pve1}]\ntokens: [{token: nope, privileges: all}]", /must look like user@realm!tokenid=secret/],
  ])("invalid seed %j → UsageError", (text, message) => {
    let err: unknown;
    try {
      clusterFromSeed(readSeed(bad(text)), 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain("\n");
  });

  test("a missing seed file → UsageError", async () => {
    await expect(startSimulator({ seed: "/nonexistent/seed.yaml" })).rejects.toThrow("Cannot read seed file /nonexistent/seed.yaml: no such file.");
  });
});
