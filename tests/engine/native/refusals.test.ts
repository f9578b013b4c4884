/**
 * What the native engine refuses or reports instead of doing: protected
 * guests, arguments it does not apply, a vm_id owned by someone else,
 * unreadable files, resources of other providers, a missing clone source,
 * duplicate vm_ids.
 */
import { unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { nativeEngine, readManaged } from "../../../src/engine/native/index.js";
import type { NativePlan } from "../../../src/engine/native/types.js";
import type { GuestSpec, QemuGuestSpec } from "../../../src/iac/model.js";
import { nativeWorkspace, newVm, type NativeWorkspace } from "./helpers.js";
import { FOREIGN, seed, VAULT, WEB } from "./seed.js";

let ws: NativeWorkspace;
let adopted: GuestSpec[];
const plan = (options = {}): Promise<NativePlan> => nativeEngine.plan(ws.ctx(), options) as Promise<NativePlan>;

// Every test starts from its own workspace that adopted web-01 and vault-01 (protected).
beforeEach(async () => {
  ws = await nativeWorkspace({ seed: seed() });
  adopted = await ws.adopt([WEB, VAULT]);
});
afterEach(() => ws.close());

describe("protection", () => {
  it("a protected guest is never planned for destruction", async () => {
    await unlink(join(ws.tfDir, "vault_01.tf"));
    await expect(plan()).rejects.toMatchObject({ code: "protected", exitCode: 1, message: "vault-01 has protection enabled in Proxmox; turn it off first." });
    await expect(plan({ destroy: true, targets: ["vault-01"] })).rejects.toThrow("vault-01 has protection enabled in Proxmox; turn it off first.");
    await ws.write(adopted);
    expect((await plan()).changes).toEqual([]);
  });

  it("nor for replacement", async () => {
    await ws.edit("vault_01.tf", (t) => t.replace(/node_name\s*=\s*"pve2"/, 'node_name = "pve1"'));
    await expect(plan()).rejects.toThrow("vault-01 has protection enabled in Proxmox; turn it off first.");
  });

  it("is checked again right before deleting", async () => {
    const p = await plan({ destroy: true, targets: ["web-01"] });
    expect(p.changes.map((c) => [c.action, c.name])).toEqual([["delete", "web-01"]]);
    await ws.client.settle(await ws.client.updateGuestConfig("pve1", "qemu", WEB, { protection: 1 }));
    const result = await nativeEngine.apply(ws.ctx(), p);
    expect(result.ok).toBe(false);
    expect(result.steps).toEqual([expect.objectContaining({ status: "failed", message: "web-01 has protection enabled in Proxmox; turn it off first." })]);
    expect(ws.sim.cluster.guest(WEB)!.status).toBe("running");
  });

  it("a guest that moved to another node since the plan is not forgotten", async () => {
    const p = await plan({ destroy: true, targets: ["web-01"] });
    const g = ws.sim.cluster.guest(WEB)!;
    g.node = "pve2";
    ws.sim.cluster.touch();
    const result = await nativeEngine.apply(ws.ctx(), p);
    expect(result.steps).toEqual([expect.objectContaining({ status: "failed", message: "web-01 moved to pve2 since the plan; run plan again." })]);
    expect(ws.sim.cluster.guest(WEB)).toBeDefined();
    expect((await readManaged(ws.dir)).has(WEB)).toBe(true);
  });
});

describe("unsupported arguments", () => {
  it("PCI passthrough on a live VM is listed, not applied, not silently dropped", async () => {
    const web = adopted.find((s) => s.vmid === WEB) as QemuGuestSpec;
    await ws.write(adopted.map((s) => (s === web ? { ...web, hostPci: [{ device: "hostpci0", id: "0000:01:00.0", pcie: true }] } : s)));
    const p = await plan();
    expect(p.changes).toEqual([]);
    expect(p.unsupported).toEqual([{ name: "web-01", file: "terraform/web_01.tf", argument: "hostpci" }]);
    expect(p.text).toContain("Not applied by the native engine (use --engine terraform for these):\n  web-01 (terraform/web_01.tf): hostpci");
    expect(p.text.split("\n").pop()).toBe("No changes. Your infrastructure matches the configuration.");
  });

  it("arguments the model does not carry are listed by name", async () => {
    await ws.edit("web_01.tf", (t) => t.replace(/\n}\s*$/, "\n  watchdog {\n    enabled = true\n  }\n}\n"));
    const p = await plan();
    expect(p.unsupported).toEqual([{ name: "web-01", file: "terraform/web_01.tf", argument: "watchdog" }]);
    await ws.write(adopted);
    expect((await plan()).unsupported).toEqual([]);
  });

  it("a new VM is created without its passthrough devices, which are listed", async () => {
    const vm = newVm({ name: "gpu-01", vmid: 310, node: "pve1" }) as QemuGuestSpec;
    await ws.write([...adopted, { ...vm, usb: [{ host: "1234:5678" }] }]);
    const p = await plan();
    expect(p.changes.map((c) => [c.action, c.name])).toEqual([["create", "gpu-01"]]);
    expect(p.unsupported).toEqual([{ name: "gpu-01", file: "terraform/gpu_01.tf", argument: "usb" }]);
  });
});

describe("refused plans", () => {
  it("a vm_id taken by a guest the workspace does not own", async () => {
    await ws.write([...adopted, newVm({ name: "mine", vmid: FOREIGN, node: "pve1" })]);
    await expect(plan()).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining("terraform/mine.tf:2: vm_id 200 of mine is taken by other-01 (qemu on pve1), which this workspace does not manage."),
    });
  });

  it("files that do not parse, with file and line", async () => {
    await writeFile(join(ws.tfDir, "broken.tf"), 'resource "proxmox_virtual_environment_vm" "x" {\n  vm_id = \n');
    const err = await plan().catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 2, code: "terraform-invalid" });
    expect((err as Error).message).toMatch(/^The Terraform files cannot be read:\n {2}terraform\/broken\.tf:\d+: /);
  });

  it("a clone source that does not exist, and two files with one vm_id", async () => {
    await ws.write([...adopted, newVm({ name: "c-01", vmid: 320, node: "pve1", clone: { vmId: 9999 } })]);
    await expect(plan()).rejects.toThrow("clone source 9999 of c-01 does not exist.");
    await unlink(join(ws.tfDir, "c_01.tf"));
    await ws.write([...adopted, newVm({ name: "a-01", vmid: 330, node: "pve1" }), newVm({ name: "b-01", vmid: 330, node: "pve1" })]);
    await expect(plan()).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/vm_id 330 of b-01 is also used by a-01/) });
  });

  it("a workspace without .tf files does not plan to destroy everything it manages", async () => {
    const err = await nativeEngine.plan({ ...ws.ctx(), terraformDir: join(ws.dir, "nowhere") }).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 2, code: "no-terraform-files", message: "nowhere/ has no .tf files, so the plan would destroy all 2 guests this workspace manages." });
    const p = await nativeEngine.plan({ ...ws.ctx(), terraformDir: join(ws.dir, "nowhere") }, { destroy: true, targets: ["proxmox_virtual_environment_vm.web_01"] });
    expect(p.changes.map((c) => [c.action, c.name])).toEqual([["delete", "web-01"]]);
  });

  it("resources of other providers are ignored with a warning", async () => {
    await writeFile(join(ws.tfDir, "dns.tf"), 'resource "cloudflare_record" "www" {\n  name = "www"\n}\n');
    const p = await plan();
    expect(p.changes).toEqual([]);
    expect(p.warnings).toEqual([expect.stringMatching(/^terraform\/dns\.tf:1: cloudflare_record\.www is not a Proxmox guest; the native engine ignores it/)]);
  });
});
